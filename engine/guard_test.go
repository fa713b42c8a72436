package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/weiyin-bank/weiyin/dialogs"
	"github.com/weiyin-bank/weiyin/dialogs/bank"
	"github.com/weiyin-bank/weiyin/engine"
	"github.com/weiyin-bank/weiyin/engine/enginetest"
	"github.com/weiyin-bank/weiyin/intents"
)

// guardHarness is a bot on the sandbox behind a FaultBank, over an in-memory store that
// survives restarts of the bot.
type guardHarness struct {
	*harness
	fb *enginetest.FaultBank
}

func newGuardHarness(t testing.TB) *guardHarness {
	t.Helper()
	var fb *enginetest.FaultBank
	h, err := openHarnessVia(t, shippedProgram(t), engine.Config{}, func(sb engine.Bank) engine.Bank {
		fb = enginetest.NewFaultBank(sb)
		return fb
	})
	if err != nil {
		t.Fatal(err)
	}
	return &guardHarness{harness: h, fb: fb}
}

// restart replaces the bot by a new one on the same store and bank, as after a crash.
func (g *guardHarness) restart(t testing.TB, p *engine.Program) {
	t.Helper()
	bot, err := engine.New(p, engine.Config{Bank: g.fb, Store: g.store, Clock: g.clock})
	if err != nil {
		t.Fatal(err)
	}
	g.bot = bot
}

// variantProgram is the shipped bot with its transfer flow changed the way a deploy might:
// a `say` step added before the first question (so every step index moves by one).
func variantProgram(t testing.TB, version string) *engine.Program {
	t.Helper()
	const anchor = "  ask payee \"请问要转给哪位收款人"
	return mutatedProgram(t, version, anchor, "  say \"温馨提示:转账前请核对收款人信息。\"\n"+anchor, false)
}

