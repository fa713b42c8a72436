package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"runtime"
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
	u, err := intents.New(b, intents.Calibrated())
	if err != nil {
		fmt.Fprintf(io.err, "weiyin nlu: %v\n", err)
		return 2
	}
	c := intents.Context{Now: now}
	// render writes the answer to one line; it is called from several goroutines.
	render := func(text string, w *bytes.Buffer) error {
		if o.explain {
			x := u.Explain(text, c)
			if o.json {
				return json.NewEncoder(w).Encode(x)
			}
			if err := x.Write(w); err != nil {
				return err
			}
			return w.WriteByte('\n')
		}
		r := u.Understand(text, c)
		if o.json {
			return json.NewEncoder(w).Encode(toNLULine(r))
		}
		w.WriteString(formatResult(r))
		return w.WriteByte('\n')
	}
	fail := func(err error) int {
		fmt.Fprintf(io.err, "weiyin nlu: %v\n", err)
		return 2
	}
	out := bufio.NewWriter(io.out)
	if fs.NArg() > 0 {
		var buf bytes.Buffer
		if err := render(strings.Join(fs.Args(), " "), &buf); err != nil {
			return fail(err)
		}
		out.Write(buf.Bytes())
		if err := out.Flush(); err != nil {
			return fail(err)
		}
		return 0
	}
	if err := answerLines(ctx, io.in, out, runtime.GOMAXPROCS(0), render); err != nil {
		if ctx.Err() != nil {
			return 1
		}
		return fail(err)
	}
	return 0
}

// answerLines answers each line of in with render, on workers goroutines, and writes the
// answers to out in the order of the lines. Lines go to the workers in batches of up to
// batchLines, cut short whenever in must be read again; before each read of in the answers
// to the lines read so far are written and flushed. So a line typed at a terminal is answered
// before the next is read, while piped lines are read 64 KB at a time, answered 64 lines at
// a time (a hand-over a line cost as much as a third of a line's answer) and written in few
// system calls (one a line was 4% of the CPU profile of weiyin nlu --json).
func answerLines(ctx context.Context, in io.Reader, out *bufio.Writer, workers int, render func(string, *bytes.Buffer) error) error {
	const batchLines = 64
	type batch struct {
		texts []string
		buf   bytes.Buffer // the answers, in order
		err   error
		done  chan struct{}
	}
	// order holds, in input order, each batch or a flush request (flushed != nil).
	type item struct {
		b       *batch
		flushed chan error
	}
	order := make(chan item, 64)
	work := make(chan *batch, workers)
	for range workers {
		go func() {
			for b := range work {
				for _, text := range b.texts {
					if b.err = render(text, &b.buf); b.err != nil {
						break
					}
				}
				close(b.done)
			}
		}()
	}
	var readErr error // set before order is closed
	go func() {
		defer close(order)
		defer close(work)
		var cur *batch
		send := func() {
			if cur != nil {
				order <- item{b: cur}
				work <- cur
				cur = nil
			}
		}
		defer send()
		sc := bufio.NewScanner(readFunc(func(p []byte) (int, error) {
			send()
			flushed := make(chan error, 1)
			order <- item{flushed: flushed}
			if err := <-flushed; err != nil {
				return 0, err
			}
			return in.Read(p)
		}))
		sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
		for sc.Scan() {
			if err := ctx.Err(); err != nil {
				readErr = err
				return
			}
			if cur == nil {
				cur = &batch{done: make(chan struct{})}
			}
			cur.texts = append(cur.texts, strings.TrimRight(sc.Text(), "\r"))
			if len(cur.texts) == batchLines {
				send()
			}
		}
		if err := sc.Err(); err != nil {
			readErr = fmt.Errorf("reading stdin: %w", err)
		}
	}()
	var writeErr error
	for it := range order {
		if it.flushed != nil {
			if writeErr == nil {
				writeErr = out.Flush()
			}
			it.flushed <- writeErr
			continue
		}
		<-it.b.done
		if writeErr == nil {
			if _, writeErr = out.Write(it.b.buf.Bytes()); writeErr == nil {
				writeErr = it.b.err
			}
		}
	}
	if writeErr == nil {
		writeErr = out.Flush()
	}
	if writeErr != nil {
		return writeErr
	}
	return readErr
}

// readFunc is an io.Reader made of a function.
type readFunc func([]byte) (int, error)

func (f readFunc) Read(p []byte) (int, error) { return f(p) }

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
