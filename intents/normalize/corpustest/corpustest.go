// Package corpustest loads the public test suites in ../shared/corpora (beside the repository)
// for the NLU's corpus tests. Tests skip, with a message, when the suites are absent.
package corpustest

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Row is one case of a suite: its fields by header name, and its line number.
type Row struct {
	Line   int
	Fields map[string]string
}

// Get returns the named field ("" when absent).
func (r Row) Get(name string) string { return r.Fields[name] }

// Dir returns the corpora directory: ../shared/corpora from the directory holding go.mod,
// found by walking up from the test's working directory. It skips the test when absent.
func Dir(t testing.TB) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Skipf("corpora: no working directory: %v", err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			c := filepath.Join(d, "..", "shared", "corpora")
			if _, err := os.Stat(c); err != nil {
				t.Skipf("corpora: %s absent (public test suites are not in the repository)", c)
			}
			return c
		}
		if filepath.Dir(d) == d {
			t.Skip("corpora: go.mod not found above the test directory")
		}
	}
}

// Load reads a TSV suite: '#' lines above the header are comments, then a header row, then
// one case a line. It skips the test when the file is absent.
func Load(t testing.TB, name string) []Row {
	t.Helper()
	path := filepath.Join(Dir(t), name)
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("corpora: %s: %v", name, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var header []string
	var rows []Row
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if header == nil {
			if strings.HasPrefix(text, "#") || text == "" {
				continue
			}
			header = strings.Split(text, "\t")
			continue
		}
		if text == "" {
			continue
		}
		cols := strings.Split(text, "\t")
		r := Row{Line: line, Fields: map[string]string{}}
		for i, h := range header {
			if i < len(cols) {
				r.Fields[h] = cols[i]
			}
		}
		rows = append(rows, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("corpora: reading %s: %v", name, err)
	}
	return rows
}

// Rate counts passes and keeps a few failures to print.
type Rate struct {
	Name        string
	Pass, Total int
	Failures    []string
	MaxFailures int
}

// Add records one case.
func (r *Rate) Add(ok bool, failure string) {
	r.Total++
	if ok {
		r.Pass++
		return
	}
	max := r.MaxFailures
	if max == 0 {
		max = 15
	}
	if len(r.Failures) < max {
		r.Failures = append(r.Failures, failure)
	}
}

// Percent is the pass rate in percent (100 for an empty rate).
func (r *Rate) Percent() float64 {
	if r.Total == 0 {
		return 100
	}
	return 100 * float64(r.Pass) / float64(r.Total)
}

// Report logs the rate and its kept failures, and fails the test below bar percent.
func (r *Rate) Report(t testing.TB, bar float64) {
	t.Helper()
	t.Logf("%-40s %4d/%-4d %6.1f%% (bar %.0f%%)", r.Name, r.Pass, r.Total, r.Percent(), bar)
	if testing.Verbose() {
		for _, f := range r.Failures {
			t.Logf("    fail: %s", f)
		}
	}
	if r.Percent() < bar {
		t.Errorf("%s: pass rate %.1f%% below %.0f%%", r.Name, r.Percent(), bar)
	}
}

// ReportFloor logs the rate against its target bar and fails only below floor: for suites
// whose target is not yet met, floor keeps what has been reached from regressing while the
// log says how far from the target the rate is.
func (r *Rate) ReportFloor(t testing.TB, target, floor float64) {
	t.Helper()
	t.Logf("%-40s %4d/%-4d %6.1f%% (target %.0f%%, regression floor %.0f%%)", r.Name, r.Pass, r.Total, r.Percent(), target, floor)
	if r.Percent() < target {
		t.Logf("    %s: below its %.0f%% target", r.Name, target)
	}
	if testing.Verbose() {
		for _, f := range r.Failures {
			t.Logf("    fail: %s", f)
		}
	}
	if r.Percent() < floor {
		t.Errorf("%s: pass rate %.1f%% below the %.0f%% floor", r.Name, r.Percent(), floor)
	}
}