// mutatedProgram is the shipped bot with the first occurrence of old replaced by new in the
// dialog files. unchecked keeps a bundle the checker refuses, to test the runtime alone.
func mutatedProgram(t testing.TB, version, old, new string, unchecked bool) *engine.Program {
	t.Helper()
	files := fstest.MapFS{}
	err := fs.WalkDir(bank.Files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".dlg") {
			return err
		}
		data, err := fs.ReadFile(bank.Files, path)
		if err != nil {
			return err
		}
		src := string(data)
		if strings.Contains(src, old) {
			src, old = strings.Replace(src, old, new, 1), "\x00done"
		}
		files[path] = &fstest.MapFile{Data: []byte(src)}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if old != "\x00done" {
		t.Fatalf("no dialog file holds %q", old)
	}
	b, diags := dialogs.Options{Unchecked: unchecked}.LoadFS(files, ".")
	if diags.HasErrors() && (!unchecked || b == nil) {
		t.Fatal(diags.Err())
	}
	nlu, err := intents.New(b, intents.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return engine.Compile(b, nlu, version)
}

// readback is what a transfer read-back showed: the payee's account tail and the amount.
type readback struct{ tail, amount string }

var readbackRE = regexp.MustCompile(`收款人:[^(\n]*\(尾号(\d{4})\)\n金额:¥([\d,]+\.\d\d)`)

func parseReadback(text string) (readback, bool) {
	m := readbackRE.FindStringSubmatch(text)
	if m == nil {
		return readback{}, false
	}
	return readback{tail: m[1], amount: strings.ReplaceAll(m[2], ",", "")}, true
}

// TestMoneyMovesOnlyAsConfirmed drives random conversations — transfers started in several
// ways, corrections of payee and amount at every step, digressions, cancels, wrong and right
// codes, version swaps that move step indices, restarts of the bot — and checks after every
// turn that each transfer the bank executed is exactly the last read-back the customer
// confirmed, with a code sent after that confirmation and entered after it; no money moves
// otherwise.
func TestMoneyMovesOnlyAsConfirmed(t *testing.T) {
	seeds := 12
	turns := 120
	if testing.Short() {
		seeds, turns = 3, 60
	}
	progs := []*engine.Program{shippedProgram(t), variantProgram(t, "variant")}
	payees := []string{"张三", "李四", "王芳"}
	amounts := []string{"100", "500元", "两千", "8万", "-5", "0.01", "3万块", "四百五十", "60000"}
	say := func(r *rand.Rand) string {
		p, a := payees[r.IntN(len(payees))], amounts[r.IntN(len(amounts))]
		forms := []string{
			"给" + p + "转" + a, "转账", "给" + p + "转账", "转" + a + "给" + p,
			"不对,是" + a, "改成" + a, "不对,转给" + p, "给" + p + "转" + a + "吧", p,
			a, "确认", "确认", "确认", "123456", "123456", "654321", "我的余额", "继续", "取消",
			"等我5分钟", "好的", "第二个",
		}
		return forms[r.IntN(len(forms))]
	}
	yes := map[string]bool{"确认": true, "好的": true, "继续": true} // what a customer says to a read-back
	for seed := range seeds {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(seed), 7))
			g := newGuardHarness(t)
			user := fmt.Sprintf("o_demo_1")
			var shown, confirmed *readback
			codeSent := false // a code was sent after the confirmation of `confirmed`
			seen := 0
			for n := range turns {
				switch x := r.IntN(40); {
				case x == 0:
					g.bot.Swap(progs[r.IntN(len(progs))])
				case x == 1:
					g.restart(t, progs[r.IntN(len(progs))])
				}
				msg := say(r)
				rep, err := g.bot.Turn(context.Background(), user, engine.Message{Text: msg, ID: fmt.Sprint(n)})
				if err != nil {
					t.Fatalf("turn %d %q: %v", n, msg, err)
				}
				text := strings.Join(rep.Texts, "\n")
				t.Logf("我> %s\n微银> %s", msg, text)
				// Money that moved in this turn must be what was confirmed, with its code.
				moves := g.fb.Moves()
				for _, m := range moves[seen:] {
					if !m.Executed || m.Op != "transfer" {
						continue
					}
					got := readback{tail: m.Operation.Fields["to_account"][len(m.Operation.Fields["to_account"])-4:], amount: m.Operation.Fields["amount"]}
					switch {
					case confirmed == nil:
						t.Fatalf("turn %d %q: transfer %+v ran with no confirmed read-back", n, msg, got)
					case got != *confirmed:
						t.Fatalf("turn %d %q: transfer %+v ran, but the customer confirmed %+v", n, msg, got, *confirmed)
					case !codeSent:
						t.Fatalf("turn %d %q: transfer %+v ran without a code sent after the confirmation", n, msg, got)
					case m.Challenge == "":
						t.Fatalf("turn %d %q: transfer %+v carried no verified challenge", n, msg, got)
					case msg != "123456":
						t.Fatalf("turn %d %q: transfer ran on a message that was not the code", n, msg)
					}
					confirmed, codeSent, shown = nil, false, nil // the guard consumes both
				}
				seen = len(moves)
				// Update the customer's view of the conversation.
				if strings.Contains(text, "验证码已发送") && shown != nil && (yes[msg] || confirmed != nil) {
					if yes[msg] {
						c := *shown
						confirmed = &c
					}
					codeSent = confirmed != nil
				}
				if rb, ok := parseReadback(text); ok {
					shown, confirmed, codeSent = &rb, nil, false
				}
				if rep.Flow != "transfer" {
					shown, confirmed, codeSent = nil, nil, false
				}
			}
		})
	}
}

