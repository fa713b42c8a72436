package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/weiyin-bank/weiyin/dialogs"
	"github.com/weiyin-bank/weiyin/intents"
)

type evalOptions struct {
	examples string // TRAIN.tsv; empty: learn from the dialogs
	json     bool
	dialogs  string
	noTexts  bool // hide the misclassified lines
}

func evalCommand() command {
	return command{summary: "NLU accuracy on text<TAB>intent lines", run: runEval}
}

func runEval(_ context.Context, args []string, io stdio) int {
	var o evalOptions
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(io.err)
	fs.StringVar(&o.examples, "examples", "", "learn the intents from this text<TAB>intent file instead of the dialogs")
	fs.BoolVar(&o.json, "json", false, "the report as JSON")
	fs.StringVar(&o.dialogs, "dialogs", "", "dialog directory (default: the embedded bank bot)")
	fs.BoolVar(&o.noTexts, "no-texts", false, "report figures only, not the misclassified lines (keeps a held-out set held out)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: weiyin eval [--examples TRAIN.tsv] [--json] [--dialogs DIR] FILE.tsv")
		fs.PrintDefaults()
	}
	if code, ok := parseArgs(fs, args, io); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	go intents.Preload() // load the tokeniser while the examples are read
	var b *dialogs.Bundle
	if o.examples != "" {
		f, err := os.Open(o.examples)
		if err != nil {
			fmt.Fprintf(io.err, "weiyin eval: %v\n", err)
			return 2
		}
		b, err = intents.ReadExamples(f, o.examples)
		f.Close()
		if err != nil {
			fmt.Fprintf(io.err, "weiyin eval: %v\n", err)
			return 2
		}
	} else {
		var code int
		if b, code = loadBundle(o.dialogs, io); b == nil {
			return code
		}
	}
	u, err := intents.New(b, nluOpts())
	if err != nil {
		fmt.Fprintf(io.err, "weiyin eval: %v\n", err)
		return 2
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(io.err, "weiyin eval: %v\n", err)
		return 2
	}
	defer f.Close()
	rep, err := intents.Evaluate(u, f, fs.Arg(0), intents.Context{Now: time.Now()})
	if err != nil {
		fmt.Fprintf(io.err, "weiyin eval: %v\n", err)
		return 2
	}
	if o.noTexts {
		rep.Errors = nil
	}
	if o.json {
		enc := json.NewEncoder(io.out)
		enc.SetIndent("", "  ")
		err = enc.Encode(rep)
	} else {
		err = rep.Write(io.out)
	}
	if err != nil {
		fmt.Fprintf(io.err, "weiyin eval: %v\n", err)
		return 2
	}
	return 0
}
