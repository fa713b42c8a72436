package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/weiyin-bank/weiyin/engine"
)

// CustomerByOpenID returns the customer bound to openid, or engine.ErrNotFound.
func (b *Bank) CustomerByOpenID(ctx context.Context, openid string) (engine.Customer, error) {
	var c engine.Customer
	err := b.view(ctx, func(r *rtx) error {
		id := r.tx.Bucket(bOpenIDs).Get([]byte(openid))
		if id == nil || openid == "" {
			return fmt.Errorf("openid: %w", engine.ErrNotFound)
		}
		return r.get(bCustomers, string(id), &c)
	})
	return c, wrapOp("customer by openid", err)
}

// Customer returns a customer by id, or engine.ErrNotFound.
func (b *Bank) Customer(ctx context.Context, id string) (engine.Customer, error) {
	var c engine.Customer
	err := b.view(ctx, func(r *rtx) error { return r.customer(id, &c) })
	return c, wrapOp("customer", err)
}

// known checks that a customer exists, without decoding the record.
func (r *rtx) known(id string) error {
	if id == "" || r.tx.Bucket(bCustomers).Get([]byte(id)) == nil {
		return fmt.Errorf("customer %q: %w", id, engine.ErrNotFound)
	}
	return nil
}

func (r *rtx) customer(id string, c *engine.Customer) error {
	if err := r.get(bCustomers, id, c); err != nil || id == "" {
		return fmt.Errorf("customer %q: %w", id, engine.ErrNotFound)
	}
	return nil
}

// Bind binds openid to the customer owning cardNo (a deposit account or credit card number)
// whose phone on file is phone. challenge must have been sent for exactly
// engine.BindOperation(openid, cardNo, phone) and verified within its 5 minutes, else
// ErrVerificationRequired (whether or not the card exists or the phone matches: SendOTP
// tells that, and counts the attempts); it authorises this binding only. A phone on file
// changed since the code was sent is ErrNoMatch. Binding again the same openid to the same customer needs no code and changes nothing.
func (b *Bank) Bind(ctx context.Context, openid, cardNo, phone, challenge string) (engine.Customer, error) {
	var c engine.Customer
	err := b.update(ctx, false, func(r *rtx) error {
		if openid == "" {
			return fmt.Errorf("%w: empty openid", engine.ErrInvalid)
		}
		owner := r.cardOwner(cardNo)
		if owner != "" {
			if err := r.customer(owner, &c); err != nil {
				return err
			}
			if c.Phone == phone && c.WechatOpenID == openid {
				return nil
			}
		}
		// The challenge first: without one, Bind says nothing about the card or the phone
		// (SendOTP, which counts attempts, is the only place that does).
		if err := r.authorise(challenge, owner, engine.BindOperation(openid, cardNo, phone), "bind"); err != nil {
			return err
		}
		if c.Phone != phone { // the phone on file changed since the code was sent
			return engine.ErrNoMatch
		}
		ob := r.tx.Bucket(bOpenIDs)
		if prev := ob.Get([]byte(openid)); prev != nil { // the openid was bound to someone else
			var other engine.Customer
			if r.get(bCustomers, string(prev), &other) == nil {
				other.WechatOpenID = ""
				if err := r.put(bCustomers, other.ID, other); err != nil {
					return err
				}
			}
		}
		if c.WechatOpenID != "" {
			if err := ob.Delete([]byte(c.WechatOpenID)); err != nil {
				return err
			}
		}
		c.WechatOpenID = openid
		if err := ob.Put([]byte(openid), []byte(c.ID)); err != nil {
			return err
		}
		return r.put(bCustomers, c.ID, c)
	})
	if err != nil {
		return engine.Customer{}, wrapOp("bind", err)
	}
	b.log.Info("sandbox: bound", "customer", c.ID, "openid", maskNumber(openid))
	return c, nil
}

