package intents_test

import (
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
	}
	for _, tt := range tests {
		_, err := intents.ReadExamples(strings.NewReader(tt.src), "train.tsv")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.why, err, tt.want)
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
