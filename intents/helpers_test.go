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
	u, err := intents.New(readExamples(t, "testdata/train.tsv"), opts)
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

// readExamples reads the text<TAB>intent file at path as a bundle.
func readExamples(t testing.TB, path string) *dialogs.Bundle {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := intents.ReadExamples(f, path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readLabelled reads the labelled lines of the file at path.
func readLabelled(t testing.TB, path string) []intents.Labelled {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lines, err := intents.ReadLabelled(f, path)
	if err != nil {
		t.Fatal(err)
	}
	return lines
}
