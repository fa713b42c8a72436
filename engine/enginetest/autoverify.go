package enginetest

import (
	"context"

	"github.com/weiyin-bank/weiyin/engine"
)

// AutoVerify wraps a bank so that every money-moving call and every binding without a
// challenge first gets one: SendOTP for exactly the request's operation, then VerifyOTP with
// code. For tests of everything but verification (ledger moves, idempotency, crashes, wire
// formats); tests of verification call the bank itself. Each such call sends a code, so the
// bank's send limits apply: open it with a lenient policy for long runs.
func AutoVerify(b engine.Bank, code string) engine.Bank { return autoVerify{Bank: b, code: code} }

type autoVerify struct {
	engine.Bank
	code string
}

// challenge sends and verifies a code for op.
func (a autoVerify) challenge(ctx context.Context, customer, have string, op engine.Operation) (string, error) {
	if have != "" {
		return have, nil
	}
	ch, err := a.Bank.SendOTP(ctx, engine.OTPRequest{Customer: customer, Purpose: "enginetest.AutoVerify", Operation: op})
	if err != nil {
		return "", err
	}
	return ch, a.Bank.VerifyOTP(ctx, ch, a.code)
}

func (a autoVerify) Bind(ctx context.Context, openid, cardNo, phone, challenge string) (engine.Customer, error) {
	ch, err := a.challenge(ctx, "", challenge, engine.BindOperation(openid, cardNo, phone))
	if err != nil {
		return engine.Customer{}, err
	}
	return a.Bank.Bind(ctx, openid, cardNo, phone, ch)
}

func (a autoVerify) Transfer(ctx context.Context, key string, r engine.TransferRequest) (res engine.TransferResult, err error) {
	if r.Challenge, err = a.challenge(ctx, r.Customer, r.Challenge, r.Operation()); err != nil {
		return res, err
	}
	return a.Bank.Transfer(ctx, key, r)
}

func (a autoVerify) FundCollect(ctx context.Context, key string, r engine.CollectRequest) (res engine.TransferResult, err error) {
	if r.Challenge, err = a.challenge(ctx, r.Customer, r.Challenge, r.Operation()); err != nil {
		return res, err
	}
	return a.Bank.FundCollect(ctx, key, r)
}

func (a autoVerify) CreditRepay(ctx context.Context, key string, r engine.RepayRequest) (res engine.RepayResult, err error) {
	if r.Challenge, err = a.challenge(ctx, r.Customer, r.Challenge, r.Operation()); err != nil {
		return res, err
	}
	return a.Bank.CreditRepay(ctx, key, r)
}

func (a autoVerify) BuyProduct(ctx context.Context, key string, r engine.PurchaseRequest) (res engine.PurchaseResult, err error) {
	if r.Challenge, err = a.challenge(ctx, r.Customer, r.Challenge, r.Operation()); err != nil {
		return res, err
	}
	return a.Bank.BuyProduct(ctx, key, r)
}

func (a autoVerify) PhoneTopup(ctx context.Context, key string, r engine.TopupRequest) (res engine.PaymentResult, err error) {
	if r.Challenge, err = a.challenge(ctx, r.Customer, r.Challenge, r.Operation()); err != nil {
		return res, err
	}
	return a.Bank.PhoneTopup(ctx, key, r)
}

func (a autoVerify) PayBill(ctx context.Context, key string, r engine.BillRequest) (res engine.PaymentResult, err error) {
	if r.Challenge, err = a.challenge(ctx, r.Customer, r.Challenge, r.Operation()); err != nil {
		return res, err
	}
	return a.Bank.PayBill(ctx, key, r)
}
