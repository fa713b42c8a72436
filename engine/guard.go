package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/weiyin-bank/weiyin/dialogs"
)

// The money guard. A call step runs only when this flow instance holds a confirmation of
// exactly the operation about to be sent (the digest of the read-back) and, where the flow
// verifies, a code verified for that same digest after the confirmation. It does not trust
// the path that led to the call: whatever a dialog, a correction, a corrupt session or a new
// version did, a call whose operation differs from what was confirmed goes back to the
// read-back, and one without a verified code goes back to the code. A call consumes both.
// A money-moving call is recorded durably (Frame.Pending) before it is sent, so that a crash
// or a lost reply is completed with the same idempotency key, never repeated or forgotten.

// guardedCall is a call step's request, prepared from the flow's current values.
type guardedCall struct {
	spec   *opSpec
	prep   prepared
	digest string
}

// prepareCall builds the request of call step i from the frame's values.
func (t *turn) prepareCall(f *Frame, fp *flowProg, i int) (guardedCall, error) {
	st := fp.Steps[i]
	spec := registry[st.Op]
	if spec == nil && st.Stub != nil {
		if !t.b.cfg.AllowStubs {
			return guardedCall{spec: &opSpec{Name: st.Op}}, fmt.Errorf("%w: stub operation %q runs only on the sandbox bank", ErrUnavailable, st.Op)
		}
		spec = stubSpec(st.Stub)
	}
	if spec == nil {
		return guardedCall{spec: &opSpec{Name: st.Op}}, fmt.Errorf("%w: unknown operation %q", ErrInvalid, st.Op)
	}
	g := guardedCall{spec: spec}
	sc := t.scope(f, fp)
	args := map[string]any{}
	for _, a := range st.Args {
		args[a.Name] = sc.eval(a.Value)
	}
	if spec.Name == "bind" {
		g.prep = t.prepareBind(args)
	} else {
		switch {
		case t.cust == nil && !spec.Public && t.bankDown:
			return g, fmt.Errorf("%w: customer lookup failed", ErrUnavailable)
		case t.cust == nil && !spec.Public:
			return g, fmt.Errorf("%w: no bound customer", ErrNotFound)
		}
		p, err := spec.prepare(t.ctx, t.b.cfg.Bank, opCall{cust: t.cust, args: args, now: t.now})
		if err != nil {
			return g, err
		}
		g.prep = p
	}
	if g.prep.op.Name == "" {
		g.prep.op = Operation{Name: spec.Name, Fields: map[string]string{}}
		for k, v := range args {
			g.prep.op.Fields[k] = textOrV(v)
		}
	}
	g.digest = g.prep.op.Digest()
	return g, nil
}

func (t *turn) prepareBind(args map[string]any) prepared {
	card, phone := textOrV(args["card_no"]), textOrV(args["phone"])
	return prepared{
		op: BindOperation(t.user, card, phone),
		run: func(ctx context.Context, _, challenge string) (map[string]any, error) {
			c, err := t.b.cfg.Bank.Bind(ctx, t.user, card, phone, challenge)
			if err != nil {
				return nil, err
			}
			t.cust = &c
			t.b.customers.forget("openid\x00" + t.user)
			return map[string]any{"customer": c.ID, "name": c.Name}, nil
		},
	}
}

// confirmStep reads back the operation the confirm step guards, after its pre-checks, and
// waits for the customer's yes. Every read-back needs a new yes and a new code.
func (t *turn) confirmStep(f *Frame, fp *flowProg, i int) outcome {
	st := fp.Steps[i]
	digest := ""
	if j, ok := fp.guards[i]; ok {
		g, err := t.prepareCall(f, fp, j)
		if err != nil {
			return t.callFailed(f, fp, j, g.spec, err, true)
		}
		if g.prep.check != nil {
			if err := g.prep.check(t.ctx); err != nil {
				return t.callFailed(f, fp, j, g.spec, err, true)
			}
		}
		digest = g.digest
	}
	if f.Shown != "" && f.Shown != digest {
		t.reply("readback_changed", nil)
	}
	f.Shown, f.Confirmed, f.Verified, f.Challenge, f.CodeFor = digest, "", "", "", ""
	t.say(t.scope(f, fp).render(st.Prompt))
	t.buttons = []string{"确认", "取消"}
	f.Wait = "confirm"
	return wait
}

