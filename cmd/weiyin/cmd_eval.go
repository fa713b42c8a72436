package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	goio "io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/weiyin-bank/weiyin/dialogs"
	"github.com/weiyin-bank/weiyin/intents"
)

type evalOptions struct {
	examples string // TRAIN.tsv; empty: learn from the dialogs
	json     bool
	dialogs  string
	noTexts  bool   // hide the misclassified lines
	kshot    int    // learn k examples an intent, test on the others (and FILE)
	split    string // write the k-shot split as train.tsv and test.tsv here
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
	fs.IntVar(&o.kshot, "kshot", 0, "learn only `K` examples an intent (no keywords) and test on the others, plus FILE's lines when given")
	fs.StringVar(&o.split, "split", "", "with --kshot, write the split as train.tsv and test.tsv in `DIR` (for other systems)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: weiyin eval [--examples TRAIN.tsv] [--json] [--dialogs DIR] [--kshot K [--split DIR]] FILE.tsv")
		fs.PrintDefaults()
	}
	if code, ok := parseArgs(fs, args, io); !ok {
		return code
	}
	if fs.NArg() != 1 && !(o.kshot > 0 && fs.NArg() == 0) || o.kshot < 0 || o.split != "" && o.kshot == 0 {
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
	var test goio.Reader
	name := fs.Arg(0)
	if fs.NArg() == 1 {
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			fmt.Fprintf(io.err, "weiyin eval: %v\n", err)
			return 2
		}
		defer f.Close()
		test = f
	}
	var kshot string
	if o.kshot > 0 {
		train, held := intents.KShot(b, o.kshot)
		var heldTSV strings.Builder
		for _, l := range held {
			fmt.Fprintf(&heldTSV, "%s\t%s\n", l.Text, l.Intent)
		}
		kshot = fmt.Sprintf("k-shot %d: %d intents, %d held-out examples", o.kshot, len(train.Intents), len(held))
		if test != nil {
			data, err := goio.ReadAll(test)
			if err != nil {
				fmt.Fprintf(io.err, "weiyin eval: %v\n", err)
				return 2
			}
			heldTSV.Write(data)
			kshot += " and the lines of " + name
		}
		if o.split != "" {
			if err := writeSplit(o.split, train, heldTSV.String()); err != nil {
				fmt.Fprintf(io.err, "weiyin eval: %v\n", err)
				return 2
			}
		}
		b, test, name = train, strings.NewReader(heldTSV.String()), "kshot"
	}
	u, err := intents.New(b, intents.Calibrated())
	if err != nil {
		fmt.Fprintf(io.err, "weiyin eval: %v\n", err)
		return 2
	}
	rep, err := intents.Evaluate(u, test, name, intents.Context{Now: time.Now()})
	if err != nil {
		fmt.Fprintf(io.err, "weiyin eval: %v\n", err)
		return 2
	}
	if o.noTexts {
		rep.Errors = nil
	}
	if kshot != "" && !o.json {
		fmt.Fprintln(io.out, kshot)
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

// writeSplit writes a k-shot split for another system: train.tsv (the kept examples, slot
// marks removed) and test.tsv (the test lines), both text<TAB>intent.
func writeSplit(dir string, train *dialogs.Bundle, test string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var b strings.Builder
	names := make([]string, 0, len(train.Intents))
	for n := range train.Intents {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		for _, ex := range train.Intents[n].Examples {
			fmt.Fprintf(&b, "%s\t%s\n", ex.Text, n)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "train.tsv"), []byte(b.String()), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "test.tsv"), []byte(test), 0o644)
}
