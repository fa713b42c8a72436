package intents_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/weiyin-bank/weiyin/dialogs"
	"github.com/weiyin-bank/weiyin/intents"
)

func TestReadExamples(t *testing.T) {
	src := "text\tintent\n" +
		"# a comment\n" +
		"给[张三](payee:contact)转[500块](amount:money)\ttransfer\n" +
		"\n" +
		"交[水费](utility)\tbill_pay\n" +
		"今天天气\tnone\n" +
		"余额\tbalance\textra column\n"
	b, err := intents.ReadExamples(strings.NewReader(src), "train.tsv")
	if err != nil {
		t.Fatal(err)
	}
	// Ensure the header, comments, blank lines and none lines are skipped, in file order.
	if got := strings.Join(b.IntentNames, ","); got != "transfer,bill_pay,balance" {
		t.Fatalf("IntentNames = %s", got)
	}
	// Ensure marks are resolved to rune offsets in the unmarked text.
	ex := b.Intents["transfer"].Examples[0]
	if ex.Text != "给张三转500块" || len(ex.Marks) != 2 {
		t.Fatalf("example = %+v", ex)
	}
	if m := ex.Marks[0]; m != (dialogs.Mark{Start: 1, End: 3, Slot: "payee", Entity: "contact"}) {
		t.Errorf("mark 0 = %+v", m)
	}
	if m := ex.Marks[1]; m != (dialogs.Mark{Start: 4, End: 8, Slot: "amount", Entity: "money"}) {
		t.Errorf("mark 1 = %+v", m)
	}
	// Ensure marked types are declared: a bank list for contact, an enum of the marked values
	// for utility, nothing for builtins.
	if e := b.Entities["contact"]; e == nil || e.Kind != dialogs.EntityBank || e.List != "contacts" {
		t.Errorf("contact = %+v", e)
	}
	if e := b.Entities["utility"]; e == nil || e.Kind != dialogs.EntityEnum || len(e.Values) != 1 || e.Values[0].Value != "水费" {
		t.Errorf("utility = %+v", e)
	}
	if _, ok := b.Entities["money"]; ok {
		t.Error("builtin money declared")
	}
}

func TestReadExamplesErrors(t *testing.T) {
	tests := []struct {
		src, want string
		why       string
	}{
		{"余额\n", "train.tsv:1: want text<TAB>intent", "a line without a tab is an error with its line"},
		{"余额\tbalance\n\tbalance\n", "train.tsv:2:", "an empty text is an error"},
		{"给[](contact)转\ttransfer\n", "bad slot mark", "an empty mark is an error"},
		{"# only comments\n", "no examples", "a file without examples is an error"},
		{"余额\tbalance\n查\xff余额\tbalance\n", "train.tsv:2: not valid UTF-8", "a line that is not UTF-8 (a GBK file) is an error at its line"},
		{"余额\tbalance\n" + strings.Repeat("余", 30000) + "\tbalance\n", "train.tsv:2: line longer than 64 KiB", "a line over 64 KiB is an error at its line"},
		{"余额\tbalance\n" + strings.Repeat("a", 2<<20) + "\tbalance\n", "train.tsv:2: line longer than 64 KiB", "a line longer than any buffer is an error at its line"},
		{"转账给[张三](payee:)吧\ttransfer\n", "bad slot mark at column 4", "a mark without an entity names its column"},
	}
	for _, tt := range tests {
		_, err := intents.ReadExamples(strings.NewReader(tt.src), "train.tsv")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.why, err, tt.want)
		}
	}
}

// Ensure the line ends and marks files are written with read as the plain file: a UTF-8 byte
// order mark (before a header too), CRLF, a last line without LF.
func TestReadExamplesEncodings(t *testing.T) {
	const plain = "余额\tbalance\n转账\ttransfer\n"
	want, err := intents.ReadExamples(strings.NewReader(plain), "x.tsv")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ why, src string }{
		{"a byte order mark is skipped", "\uFEFF" + plain},
		{"a byte order mark before the header is skipped with it", "\uFEFFtext\tintent\n" + plain},
		{"CRLF reads as LF", strings.ReplaceAll(plain, "\n", "\r\n")},
		{"a last line without LF counts", strings.TrimSuffix(plain, "\n")},
	} {
		b, err := intents.ReadExamples(strings.NewReader(tc.src), "x.tsv")
		if err != nil {
			t.Errorf("%s: %v", tc.why, err)
			continue
		}
		if strings.Join(b.IntentNames, ",") != strings.Join(want.IntentNames, ",") || b.Intents["balance"].Examples[0].Text != "余额" || b.Intents["transfer"].Examples[0].Text != "转账" {
			t.Errorf("%s: intents %v, balance %+v", tc.why, b.IntentNames, b.Intents["balance"])
		}
	}
}

// Ensure evaluation lines labelled with no intent of the bot are reported with their count
// and first line, none is never one, and an evaluation can be stopped.
func TestEvaluateUnknownLabels(t *testing.T) {
	u := devUnderstander(t, intents.Options{})
	src := "我的余额\tbalanse\n今天天气\tnone\n转账\tbalanse\n明细\tno_such_intent\n余额\tbalance\n"
	rep, err := intents.Evaluate(u, strings.NewReader(src), "x.tsv", intents.Context{})
	if err != nil {
		t.Fatal(err)
	}
	want := []intents.UnknownLabel{{Label: "balanse", Lines: 2, Line: 1}, {Label: "no_such_intent", Lines: 1, Line: 4}}
	if fmt.Sprint(rep.Unknown) != fmt.Sprint(want) {
		t.Errorf("unknown %+v, want %+v", rep.Unknown, want)
	}
	var out strings.Builder
	rep.Write(&out)
	if !strings.Contains(out.String(), `warning: label "balanse" is no intent of the bot: 2 lines (first at line 1)`) {
		t.Errorf("report lacks the warning:\n%s", out.String())
	}
	lines, _ := intents.ReadLabelled(strings.NewReader(src), "x.tsv")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := intents.EvaluateLines(ctx, u, lines, intents.Context{}); err == nil {
		t.Error("a cancelled evaluation went on")
	}
}