// TestGuardRefusesWithoutReadbackAndCode moves a transfer waiting at its read-back or its
// code onto another version of the flow (a deploy whose steps moved, then a restart that
// forgot the old version) and onto forged positions (a session record edited to stand at the
// bank call, with and without the guard's digests): in no case does money move before the
// customer confirmed a read-back and entered a code issued after it.
func TestGuardRefusesWithoutReadbackAndCode(t *testing.T) {
	variant := variantProgram(t, "variant")
	cases := []struct {
		name string
		at   string            // where the transfer waits: confirm or verify
		edit map[string]string // frame fields overwritten in the stored session ("" deletes)
		prog *engine.Program   // the program the restarted bot runs
	}{
		{name: "new version at the read-back", at: "confirm", prog: variant},
		{name: "new version at the code", at: "verify", prog: variant},
		{name: "forged step at the call", at: "confirm", edit: map[string]string{"step": "call:transfer", "wait": ""}},
		{name: "forged step and confirmation", at: "confirm", edit: map[string]string{"step": "call:transfer", "wait": "", "confirmed": "@shown"}},
		{name: "forged verification without a code", at: "verify", edit: map[string]string{"step": "call:transfer", "wait": "", "verified": "@code_for"}},
		{name: "forged step past the code", at: "verify", edit: map[string]string{"step": "call:transfer", "wait": ""}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := newGuardHarness(t)
			run(t, g.harness, demoUser, []step{{say: "给张三转500", flow: "transfer", step: "confirm"}})
			if c.at == "verify" {
				run(t, g.harness, demoUser, []step{{say: "确认", step: "verify"}})
			}
			if c.edit != nil {
				editFrame(t, g.store, demoUser, c.edit)
			}
			p := c.prog
			if p == nil {
				p = shippedProgram(t)
			}
			g.restart(t, p)
			verified := c.at == "verify" && c.edit == nil // a code the customer holds, sent for this read-back
			for _, msg := range []string{"123456", "确认"} {
				g.say(t, demoUser, msg)
				for _, m := range g.fb.Moves() {
					if m.Executed && !verified {
						t.Fatalf("after %q a transfer ran without a confirmed read-back and a code sent after it: %+v", msg, m)
					}
				}
			}
		})
	}
}

// editFrame overwrites fields of the first frame of a stored session, as a corrupt or forged
// record would. A value "@name" copies the frame's field name.
func editFrame(t *testing.T, st *enginetest.MemStore, user string, edit map[string]string) {
	t.Helper()
	data, err := st.Load(context.Background(), user)
	if err != nil || data == nil {
		t.Fatalf("no session for %s: %v", user, err)
	}
	var rec map[string]any
	if err := json.Unmarshal(data, &rec); err != nil {
		t.Fatal(err)
	}
	frames, _ := rec["frames"].([]any)
	if len(frames) == 0 {
		t.Fatal("session has no frame")
	}
	f := frames[0].(map[string]any)
	for k, v := range edit {
		if from, ok := strings.CutPrefix(v, "@"); ok {
			f[k] = f[from]
		} else if v == "" {
			delete(f, k)
		} else {
			f[k] = v
		}
	}
	out, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Commit(context.Background(), user, out, "", nil); err != nil {
		t.Fatal(err)
	}
}

// TestUncertainCallCompletesWithSameKey loses the bank's reply to a transfer it executed and
// checks the engine completes it with the same idempotency key: the money moves once and the
// customer is told the result, never asked to pay again.
func TestUncertainCallCompletesWithSameKey(t *testing.T) {
	g := newGuardHarness(t)
	before := g.balance(t, "A001")
	g.fb.Fail("transfer", enginetest.Fault{Err: engine.ErrUnavailable, After: true})
	run(t, g.harness, demoUser, []step{
		{say: "给张三转500", step: "confirm"},
		{say: "确认", step: "verify"},
		{say: "123456", contains: "正在确认"},
		{say: "结果呢", contains: "转账成功"},
	})
	moves := g.fb.Moves()
	if len(moves) != 2 || moves[0].Key != moves[1].Key {
		t.Fatalf("moves = %+v, want the same request twice with one key", moves)
	}
	if got := before - g.balance(t, "A001"); got != 50000 {
		t.Fatalf("balance moved by %v fen, want 50000 (once)", got)
	}
}

