package sandbox

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/weiyin-bank/weiyin/engine"
)

// maxTopup caps one phone top-up.
const maxTopup engine.Money = 2000_00

// Products lists the wealth products in id order.
func (b *Bank) Products(ctx context.Context) ([]engine.Product, error) {
	d, err := b.reference(ctx)
	if err != nil {
		return nil, wrapOp("products", err)
	}
	return slices.Clone(d.products), nil
}

// Holdings lists the wealth products the customer holds.
func (b *Bank) Holdings(ctx context.Context, customer string) ([]engine.Holding, error) {
	return customerList[engine.Holding](ctx, b, "holdings", bHoldings, customer)
}

// BuyProduct buys a wealth product from a current account; the money goes to the custody account.
func (b *Bank) BuyProduct(ctx context.Context, key string, req engine.PurchaseRequest) (engine.PurchaseResult, error) {
	hashed := req
	hashed.Challenge = "" // the idempotency hash: a retry under the key is the same operation, whatever code it carries
	return keyed(ctx, b, "buy_product", key, hashed, func(r *rtx) (engine.PurchaseResult, error) {
		if err := r.authorise(req.Challenge, req.Customer, req.Operation(), key); err != nil {
			return engine.PurchaseResult{}, err
		}
		var res engine.PurchaseResult
		var p engine.Product
		if err := r.get(bProducts, req.Product, &p); err != nil {
			return res, fmt.Errorf("product %q: %w", req.Product, engine.ErrNotFound)
		}
		if req.Amount > 0 && req.Amount < p.Minimum {
			return res, fmt.Errorf("%s below %s: %w", fmtMoney(req.Amount), fmtMoney(p.Minimum), engine.ErrBelowMinimum)
		}
		_, id, err := r.payOut(req.Customer, req.FromAccount, req.Amount, acctWealth, "WB", p.Name, "购买理财")
		if err != nil {
			return res, err
		}
		var hs []engine.Holding
		if err := r.getOptional(bHoldings, req.Customer, &hs); err != nil {
			return res, err
		}
		hs = addHolding(hs, engine.Holding{Product: p.ID, Name: p.Name, Amount: req.Amount, Since: r.now})
		if err := r.put(bHoldings, req.Customer, hs); err != nil {
			return res, err
		}
		return engine.PurchaseResult{ID: id, Amount: req.Amount}, nil
	})
}

var reMobile = regexp.MustCompile(`^1[3-9][0-9]{9}$`)

// operator names the mobile operator of a Chinese mobile number by its prefix.
func operator(phone string) string {
	p := phone[:3]
	switch {
	case strings.Contains("130 131 132 145 155 156 166 167 171 175 176 185 186 196", p):
		return "中国联通"
	case strings.Contains("133 149 153 173 174 177 180 181 189 190 191 193 199", p):
		return "中国电信"
	case strings.Contains("192", p):
		return "中国广电"
	default:
		return "中国移动"
	}
}

// PhoneTopup tops up a Chinese mobile number (11 digits) by at most 2000 yuan.
func (b *Bank) PhoneTopup(ctx context.Context, key string, req engine.TopupRequest) (engine.PaymentResult, error) {
	hashed := req
	hashed.Challenge = "" // the idempotency hash: a retry under the key is the same operation, whatever code it carries
	return keyed(ctx, b, "phone_topup", key, hashed, func(r *rtx) (engine.PaymentResult, error) {
		if err := r.authorise(req.Challenge, req.Customer, req.Operation(), key); err != nil {
			return engine.PaymentResult{}, err
		}
		var res engine.PaymentResult
		if !reMobile.MatchString(req.Phone) {
			return res, fmt.Errorf("%w: phone %q is not a mobile number", engine.ErrInvalid, req.Phone)
		}
		if req.Amount > maxTopup {
			return res, fmt.Errorf("%w: top-up above %s", engine.ErrInvalid, fmtMoney(maxTopup))
		}
		op := operator(req.Phone)
		_, id, err := r.payOut(req.Customer, req.FromAccount, req.Amount, acctTelecom, "TU", op+" "+maskPhone(req.Phone), "手机充值")
		if err != nil {
			return res, err
		}
		return engine.PaymentResult{ID: id, Amount: req.Amount, Payee: op}, nil
	})
}

// Billers lists the utility companies in id order.
func (b *Bank) Billers(ctx context.Context) ([]engine.Biller, error) {
	d, err := b.reference(ctx)
	if err != nil {
		return nil, wrapOp("billers", err)
	}
	return slices.Clone(d.billers), nil
}

// PayBill pays a utility bill. Biller is a biller id, or a utility (water, electricity, gas,
// property) served by exactly one biller; BillAccount must match the biller's pattern.
func (b *Bank) PayBill(ctx context.Context, key string, req engine.BillRequest) (engine.PaymentResult, error) {
	hashed := req
	hashed.Challenge = "" // the idempotency hash: a retry under the key is the same operation, whatever code it carries
	return keyed(ctx, b, "pay_bill", key, hashed, func(r *rtx) (engine.PaymentResult, error) {
		if err := r.authorise(req.Challenge, req.Customer, req.Operation(), key); err != nil {
			return engine.PaymentResult{}, err
		}
		var res engine.PaymentResult
		bl, err := r.biller(req.Biller)
		if err != nil {
			return res, err
		}
		re, err := regexp.Compile(`^(?:` + bl.AccountPattern + `)$`)
		if err != nil {
			return res, fmt.Errorf("biller %s pattern: %w", bl.ID, err)
		}
		if !re.MatchString(req.BillAccount) {
			return res, fmt.Errorf("%w: %q is not a %s customer number", engine.ErrInvalid, req.BillAccount, bl.Name)
		}
		_, id, err := r.payOut(req.Customer, req.FromAccount, req.Amount, acctBillers, "BP", bl.Name+" "+req.BillAccount, "生活缴费")
		if err != nil {
			return res, err
		}
		return engine.PaymentResult{ID: id, Amount: req.Amount, Payee: bl.Name}, nil
	})
}