// Ensure a report of no in-scope or no out-of-scope line says so instead of 0/0 figures.
func TestReportWithoutLines(t *testing.T) {
	u := devUnderstander(t, intents.Options{})
	for _, tc := range []struct{ why, src, want string }{
		{"only out-of-scope lines", "今天天气\tnone\n", "in-scope accuracy: no in-scope lines"},
		{"only in-scope lines", "余额\tbalance\n", "out-of-scope false accepts: no out-of-scope lines"},
	} {
		rep, err := intents.Evaluate(u, strings.NewReader(tc.src), "x.tsv", intents.Context{})
		if err != nil {
			t.Fatal(err)
		}
		var out strings.Builder
		rep.Write(&out)
		if !strings.Contains(out.String(), tc.want) {
			t.Errorf("%s: report lacks %q:\n%s", tc.why, tc.want, out.String())
		}
	}
}

// Ensure KShot takes a K below 0 as 0 (every example a test line) instead of failing, and
// gives test lines their examples' positions.
func TestKShotBounds(t *testing.T) {
	b, err := intents.ReadExamples(strings.NewReader("余额\tbalance\n查余额\tbalance\n转账\ttransfer\n"), "k.tsv")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		why        string
		k          int
		kept, test int
	}{
		{"a negative K keeps nothing", -3, 0, 3},
		{"K 0 keeps nothing", 0, 0, 3},
		{"K 1 keeps one an intent", 1, 2, 1},
		{"a K above every intent's examples keeps all", 9, 3, 0},
	} {
		nb, test := intents.KShot(b, tc.k)
		kept := 0
		for _, in := range nb.Intents {
			kept += len(in.Examples)
		}
		if kept != tc.kept || len(test) != tc.test {
			t.Errorf("%s: kept %d, tested %d; want %d, %d", tc.why, kept, len(test), tc.kept, tc.test)
		}
		for _, l := range test {
			if l.File != "k.tsv" || l.Line == 0 {
				t.Errorf("%s: test line without its position: %+v", tc.why, l)
			}
		}
	}
}

func TestEvaluate(t *testing.T) {
	u := devUnderstander(t, intents.Options{})
	src := "我的余额是多少\tbalance\n" +
		"转账\tbalance\n" + // deliberately wrong label: a confusion
		"今天天气怎么样\tnone\n" +
		"明细\ttransactions\n"
	rep, err := intents.Evaluate(u, strings.NewReader(src), "x.tsv", intents.Context{})
	if err != nil {
		t.Fatal(err)
	}
	// Ensure the totals count in-scope and out-of-scope lines apart.
	if rep.Lines != 4 || rep.InScope != 3 || rep.Correct != 2 || rep.OutScope != 1 || rep.FalseAccepts != 0 {
		t.Fatalf("report = %+v", rep)
	}
	// Ensure the confusion is listed with its line.
	if len(rep.Confusions) != 1 || rep.Confusions[0] != (intents.Confusion{Want: "balance", Got: "transfer", Count: 1}) {
		t.Fatalf("confusions = %+v", rep.Confusions)
	}
	if len(rep.Errors) != 1 || rep.Errors[0].Line != 2 {
		t.Fatalf("errors = %+v", rep.Errors)
	}
	// Ensure precision counts predictions and recall counts labels.
	for _, s := range rep.PerIntent {
		if s.Intent == "balance" && (s.Support != 2 || s.Recall != 0.5 || s.Precision != 1) {
			t.Errorf("balance = %+v", s)
		}
		if s.Intent == "transfer" && (s.Predicted != 1 || s.Precision != 0) {
			t.Errorf("transfer = %+v", s)
		}
	}
	var out strings.Builder
	if err := rep.Write(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "in-scope accuracy: 2/3 = 66.7%") || !strings.Contains(out.String(), "line 2: 转账") {
		t.Errorf("report text:\n%s", out.String())
	}
	// Ensure ranked first (top-1) counts the best intent whatever the threshold: the same
	// lines with a threshold nothing reaches are all rejected, yet still ranked first.
	if rep.RankedFirst != 2 || !strings.Contains(out.String(), "in-scope ranked first: 2/3 = 66.7%") {
		t.Errorf("ranked first = %d, want 2; report text:\n%s", rep.RankedFirst, out.String())
	}
	strict := devUnderstander(t, intents.Options{Threshold: 0.999})
	if rep, err := intents.Evaluate(strict, strings.NewReader(src), "x.tsv", intents.Context{}); err != nil {
		t.Error(err)
	} else if rep.Correct != 0 || rep.RankedFirst != 2 {
		t.Errorf("with threshold 0.999: correct %d, ranked first %d, want 0 and 2", rep.Correct, rep.RankedFirst)
	}
	if _, err := intents.Evaluate(u, strings.NewReader("no tab here\n"), "x.tsv", intents.Context{}); err == nil {
		t.Error("a line without a label was accepted")
	}
}