// TestBankFailuresTellTheCustomer injects each failure class into a transfer and checks the
// customer hears what happened and no money moved.
func TestBankFailuresTellTheCustomer(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want string // in the reply
	}{
		{"insufficient funds", engine.ErrInsufficientFunds, "余额不足"},
		{"over the daily limit", engine.ErrOverLimit, "限额"},
		{"frozen account", engine.ErrFrozen, "冻结"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := newGuardHarness(t)
			before := g.balance(t, "A001")
			g.fb.Fail("transfer", enginetest.Fault{Err: c.err})
			run(t, g.harness, demoUser, []step{
				{say: "给张三转500", step: "confirm"},
				{say: "确认", step: "verify"},
				{say: "123456", contains: c.want},
			})
			if g.balance(t, "A001") != before {
				t.Fatal("money moved on a refused transfer")
			}
		})
	}
}

// TestRepliesAreDeterministic runs the same conversation — digressions, resumes, corrections,
// a version restart — many times on fresh bots and requires the same replies and intents
// every time: nothing the customer sees may depend on map iteration order.
func TestRepliesAreDeterministic(t *testing.T) {
	msgs := []string{"转账", "我的余额", "继续", "张三", "不对,转给李四", "500", "信用卡账单", "继续", "改成600", "确认", "取消", "预约明天下午三点去陆家嘴支行", "第一个", "我的预约", "交水费", "1234567890", "交电费", "取消", "谢谢"}
	variant := variantProgram(t, "variant")
	var first []string
	for run := range 20 {
		g := newGuardHarness(t)
		var got []string
		for i, m := range msgs {
			if i == 7 {
				g.restart(t, variant)
			}
			rep, err := g.bot.Turn(context.Background(), demoUser, engine.Message{Text: m})
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, rep.Intent+"|"+rep.Flow+"|"+rep.Step+"|"+strings.Join(rep.Texts, "\n"))
		}
		if run == 0 {
			first = got
			continue
		}
		for i := range got {
			if got[i] != first[i] {
				t.Fatalf("run %d, message %q: got\n%s\nfirst run said\n%s", run, msgs[i], got[i], first[i])
			}
		}
	}
}

// TestValueSetAfterCodeNeedsNewReadback runs a flow that changes the amount after the code
// (`set amount = 49999` after `verify`) and loops back with goto — a dialog the checker
// refuses, loaded here without it: the runtime guard still moves nothing the customer did not
// confirm, and never more than once per confirmation and code.
func TestValueSetAfterCodeNeedsNewReadback(t *testing.T) {
	const verify = "  verify \"验证码已发送到您尾号{customer.phone|tail}的手机,请输入6位验证码。\"\n  call transfer"
	bad := mutatedProgram(t, "bad", verify, "  verify \"验证码已发送到您尾号{customer.phone|tail}的手机,请输入6位验证码。\"\n  set amount = 49999\n  call transfer", true)
	g := newGuardHarness(t)
	g.restart(t, bad)
	var shown, confirmed *readback
	for _, m := range []string{"给张三转1", "确认", "123456", "确认", "123456", "确认", "123456"} {
		before := len(g.fb.Moves())
		text := strings.Join(g.say(t, demoUser, m).Texts, "\n")
		for _, mv := range g.fb.Moves()[before:] {
			got := readback{tail: "2233", amount: mv.Operation.Fields["amount"]}
			if mv.Executed && (confirmed == nil || got != *confirmed) {
				t.Fatalf("after %q a transfer of %s ran; the customer confirmed %v", m, got.amount, confirmed)
			}
			confirmed = nil
		}
		if m == "确认" && shown != nil && strings.Contains(text, "验证码已发送") {
			confirmed = shown
		}
		if rb, ok := parseReadback(text); ok {
			shown, confirmed = &rb, nil
		}
	}
	if n := len(g.fb.Moves()); n > 1 {
		t.Fatalf("%d transfers ran from one conversation", n)
	}
}