// Accounts lists the customer's deposit accounts in id order.
func (b *Bank) Accounts(ctx context.Context, customer string) ([]engine.Account, error) {
	var out []engine.Account
	err := b.view(ctx, func(r *rtx) error {
		if err := r.known(customer); err != nil {
			return err
		}
		return r.owned(customer, ixAccount, func(id string) error {
			a, err := r.account(id)
			if err != nil {
				return err
			}
			if a.Kind == kindCustomer && a.Customer == customer {
				acc := a.Account
				acc.SpentToday = a.spentOn(b.now())
				out = append(out, acc)
			}
			return nil
		})
	})
	return out, wrapOp("accounts", err)
}

// Transactions lists the movements on the customer's account with from <= time < to, oldest
// first. A zero from means since the beginning, a zero to means until now and later.
func (b *Bank) Transactions(ctx context.Context, customer, account string, from, to time.Time) ([]engine.Transaction, error) {
	var out []engine.Transaction
	err := b.view(ctx, func(r *rtx) error {
		a, err := r.customerAccount(customer, account)
		if err != nil {
			return err
		}
		if !to.IsZero() && !from.IsZero() && to.Before(from) {
			return fmt.Errorf("%w: to before from", engine.ErrInvalid)
		}
		pb := r.tx.Bucket(bPostings).Bucket([]byte(a.ID))
		if pb == nil {
			return nil
		}
		c := pb.Cursor()
		var k, v []byte
		if from.IsZero() || from.UnixNano() < 0 {
			k, v = c.First()
		} else {
			k, v = c.Seek(postingKey(from, 0))
		}
		var end []byte
		if !to.IsZero() && to.UnixNano() > 0 {
			end = postingKey(to, 0)
		}
		for ; k != nil && (end == nil || bytes.Compare(k, end) < 0); k, v = c.Next() {
			var p posting
			if err := json.Unmarshal(v, &p); err != nil {
				return err
			}
			out = append(out, engine.Transaction{ID: p.Movement, Account: a.ID, Time: p.Time.In(Shanghai), Amount: p.Amount,
				Counterparty: p.Counterparty, Memo: p.Memo, Balance: p.Balance})
		}
		return nil
	})
	return out, wrapOp("transactions", err)
}

// Contacts lists the customer's saved payees.
func (b *Bank) Contacts(ctx context.Context, customer string) ([]engine.Contact, error) {
	return customerList[engine.Contact](ctx, b, "contacts", bContacts, customer)
}

// customerList reads the list a bucket keeps under a customer id (none: empty).
func customerList[T any](ctx context.Context, b *Bank, op string, bucket []byte, customer string) ([]T, error) {
	var out []T
	err := b.view(ctx, func(r *rtx) error {
		if err := r.known(customer); err != nil {
			return err
		}
		return r.getOptional(bucket, customer, &out)
	})
	return out, wrapOp(op, err)
}

// Transfer moves money from one of the customer's current accounts to an account of this
// bank (by id or number) or to one of the customer's saved payees at another bank (by
// number, through the clearing account).
func (b *Bank) Transfer(ctx context.Context, key string, req engine.TransferRequest) (engine.TransferResult, error) {
	hashed := req
	hashed.Challenge = "" // the idempotency hash: a retry under the key is the same operation, whatever code it carries
	return keyed(ctx, b, "transfer", key, hashed, func(r *rtx) (engine.TransferResult, error) {
		if err := r.authorise(req.Challenge, req.Customer, req.Operation(), key); err != nil {
			return engine.TransferResult{}, err
		}
		var res engine.TransferResult
		var c engine.Customer
		if err := r.customer(req.Customer, &c); err != nil {
			return res, err
		}
		from, err := r.customerAccount(req.Customer, req.FromAccount)
		if err != nil {
			return res, err
		}
		if err := r.debitable(from, req.Amount); err != nil {
			return res, err
		}
		to, toName, toNumber, err := r.payee(req.Customer, req.ToAccount)
		if err != nil {
			return res, err
		}
		if to.ID == from.ID {
			return res, fmt.Errorf("%w: cannot transfer to the same account", engine.ErrInvalid)
		}
		if toName == "" {
			toName = req.ToName
		}
		memo := req.Memo
		if memo == "" {
			memo = "转账"
		}
		sender := c.Name
		if to.Kind == kindInternal {
			sender = toName
		}
		id, err := r.move("TR", from, to, req.Amount, toName, sender, memo)
		if err != nil {
			return res, err
		}
		return engine.TransferResult{ID: id, Amount: req.Amount, Balance: from.Balance, ToName: toName, ToAccount: toNumber, Time: r.now}, nil
	})
}

