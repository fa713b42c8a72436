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
	return command{summary: "understand TEXT (or each stdin line): intent, confidence, entities", run: func(ctx context.Context, args []string, io stdio) int {
		return runNLU(ctx, "nlu", args, io)
	}}
}

// explainCommand is `weiyin nlu --explain` under its own name.
func explainCommand() command {
	return command{summary: "why TEXT (or each stdin line) is understood so: threshold, gate, synonyms, nearest examples", run: func(ctx context.Context, args []string, io stdio) int {
		return runNLU(ctx, "explain", args, io)
	}}
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

// runNLU is `weiyin nlu`, and under the name explain `weiyin nlu --explain`.
func runNLU(ctx context.Context, name string, args []string, io stdio) int {
	var o nluOptions
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.err)
	fs.BoolVar(&o.json, "json", false, "one JSON object a line")
	explainFlag := ""
	if name == "explain" {
		o.explain = true
	} else {
		fs.BoolVar(&o.explain, "explain", false, "show the normalised text, tokens, features, synonyms, threshold, gate and nearest examples")
		explainFlag = " [--explain]"
	}
	fs.StringVar(&o.now, "now", "", "fixed clock for relative dates (RFC 3339)")
	fs.StringVar(&o.dialogs, "dialogs", "", "dialog directory (default: the embedded bank bot)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: weiyin %s [--json]%s [--now RFC3339] [--dialogs DIR] [TEXT]\n", name, explainFlag)
		fmt.Fprintln(fs.Output(), "Without TEXT, each line of stdin is understood: one answer a line, in order, empty lines too.")
		fmt.Fprintln(fs.Output(), "Exit status: 0 done (or the reader of the output stopped), 1 interrupted, 2 usage or I/O error.")
		fs.PrintDefaults()
	}
	if code, ok := parseArgs(fs, args, io); !ok {
		return code
	}
	now := time.Now()
	if o.now != "" {
		t, err := time.Parse(time.RFC3339, o.now)
		if err != nil {
			fmt.Fprintf(io.err, "weiyin %s: --now: %v\n", name, err)
			return 2
		}
		now = t
	}
	ignoreSIGPIPE()
	go intents.Preload() // load the tokeniser while the dialogs are parsed
	b, code := loadBundle(o.dialogs, io)
	if b == nil {
		return code
	}
	u, err := intents.New(b, intents.Calibrated())
	if err != nil {
		fmt.Fprintf(io.err, "weiyin %s: %v\n", name, err)
		return 2
	}
	c := intents.Context{Now: now}
	// render writes the answer to one line; it is called from several goroutines.
	render := func(line string, w *bytes.Buffer) error {
		text := analysed(line)
		if o.explain {
			x := u.Explain(text, c)
			x.Result.Text = line
			if o.json {
				return json.NewEncoder(w).Encode(x)
			}
			if err := x.Write(w); err != nil {
				return err
			}
			return w.WriteByte('\n')
		}
		r := u.Understand(text, c)
		r.Text = line
		if o.json {
			return json.NewEncoder(w).Encode(toNLULine(r))
		}
		w.WriteString(formatResult(r))
		return w.WriteByte('\n')
	}
	fail := func(err error) int {
		if brokenPipe(err) {
			return 0 // the reader has seen enough (| head): nothing to report
		}
		fmt.Fprintf(io.err, "weiyin %s: %v\n", name, err)
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
			return 1 // interrupted (Ctrl-C): the answers made so far are out
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
//
// Every line is answered, however long (a line of megabytes costs its size in memory) or
// empty, so that answer n is line n's. When ctx is done (Ctrl-C) it returns ctx's error at
// once, even while a read of in blocks, after writing the answers already made.
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
	stop := make(chan struct{}) // closed when answerLines returns: the reader stops
	defer close(stop)
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
		send := func() bool {
			if cur == nil {
				return true
			}
			select {
			case order <- item{b: cur}:
			case <-stop:
				return false
			}
			work <- cur // the workers drain work whatever happens
			cur = nil
			return true
		}
		defer send()
		r := bufio.NewReaderSize(readFunc(func(p []byte) (int, error) {
			if !send() {
				return 0, context.Canceled
			}
			flushed := make(chan error, 1)
			select {
			case order <- item{flushed: flushed}:
			case <-stop:
				return 0, context.Canceled
			}
			select {
			case err := <-flushed:
				if err != nil {
					return 0, err
				}
			case <-stop:
				return 0, context.Canceled
			}
			return in.Read(p)
		}), 64<<10)
		for {
			line, err := readLine(r)
			if err != nil {
				if err != io.EOF {
					readErr = fmt.Errorf("reading stdin: %w", err)
				}
				return
			}
			if err := ctx.Err(); err != nil {
				readErr = err
				return
			}
			if cur == nil {
				cur = &batch{done: make(chan struct{})}
			}
			cur.texts = append(cur.texts, line)
			if len(cur.texts) == batchLines && !send() {
				return
			}
		}
	}()
	var writeErr error
	for {
		var it item
		var ok bool
		select {
		case it, ok = <-order:
		case <-ctx.Done():
			out.Flush()
			return ctx.Err()
		}
		if !ok {
			break
		}
		if it.flushed != nil {
			if writeErr == nil {
				writeErr = out.Flush()
			}
			it.flushed <- writeErr
			continue
		}
		select {
		case <-it.b.done:
		case <-ctx.Done():
			out.Flush()
			return ctx.Err()
		}
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

// readLine returns the next line of r without its line end (LF or CRLF), of any length; a
// last line without LF counts. It returns io.EOF when r has no more lines.
func readLine(r *bufio.Reader) (string, error) {
	var long []byte // the line so far when it outgrows r's buffer
	for {
		frag, err := r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			long = append(long, frag...)
			continue
		}
		if err != nil && (err != io.EOF || len(frag)+len(long) == 0) {
			return "", err
		}
		var line string
		if long != nil {
			line = string(append(long, frag...))
		} else {
			line = string(frag)
		}
		line = strings.TrimSuffix(line, "\n")
		return strings.TrimSuffix(line, "\r"), nil
	}
}

// nluMaxRunes is how much of a line nlu hands the Understander: far more than it analyses
// (Options.MaxRunes, 512 runes by default), so that answers are those of the whole line,
// yet a line of megabytes costs no more than a long message (the reading of English
// negation went over the whole text, a rune at a time: a 10 MB line took minutes).
const nluMaxRunes = 4096

// analysed returns the part of line the Understander is given: its first nluMaxRunes runes.
func analysed(line string) string { return intents.CutRunes(line, nluMaxRunes) }

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
