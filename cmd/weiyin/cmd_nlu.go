package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/weiyin-bank/weiyin/intents"
)

type nluOptions struct {
	json    bool
	explain bool
	now     string // RFC 3339; empty: the real clock
	dialogs string // directory; empty: the embedded bank bot
}

func nluCommand() command {
	return command{summary: "understand TEXT (or each stdin line): intent, confidence, entities", run: runNLU}
}

// nluLine is one line of `weiyin nlu --json`.
type nluLine struct {
	Text         string              `json:"text"`
	Intent       string              `json:"intent"`
	Confidence   float64             `json:"confidence"`
	Entities     []nluEntity         `json:"entities"`
	Alternatives []intents.Candidate `json:"alternatives"`
	Ambiguous    bool                `json:"ambiguous,omitempty"`
}

type nluEntity struct {
	Type  string `json:"type"`
	Value string `json:"value"`
	Text  string `json:"text"`
}

func runNLU(ctx context.Context, args []string, io stdio) int {
	var o nluOptions
	fs := flag.NewFlagSet("nlu", flag.ContinueOnError)
	fs.SetOutput(io.err)
	fs.BoolVar(&o.json, "json", false, "one JSON object a line")
	fs.BoolVar(&o.explain, "explain", false, "show the normalised text, tokens, features and nearest examples")
	fs.StringVar(&o.now, "now", "", "fixed clock for relative dates (RFC 3339)")
	fs.StringVar(&o.dialogs, "dialogs", "", "dialog directory (default: the embedded bank bot)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: weiyin nlu [--json] [--explain] [--now RFC3339] [--dialogs DIR] [TEXT]")
		fmt.Fprintln(fs.Output(), "Without TEXT, each line of stdin is understood.")
		fs.PrintDefaults()
	}
	if code, ok := parseArgs(fs, args, io); !ok {
		return code
	}
	now := time.Now()
	if o.now != "" {
		t, err := time.Parse(time.RFC3339, o.now)
		if err != nil {
			fmt.Fprintf(io.err, "weiyin nlu: --now: %v\n", err)
			return 2
		}
		now = t
	}
	go intents.Preload() // load the tokeniser while the dialogs are parsed
	b, code := loadBundle(o.dialogs, io)
	if b == nil {
		return code
	}
	u, err := intents.New(b, nluOpts())
	if err != nil {
		fmt.Fprintf(io.err, "weiyin nlu: %v\n", err)
		return 2
	}
	c := intents.Context{Now: now}
	// Answers are buffered and flushed whenever stdin is read (flushingReader): a line
	// typed at a terminal is answered at once, while 40,000 piped lines cost a few writes
	// instead of one system call each.
	out := bufio.NewWriter(io.out)
	enc := json.NewEncoder(out)
	one := func(text string) error {
		if o.explain {
			x := u.Explain(text, c)
			if o.json {
				return enc.Encode(x)
			}
			if err := x.Write(out); err != nil {
				return err
			}
			_, err := fmt.Fprintln(out)
			return err
		}
		r := u.Understand(text, c)
		if o.json {
			return enc.Encode(toNLULine(r))
		}
		_, err := fmt.Fprintln(out, formatResult(r))
		return err
	}
	fail := func(err error) int {
		fmt.Fprintf(io.err, "weiyin nlu: %v\n", err)
		return 2
	}
	if fs.NArg() > 0 {
		if err := one(strings.Join(fs.Args(), " ")); err != nil {
			return fail(err)
		}
		if err := out.Flush(); err != nil {
			return fail(err)
		}
		return 0
	}
	sc := bufio.NewScanner(flushingReader{io.in, out})
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		if ctx.Err() != nil {
			out.Flush()
			return 1
		}
		if err := one(strings.TrimRight(sc.Text(), "\r")); err != nil {
			return fail(err)
		}
	}
	if err := sc.Err(); err != nil {
		out.Flush()
		return fail(fmt.Errorf("reading stdin: %w", err))
	}
	if err := out.Flush(); err != nil {
		return fail(err)
	}
	return 0
}

// flushingReader flushes w before each read of r, so that what was written in answer to the
// lines read so far is out before the reader waits for more.
type flushingReader struct {
	r io.Reader
	w *bufio.Writer
}

func (f flushingReader) Read(p []byte) (int, error) {
	if err := f.w.Flush(); err != nil {
		return 0, err
	}
	return f.r.Read(p)
}

// nluOpts are the NLU options every command uses.
func nluOpts() intents.Options {
	return intents.Options{Calibrate: true}
}

func toNLULine(r intents.Result) nluLine {
	l := nluLine{Text: r.Text, Intent: r.Intent, Confidence: r.Confidence, Alternatives: r.Alternatives, Ambiguous: r.Ambiguous, Entities: []nluEntity{}}
	if l.Alternatives == nil {
		l.Alternatives = []intents.Candidate{}
	}
	for _, e := range r.Entities {
		l.Entities = append(l.Entities, nluEntity{Type: e.Type, Value: e.Value, Text: e.Text})
	}
	return l
}

// formatResult is the readable one-line form: 我的余额 -> balance 0.93  [alternatives ...]
func formatResult(r intents.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s -> %s %.2f", r.Text, r.Intent, r.Confidence)
	if r.Ambiguous {
		b.WriteString(" (ambiguous)")
	}
	for _, e := range r.Entities {
		fmt.Fprintf(&b, "  %s=%s(%s)", e.Type, e.Value, e.Text)
	}
	if len(r.Alternatives) > 0 {
		b.WriteString("  [")
		for i, a := range r.Alternatives {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s %.2f", a.Intent, a.Confidence)
		}
		b.WriteString("]")
	}
	return b.String()
}