// payee resolves a transfer destination: an account of this bank by id or number (its
// owner's name), or a saved payee at another bank (the clearing account, the payee's name).
func (r *rtx) payee(customer, ref string) (to *ledgerAccount, name, number string, err error) {
	a, err := r.account(ref)
	if err != nil {
		if id := r.tx.Bucket(bNumbers).Get([]byte(ref)); id != nil {
			a, err = r.account(string(id))
		}
	}
	if err == nil && a.Kind == kindCustomer {
		var owner engine.Customer
		if err := r.customer(a.Customer, &owner); err != nil {
			return nil, "", "", err
		}
		return a, owner.Name, a.Number, nil
	}
	var contacts []engine.Contact
	if err := r.getOptional(bContacts, customer, &contacts); err != nil {
		return nil, "", "", err
	}
	for _, c := range contacts {
		if c.Account == ref && ref != "" {
			clearing, err := r.account(acctClearing)
			if err != nil {
				return nil, "", "", err
			}
			return clearing, c.Name, c.Account, nil
		}
	}
	return nil, "", "", fmt.Errorf("payee %q: %w", ref, engine.ErrUnknownPayee)
}

// OtherBankCards lists the customer's cards at other banks with their balances.
func (b *Bank) OtherBankCards(ctx context.Context, customer string) ([]engine.OtherBankCard, error) {
	var out []engine.OtherBankCard
	err := b.view(ctx, func(r *rtx) error {
		if err := r.known(customer); err != nil {
			return err
		}
		return r.owned(customer, ixOBCard, func(num string) error {
			var card engine.OtherBankCard
			if err := r.get(bOBCards, num, &card); err != nil {
				return fmt.Errorf("other bank card %s: %w", maskNumber(num), err)
			}
			if card.Customer != customer {
				return nil
			}
			a, err := r.account("ob-" + num)
			if err != nil {
				return err
			}
			card.Balance = a.Balance
			out = append(out, card)
			return nil
		})
	})
	return out, wrapOp("other bank cards", err)
}

// FundCollect pulls money from one of the customer's cards at another bank into one of the
// customer's accounts here.
func (b *Bank) FundCollect(ctx context.Context, key string, req engine.CollectRequest) (engine.TransferResult, error) {
	hashed := req
	hashed.Challenge = "" // the idempotency hash: a retry under the key is the same operation, whatever code it carries
	return keyed(ctx, b, "fund_collect", key, hashed, func(r *rtx) (engine.TransferResult, error) {
		if err := r.authorise(req.Challenge, req.Customer, req.Operation(), key); err != nil {
			return engine.TransferResult{}, err
		}
		var res engine.TransferResult
		var card engine.OtherBankCard
		if err := r.get(bOBCards, req.Card, &card); err != nil || card.Customer != req.Customer {
			return res, fmt.Errorf("card %q: %w", maskNumber(req.Card), engine.ErrNotFound)
		}
		src, err := r.account("ob-" + card.Number)
		if err != nil {
			return res, err
		}
		to, err := r.customerAccount(req.Customer, req.ToAccount)
		if err != nil {
			return res, err
		}
		if err := r.debitable(src, req.Amount); err != nil {
			return res, err
		}
		id, err := r.move("FC", src, to, req.Amount, to.Name, card.Bank+"("+card.Number[len(card.Number)-4:]+")", "资金归集")
		if err != nil {
			return res, err
		}
		return engine.TransferResult{ID: id, Amount: req.Amount, Balance: to.Balance, ToName: to.Name, ToAccount: to.Number, Time: r.now}, nil
	})
}

