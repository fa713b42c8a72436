package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

// Ensure readLine returns each line without its line end, whatever its length.
func TestReadLine(t *testing.T) {
	long := strings.Repeat("长", 100_000) // 300 KB, several buffers
	for _, tc := range []struct {
		why, in string
		want    []string
	}{
		// Ensure LF lines come out in order.
		{"lf", "a\nb\n", []string{"a", "b"}},
		// Ensure CRLF loses its CR.
		{"crlf", "a\r\nb\r\n", []string{"a", "b"}},
		// Ensure a last line without LF counts.
		{"no final lf", "a\nb", []string{"a", "b"}},
		// Ensure empty lines and lines of spaces are lines.
		{"empty and spaces", "\n   \n\n", []string{"", "   ", ""}},
		// Ensure a line longer than the buffer comes out whole.
		{"long", "x\n" + long + "\ny\n", []string{"x", long, "y"}},
		// Ensure a long last line without LF comes out whole.
		{"long last", long, []string{long}},
		// Ensure no input is no line.
		{"empty input", "", nil},
	} {
		t.Run(tc.why, func(t *testing.T) {
			r := bufio.NewReaderSize(strings.NewReader(tc.in), 16)
			var got []string
			for {
				l, err := readLine(r)
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, l)
			}
			if fmt.Sprint(len(got)) != fmt.Sprint(len(tc.want)) || strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("lines %d, want %d (%.40q)", len(got), len(tc.want), got)
			}
		})
	}
}

