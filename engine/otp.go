package engine

import (
	"context"
	"errors"

	"github.com/weiyin-bank/weiyin/dialogs"
)

// moneyRequests build, for each money-moving operation, the request its call executes from the
// flow's arguments. The call sends exactly that request, and the one-time code sent before it
// is bound to the request's Operation(): one builder serves both, so they cannot disagree.
var moneyRequests = map[string]func(ctx context.Context, b Bank, c opCall) (Operation, error){
	"transfer":     operationOf(transferRequest),
	"fund_collect": operationOf(collectRequest),
	"credit_repay": operationOf(repayRequest),
	"phone_topup":  operationOf(topupRequest),
	"bill_pay":     operationOf(billRequest),
	"wealth_buy":   operationOf(purchaseRequest),
}

func operationOf[R interface{ Operation() Operation }](build func(ctx context.Context, b Bank, c opCall) (R, error)) func(ctx context.Context, b Bank, c opCall) (Operation, error) {
	return func(ctx context.Context, b Bank, c opCall) (Operation, error) {
		r, err := build(ctx, b, c)
		if err != nil {
			return Operation{}, err
		}
		return r.Operation(), nil
	}
}

func transferRequest(_ context.Context, _ Bank, c opCall) (TransferRequest, error) {
	amt, err := c.money("amount")
	return TransferRequest{Customer: c.cust.ID, FromAccount: c.str("from"), ToAccount: c.str("to"),
		ToName: c.field("to", "name"), Amount: amt, Challenge: c.challenge}, err
}

func collectRequest(_ context.Context, _ Bank, c opCall) (CollectRequest, error) {
	amt, err := c.money("amount")
	card := c.field("card", "number")
	if card == "" {
		card = c.str("card")
	}
	return CollectRequest{Customer: c.cust.ID, Card: card, ToAccount: c.str("to"), Amount: amt, Challenge: c.challenge}, err
}

func repayRequest(ctx context.Context, b Bank, c opCall) (RepayRequest, error) {
	card, err := creditCard(ctx, b, c)
	if err != nil {
		return RepayRequest{}, err
	}
	req := RepayRequest{Customer: c.cust.ID, Card: card.ID, FromAccount: c.str("from"), Mode: c.str("mode"), Challenge: c.challenge}
	if req.Mode == "" || req.Mode == "amount" {
		req.Mode = ""
		req.Amount, err = c.money("amount")
	}
	return req, err
}

func topupRequest(_ context.Context, _ Bank, c opCall) (TopupRequest, error) {
	amt, err := c.money("amount")
	return TopupRequest{Customer: c.cust.ID, Phone: c.str("phone"), FromAccount: c.str("from"), Amount: amt, Challenge: c.challenge}, err
}

func billRequest(ctx context.Context, b Bank, c opCall) (BillRequest, error) {
	amt, err := c.money("amount")
	if err != nil {
		return BillRequest{}, err
	}
	biller := c.str("biller")
	if biller == "" {
		bs, err := b.Billers(ctx)
		if err != nil {
			return BillRequest{}, err
		}
		for _, bl := range bs {
			if bl.Utility == c.str("utility") {
				biller = bl.ID
				break
			}
		}
	}
	return BillRequest{Customer: c.cust.ID, Biller: biller, BillAccount: c.str("account_no"), FromAccount: c.str("from"),
		Amount: amt, Challenge: c.challenge}, nil
}

func purchaseRequest(_ context.Context, _ Bank, c opCall) (PurchaseRequest, error) {
	amt, err := c.money("amount")
	return PurchaseRequest{Customer: c.cust.ID, Product: c.str("product"), FromAccount: c.str("from"), Amount: amt, Challenge: c.challenge}, err
}

// nextCall is the index of the first call step after the flow's current step, or -1.
func nextCall(f *Frame, fl *dialogs.Flow) int {
	for i := f.PC + 1; i < len(fl.Steps); i++ {
		if fl.Steps[i].Kind == dialogs.StepCall {
			return i
		}
	}
	return -1
}

// otpRequest builds the code request of a verify step: the operation of the call that follows
// it, from the arguments as they are now (a money-moving call: exactly the request it will
// send; binding: card, phone and openid; another call: its arguments; none: the flow's name).
func (t *turn) otpRequest(f *Frame, fl *dialogs.Flow) (OTPRequest, int, error) {
	req := OTPRequest{Purpose: t.otpPurpose(f), Operation: Operation{Name: fl.Name}}
	if t.cust != nil {
		req.Customer = t.cust.ID
	}
	at := nextCall(f, fl)
	if at < 0 {
		return req, at, nil
	}
	st := fl.Steps[at]
	sc := t.scope(f, fl)
	args := map[string]any{}
	for _, a := range st.Args {
		args[a.Name] = sc.eval(a.Value)
	}
	c := opCall{cust: t.cust, args: args, now: t.now}
	switch build, money := moneyRequests[st.Op]; {
	case st.Op == "bind":
		req.Customer = ""
		req.Operation = BindOperation(t.user, c.str("card_no"), c.str("phone"))
	case money && t.cust != nil:
		op, err := build(t.ctx, t.b.cfg.Bank, c)
		if err != nil {
			return req, at, err
		}
		req.Operation = op
	default:
		req.Operation = Operation{Name: st.Op, Fields: map[string]string{}}
		for k, v := range args {
			req.Operation.Fields[k] = textOrV(v)
		}
	}
	return req, at, nil
}

// sendCode sends the one-time code of a verify step and keeps its challenge on the frame. It
// returns sent when the code went out; otherwise the customer has been told why and, when
// goOn, the flow goes on (the following call's error handler moved it past the call).
func (t *turn) sendCode(f *Frame, fl *dialogs.Flow) (sent, goOn bool) {
	req, at, err := t.otpRequest(f, fl)
	if err == nil {
		f.Challenge, err = t.b.cfg.Bank.SendOTP(t.ctx, req)
	}
	if err == nil {
		return true, false
	}
	f.Challenge = ""
	var call *dialogs.Step
	if at >= 0 {
		call = fl.Steps[at]
	}
	if call != nil { // the bank refused the operation itself: its handlers answer
		code := opErrorCode(call.Op, err)
		for _, h := range call.Handlers {
			if h.Code == code || h.Code == "any" {
				f.Wait = ""
				if f.Results == nil {
					f.Results = map[string]any{}
				}
				f.Results["error"] = map[string]any{"code": code, "message": err.Error()}
				if !t.actions(f, fl, h.Actions) {
					f.PC = at + 1
				}
				return false, t.s.top() == f
			}
		}
	}
	switch {
	case errors.Is(err, ErrLocked):
		t.endFrame(f, false)
		t.say("验证码错误次数过多,为了您的资金安全,验证暂时锁定,请稍后再试。")
	case errors.Is(err, ErrTooManyCodes):
		t.endFrame(f, false)
		t.say("验证码发送过于频繁,请稍后再试。")
	case errors.Is(err, ErrNotFound) && call != nil && call.Op == "bind":
		t.endFrame(f, false)
		t.say("没有找到这张卡,绑定未成功。请核对卡号后回复“绑定”重新办理。")
	default:
		t.bankError(f, err)
	}
	return false, false
}
