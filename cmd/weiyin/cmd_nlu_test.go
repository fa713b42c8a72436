package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestNLUScripts runs the end-to-end scripts of `weiyin nlu` and `weiyin eval`
// (testdata/script/{nlu,eval}*.txtar).
func TestNLUScripts(t *testing.T) {
	var files []string
	for _, p := range []string{"nlu", "eval"} {
		m, _ := filepath.Glob(filepath.Join("testdata", "script", p+"*.txtar"))
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatal("no scripts")
	}
	testscript.Run(t, testscript.Params{Files: files, UpdateScripts: os.Getenv("UPDATE_SCRIPTS") != ""})
}

// linesThenCheck gives one line a Read and, before each later Read, records what was
// written to out so far.
type linesThenCheck struct {
	lines []string
	out   *strings.Builder
	reads int
	seen  []string // out at each Read after the first
}

func (r *linesThenCheck) Read(p []byte) (int, error) {
	if r.reads++; r.reads > 1 {
		r.seen = append(r.seen, r.out.String())
	}
	if len(r.lines) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.lines[0]+"\n")
	r.lines = r.lines[1:]
	return n, nil
}

// Ensure `weiyin nlu` reading stdin writes each answer out before it waits for the next line
// (its output is buffered), in both output forms, and that nothing is lost at the end.
func TestNLUAnswersBeforeReadingOn(t *testing.T) {
	for _, args := range [][]string{{"nlu"}, {"nlu", "--json"}} {
		var out, errb strings.Builder
		in := &linesThenCheck{lines: []string{"我的余额", "给张三转500块"}, out: &out}
		if code := run(context.Background(), args, stdio{in, &out, &errb}); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errb.String())
		}
		if len(in.seen) != 2 || !strings.Contains(in.seen[0], "balance") || strings.Contains(in.seen[0], "transfer") || !strings.Contains(in.seen[1], "transfer") {
			t.Errorf("%v: output at each read: %q", args, in.seen)
		}
		if got := strings.Count(out.String(), "\n"); got != 2 {
			t.Errorf("%v: %d lines out, want 2: %q", args, got, out.String())
		}
	}
}
