package transcript

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/weiyin-bank/weiyin/dialogs"
	"github.com/weiyin-bank/weiyin/engine"
	"github.com/weiyin-bank/weiyin/engine/enginetest"
)

func TestNoise(t *testing.T) {
	n, err := ParseNoise("asr", 7)
	if err != nil {
		t.Fatal(err)
	}
	lines := []string{"我的余额是多少?", "给张三转账500元,谢谢!", "给13812345678充100块", "确认", "信用卡还款。"}
	changed := 0
	for turn, l := range lines {
		a := n.Apply(l, "run", turn)
		// Ensure the same seed, run and turn give the same text.
		if b := n.Apply(l, "run", turn); a != b {
			t.Errorf("not deterministic: %q vs %q", a, b)
		}
		// Ensure punctuation is always dropped.
		for _, r := range a {
			if unicode.IsPunct(r) {
				t.Errorf("%q keeps punctuation", a)
			}
		}
		if a != strings.Map(func(r rune) rune {
			if unicode.IsPunct(r) {
				return -1
			}
			return r
		}, l) {
			changed++
		}
		t.Logf("seed 7: %q -> %q", l, a)
	}
	// Ensure the model does more than strip punctuation on typical lines.
	if changed < 2 {
		t.Errorf("only %d of %d lines got recognition errors", changed, len(lines))
	}
	// Ensure long digit strings can be spoken and short ones (codes, amounts) are kept.
	if got := speakLongNumbers("给13812345678充100"); got != "给幺三八幺二三四五六七八充100" {
		t.Errorf("speakLongNumbers = %q", got)
	}
	if _, err := ParseNoise("tv", 1); err == nil {
		t.Error("unknown noise model accepted")
	}
}

func TestRecorderRoundTrip(t *testing.T) {
	// Ensure a recorded conversation replays green against the same bot, with the code and
	// card numbers masked and the bot's long numbers turned into wildcards.
	var buf bytes.Buffer
	start := time.Date(2026, 11, 25, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	rec := NewRecorder(&buf, RecordOptions{Title: "录制的转账", User: "o_demo_1", Start: start, OTP: "123456", State: true})
	bot := &fakeBot{clock: enginetest.NewClock(start), replies: map[string]engine.Reply{}, balance: 100000}
	for i, text := range []string{"我要转账", "张三", "500", "确认", "987654", "123456", "卡号6222020200001234的余额"} {
		m := engine.Message{ID: string(rune('a' + i)), Kind: "text", Text: text}
		rep, err := bot.Turn(context.Background(), "o_demo_1", m)
		if err != nil {
			t.Fatal(err)
		}
		if err := rec.Record(m, rep); err != nil {
			t.Fatal(err)
		}
	}
	out := buf.String()
	golden(t, "recorded.convo.txt", buf.Bytes())
	if !strings.Contains(out, "\n000000\n") || strings.Contains(out, "987654") || strings.Contains(out, "6222020200001234") {
		t.Errorf("recording leaks a code or card number:\n%s", out)
	}
	s, err := Parse([]string{"r.convo.txt"}, map[string]string{"r.convo.txt": out})
	if err != nil {
		t.Fatalf("recording does not parse: %v\n%s", err, out)
	}
	rep, err := Replay(context.Background(), s, Options{Factory: newFakeFactory()})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		var b bytes.Buffer
		_ = rep.WriteText(&b, false)
		t.Fatalf("recording does not replay:\n%s", b.String())
	}
}

func testBundle() *dialogs.Bundle {
	ask := func(slot string) *dialogs.Step { return &dialogs.Step{Kind: dialogs.StepAsk, Slot: slot, Label: slot} }
	transfer := &dialogs.Flow{Name: "transfer", Steps: []*dialogs.Step{
		ask("payee"), ask("amount"),
		{Kind: dialogs.StepConfirm, Label: "confirm"},
		{Kind: dialogs.StepVerify, Label: "verify"},
		{Kind: dialogs.StepCall, Handlers: []dialogs.Handler{{Code: "over_limit", Actions: []*dialogs.Step{{Kind: dialogs.StepGoto, Target: "amount"}}}}},
	}, Labels: map[string]int{"payee": 0, "amount": 1, "confirm": 2, "verify": 3}}
	balance := &dialogs.Flow{Name: "balance", Steps: []*dialogs.Step{{Kind: dialogs.StepCall}, {Kind: dialogs.StepSay}}}
	lost := &dialogs.Flow{Name: "card_lost", Steps: []*dialogs.Step{ask("card")}, Labels: map[string]int{"card": 0}}
	return &dialogs.Bundle{
		IntentNames: []string{"balance", "transfer", "card_lost", "greet", "affirm"},
		FlowNames:   []string{"balance", "transfer", "card_lost"},
		Flows:       map[string]*dialogs.Flow{"balance": balance, "transfer": transfer, "card_lost": lost},
		StartedBy:   map[string]string{"balance": "balance", "transfer": "transfer", "card_lost": "card_lost"},
	}
}

func TestCoverage(t *testing.T) {
	// Ensure intents, flows (also those finishing within one turn), waiting steps and planned
	// transitions are counted, and what was never hit is listed.
	rep := replayDir(t, "suite", Options{})
	c := ComputeCoverage(testBundle(), rep)
	var b bytes.Buffer
	if err := c.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	golden(t, "coverage.txt", b.Bytes())
	if c.Intents.Hit != 4 || strings.Join(c.Intents.Missed, ",") != "card_lost" {
		t.Errorf("intents %+v", c.Intents)
	}
	if c.Flows.Hit != 2 || strings.Join(c.Flows.Missed, ",") != "card_lost" {
		t.Errorf("flows %+v", c.Flows)
	}
	if c.Steps.Total != 5 || c.Steps.Hit != 4 {
		t.Errorf("steps %+v", c.Steps)
	}
	// planned: -> payee, payee -> amount, amount -> confirm, confirm -> verify, verify -> -,
	// verify -> amount (goto), - -> card_lost.card, card_lost.card -> -, balance - -> -.
	if c.Transitions.Total != 9 {
		t.Errorf("transitions %+v", c.Transitions)
	}
}
