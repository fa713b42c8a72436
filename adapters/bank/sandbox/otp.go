package sandbox

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/weiyin-bank/weiyin/engine"
)

// challengeKeep is how long a challenge record stays after it expired (then SendOTP deletes it).
const challengeKeep = 24 * time.Hour

// bOTPGuard holds the code counters (engine.OTPCounter) per customer ("c" NUL id), phone
// number ("p" NUL phone), card ("k" NUL number) and, for binding attempts, openid ("o" NUL
// openid). bOTP holds the challenges by id.
var bOTPGuard = []byte("otp_guard")

func guardKey(kind, v string) string { return kind + "\x00" + v }

// SendOTP sends a one-time code authorising req.Operation (engine.Bank). The text names the
// operation; it goes to the phone on file of req.Customer or, for binding, of the card's
// customer, once the card is known and the phone given is that phone. The code is the
// fixture's otp when set, else 6 random digits. The text goes to Options.OTPSink; the
// structured log gets it with the code masked.
func (b *Bank) SendOTP(ctx context.Context, req engine.OTPRequest) (string, error) {
	op := req.Operation.Canonical()
	if op.Name == "" && len(op.Fields) == 0 {
		return "", wrapOp("send otp", fmt.Errorf("%w: empty operation", engine.ErrInvalid))
	}
	code := b.otp
	if code == "" {
		var err error
		if code, err = randomCode(b.rand); err != nil {
			return "", wrapOp("send otp", fmt.Errorf("%w: %w", engine.ErrUnavailable, err))
		}
	}
	var id, phone, text string
	var refused error // a binding refused after its attempt was counted: committed, then returned
	err := b.update(ctx, false, func(r *rtx) error {
		refused = nil
		var c engine.Customer
		guards := []string{}
		if op.Name == "bind" {
			if req.Customer != "" {
				return fmt.Errorf("%w: binding names no customer", engine.ErrInvalid)
			}
			card, openid := op.Fields["card_no"], op.Fields["openid"]
			if openid == "" {
				return fmt.Errorf("%w: binding needs an openid", engine.ErrInvalid)
			}
			// Every binding attempt counts against the openid asking, found or not, so that
			// nobody probes which card goes with which phone faster than codes are sent.
			if err := r.countSend(b.policy, guardKey("o", openid)); err != nil {
				return err
			}
			owner := r.cardOwner(card)
			if owner == "" {
				refused = fmt.Errorf("card %s: %w", maskNumber(card), engine.ErrNotFound)
				return nil
			}
			if err := r.customer(owner, &c); err != nil {
				return err
			}
			if c.Phone != op.Fields["phone"] {
				refused = fmt.Errorf("phone is not the one on file for card %s: %w", maskNumber(card), engine.ErrNoMatch)
				return nil
			}
			guards = append(guards, guardKey("k", card))
		} else {
			if req.Customer == "" {
				return fmt.Errorf("%w: a code for %q needs a customer", engine.ErrInvalid, op.Name)
			}
			if err := r.customer(req.Customer, &c); err != nil {
				return err
			}
		}
		if !reMobile.MatchString(c.Phone) {
			return fmt.Errorf("%w: customer %s has no mobile number on file", engine.ErrInvalid, c.ID)
		}
		guards = append([]string{guardKey("c", c.ID), guardKey("p", c.Phone)}, guards...)
		counters := make([]engine.OTPCounter, len(guards))
		for i, k := range guards {
			if err := r.getOptional(bOTPGuard, k, &counters[i]); err != nil {
				return err
			}
		}
		if err := b.policy.Locked(&counters[0], r.now); err != nil {
			return err
		}
		for i := range counters {
			if err := b.policy.AllowSend(&counters[i], r.now); err != nil {
				return err
			}
		}
		for i, k := range guards {
			b.policy.RecordSend(&counters[i], r.now)
			if err := r.put(bOTPGuard, k, counters[i]); err != nil {
				return err
			}
		}
		if err := r.pruneChallenges(); err != nil {
			return err
		}
		var err error
		if id, err = challengeID(r.now); err != nil {
			return fmt.Errorf("%w: %w", engine.ErrUnavailable, err)
		}
		phone, text = c.Phone, r.otpText(c.ID, op, code, b.policy.TTL)
		return r.put(bOTP, id, b.policy.NewOTPChallenge(id, c.ID, c.Phone, engine.OTPRequest{Purpose: req.Purpose, Operation: op}, code, r.now))
	})
	if err == nil {
		err = refused
	}
	if err != nil {
		return "", wrapOp("send otp", err)
	}
	b.log.Info("sandbox: text message", "phone", maskPhone(phone), "text", strings.ReplaceAll(text, code, "******"))
	if b.sink != nil {
		b.sink(phone, text)
	}
	return id, nil
}