// affirm takes the customer's yes to the read-back at step i: it confirms what was read back,
// and only that.
func (t *turn) affirm(f *Frame, fp *flowProg, i int) bool {
	st := fp.Steps[i]
	f.Wait = ""
	if j, ok := fp.guards[i]; ok {
		if g, err := t.prepareCall(f, fp, j); err != nil || g.digest != f.Shown {
			t.runFrame(f) // what would run is not what was read back: read it back again
			return true
		}
	}
	f.Confirmed, f.Retries = f.Shown, 0
	f.PC++
	if t.actions(f, fp, st.Yes) != left {
		t.runFrame(f)
	}
	return true
}

// verifyStep sends a one-time code bound to the operation the step guards. The operation
// must be the one confirmed; otherwise the flow goes back to the read-back.
func (t *turn) verifyStep(f *Frame, fp *flowProg, i int) outcome {
	st := fp.Steps[i]
	op, digest := Operation{Name: "verify:" + f.Flow}, ""
	j, guards := fp.guards[i]
	if guards {
		g, err := t.prepareCall(f, fp, j)
		if err != nil {
			return t.callFailed(f, fp, j, g.spec, err, true)
		}
		if c, ok := fp.confirmOf[j]; ok && c < i && f.Confirmed != g.digest {
			f.PC = c
			return jump
		}
		op, digest = g.prep.op, g.digest
	}
	challenge, err := t.sendCode(f, op)
	if err != nil && guards && (errors.Is(err, ErrNoMatch) || errors.Is(err, ErrNotFound)) {
		// The bank refused the operation itself (binding: no such card, or not the phone on
		// file) and sent nothing: the call's own handlers answer.
		return t.callFailed(f, fp, j, registry[fp.Steps[j].Op], err, true)
	}
	if err != nil {
		return t.codeRefused(f, fp, st, err)
	}
	f.Challenge, f.CodeFor, f.Verified = challenge, digest, ""
	t.say(t.scope(f, fp).render(st.Prompt))
	f.Wait = "verify"
	return wait
}

// enterCode takes the customer's answer at a verify step: a code, or a change of the values
// (which needs a new read-back and a new code).
func (t *turn) enterCode(f *Frame, fp *flowProg, st *dialogs.Step) bool {
	code := t.codeIn()
	if code == "" {
		code = t.digitsEntity(4, 8)
	}
	if code != "" && !onlyCode(t.res.Text) && t.corrects(f) {
		code = "" // "给王芳转60000" changes the transfer; 60000 is no code
	}
	if code == "" {
		if changed := t.corrections(f, fp, nil, true); len(changed) > 0 {
			t.intent = "correction"
			t.backToConfirm(f, fp)
			return true
		}
		return false
	}
	err := t.checkCode(f, f.Challenge, code)
	switch {
	case err == nil:
		f.Verified = f.CodeFor
		f.Wait, f.Retries = "", 0
		f.PC++
		t.runFrame(f)
	case errors.Is(err, ErrBadCode):
		f.Retries++
		t.reply("bad_code", nil)
	default:
		f.Wait = ""
		if t.codeRefused(f, fp, st, err) != left {
			t.runFrame(f)
		}
	}
	return true
}

// codeRefused handles a code the bank would not send or accept: locked, too many codes, an
// outage. The flow ends through the step's fallback, if any.
func (t *turn) codeRefused(f *Frame, fp *flowProg, st *dialogs.Step, err error) outcome {
	switch {
	case errors.Is(err, ErrLocked):
		t.reply("code_locked", nil)
	case errors.Is(err, ErrUnavailable):
		t.reply("unavailable", nil)
	default:
		if !t.reply("error_"+ErrorCode(err), nil) {
			t.bankError(f, err)
			return left
		}
	}
	f.Challenge, f.CodeFor, f.Verified = "", "", ""
	if st.Fallback != nil {
		if o := t.actions(f, fp, []*dialogs.Step{st.Fallback}); o != next {
			return o
		}
	}
	t.endFrame(f, false)
	return left
}

// backToConfirm returns a flow to the read-back guarding its current step, after a change,
// so that the customer sees and confirms the new values (and gets a new code).
func (t *turn) backToConfirm(f *Frame, fp *flowProg) {
	if j, ok := fp.guards[f.PC]; ok {
		if c, ok := fp.confirmOf[j]; ok {
			f.PC = c
		}
	}
	f.Wait = ""
	f.Confirmed, f.Verified, f.Challenge, f.CodeFor = "", "", "", ""
	t.runFrame(f)
}

