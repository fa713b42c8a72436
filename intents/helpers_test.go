package intents_test

import (
	"os"
	"testing"

	"github.com/weiyin-bank/weiyin/dialogs"
	"github.com/weiyin-bank/weiyin/dialogs/bank"
	"github.com/weiyin-bank/weiyin/intents"
)

// devUnderstander learns the intents of testdata/train.tsv.
func devUnderstander(t testing.TB, opts intents.Options) *intents.Understander {
	t.Helper()
	f, err := os.Open("testdata/train.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := intents.ReadExamples(f, "testdata/train.tsv")
	if err != nil {
		t.Fatal(err)
	}
	u, err := intents.New(b, opts)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// bankUnderstander compiles the shipped bank dialogs.
func bankUnderstander(t testing.TB, opts intents.Options) *intents.Understander {
	t.Helper()
	b, diags := dialogs.LoadFS(bank.Files, ".")
	if b == nil {
		t.Fatalf("shipped dialogs do not load: %v", diags)
	}
	u, err := intents.New(b, opts)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
