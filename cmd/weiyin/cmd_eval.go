package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
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

func runEval(ctx context.Context, args []string, io stdio) int {
	var o evalOptions
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(io.err)
	fs.StringVar(&o.examples, "examples", "", "learn the intents from this text<TAB>intent file instead of the dialogs")
	fs.BoolVar(&o.json, "json", false, "the report as JSON")
	fs.StringVar(&o.dialogs, "dialogs", "", "dialog directory (default: the embedded bank bot)")
	fs.BoolVar(&o.noTexts, "no-texts", false, "report figures only, never a line of the set, on stdout or stderr (keeps a held-out set held out)")
	fs.IntVar(&o.kshot, "kshot", 0, "learn only `K` (1 or more) examples an intent (no keywords) and test on the others, plus FILE's lines when given")
	fs.StringVar(&o.split, "split", "", "with --kshot, write the split as train.tsv and test.tsv in `DIR` (replacing them; for other systems)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: weiyin eval [--examples TRAIN.tsv | --dialogs DIR] [--json] [--no-texts] FILE.tsv")
		fmt.Fprintln(fs.Output(), "       weiyin eval --kshot K [--split DIR] [--examples TRAIN.tsv | --dialogs DIR] [--json] [--no-texts] [EXTRA.tsv]")
		fmt.Fprintln(fs.Output(), "Lines are text<TAB>intent, UTF-8; blank and # lines skipped; intent none for out of scope.")
		fmt.Fprintln(fs.Output(), "Exit status: 0 the report was written (whatever the accuracy), 2 usage or I/O error.")
		fs.PrintDefaults()
	}
	if code, ok := parseArgs(fs, args, io); !ok {
		return code
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	usageError := func(msg string) int {
		fmt.Fprintf(io.err, "weiyin eval: %s\n", msg)
		fs.Usage()
		return 2
	}
	switch {
	case set["kshot"] && o.kshot < 1:
		return usageError(fmt.Sprintf("--kshot %d: K is the number of examples learnt an intent, 1 or more", o.kshot))
	case o.split != "" && !set["kshot"]:
		return usageError("--split needs --kshot K")
	case o.examples != "" && o.dialogs != "":
		return usageError("--examples and --dialogs: give one (the intents come from either)")
	case fs.NArg() > 1:
		return usageError(fmt.Sprintf("one FILE.tsv, not %d (%s)", fs.NArg(), strings.Join(fs.Args(), " ")))
	case fs.NArg() == 0 && !set["kshot"]:
		return usageError("FILE.tsv is missing (or give --kshot K to test on the bot's own examples)")
	}
	ignoreSIGPIPE()
	fail := func(err error) int {
		fmt.Fprintf(io.err, "weiyin eval: %v\n", err)
		return 2
	}
	go intents.Preload() // load the tokeniser while the examples are read
	var b *dialogs.Bundle
	if o.examples != "" {
		f, err := os.Open(o.examples)
		if err != nil {
			return fail(fmt.Errorf("--examples: %w", err))
		}
		b, err = intents.ReadExamples(f, o.examples)
		f.Close()
		if err != nil {
			return fail(err)
		}
	} else {
		var code int
		if b, code = loadBundle(o.dialogs, io); b == nil {
			return code
		}
	}
	var lines []intents.Labelled
	name := fs.Arg(0)
	if fs.NArg() == 1 {
		f, err := os.Open(name)
		if err != nil {
			return fail(err)
		}
		lines, err = intents.ReadLabelled(f, name)
		f.Close()
		if err != nil {
			return fail(err)
		}
	}
	var ks *kshotInfo
	if o.kshot > 0 {
		train, held := intents.KShot(b, o.kshot)
		ks = &kshotInfo{K: o.kshot, Intents: len(train.Intents), Held: len(held), Extra: len(lines), File: name}
		for _, in := range b.Intents {
			ks.Most = max(ks.Most, len(in.Examples))
			if len(in.Examples) <= o.kshot {
				ks.Whole++
			}
		}
		if len(held) == 0 && len(lines) == 0 {
			return fail(fmt.Errorf("k-shot %d leaves no line to test: no intent has more than %d examples (the most: %d); give a smaller K or an EXTRA.tsv", o.kshot, o.kshot, ks.Most))
		}
		if o.split != "" {
			if err := writeSplit(o.split, train, append(held, lines...)); err != nil {
				return fail(fmt.Errorf("--split %s: %w", o.split, err))
			}
		}
		b, lines = train, append(held, lines...)
	} else {
		for i := range lines {
			lines[i].File = "" // one file: its line numbers alone, as Evaluate gives them
		}
	}
	if len(lines) == 0 {
		return fail(fmt.Errorf("%s: no text<TAB>intent line to evaluate", name))
	}
	u, err := intents.New(b, intents.Calibrated())
	if err != nil {
		return fail(err)
	}
	rep, err := intents.EvaluateLines(ctx, u, lines, intents.Context{Now: time.Now()})
	if err != nil {
		return 1 // interrupted: nothing to report
	}
	if o.noTexts {
		rep.Errors = []intents.EvalError{}
	}
	if o.json {
		enc := json.NewEncoder(io.out)
		enc.SetIndent("", "  ")
		err = enc.Encode(evalJSON{rep, ks})
	} else {
		if ks != nil {
			_, err = fmt.Fprintln(io.out, ks)
		}
		if err == nil {
			err = rep.Write(io.out)
		}
	}
	if err != nil {
		if brokenPipe(err) {
			return 0 // the reader has seen enough (| head): nothing to report
		}
		return fail(err)
	}
	return 0
}