// callStep runs a bank operation behind the guard.
func (t *turn) callStep(f *Frame, fp *flowProg, i int) outcome {
	g, err := t.prepareCall(f, fp, i)
	if err != nil {
		return t.callFailed(f, fp, i, g.spec, err, false)
	}
	c, confirms := fp.confirmOf[i]
	v, verifies := fp.verifyOf[i]
	if g.spec.MovesMoney && (!confirms || !verifies) {
		t.b.log.Error("money-moving call without a read-back and a code refused", "flow", f.Flow, "op", g.spec.Name)
		t.endFrame(f, false)
		t.reply("error", nil)
		return left
	}
	if confirms && f.Confirmed != g.digest {
		f.PC = c // not what the customer confirmed: read back what would run
		return jump
	}
	if verifies && (f.Verified != g.digest || f.Challenge == "") {
		f.PC = v // confirmed but no code for it: a code first
		return jump
	}
	challenge := f.Challenge
	f.Shown, f.Confirmed, f.Verified, f.Challenge, f.CodeFor = "", "", "", "", ""
	key := fmt.Sprintf("%s:%s:%s:%d", t.user, t.s.Nonce, f.ID, f.Calls)
	f.Calls++
	if g.spec.MovesMoney {
		f.Pending = &PendingCall{Step: fp.label(i), Key: key, Digest: g.digest, Challenge: challenge}
		if err := t.persist(); err != nil {
			// Nothing was sent: say so plainly rather than risk a payment nobody recorded.
			t.b.log.Error("recording a money-moving call failed; not sent", "flow", f.Flow, "op", g.spec.Name, "err", err)
			f.Pending = nil
			t.endFrame(f, false)
			t.reply("not_done", nil)
			return left
		}
	}
	return t.execute(f, fp, i, g, key, challenge)
}

// execute sends a prepared call and acts on its result.
func (t *turn) execute(f *Frame, fp *flowProg, i int, g guardedCall, key, challenge string) outcome {
	st := fp.Steps[i]
	result, err := g.prep.run(t.ctx, key, challenge)
	if err != nil && g.spec.MovesMoney && uncertain(err) {
		// The bank may have executed it: keep the record and ask again with the same key.
		t.b.log.Warn("money-moving call outcome unknown; will complete", "flow", f.Flow, "op", g.spec.Name, "err", err)
		f.Wait = "pending"
		t.reply("pending_check", nil)
		return wait
	}
	f.Pending = nil
	if err != nil {
		return t.callFailed(f, fp, i, g.spec, err, false)
	}
	if f.Results == nil {
		f.Results = map[string]any{}
	}
	if st.Result != "" {
		f.Results[st.Result] = result
	}
	if t.cust != nil && !g.spec.ReadOnly {
		t.b.lists.forget(t.cust.ID) // balances and lists may have changed
		_, t.lists = t.b.nluLists(t.ctx, t.bundle(), t.cust)
	}
	return next
}

// uncertain reports whether a failed call may nevertheless have been executed by the bank.
func uncertain(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || errors.Is(err, ErrUnavailable) {
		return true
	}
	return ErrorCode(err) == "rejected"
}

// completePending completes a money-moving call recorded before a crash or a lost answer,
// with the same idempotency key: the bank returns the first result and moves nothing twice.
func (t *turn) completePending(f *Frame) {
	p := f.Pending
	fp := t.flowOf(f)
	t.intent = f.Flow
	if fp != nil {
		t.intent = fp.intent
	}
	i, ok := 0, false
	if fp != nil {
		i, ok = fp.index[p.Step]
	}
	var g guardedCall
	var err error
	if ok {
		g, err = t.prepareCall(f, fp, i)
	}
	if !ok || err != nil || g.digest != p.Digest {
		t.b.log.Error("pending bank call cannot be rebuilt", "flow", f.Flow, "step", p.Step, "err", err)
		t.endFrame(f, false)
		t.reply("pending_unknown", nil)
		return
	}
	f.PC, f.Wait = i, ""
	switch t.execute(f, fp, i, g, p.Key, p.Challenge) {
	case next:
		f.PC++
		t.runFrame(f)
	case jump:
		t.runFrame(f)
	}
}

// persist commits the session now, before a money-moving call: the record of the call must
// exist before the call does.
func (t *turn) persist() error {
	t.syncLabels()
	raw, err := encodeSession(t.s)
	if err != nil {
		return err
	}
	if t.lease != nil {
		return t.b.leaser().Persist(t.ctx, t.lease, raw)
	}
	return t.b.cfg.Store.Commit(t.ctx, t.user, raw, "", nil)
}