// nluJSONLines runs `weiyin nlu --json` on in and returns the decoded lines; each output line
// must be one JSON object.
func nluJSONLines(t *testing.T, in string) []nluLine {
	t.Helper()
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	var out, errb strings.Builder
	if code := run(context.Background(), []string{"nlu", "--json"}, stdio{strings.NewReader(in), &out, &errb}); code != 0 || errb.Len() > 0 {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
	var lines []nluLine
	for i, s := range strings.SplitAfter(out.String(), "\n") {
		if s == "" {
			continue
		}
		if !strings.HasSuffix(s, "\n") {
			t.Fatalf("line %d is not ended: %.80q", i+1, s)
		}
		var l nluLine
		dec := json.NewDecoder(strings.NewReader(s))
		if err := dec.Decode(&l); err != nil || dec.More() {
			t.Fatalf("line %d is not one JSON object (%v): %.80q", i+1, err, s)
		}
		lines = append(lines, l)
	}
	return lines
}

// Ensure every stdin line, however odd, gets one JSON object a line, in order, and that a
// line no reader could take whole (10 MB) neither stops the stream nor the lines after it.
func TestNLUStdinOddLines(t *testing.T) {
	for _, tc := range []struct {
		why   string
		in    string
		texts []string // the text of each answer
	}{
		// Ensure an empty line is answered (as none), keeping answer n for line n.
		{"empty line", "余额\n\n转账\n", []string{"余额", "", "转账"}},
		// Ensure a line of only spaces is answered.
		{"spaces", "   \n余额\n", []string{"   ", "余额"}},
		// Ensure CRLF line ends are not part of the text.
		{"crlf", "余额\r\n转账\r\n", []string{"余额", "转账"}},
		// Ensure invalid UTF-8 is answered, its bytes replaced in the JSON text.
		{"invalid utf-8", "查\xff\xfe余额\n转账\n", []string{"查\uFFFD\uFFFD余额", "转账"}},
		// Ensure a last line without LF is answered.
		{"no final lf", "余额\n转账", []string{"余额", "转账"}},
		// Ensure a 10 MB line is answered and the next line too.
		{"10 MB line", "余额\n" + strings.Repeat("余额", 1_750_000) + "\n转账\n", []string{"余额", strings.Repeat("余额", 1_750_000), "转账"}},
	} {
		t.Run(tc.why, func(t *testing.T) {
			lines := nluJSONLines(t, tc.in)
			if len(lines) != len(tc.texts) {
				t.Fatalf("%d answers, want %d", len(lines), len(tc.texts))
			}
			for i, l := range lines {
				if l.Text != tc.texts[i] {
					t.Errorf("answer %d is for %.40q, want %.40q", i+1, l.Text, tc.texts[i])
				}
				if l.Intent == "" || l.Entities == nil || l.Alternatives == nil {
					t.Errorf("answer %d lacks fields: %+v", i+1, l)
				}
			}
		})
	}
}

// Ensure many lines answered in parallel (run it with -race) come out one JSON object a
// line, in input order.
func TestNLUStdinOrder(t *testing.T) {
	var in strings.Builder
	const n = 3000
	for i := range n {
		switch i % 4 {
		case 0:
			fmt.Fprintf(&in, "给张三转%d块\n", i)
		case 1:
			fmt.Fprintf(&in, "查一下余额%d\r\n", i)
		case 2:
			fmt.Fprintf(&in, "%d\n", i)
		default:
			fmt.Fprintf(&in, "今天天气%d怎么样\n", i)
		}
	}
	lines := nluJSONLines(t, in.String())
	if len(lines) != n {
		t.Fatalf("%d answers, want %d", len(lines), n)
	}
	for i, l := range lines {
		if !strings.Contains(l.Text, fmt.Sprint(i)) || strings.ContainsRune(l.Text, '\r') {
			t.Fatalf("answer %d is for %q", i, l.Text)
		}
	}
}

// Ensure nlu writing to a pipe whose reader has gone (| head -1) stops reading and exits 0
// without a word, in both output forms and for one TEXT.
func TestNLUBrokenPipe(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	many := strings.Repeat("我的余额\n给张三转500块\n", 5000)
	for _, tc := range []struct {
		why  string
		args []string
		in   string
	}{
		// Ensure the readable form stops quietly.
		{"text", []string{"nlu"}, many},
		// Ensure the JSON form stops quietly.
		{"json", []string{"nlu", "--json"}, many},
		// Ensure --explain stops quietly.
		{"explain", []string{"nlu", "--explain"}, many[:2000]},
		// Ensure one TEXT stops quietly.
		{"one text", []string{"nlu", "--json", "我的余额"}, ""},
	} {
		t.Run(tc.why, func(t *testing.T) {
			var errb strings.Builder
			if code := run(context.Background(), tc.args, stdio{strings.NewReader(tc.in), &brokenPipeWriter{n: 10}, &errb}); code != 0 || errb.Len() > 0 {
				t.Errorf("exit %d, stderr %q", code, errb.String())
			}
		})
	}
}

// blockingStdin gives its lines, then blocks every later Read until released, as a terminal
// does while nobody types.
type blockingStdin struct {
	lines   []string
	release chan struct{}
}

func (r *blockingStdin) Read(p []byte) (int, error) {
	if len(r.lines) > 0 {
		n := copy(p, r.lines[0]+"\n")
		r.lines = r.lines[1:]
		return n, nil
	}
	<-r.release
	return 0, io.EOF
}

// signalWriter records what is written and signals the first write.
type signalWriter struct {
	mu    sync.Mutex
	b     strings.Builder
	first chan struct{}
	once  sync.Once
}

func (w *signalWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b.Write(p)
	w.once.Do(func() { close(w.first) })
	return len(p), nil
}

// Ensure Ctrl-C stops nlu while it waits for a line on stdin (a terminal): it returns 1
// at once, the answers made before are out, and nothing is said on stderr.
func TestNLUInterruptWhileReading(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	for _, args := range [][]string{{"nlu"}, {"nlu", "--json"}} {
		in := &blockingStdin{lines: []string{"我的余额"}, release: make(chan struct{})}
		out := &signalWriter{first: make(chan struct{})}
		var errb strings.Builder
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan int)
		go func() { done <- run(ctx, args, stdio{in, out, &errb}) }()
		<-out.first // the first line is answered; nlu now waits for the next
		cancel()
		select {
		case code := <-done:
			if code != 1 || errb.Len() > 0 {
				t.Errorf("%v: exit %d, stderr %q", args, code, errb.String())
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("%v: still reading stdin 30 s after Ctrl-C", args)
		}
		close(in.release)
		out.mu.Lock()
		if !strings.Contains(out.b.String(), "balance") {
			t.Errorf("%v: the first answer is missing: %q", args, out.b.String())
		}
		out.mu.Unlock()
	}
}

// Ensure nlu hands the Understander at most nluMaxRunes runes of a line, cut on a rune
// boundary, and a shorter line whole.
func TestAnalysed(t *testing.T) {
	for _, tc := range []struct {
		why  string
		line string
		want int // runes given
	}{
		// Ensure a short line is given whole.
		{"short", "我的余额", 4},
		// Ensure a line of exactly nluMaxRunes runes is given whole.
		{"at the cap", strings.Repeat("余", nluMaxRunes), nluMaxRunes},
		// Ensure a longer line of Han is cut at nluMaxRunes runes, not bytes.
		{"long Han", strings.Repeat("余", 3*nluMaxRunes), nluMaxRunes},
		// Ensure a longer ASCII line is cut at nluMaxRunes.
		{"long ASCII", strings.Repeat("a", nluMaxRunes+1), nluMaxRunes},
		// Ensure invalid bytes count as runes and are kept as they are.
		{"invalid bytes", strings.Repeat("\xff", nluMaxRunes+7), nluMaxRunes},
	} {
		got := analysed(tc.line)
		if n := len([]rune(got)); n != tc.want || !strings.HasPrefix(tc.line, got) {
			t.Errorf("%s: %d runes given, want %d (a prefix)", tc.why, n, tc.want)
		}
	}
}
