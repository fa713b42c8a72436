package enginetest

import (
	"context"
	"sync"

	"github.com/weiyin-bank/weiyin/engine"
)

// FaultBank wraps a Bank (usually the sandbox) for engine tests: it records every request of a
// money-moving operation the engine sends, with the request's outcome, and fails the next calls
// of an operation on demand. Failures are injected before the wrapped bank sees the request
// (the bank did nothing) or, with After, after it executed it (the reply was lost).
type FaultBank struct {
	engine.Bank

	mu     sync.Mutex
	faults map[string][]Fault
	moves  []Move
}

// Fault is one injected failure.
type Fault struct {
	Err error
	// After: the wrapped bank executes the request, then the caller gets Err (a lost reply).
	After bool
}

// Move is one money-moving request the engine sent.
type Move struct {
	Op  string // transfer, fund_collect, credit_repay, phone_topup, bill_pay, wealth_buy
	Key string // idempotency key
	// Operation is what the request executes; Challenge the code challenge it carried.
	Operation engine.Operation
	Challenge string
	// Executed: the wrapped bank executed it (Err may still be set when the reply was lost).
	Executed bool
	Err      error
}

// NewFaultBank wraps b.
func NewFaultBank(b engine.Bank) *FaultBank {
	return &FaultBank{Bank: b, faults: map[string][]Fault{}}
}

// Fail makes the next call of op fail with f (calls queue up in order).
func (fb *FaultBank) Fail(op string, f Fault) {
	fb.mu.Lock()
	defer fb.mu.Unlock()
	fb.faults[op] = append(fb.faults[op], f)
}

// Moves returns the money-moving requests sent so far.
func (fb *FaultBank) Moves() []Move {
	fb.mu.Lock()
	defer fb.mu.Unlock()
	return append([]Move(nil), fb.moves...)
}

// next pops the next fault of op, if any.
func (fb *FaultBank) next(op string) (Fault, bool) {
	fb.mu.Lock()
	defer fb.mu.Unlock()
	q := fb.faults[op]
	if len(q) == 0 {
		return Fault{}, false
	}
	fb.faults[op] = q[1:]
	return q[0], true
}

// money runs one money-moving call through the faults and records it.
func money[R any](fb *FaultBank, op, key string, o engine.Operation, challenge string, call func() (R, error)) (R, error) {
	var zero R
	m := Move{Op: op, Key: key, Operation: o, Challenge: challenge}
	f, faulty := fb.next(op)
	var res R
	var err error
	if faulty && !f.After {
		err = f.Err
	} else {
		res, err = call()
		m.Executed = err == nil
		if faulty {
			res, err = zero, f.Err
		}
	}
	m.Err = err
	fb.mu.Lock()
	fb.moves = append(fb.moves, m)
	fb.mu.Unlock()
	return res, err
}

func (fb *FaultBank) Transfer(ctx context.Context, key string, req engine.TransferRequest) (engine.TransferResult, error) {
	return money(fb, "transfer", key, req.Operation(), req.Challenge, func() (engine.TransferResult, error) { return fb.Bank.Transfer(ctx, key, req) })
}

func (fb *FaultBank) FundCollect(ctx context.Context, key string, req engine.CollectRequest) (engine.TransferResult, error) {
	return money(fb, "fund_collect", key, req.Operation(), req.Challenge, func() (engine.TransferResult, error) { return fb.Bank.FundCollect(ctx, key, req) })
}

func (fb *FaultBank) CreditRepay(ctx context.Context, key string, req engine.RepayRequest) (engine.RepayResult, error) {
	return money(fb, "credit_repay", key, req.Operation(), req.Challenge, func() (engine.RepayResult, error) { return fb.Bank.CreditRepay(ctx, key, req) })
}

func (fb *FaultBank) PhoneTopup(ctx context.Context, key string, req engine.TopupRequest) (engine.PaymentResult, error) {
	return money(fb, "phone_topup", key, req.Operation(), req.Challenge, func() (engine.PaymentResult, error) { return fb.Bank.PhoneTopup(ctx, key, req) })
}

func (fb *FaultBank) PayBill(ctx context.Context, key string, req engine.BillRequest) (engine.PaymentResult, error) {
	return money(fb, "bill_pay", key, req.Operation(), req.Challenge, func() (engine.PaymentResult, error) { return fb.Bank.PayBill(ctx, key, req) })
}

func (fb *FaultBank) BuyProduct(ctx context.Context, key string, req engine.PurchaseRequest) (engine.PurchaseResult, error) {
	return money(fb, "wealth_buy", key, req.Operation(), req.Challenge, func() (engine.PurchaseResult, error) { return fb.Bank.BuyProduct(ctx, key, req) })
}
