package engine_test

import (
	"io/fs"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/weiyin-bank/weiyin/dialogs"
	"github.com/weiyin-bank/weiyin/dialogs/bank"
	"github.com/weiyin-bank/weiyin/engine"
	"github.com/weiyin-bank/weiyin/intents"
)

// stubProgram loads the shipped bank bot with testdata/stub.dlg: a foreign-exchange flow
// whose bank call (fx_buy) is a stub that moves money.
func stubProgram(t *testing.T) *engine.Program {
	t.Helper()
	src, err := os.ReadFile("testdata/stub.dlg")
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{"bot/zz-fx.dlg": {Data: src}}
	names, _ := fs.Glob(bank.Files, "*.dlg")
	for _, n := range names {
		data, err := fs.ReadFile(bank.Files, n)
		if err != nil {
			t.Fatal(err)
		}
		fsys["bot/"+n] = &fstest.MapFile{Data: data}
	}
	b, ds := dialogs.LoadFS(fsys, "bot")
	if b == nil {
		t.Fatal(ds.Err())
	}
	nlu, err := intents.New(b, intents.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return &engine.Program{Bundle: b, NLU: nlu, Version: "stub"}
}

// TestStubOperation ensures a stub runs only where allowed, answers with its example results
// and still passes the money guard (read-back, yes, code) when it moves money.
func TestStubOperation(t *testing.T) {
	prog := stubProgram(t)
	// Without AllowStubs (a real bank) the program is refused, naming the stub.
	if _, err := openHarness(t, prog, engine.Config{}); err == nil || !strings.Contains(err.Error(), "fx_buy") {
		t.Fatalf("New without AllowStubs: err = %v, want a refusal naming fx_buy", err)
	}
	h, err := openHarness(t, prog, engine.Config{AllowStubs: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.bot.Accepts(prog); err != nil {
		t.Errorf("Accepts: %v", err)
	}
	before := h.balance(t, "A001")
	run(t, h, demoUser, []step{
		{say: "我要换外汇", flow: "fx"},
		{say: "500元", flow: "fx"},
		{say: "确认", step: "verify"},
		{say: "123456", flow: "-", contains: "汇率7.12, 流水号FX0001"},
	})
	if after := h.balance(t, "A001"); after != before {
		t.Errorf("a stub moved money: balance %v, was %v", after, before)
	}

	// A bot on a real bank refuses the program; swapped in regardless, the call never runs.
	h2 := newHarness(t)
	other := h2.bot
	if err := other.Accepts(prog); err == nil {
		t.Error("Accepts: a bot without AllowStubs accepted a program with stubs")
	}
	other.Swap(prog)
	rep := h2.say(t, demoUser, "我要换外汇")
	rep = h2.say(t, demoUser, "500元")
	if text := strings.Join(rep.Texts, ""); strings.Contains(text, "FX0001") || rep.Step == "verify" {
		t.Errorf("a stub ran on a bot without AllowStubs: %q at %s", text, rep.Step)
	}
}
