package intents

import (
	"encoding/json"
	"flag"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/weiyin-bank/weiyin/dialogs"
	"github.com/weiyin-bank/weiyin/dialogs/bank"
)

// updating reports the -update flag (declared by golden_test.go in the same test binary).
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// Ensure the calibration shipped for the embedded bank bot is the one its folds give today:
// a dialog edit that changes the examples must refresh calibrations.json (-update), else the
// bot would run with a stale threshold (or pay the folds at every first start).
func TestShippedCalibration(t *testing.T) {
	b, diags := dialogs.LoadFS(bank.Files, ".")
	if b == nil {
		t.Fatalf("shipped dialogs do not load: %v", diags)
	}
	c, err := calibrate(b, Options{MaxRunes: defaultMaxRunes, AmbiguityMargin: DefaultAmbiguityMargin})
	if err != nil {
		t.Fatal(err)
	}
	c.Hash = bundleHash(b)
	if updating() {
		data, _ := json.MarshalIndent([]Calibration{c}, "", "  ")
		if err := os.WriteFile("calibrations.json", append(data, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, ok := shippedOnce()[c.Hash]
	if !ok {
		t.Fatalf("calibrations.json lacks the shipped bot (hash %s): run go test ./intents -run TestShippedCalibration -update", c.Hash)
	}
	if got != c {
		t.Errorf("shipped calibration %+v, the folds give %+v: run with -update", got, c)
	}
	// Ensure a calibrated threshold stays in the searched range and keeps most of the
	// background out.
	if c.Threshold < 0.10 || c.Threshold > 0.60 || c.Rejection < calibRejection {
		t.Errorf("calibration out of bounds: %+v", c)
	}
}

// Ensure the hash ignores what calibration does not depend on (example order is kept: it
// changes nothing but stays simple) and changes with an example.
func TestBundleHash(t *testing.T) {
	b, _ := dialogs.LoadFS(bank.Files, ".")
	h1 := bundleHash(b)
	nb := *b
	nb.Intents = map[string]*dialogs.Intent{}
	for n, in := range b.Intents {
		ni := *in
		nb.Intents[n] = &ni
	}
	if bundleHash(&nb) != h1 {
		t.Error("a copy hashes differently")
	}
	bal := *nb.Intents["balance"]
	bal.Examples = append(bal.Examples[:len(bal.Examples):len(bal.Examples)], dialogs.Example{Text: "新的例句"})
	nb.Intents["balance"] = &bal
	if bundleHash(&nb) == h1 {
		t.Error("a new example left the hash unchanged")
	}
}

// Ensure the domain gate lets a message through only with enough domain words, a score at
// its bar and a lead over intent none's scaled score; a zero gate lets nothing through.
func TestDomainGateAccepts(t *testing.T) {
	g := domainGate{min: 2, threshold: 0.05, scale: 0.4}
	tests := []struct {
		name        string
		g           domainGate
		score, none float32
		domain      int
		want        bool
	}{
		{"enough domain words, score and lead", g, 0.08, 0.15, 2, true},
		{"one domain word too few", g, 0.08, 0.15, 1, false},
		{"score under the gate's bar", g, 0.04, 0.01, 3, false},
		{"background too near", g, 0.08, 0.25, 3, false},
		{"no gate", domainGate{}, 0.9, 0, 9, false},
	}
	for _, tt := range tests {
		if got := tt.g.accepts(tt.score, tt.none, tt.domain); got != tt.want {
			t.Errorf("%s: accepts = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// Ensure a bundle of few examples an intent is calibrated on whether its held-out examples
// are taken for the domain, with a gate or not, and still rejects calibFewRejection of the
// held-out background (TestShippedCalibration holds the rich bundle's threshold-only folds).
func TestFewExampleCalibration(t *testing.T) {
	b := devBundle(t)
	for _, k := range []int{1, 3} {
		few, _ := KShot(b, k)
		c, err := calibrate(few, Options{MaxRunes: defaultMaxRunes, AmbiguityMargin: DefaultAmbiguityMargin})
		if err != nil {
			t.Fatal(err)
		}
		if c.Source != "domain" || c.Rejection < calibFewRejection || c.Threshold < 0.02 || c.Threshold > 0.60 {
			t.Errorf("k=%d: calibration %+v, want source domain, rejection >= %.2f", k, c, calibFewRejection)
		}
		// The folds hold out the everyday background, never the rivals.
		if c.HeldOut != len(backgroundExamples()) {
			t.Errorf("k=%d: %d background lines held out, want the background's %d (no rival)", k, c.HeldOut, len(backgroundExamples()))
		}
		// Without a background there is nothing to reject: the defaults stay, no gate.
		c, err = calibrate(few, Options{MaxRunes: defaultMaxRunes, AmbiguityMargin: DefaultAmbiguityMargin, NoBackground: true})
		if err != nil {
			t.Fatal(err)
		}
		if c.Threshold != DefaultThreshold || c.DomainGate != 0 {
			t.Errorf("k=%d without background: calibration %+v, want the default threshold and no gate", k, c)
		}
	}
}

// Ensure explain shows a gated bundle's domain words: features of the message, listed only
// when the calibration chose a gate.
func TestExplainDomainWords(t *testing.T) {
	b := devBundle(t)
	few, _ := KShot(b, 1)
	u, err := New(few, Options{Calibrate: true, CacheDir: "-"})
	if err != nil {
		t.Fatal(err)
	}
	if u.Calibration().DomainGate == 0 {
		t.Skipf("the folds chose no gate: %s", u.Calibration())
	}
	// 挂失 and 银行卡 are the bank's alone; 余额 is not (the rivals check a gift card's).
	x := u.Explain("我要挂失银行卡", Context{})
	if len(x.Domain) == 0 {
		t.Fatalf("no domain words for a lost card: %+v", x)
	}
	for _, d := range x.Domain {
		if !slices.Contains(x.Features, d) {
			t.Errorf("domain word %q is not a feature of the message", d)
		}
	}
	var out strings.Builder
	if err := x.Write(&out); err != nil || !strings.Contains(out.String(), "domain:") {
		t.Errorf("Write lacks the domain line (%v):\n%s", err, out.String())
	}
}

// devBundle reads the development bot's examples (testdata/train.tsv).
func devBundle(t *testing.T) *dialogs.Bundle {
	t.Helper()
	f, err := os.Open("testdata/train.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := ReadExamples(f, "testdata/train.tsv")
	if err != nil {
		t.Fatal(err)
	}
	return b
}
