package engine_test

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weiyin-bank/weiyin/adapters/bank/sandbox"
	"github.com/weiyin-bank/weiyin/adapters/store"
	"github.com/weiyin-bank/weiyin/dialogs"
	"github.com/weiyin-bank/weiyin/dialogs/bank"
	"github.com/weiyin-bank/weiyin/engine"
	"github.com/weiyin-bank/weiyin/engine/enginetest"
	"github.com/weiyin-bank/weiyin/intents"
)

var (
	progOnce sync.Once
	prog     *engine.Program
	progErr  error
)

// shippedProgram loads the shipped bank bot once for all tests.
func shippedProgram(t testing.TB) *engine.Program {
	t.Helper()
	progOnce.Do(func() {
		b, diags := dialogs.LoadFS(bank.Files, ".")
		if diags.HasErrors() {
			progErr = diags.Err()
			return
		}
		nlu, err := intents.New(b, intents.Options{})
		if err != nil {
			progErr = err
			return
		}
		prog = &engine.Program{Bundle: b, NLU: nlu, Version: "test"}
	})
	if progErr != nil {
		t.Fatal(progErr)
	}
	return prog
}

var start = time.Date(2026, 11, 25, 10, 0, 0, 0, engine.Shanghai)

type harness struct {
	bot   *engine.Bot
	bank  *sandbox.Bank
	clock *enginetest.Clock
	store *enginetest.MemStore
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	h, err := openHarness(t, shippedProgram(t), engine.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// openHarness runs prog on the demo sandbox (code 123456) with a memory store; cfg gives the
// other settings. The error is engine.New's.
func openHarness(t testing.TB, prog *engine.Program, cfg engine.Config) (*harness, error) {
	t.Helper()
	return openHarnessVia(t, prog, cfg, nil)
}

// openHarnessVia is openHarness with the bot calling the sandbox through via(sandbox) when via
// is not nil.
func openHarnessVia(t testing.TB, prog *engine.Program, cfg engine.Config, via func(engine.Bank) engine.Bank) (*harness, error) {
	t.Helper()
	clock := enginetest.NewClock(start)
	fix := sandbox.Demo()
	fix.OTP = "123456"
	sb, err := sandbox.Open(filepath.Join(t.TempDir(), "bank.db"), sandbox.Options{Clock: clock, Fixture: fix, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	st := enginetest.NewMemStore()
	cfg.Bank, cfg.Store, cfg.Clock = sb, st, clock
	if via != nil {
		cfg.Bank = via(sb)
	}
	bot, err := engine.New(prog, cfg)
	return &harness{bot: bot, bank: sb, clock: clock, store: st}, err
}

func (h *harness) say(t *testing.T, user, text string) engine.Reply {
	t.Helper()
	rep, err := h.bot.Turn(context.Background(), user, engine.Message{Text: text})
	if err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	t.Logf("我> %s\n微银> %s   [%s %s/%s]", text, strings.Join(rep.Texts, " | "), rep.Intent, rep.Flow, rep.Step)
	return rep
}

func (h *harness) balance(t *testing.T, account string) engine.Money {
	t.Helper()
	as, err := h.bank.Accounts(context.Background(), "C001")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		if a.ID == account {
			return a.Balance
		}
	}
	t.Fatalf("no account %s", account)
	return 0
}

const demoUser = "o_demo_1"

// step is one exchange of a scripted conversation.
type step struct {
	say       string
	intent    string // expected intent ("" = don't care)
	flow      string // expected active flow after the turn ("-" = none)
	step      string // expected waiting step ("" = don't care)
	contains  string // a substring of the joined reply
	handoff   bool
	advanceBy time.Duration // move the clock before this message
}

func run(t *testing.T, h *harness, user string, steps []step) {
	t.Helper()
	for i, s := range steps {
		h.clock.Advance(s.advanceBy)
		rep := h.say(t, user, s.say)
		text := strings.Join(rep.Texts, "\n")
		if s.intent != "" && rep.Intent != s.intent {
			t.Errorf("turn %d %q: intent %q, want %q", i+1, s.say, rep.Intent, s.intent)
		}
		switch s.flow {
		case "":
		case "-":
			if rep.Flow != "" {
				t.Errorf("turn %d %q: still in flow %s/%s, want none", i+1, s.say, rep.Flow, rep.Step)
			}
		default:
			if rep.Flow != s.flow {
				t.Errorf("turn %d %q: flow %q, want %q", i+1, s.say, rep.Flow, s.flow)
			}
		}
		if s.step != "" && rep.Step != s.step {
			t.Errorf("turn %d %q: step %q, want %q", i+1, s.say, rep.Step, s.step)
		}
		if s.contains != "" && !strings.Contains(text, s.contains) {
			t.Errorf("turn %d %q: reply %q does not contain %q", i+1, s.say, text, s.contains)
		}
		if s.handoff && !rep.Handoff {
			t.Errorf("turn %d %q: want a handoff", i+1, s.say)
		}
	}
}

// Ensure the conversations customers have most often work end to end on the shipped bot.
func TestConversations(t *testing.T) {
	tests := []struct {
		name  string
		user  string
		steps []step
	}{
		{"balance answers at once", demoUser, []step{
			{say: "我的余额", intent: "balance", flow: "-", contains: "¥52,380.50"},
		}},
		{"traditional script", demoUser, []step{
			{say: "我的餘額", intent: "balance", flow: "-", contains: "¥"},
		}},
		{"transfer fills slots from the first message and asks to confirm", demoUser, []step{
			{say: "给张三转500", intent: "transfer", flow: "transfer", step: "confirm", contains: "¥500.00"},
			{say: "确认", flow: "transfer", step: "verify"},
			{say: "123456", flow: "-", contains: "成功"},
		}},
		{"transfer asks for each slot", demoUser, []step{
			{say: "转账", intent: "transfer", flow: "transfer", step: "payee"},
			{say: "李四", flow: "transfer", step: "amount"},
			{say: "200", flow: "transfer", step: "confirm", contains: "¥200.00"},
		}},
		{"cancel mid-way", demoUser, []step{
			{say: "转账", flow: "transfer", step: "payee"},
			{say: "算了", intent: "cancel", flow: "-"},
		}},
		{"correction at confirm re-confirms", demoUser, []step{
			{say: "给张三转300", flow: "transfer", step: "confirm", contains: "¥300.00"},
			{say: "不对,是五百", flow: "transfer", step: "confirm", contains: "¥500.00"},
		}},
		{"digression and resume", demoUser, []step{
			{say: "转账", flow: "transfer", step: "payee"},
			{say: "我的余额", intent: "balance", flow: "transfer", contains: "¥52,380.50"},
			{say: "好的", flow: "transfer", step: "payee"},
		}},
		{"amount over the limit is refused and asked again", demoUser, []step{
			{say: "给张三转100万", flow: "transfer", step: "amount"},
		}},
		{"out of scope twice offers help", demoUser, []step{
			{say: "今天天气怎么样", intent: "none", flow: "-"},
			{say: "你喜欢什么电影", intent: "none", flow: "-"},
		}},
		{"unbound users are guided to binding", "o_stranger", []step{
			{say: "查余额", flow: "bind_account"},
		}},
		{"a statement's line picked by number is shown again", demoUser, []step{
			{say: "最近的明细", intent: "transactions"},
			{say: "第二个", intent: "select", contains: "2. "},
			{say: "第九十个", contains: "请回复1到"},
		}},
		{"binding asked for twice is one binding to cancel", "o_stranger", []step{
			{say: "查余额", flow: "bind_account", step: "card_no"},
			{say: "最近的明细", flow: "bind_account", step: "card_no"},
			{say: "取消", flow: "-"},
		}},
		{"a flow started again replaces its interrupted instance", demoUser, []step{
			{say: "转账", flow: "transfer", step: "payee"},
			{say: "附近的网点", flow: "branch_search"},
			{say: "转账", flow: "transfer", step: "payee"},
			{say: "取消", contains: "网点查询"},
			{say: "不用了", flow: "-"},
		}},
		{"session timeout restarts politely", demoUser, []step{
			{say: "转账", flow: "transfer", step: "payee"},
			{say: "张三", advanceBy: time.Hour, flow: "-"},
		}},
		{"faq answer", demoUser, []step{
			{say: "转账要手续费吗", flow: "-"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			run(t, h, tt.user, tt.steps)
		})
	}
}

// Ensure a transfer moves money once: the receipt matches the ledger and a retried message id
// gets the stored reply without a second movement.
func TestTransferExactlyOnce(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	before := h.balance(t, "A001")
	turn := func(id, text string) engine.Reply {
		rep, err := h.bot.Turn(ctx, demoUser, engine.Message{ID: id, Text: text})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	turn("m1", "给张三转500")
	turn("m2", "确认")
	first := turn("m3", "123456")
	again := turn("m3", "123456")
	if strings.Join(first.Texts, "|") != strings.Join(again.Texts, "|") {
		t.Fatalf("retry got another reply:\n%v\n%v", first.Texts, again.Texts)
	}
	if got := before - h.balance(t, "A001"); got != 50000 {
		t.Fatalf("balance moved by %d fen, want 50000", got)
	}
}

// Ensure a session started afresh (after unsubscribe) never reuses an idempotency key: its
// first transfer moves money instead of returning the earlier transfer's receipt.
func TestFreshSessionNewKeys(t *testing.T) {
	h := newHarness(t)
	before := h.balance(t, "A001")
	transfer := func() {
		run(t, h, demoUser, []step{
			{say: "给张三转500", step: "confirm"},
			{say: "确认", step: "verify"},
			{say: "123456", flow: "-", contains: "成功"},
		})
	}
	transfer()
	if _, err := h.bot.Turn(context.Background(), demoUser, engine.Message{Kind: "event", Event: "unsubscribe"}); err != nil {
		t.Fatal(err)
	}
	transfer()
	if got := before - h.balance(t, "A001"); got != 100000 {
		t.Fatalf("two transfers moved %d fen, want 100000", got)
	}
}

// Ensure wrong one-time codes never move money and lock the operation after three tries.
func TestWrongCodes(t *testing.T) {
	h := newHarness(t)
	before := h.balance(t, "A001")
	run(t, h, demoUser, []step{
		{say: "给张三转500", step: "confirm"},
		{say: "确认", step: "verify"},
		{say: "111111", step: "verify"},
		{say: "222222", step: "verify"},
		{say: "333333", flow: "-"},
		{say: "123456"},
	})
	if got := h.balance(t, "A001"); got != before {
		t.Fatalf("balance changed from %d to %d after wrong codes", before, got)
	}
}

// Ensure turns of many users run concurrently without mixing their state.
func TestConcurrentUsers(t *testing.T) {
	h := newHarness(t)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			user := fmt.Sprintf("u%d", i)
			for j := 0; j < 5; j++ {
				rep, err := h.bot.Turn(context.Background(), user, engine.Message{Text: "转账", ID: fmt.Sprint(j), As: "C001"})
				if err != nil {
					errs <- err
					return
				}
				if rep.Flow != "transfer" {
					errs <- fmt.Errorf("%s turn %d: flow %q", user, j, rep.Flow)
				}
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// Ensure bad input gets a clean reply, never a panic or an error.
func TestBadInput(t *testing.T) {
	h := newHarness(t)
	for _, text := range []string{"", "\xff\xfe\xfd", strings.Repeat("钱", 100000), "\x00\x01\x02", "😀😀😀", "99999999999999999999", "给张三转99999999999999999999元"} {
		if _, err := h.bot.Turn(context.Background(), demoUser, engine.Message{Text: text}); err != nil {
			t.Errorf("%.20q: %v", text, err)
		}
	}
	if _, err := h.bot.Turn(context.Background(), "", engine.Message{Text: "hi"}); err == nil {
		t.Error("an empty user id must be refused")
	}
}

// Ensure a hot reload leaves a running flow on the program it started with.
func TestSwapKeepsRunningFlow(t *testing.T) {
	h := newHarness(t)
	run(t, h, demoUser, []step{{say: "转账", flow: "transfer", step: "payee"}})
	old := shippedProgram(t)
	next := &engine.Program{Bundle: old.Bundle, NLU: old.NLU, Version: "next"}
	h.bot.Swap(next)
	run(t, h, demoUser, []step{{say: "张三", flow: "transfer", step: "amount"}})
	if h.bot.Program().Version != "next" {
		t.Fatal("new conversations must use the new program")
	}
}

func BenchmarkTurnInMemory(b *testing.B) {
	h := newHarness(b)
	ctx := context.Background()
	msgs := []string{"我的余额", "转账", "张三", "500", "取消", "附近网点", "信用卡账单", "手续费怎么收"}
	var next atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := next.Add(1)
			user := fmt.Sprintf("bench-%d", n%1000)
			if _, err := h.bot.Turn(ctx, user, engine.Message{Text: msgs[(n/1000)%int64(len(msgs))], As: "C001"}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "turns/s")
}

// BenchmarkTurnBolt runs full turns with durable bbolt sessions (fsync, group commit) for
// 1,000 users: 64 clients in flight, each sending the next message of the next user, and
// reports the 99th-percentile turn latency.
func BenchmarkTurnBolt(b *testing.B) {
	h := newHarness(b)
	st, err := store.Open(filepath.Join(b.TempDir(), "sessions.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	bot, err := engine.New(shippedProgram(b), engine.Config{Bank: h.bank, Store: st, Clock: h.clock})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	msgs := []string{"我的余额", "转账", "张三", "500", "取消", "附近网点", "信用卡账单", "手续费怎么收"}
	const users, clients = 1000, 64
	var mu sync.Mutex
	var lat []time.Duration
	var next atomic.Int64
	b.SetParallelism(clients / runtime.GOMAXPROCS(0))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			n := next.Add(1)
			user := fmt.Sprintf("load-%d", n%users)
			t0 := time.Now()
			if _, err := bot.Turn(ctx, user, engine.Message{Text: msgs[(n/users)%int64(len(msgs))], As: "C001", ID: fmt.Sprint(n)}); err != nil {
				b.Fatal(err)
			}
			mine = append(mine, time.Since(t0))
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	b.StopTimer()
	if len(lat) > 0 {
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(len(lat))/b.Elapsed().Seconds(), "turns/s")
	}
}

// FuzzTurn ensures no message, however malformed, makes a turn fail or panic (a panic inside
// Turn is recovered and reported as an error, so an error here means one happened).
func FuzzTurn(f *testing.F) {
	for _, s := range []string{"我的余额", "给张三转500", "确认", "123456", "第二个", "\xff\xfe", "转账给99999999999999999999", "附近网点", "", "😀"} {
		f.Add(s)
	}
	h := newHarness(f)
	f.Fuzz(func(t *testing.T, text string) {
		if _, err := h.bot.Turn(context.Background(), demoUser, engine.Message{Text: text}); err != nil {
			t.Fatalf("%q: %v", text, err)
		}
	})
}
