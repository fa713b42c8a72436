package intents_test

import (
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/weiyin-bank/weiyin/dialogs"
	"github.com/weiyin-bank/weiyin/dialogs/bank"
	"github.com/weiyin-bank/weiyin/intents"
)

// cvFolds is how many folds crossValidate splits the dialogs' examples into.
const cvFolds = 5

// cvScore is the outcome of a cross-validation: how many held-out examples came back with
// their own intent, how many were rejected as none and how many were flagged ambiguous with
// their intent as the runner-up (the engine asks; not counted correct).
type cvScore struct {
	correct, total, rejected, askedRight int
}

// crossValidate trains on all but one fold of the bank dialogs' examples and tests on that
// fold, for every fold. An example's fold is a hash of its text: stable across edits.
func crossValidate(t testing.TB, opts intents.Options) cvScore {
	t.Helper()
	b, diags := dialogs.LoadFS(bank.Files, ".")
	if b == nil {
		t.Fatalf("shipped dialogs do not load: %v", diags)
	}
	fold := func(s string) int {
		h := fnv.New32a()
		h.Write([]byte(s))
		return int(h.Sum32() % cvFolds)
	}
	var sc cvScore
	for k := range cvFolds {
		nb, test := intents.HoldOut(b, func(it *dialogs.Intent, ex dialogs.Example) bool {
			return fold(ex.Text) == k && len(it.Examples) > 3
		})
		u, err := intents.New(nb, opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range test {
			r := u.Understand(h.Text, intents.Context{Now: testNow})
			sc.total++
			switch {
			case r.Intent == h.Intent && !r.Ambiguous:
				sc.correct++
			case r.Ambiguous && (r.Intent == h.Intent || r.Alternatives[0].Intent == h.Intent):
				sc.askedRight++
			case r.Intent == intents.None:
				sc.rejected++
			}
		}
	}
	return sc
}

// Ensure the matcher generalises from the dialogs' own examples: each held-out example must
// mostly come back with its intent. The floor is below the figure measured when this test was
// written (see doc.go), so that a dialog edit does not break the build but a broken matcher does.
func TestBankCrossValidation(t *testing.T) {
	if testing.Short() {
		t.Skip("trains five matchers")
	}
	sc := crossValidate(t, intents.Options{})
	acc := float64(sc.correct) / float64(sc.total)
	t.Logf("cross-validation (%d folds): %d/%d = %.1f%% correct, %d rejected, %d ambiguous with the right pair",
		cvFolds, sc.correct, sc.total, 100*acc, sc.rejected, sc.askedRight)
	if acc < 0.80 {
		t.Errorf("cross-validation accuracy %.3f below the floor 0.80", acc)
	}
}

// Ensure the shipped dialogs understand the hand-written development sets (colloquial,
// traditional and Hong Kong / Taiwan wording, voice-like, out-of-vocabulary names, out of
// scope, other providers' services) at least as well as when they were written. Floors sit a
// little under the figures measured then (doc.go), so that a dialog edit does not break the
// build but a broken matcher does.
func TestBankDevSet(t *testing.T) {
	tests := []struct {
		file                string
		floor, falseAccepts float64
	}{
		{"bankdev.tsv", 0.80, 0.10},
		{"bankdev2.tsv", 0.90, 0.06},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", tt.file)
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rep := evaluateBank(t, f, path)
			if testing.Verbose() {
				rep.Write(os.Stdout)
			}
			if rep.Accuracy < tt.floor || rep.FalseAcceptRate > tt.falseAccepts {
				t.Errorf("accuracy %.3f (floor %.2f), false-accept rate %.3f (ceiling %.2f)", rep.Accuracy, tt.floor, rep.FalseAcceptRate, tt.falseAccepts)
			}
		})
	}
}

// Ensure a bare product word that several intents share comes back ambiguous with a runner-up
// for the engine to offer, not as a silent guess.
func TestBankAmbiguousCue(t *testing.T) {
	u := bankUnderstander(t, intents.Options{})
	r := u.Understand("信用卡", intents.Context{Now: testNow})
	if !r.Ambiguous || len(r.Alternatives) == 0 {
		t.Fatalf("Understand(信用卡) = %s ambiguous=%v alternatives %v, want ambiguous", r.Intent, r.Ambiguous, r.Alternatives)
	}
	r = u.Understand("信用卡账单", intents.Context{Now: testNow})
	if r.Intent != "credit_bill" || r.Ambiguous {
		t.Errorf("Understand(信用卡账单) = %s ambiguous=%v, want credit_bill, unambiguous", r.Intent, r.Ambiguous)
	}
}

// evaluateBank scores the shipped dialogs on labelled lines and logs the figures.
func evaluateBank(t *testing.T, r io.Reader, path string) *intents.Report {
	t.Helper()
	rep, err := intents.Evaluate(bankUnderstander(t, intents.Options{}), r, path, intents.Context{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: in-scope accuracy %.1f%% (%d/%d), out-of-scope rejection %.1f%% (%d/%d)", path,
		100*rep.Accuracy, rep.Correct, rep.InScope, 100*(1-rep.FalseAcceptRate), rep.OutScope-rep.FalseAccepts, rep.OutScope)
	return rep
}