// countSend counts one send against the counter under key, or is ErrTooManyCodes.
func (r *rtx) countSend(p engine.OTPPolicy, key string) error {
	var c engine.OTPCounter
	if err := r.getOptional(bOTPGuard, key, &c); err != nil {
		return err
	}
	if err := p.AllowSend(&c, r.now); err != nil {
		return err
	}
	p.RecordSend(&c, r.now)
	return r.put(bOTPGuard, key, c)
}

// VerifyOTP checks the code of a challenge (engine.Bank). Wrong codes count against the
// challenge's customer, whatever the challenge: the policy's Attempts-th wrong code in a row
// locks the customer (ErrLocked) for a time that grows with each lock. An expired challenge is
// ErrBadCode and does not count; an unknown one is ErrNotFound.
func (b *Bank) VerifyOTP(ctx context.Context, challenge, code string) error {
	var verdict error
	err := b.update(ctx, false, func(r *rtx) error {
		verdict = nil
		var ch engine.OTPChallenge
		if challenge == "" || r.get(bOTP, challenge, &ch) != nil {
			verdict = fmt.Errorf("challenge: %w", engine.ErrNotFound)
			return nil
		}
		key := guardKey("c", ch.Customer)
		var c engine.OTPCounter
		if err := r.getOptional(bOTPGuard, key, &c); err != nil {
			return err
		}
		if err := b.policy.Locked(&c, r.now); err != nil {
			verdict = err
			return nil
		}
		if !ch.Live(r.now) {
			verdict = fmt.Errorf("code expired, ask for a new one: %w", engine.ErrBadCode)
			return nil
		}
		if ch.CodeIs(code) {
			b.policy.Right(&c)
			ch.Verified = true
			if err := r.put(bOTP, ch.ID, ch); err != nil {
				return err
			}
		} else {
			verdict = b.policy.Wrong(&c, r.now)
		}
		return r.put(bOTPGuard, key, c)
	})
	if err == nil {
		err = verdict
	}
	return wrapOp("verify otp", err)
}

// authorise lets the request under key go ahead when its challenge authorises op for
// customer (engine.OTPChallenge.Authorise), and marks the challenge used by key in the same
// transaction as the request's writes.
func (r *rtx) authorise(challenge, customer string, op engine.Operation, key string) error {
	var ch engine.OTPChallenge
	if challenge == "" || r.get(bOTP, challenge, &ch) != nil {
		return fmt.Errorf("no verified one-time code for this %s: %w", op.Name, engine.ErrVerificationRequired)
	}
	if err := ch.Authorise(customer, op, key, r.now); err != nil {
		return err
	}
	return r.put(bOTP, ch.ID, ch)
}

// cardOwner is the customer owning a deposit account or credit card number, or "".
func (r *rtx) cardOwner(number string) string {
	id := r.tx.Bucket(bNumbers).Get([]byte(number))
	if id == nil || number == "" {
		return ""
	}
	if a, err := r.account(string(id)); err == nil && a.Kind == kindCustomer {
		return a.Customer
	}
	if card, err := r.creditCardByID(string(id)); err == nil {
		return card.Customer
	}
	return ""
}