// callFailed handles a refused call, or a pre-check that refused it before the read-back
// (pre): the call's own handler for the error code; else, for an argument at fault, the
// reason and the question again; else the reason and the end of the flow. An outage is
// never reported as anything else.
func (t *turn) callFailed(f *Frame, fp *flowProg, i int, spec *opSpec, err error, pre bool) outcome {
	st := fp.Steps[i]
	code := spec.errorCode(err)
	t.b.log.Info("bank operation refused", "op", spec.Name, "code", code, "precheck", pre)
	if f.Results == nil {
		f.Results = map[string]any{}
	}
	f.Results["error"] = map[string]any{"code": code, "message": err.Error()}
	f.Shown, f.Confirmed, f.Verified, f.Challenge, f.CodeFor = "", "", "", "", ""
	for _, h := range st.Handlers {
		if h.Code != code && h.Code != "any" {
			continue
		}
		switch o := t.actions(f, fp, h.Actions); {
		case o != next:
			return o
		case pre: // nothing was done: the flow cannot go on past the call
			t.endFrame(f, false)
			return left
		default:
			f.PC = i + 1
			return jump
		}
	}
	if errors.Is(err, ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) {
		t.endFrame(f, false)
		t.reply("unavailable", nil)
		return left
	}
	var ae *ArgError
	if errors.As(err, &ae) {
		if slot := argSlot(st, ae.Arg); slot != "" {
			if ask, ok := fp.askOf[slot]; ok {
				t.reply("error_"+code, nil)
				delete(f.Slots, slot)
				f.refuse(slot)
				f.PC, f.Retries = ask, 0
				return jump
			}
		}
	}
	t.endFrame(f, false)
	if !t.reply("error_"+code, nil) {
		t.reply("error", nil)
	}
	return left
}

// argSlot names the slot a call passes as argument arg, or "".
func argSlot(st *dialogs.Step, arg string) string {
	for _, a := range st.Args {
		if a.Name == arg && a.Value != nil && a.Value.Op == "path" && len(a.Value.Path) == 1 {
			return a.Value.Path[0]
		}
	}
	return ""
}

// bankError reports a failed bank call and ends the flow.
func (t *turn) bankError(f *Frame, err error) {
	t.b.log.Warn("bank error", "flow", f.Flow, "code", ErrorCode(err), "err", err)
	t.endFrame(f, false)
	if errors.Is(err, ErrUnavailable) {
		t.reply("unavailable", nil)
		return
	}
	t.reply("error", nil)
}

// sendCode asks the bank to send a one-time code bound to op; the bank writes the text naming
// it and returns the challenge the code is verified against and the call carries. Binding
// names no customer: the bank sends to the phone on file for the card.
func (t *turn) sendCode(f *Frame, op Operation) (string, error) {
	req := OTPRequest{Purpose: t.s.Nonce + ":" + f.ID, Operation: op}
	if t.cust != nil && op.Name != "bind" {
		req.Customer = t.cust.ID
	}
	return t.b.cfg.Bank.SendOTP(t.ctx, req)
}

// checkCode verifies a code for a challenge.
func (t *turn) checkCode(_ *Frame, challenge, code string) error {
	if challenge == "" {
		return ErrLocked
	}
	return t.b.cfg.Bank.VerifyOTP(t.ctx, challenge, code)
}

// digitsEntity returns the value of a number entity of min to max digits, if the message has one.
func (t *turn) digitsEntity(min, max int) string {
	for _, e := range t.res.Entities {
		if e.Type != "number" && e.Type != "phone" {
			continue
		}
		if n := len(e.Value); n >= min && n <= max && isDigits(e.Value) {
			return e.Value
		}
	}
	return ""
}

// onlyCode reports whether a message holds nothing but a code: digits, spaces, punctuation
// and the words around a code ("验证码是 123456").
func onlyCode(s string) bool {
	s = codeWords.Replace(s)
	for _, r := range s {
		if _, ok := chineseDigit[r]; !ok && !unicode.IsDigit(r) && !unicode.IsSpace(r) && !unicode.IsPunct(r) {
			return false
		}
	}
	return true
}

var codeWords = strings.NewReplacer("验证码", "", "校验码", "", "动态码", "", "短信", "", "是", "", "为", "", "我的", "", "收到的", "", "收到", "")

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
