package dialogs

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// seedFiles are the test dialog files, the seeds of the fuzzers and robustness tests.
func seedFiles(t testing.TB) map[string][]byte {
	out := map[string][]byte{}
	for _, pat := range []string{"testdata/*/*.dlg", "testdata/errors/*/*.dlg"} {
		m, _ := filepath.Glob(pat)
		for _, p := range m {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			out[p] = b
		}
	}
	return out
}

// exercise runs every front-end entry point on src; none may panic.
func exercise(t testing.TB, src []byte) {
	f, ds := ParseFile("x.dlg", src)
	if f == nil && !ds.HasErrors() {
		t.Fatalf("ParseFile returned no file and no error for %q", truncate(src))
	}
	var sb strings.Builder
	_ = ds.WriteText(&sb, 0)
	_ = ds.WriteJSON(&sb)
	if out, err := Format(src); err == nil {
		if _, ds2 := ParseFile("x.dlg", out); !parses(ds2) {
			t.Fatalf("formatted output does not parse: %v\ninput %q\noutput %q", ds2.Err(), truncate(src), truncate(out))
		}
	}
	b, ds := LoadFS(fstest.MapFS{"bot/x.dlg": {Data: src}}, "bot")
	if b != nil {
		for _, name := range b.FlowNames {
			if _, _, err := Graph(b, name); err != nil {
				t.Fatal(err)
			}
		}
		_ = WriteTSV(&sb, b)
		_ = WriteRasa(&sb, b)
	}
	_ = ds.WriteText(&sb, 0)
}

func parses(ds Diagnostics) bool {
	for _, d := range ds {
		if d.Code == CodeSyntax && strings.HasPrefix(d.Message, "unexpected") {
			return false
		}
	}
	return true
}

func truncate(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "..."
	}
	return string(b)
}

// TestTruncatedFiles ensures every prefix of every test file is handled without a panic.
func TestTruncatedFiles(t *testing.T) {
	for name, src := range seedFiles(t) {
		step := max(1, len(src)/60)
		for n := 0; n < len(src); n += step {
			t.Run(name, func(t *testing.T) { exercise(t, src[:n]) })
		}
	}
}

// TestJunk ensures random bytes and invalid UTF-8 are diagnosed, not crashed on.
func TestJunk(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 1))
	alphabet := []byte("weiyin1 {}()[]:,.=<>|\"\\#\nask flow say if 中文\xff\xfe\x00\t")
	for range 300 {
		n := r.IntN(200)
		b := make([]byte, n)
		for i := range b {
			if r.IntN(4) == 0 {
				b[i] = byte(r.IntN(256))
			} else {
				b[i] = alphabet[r.IntN(len(alphabet))]
			}
		}
		exercise(t, b)
		exercise(t, append([]byte("weiyin 1\n"), b...))
	}
}

// TestHugeAndDeep ensures very long lines and very deep nesting finish quickly with a
// diagnostic or a result, and never exhaust the stack.
func TestHugeAndDeep(t *testing.T) {
	long := strings.Repeat("转", 10<<20/3)
	cases := []struct {
		name string
		src  string
		code string // expected diagnostic code, "" for none
	}{
		// Ensure a 10 MB text in quotes parses.
		{"10MB string", "weiyin 1\nreply greeting \"" + long + "\"\n", ""},
		// Ensure a 10 MB line with an error at its end renders a short snippet.
		{"10MB line error at end", "weiyin 1\nreply greeting \"" + long + "\" $\n", CodeSyntax},
		// Ensure a 10 MB identifier is handled.
		{"10MB identifier", "weiyin 1\nreply " + strings.Repeat("a", 10<<20) + " \"x\"\n", CodeReservedReply},
		// Ensure 10,000 nested parentheses stop at MaxNesting.
		{"deep parens", "weiyin 1\nflow f { if " + strings.Repeat("(", 10000) + "a" + strings.Repeat(")", 10000) + " { end } }\n", CodeSyntax},
		// Ensure 10,000 nested blocks stop at MaxNesting.
		{"deep braces", "weiyin 1\n" + strings.Repeat("flow f {", 10000), CodeSyntax},
		// Ensure a 10,000-long chain of not is handled (it nests in the parser without brackets).
		{"long not chain", "weiyin 1\nintent i { examples { \"a\" \"b\" \"c\" } }\nflow f { start on i\n if " + strings.Repeat("not ", 10000) + "customer.bound { end } }\n", ""},
		// Ensure a 10,000-long chain of and/or is handled.
		{"long and chain", "weiyin 1\nintent i { examples { \"a\" \"b\" \"c\" } }\nflow f { start on i\n if customer.bound" + strings.Repeat(" and customer.bound or customer.bound", 5000) + " { end } }\n", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			_, ds := LoadFS(botFS([]byte(c.src)), "bot")
			var sb strings.Builder
			_ = ds.WriteText(&sb, 0)
			if sb.Len() > 20000 {
				t.Errorf("rendered diagnostics are %d bytes; long lines must be cut", sb.Len())
			}
			found := c.code == ""
			for _, d := range ds {
				if d.Code == c.code {
					found = true
				}
				if c.code == "" && d.Severity == SeverityError {
					t.Errorf("unexpected %s", d.Error())
				}
			}
			if !found {
				t.Errorf("no %s diagnostic in:\n%s", c.code, sb.String())
			}
			if _, err := Format([]byte(c.src)); err == nil && c.code == CodeSyntax {
				t.Error("Format accepted a file with a syntax error")
			}
			t.Logf("%s in %v", c.name, time.Since(start))
		})
	}
}