// kshotInfo describes a k-shot split: the intents learnt, how many learnt all their examples
// (K or fewer: no test line), the held-out examples and the lines of File.
type kshotInfo struct {
	K       int    `json:"k"`
	Intents int    `json:"intents"`
	Whole   int    `json:"whole"` // intents of K examples or fewer
	Most    int    `json:"-"`
	Held    int    `json:"held_out"`
	Extra   int    `json:"extra_lines"`
	File    string `json:"extra_file,omitempty"`
}

func (k *kshotInfo) String() string {
	s := fmt.Sprintf("k-shot %d: %d intents, %d held-out examples", k.K, k.Intents, k.Held)
	if k.File != "" {
		s += " and the lines of " + k.File
	}
	switch {
	case k.Whole == 1:
		s += fmt.Sprintf(" (1 intent has %d examples or fewer: all learnt, none tested)", k.K)
	case k.Whole > 1:
		s += fmt.Sprintf(" (%d intents have %d examples or fewer: all learnt, none tested)", k.Whole, k.K)
	}
	return s
}

// evalJSON is eval's --json report: the figures, and the split with --kshot.
type evalJSON struct {
	*intents.Report
	KShot *kshotInfo `json:"kshot,omitempty"`
}

// writeSplit writes a k-shot split for another system: train.tsv (the kept examples, slot
// marks removed) and test.tsv (the test lines), both text<TAB>intent. Each file is written
// whole under a temporary name and renamed: a failure leaves no half-written file.
func writeSplit(dir string, train *dialogs.Bundle, test []intents.Labelled) error {
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
	var t strings.Builder
	for _, l := range test {
		fmt.Fprintf(&t, "%s\t%s\n", l.Text, l.Intent)
	}
	return writeFiles(dir, map[string]string{"train.tsv": b.String(), "test.tsv": t.String()})
}

// writeFiles writes each file of files (name -> content) into dir: all are written under
// temporary names first, then renamed, so that an error leaves the old files as they were.
func writeFiles(dir string, files map[string]string) error {
	tmps := map[string]string{}
	defer func() {
		for _, tmp := range tmps {
			os.Remove(tmp)
		}
	}()
	for name, content := range files {
		f, err := os.CreateTemp(dir, "."+name+".*")
		if err != nil {
			return err
		}
		tmps[name] = f.Name()
		_, err = f.WriteString(content)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Chmod(f.Name(), 0o644)
		}
		if err != nil {
			return err
		}
	}
	for name, tmp := range tmps {
		if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
			return err
		}
		delete(tmps, name)
	}
	return nil
}