// CreditCards lists the customer's credit cards.
func (b *Bank) CreditCards(ctx context.Context, customer string) ([]engine.CreditCard, error) {
	var out []engine.CreditCard
	err := b.view(ctx, func(r *rtx) error {
		if err := r.known(customer); err != nil {
			return err
		}
		return r.owned(customer, ixCard, func(id string) error {
			card, err := r.creditCardByID(id)
			if err != nil {
				return fmt.Errorf("credit card %q: %w", id, err)
			}
			if card.Customer == customer {
				out = append(out, *card)
			}
			return nil
		})
	})
	return out, wrapOp("credit cards", err)
}

func (r *rtx) creditCardByID(id string) (*engine.CreditCard, error) {
	var c engine.CreditCard
	if err := r.get(bCards, id, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// creditCard finds the customer's credit card by id, number or last four digits.
func (r *rtx) creditCard(customer, ref string) (*engine.CreditCard, error) {
	var found []*engine.CreditCard
	err := r.owned(customer, ixCard, func(id string) error {
		c, err := r.creditCardByID(id)
		if err != nil {
			return fmt.Errorf("credit card %q: %w", id, err)
		}
		if c.Customer == customer && ref != "" && (c.ID == ref || c.Number == ref || (len(ref) == 4 && strings.HasSuffix(c.Number, ref))) {
			found = append(found, c)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(found) != 1 {
		return nil, fmt.Errorf("credit card %q: %w", ref, engine.ErrNotFound)
	}
	return found[0], nil
}

// CreditRepay repays a credit card from a current account: Amount, or the full statement
// balance (Mode "full") or the minimum due (Mode "minimum").
func (b *Bank) CreditRepay(ctx context.Context, key string, req engine.RepayRequest) (engine.RepayResult, error) {
	hashed := req
	hashed.Challenge = "" // the idempotency hash: a retry under the key is the same operation, whatever code it carries
	return keyed(ctx, b, "credit_repay", key, hashed, func(r *rtx) (engine.RepayResult, error) {
		if err := r.authorise(req.Challenge, req.Customer, req.Operation(), key); err != nil {
			return engine.RepayResult{}, err
		}
		var res engine.RepayResult
		card, err := r.creditCard(req.Customer, req.Card)
		if err != nil {
			return res, err
		}
		if _, err := r.customerAccount(req.Customer, req.FromAccount); err != nil {
			return res, err // an unknown account comes before nothing due
		}
		if card.StatementBalance == 0 {
			return res, engine.ErrNothingDue
		}
		amount := req.Amount
		switch req.Mode {
		case "":
		case "full":
			amount = card.StatementBalance
		case "minimum":
			if card.MinimumDue == 0 {
				return res, fmt.Errorf("minimum: %w", engine.ErrNothingDue)
			}
			amount = card.MinimumDue
		default:
			return res, fmt.Errorf("%w: mode %q: want full, minimum or empty", engine.ErrInvalid, req.Mode)
		}
		if req.Mode != "" && req.Amount != 0 && req.Amount != amount {
			return res, fmt.Errorf("%w: amount given with mode %q", engine.ErrInvalid, req.Mode)
		}
		if amount > card.StatementBalance {
			return res, fmt.Errorf("%w: %s is more than the statement balance %s", engine.ErrInvalid, fmtMoney(amount), fmtMoney(card.StatementBalance))
		}
		_, id, err := r.payOut(req.Customer, req.FromAccount, amount, acctCards, "RP", "信用卡还款("+card.Number[len(card.Number)-4:]+")", "信用卡还款")
		if err != nil {
			return res, err
		}
		card.StatementBalance -= amount
		card.MinimumDue = max(0, card.MinimumDue-amount)
		card.Repaid += amount
		card.LastRepaidAt = r.now
		if err := r.put(bCards, card.ID, card); err != nil {
			return res, err
		}
		return engine.RepayResult{ID: id, Amount: amount, Remaining: card.StatementBalance}, nil
	})
}