func (r *rtx) biller(ref string) (*engine.Biller, error) {
	var bl engine.Biller
	if err := r.get(bBillers, ref, &bl); err == nil {
		return &bl, nil
	}
	var found []engine.Biller
	err := each(r, bBillers, func(_ string, b engine.Biller) error {
		if b.Utility == ref && ref != "" {
			found = append(found, b)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(found) != 1 {
		return nil, fmt.Errorf("biller %q: %w", ref, engine.ErrNotFound)
	}
	return &found[0], nil
}

// Loan and card application rules of the sandbox.
const (
	maxLoan       engine.Money = 500_000_00
	maxLoanMonths              = 60
	maxCredit                  = 2 // credit cards a customer may hold before a new one is refused
)

// ApplyLoan records a loan application: at most 500,000 yuan over 1 to 60 months, otherwise
// ErrNotEligible.
func (b *Bank) ApplyLoan(ctx context.Context, key string, req engine.LoanApplication) (engine.Application, error) {
	return keyed(ctx, b, "apply_loan", key, req, func(r *rtx) (engine.Application, error) {
		var c engine.Customer
		if err := r.customer(req.Customer, &c); err != nil {
			return engine.Application{}, err
		}
		switch {
		case req.Amount <= 0 || req.Months <= 0:
			return engine.Application{}, fmt.Errorf("%w: amount and months must be positive", engine.ErrInvalid)
		case req.Amount > maxLoan:
			return engine.Application{}, fmt.Errorf("%s above %s: %w", fmtMoney(req.Amount), fmtMoney(maxLoan), engine.ErrNotEligible)
		case req.Months > maxLoanMonths:
			return engine.Application{}, fmt.Errorf("%d months above %d: %w", req.Months, maxLoanMonths, engine.ErrNotEligible)
		}
		return r.application("LA", req)
	})
}

// ApplyCard records a card application: Type "debit" or "credit"; a customer holding two
// credit cards is ErrNotEligible for a third.
func (b *Bank) ApplyCard(ctx context.Context, key string, req engine.CardApplication) (engine.Application, error) {
	return keyed(ctx, b, "apply_card", key, req, func(r *rtx) (engine.Application, error) {
		var c engine.Customer
		if err := r.customer(req.Customer, &c); err != nil {
			return engine.Application{}, err
		}
		switch req.Type {
		case "debit":
		case "credit":
			n := 0
			if err := r.owned(c.ID, ixCard, func(string) error { n++; return nil }); err != nil {
				return engine.Application{}, err
			}
			if n >= maxCredit {
				return engine.Application{}, fmt.Errorf("already %d credit cards: %w", n, engine.ErrNotEligible)
			}
		default:
			return engine.Application{}, fmt.Errorf("%w: card type %q: want debit or credit", engine.ErrInvalid, req.Type)
		}
		return r.application("CA", req)
	})
}

func (r *rtx) application(prefix string, req any) (engine.Application, error) {
	id, err := r.nextID(prefix)
	if err != nil {
		return engine.Application{}, err
	}
	app := engine.Application{ID: id, Status: "submitted"}
	return app, r.put(bApps, id, map[string]any{"application": app, "request": req, "time": r.now})
}

// ReportCardLost freezes one of the customer's cards: a credit card or a debit card (current
// account), by id, number or last four digits. A frozen card is ErrAlreadyFrozen.
func (b *Bank) ReportCardLost(ctx context.Context, key string, customer, card string) (engine.CardLoss, error) {
	req := struct{ Customer, Card string }{customer, card}
	return keyed(ctx, b, "card_lost", key, req, func(r *rtx) (engine.CardLoss, error) {
		var res engine.CardLoss
		if cc, err := r.creditCard(customer, card); err == nil {
			if cc.Frozen {
				return res, fmt.Errorf("card %s: %w", maskNumber(cc.Number), engine.ErrAlreadyFrozen)
			}
			id, err := r.nextID("CL")
			if err != nil {
				return res, err
			}
			cc.Frozen = true
			return engine.CardLoss{ID: id, Number: cc.Number}, r.put(bCards, cc.ID, cc)
		}
		a, err := r.debitCard(customer, card)
		if err != nil {
			return res, err
		}
		if a.Frozen {
			return res, fmt.Errorf("card %s: %w", maskNumber(a.Number), engine.ErrAlreadyFrozen)
		}
		id, err := r.nextID("CL")
		if err != nil {
			return res, err
		}
		a.Frozen = true
		return engine.CardLoss{ID: id, Number: a.Number}, r.put(bAccounts, a.ID, a)
	})
}

// debitCard finds the customer's current account by id, number or last four digits.
func (r *rtx) debitCard(customer, ref string) (*ledgerAccount, error) {
	if a, err := r.customerAccount(customer, ref); err == nil {
		return a, nil
	}
	var found []ledgerAccount
	if len(ref) == 4 {
		err := r.owned(customer, ixAccount, func(id string) error {
			a, err := r.account(id)
			if err != nil {
				return err
			}
			if a.Kind == kindCustomer && a.Customer == customer && strings.HasSuffix(a.Number, ref) {
				found = append(found, *a)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if len(found) != 1 {
		return nil, fmt.Errorf("card %q: %w", ref, engine.ErrNotFound)
	}
	return &found[0], nil
}
