package intents_test

import (
	"io"
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
	return readWith(t, path, intents.ReadExamples)
}

// readLabelled reads the labelled lines of the file at path.
func readLabelled(t testing.TB, path string) []intents.Labelled {
	return readWith(t, path, intents.ReadLabelled)
}

// readWith parses the file at path with read, failing t on any error.
func readWith[T any](t testing.TB, path string, read func(io.Reader, string) (T, error)) T {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	v, err := read(f, path)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