// challengeID draws an unguessable challenge id that sorts by time: 8 bytes of the time, 16
// bytes from crypto/rand (never Options.Rand, which tests fix), in hex.
func challengeID(now time.Time) (string, error) {
	var buf [24]byte
	binary.BigEndian.PutUint64(buf[:8], uint64(now.UnixNano()))
	if _, err := io.ReadFull(rand.Reader, buf[8:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(buf[:]), nil
}

// pruneChallenges deletes challenges that expired more than challengeKeep ago (ids sort by
// the time they were sent).
func (r *rtx) pruneChallenges() error {
	var end [8]byte
	binary.BigEndian.PutUint64(end[:], uint64(r.now.Add(-challengeKeep-time.Hour).UnixNano()))
	limit := []byte(hex.EncodeToString(end[:]))
	c := r.tx.Bucket(bOTP).Cursor()
	for k, _ := c.First(); k != nil && bytes.Compare(k, limit) < 0; k, _ = c.First() {
		if err := c.Delete(); err != nil {
			return err
		}
		r.writes++
	}
	return nil
}

// otpText is the text message carrying a code: it names what the code authorises, with the
// payee, card or product as the bank knows them.
func (r *rtx) otpText(customer string, op engine.Operation, code string, ttl time.Duration) string {
	f := op.Fields
	amount := ""
	if m, err := engine.ParseYuan(f["amount"]); err == nil && f["amount"] != "" {
		amount = m.String()
	}
	tail := func(s string) string {
		if len(s) > 4 {
			return s[len(s)-4:]
		}
		return s
	}
	name := op.Name
	if name == "" {
		name = guessOperation(f)
	}
	var what string
	switch name {
	case "transfer":
		payee, number := f["to_name"], f["to_account"]
		if to, n, num, err := r.payee(customer, f["to_account"]); err == nil && to != nil {
			payee, number = n, num
		}
		what = fmt.Sprintf("向%s(尾号%s)转账%s", payee, tail(number), amount)
	case "fund_collect":
		what = fmt.Sprintf("从他行卡(尾号%s)归集%s到您的账户", tail(f["card"]), amount)
		var card engine.OtherBankCard
		if r.get(bOBCards, f["card"], &card) == nil && card.Customer == customer {
			what = fmt.Sprintf("从%s(尾号%s)归集%s到您的账户", card.Bank, tail(card.Number), amount)
		}
	case "credit_repay":
		number := f["card"]
		if c, err := r.creditCard(customer, f["card"]); err == nil {
			number = c.Number
			switch f["mode"] {
			case "full":
				amount = c.StatementBalance.String()
			case "minimum":
				amount = c.MinimumDue.String()
			}
		}
		what = fmt.Sprintf("向信用卡(尾号%s)还款%s", tail(number), amount)
	case "phone_topup":
		what = fmt.Sprintf("为手机号%s充值%s", maskPhone(f["phone"]), amount)
	case "bill_pay":
		biller := f["biller"]
		if bl, err := r.biller(biller); err == nil {
			biller = bl.Name
		}
		what = fmt.Sprintf("向%s缴费%s(户号%s)", biller, amount, f["bill_account"])
	case "wealth_buy":
		product := f["product"]
		var p engine.Product
		if r.get(bProducts, product, &p) == nil {
			product = p.Name
		}
		what = fmt.Sprintf("购买理财产品%s%s", product, amount)
	case "bind":
		what = fmt.Sprintf("将尾号%s的银行卡绑定到微信", tail(f["card_no"]))
	case "card_lost":
		number := f["card"]
		if c, err := r.creditCard(customer, number); err == nil {
			number = c.Number
		} else if a, err := r.debitCard(customer, number); err == nil {
			number = a.Number
		}
		what = fmt.Sprintf("挂失尾号%s的银行卡", tail(number))
	default:
		what = "办理" + name + "业务"
		if amount != "" {
			what += ",金额" + amount
		}
	}
	return fmt.Sprintf("【微银银行】您正在%s,验证码%s,%d分钟内有效。如非本人操作,请勿告诉他人。", what, code, int(ttl.Minutes()))
}

// guessOperation names an unnamed operation by its fields (the REST API lets callers omit it).
func guessOperation(f map[string]string) string {
	has := func(k string) bool { return f[k] != "" }
	switch {
	case has("card_no") && has("openid"):
		return "bind"
	case has("biller"):
		return "bill_pay"
	case has("product"):
		return "wealth_buy"
	case has("phone"):
		return "phone_topup"
	case has("card") && has("to_account"):
		return "fund_collect"
	case has("card"):
		return "credit_repay"
	case has("to_account"):
		return "transfer"
	}
	return ""
}

// randomCode draws 6 uniformly random digits.
func randomCode(rnd io.Reader) (string, error) {
	var buf [4]byte
	for {
		if _, err := io.ReadFull(rnd, buf[:]); err != nil {
			return "", err
		}
		v := binary.BigEndian.Uint32(buf[:])
		if v < 4_294_000_000 { // largest multiple of 1e6 below 2^32: no modulo bias
			return fmt.Sprintf("%06d", v%1_000_000), nil
		}
	}
}

// maskPhone keeps the first three and last four digits: 138****1234.
func maskPhone(p string) string {
	if len(p) != 11 {
		return maskNumber(p)
	}
	return p[:3] + "****" + p[7:]
}
