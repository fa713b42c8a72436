package transcript

import (
	"bytes"
	"context"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with testdata/NAME, rewriting it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run with -update to accept):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func replayDir(t *testing.T, dir string, o Options) *Report {
	t.Helper()
	s, err := Load(filepath.Join("testdata", dir))
	if err != nil {
		t.Fatal(err)
	}
	if o.Factory == nil {
		o.Factory = newFakeFactory()
	}
	rep, err := Replay(context.Background(), s, o)
	if err != nil {
		t.Fatal(err)
	}
	for i := range rep.Results {
		rep.Results[i].Duration = 0
	}
	return rep
}

func TestReplayPasses(t *testing.T) {
	// Ensure every feature the suite uses (includes, utterance expansion, hooks, all asserters,
	// several bot messages per turn, #end) works against a bot that behaves.
	rep := replayDir(t, "suite", Options{})
	var buf bytes.Buffer
	if err := rep.WriteText(&buf, true); err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("suite failed:\n%s", buf.String())
	}
	golden(t, "suite.txt", buf.Bytes())
	// Ensure the utterance list expanded the convo into one run per utterance.
	n := 0
	for _, r := range rep.Results {
		if strings.HasPrefix(r.Name, "余额的说法/BALANCE_ASK-L") {
			n++
		}
	}
	if n != 3 {
		t.Errorf("%d runs of the utterance convo, want 3", n)
	}
}

func TestReplayFailures(t *testing.T) {
	// Ensure a failure names file, line and turn, shows what the customer and the bot said and
	// the expectation in readable Chinese, in text, JSON and JUnit form.
	rep := replayDir(t, "failing", Options{Parallel: 3})
	if rep.Failed() != 3 {
		t.Fatalf("%d failed, want 3", rep.Failed())
	}
	var text, js, junit bytes.Buffer
	if err := rep.WriteText(&text, false); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteJUnit(&junit, false); err != nil {
		t.Fatal(err)
	}
	golden(t, "failing.txt", text.Bytes())
	golden(t, "failing.json", js.Bytes())
	golden(t, "failing.xml", junit.Bytes())
	for name, b := range map[string][]byte{"text": text.Bytes(), "json": js.Bytes(), "junit": junit.Bytes()} {
		if bytes.Contains(b, []byte("&#x")) || bytes.Contains(b, []byte(`\u`)) {
			t.Errorf("%s report escapes characters:\n%s", name, b)
		}
	}
	f := rep.Results[0].Failure
	if f.File != filepath.Join("testdata", "failing", "broken.convo.txt") || f.Line != 14 || f.Turn != 3 {
		t.Errorf("failure at %s:%d turn %d, want broken.convo.txt:14 turn 3", f.File, f.Line, f.Turn)
	}
}

func TestReplayDeterministic(t *testing.T) {
	// Ensure parallel replays give the same report whatever the parallelism.
	var outs []string
	for _, par := range []int{1, 4} {
		rep := replayDir(t, "suite", Options{Parallel: par})
		var b bytes.Buffer
		_ = rep.WriteJSON(&b)
		outs = append(outs, b.String())
	}
	if outs[0] != outs[1] {
		t.Errorf("reports differ between parallel 1 and 4:\n%s\n%s", outs[0], outs[1])
	}
}

func TestReplayFactoryError(t *testing.T) {
	// Ensure a bot that cannot start fails its run as an error, not the whole replay.
	s, err := Parse([]string{"a.convo.txt"}, map[string]string{"a.convo.txt": "t\n#begin\nUSER o_broken\n#me\nhi\n"})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Replay(context.Background(), s, Options{Factory: newFakeFactory()})
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() || !strings.Contains(rep.Results[0].Failure.Err, "no such fixture") {
		t.Fatalf("got %+v", rep.Results[0].Failure)
	}
}

// junitDoc is the common JUnit XML schema's structure (testsuites > testsuite > testcase, a
// failure or error with a message).
type junitDoc struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    *int     `xml:"tests,attr"`
	Failures *int     `xml:"failures,attr"`
	Errors   *int     `xml:"errors,attr"`
	Suites   []struct {
		Name     string  `xml:"name,attr"`
		Tests    *int    `xml:"tests,attr"`
		Failures *int    `xml:"failures,attr"`
		Errors   *int    `xml:"errors,attr"`
		Skipped  *int    `xml:"skipped,attr"`
		Time     *string `xml:"time,attr"`
		Cases    []struct {
			Name      string  `xml:"name,attr"`
			Classname string  `xml:"classname,attr"`
			Time      *string `xml:"time,attr"`
			Failure   []struct {
				Message *string `xml:"message,attr"`
				Type    string  `xml:"type,attr"`
				Body    string  `xml:",chardata"`
			} `xml:"failure"`
			Error []struct {
				Message *string `xml:"message,attr"`
			} `xml:"error"`
			Any []struct{ XMLName xml.Name } `xml:",any"`
		} `xml:"testcase"`
		Any []struct{ XMLName xml.Name } `xml:",any"`
	} `xml:"testsuite"`
}

func TestJUnitValidates(t *testing.T) {
	// Ensure the JUnit file has the structure and attributes CI systems require, that counts
	// add up, and that failure bodies keep the readable Chinese diff.
	rep := replayDir(t, "failing", Options{})
	rep2 := replayDir(t, "suite", Options{})
	rep.Results = append(rep.Results, rep2.Results...)
	var b bytes.Buffer
	if err := rep.WriteJUnit(&b, true); err != nil {
		t.Fatal(err)
	}
	var doc junitDoc
	dec := xml.NewDecoder(&b)
	dec.Strict = true
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("not well-formed XML: %v", err)
	}
	if doc.Tests == nil || doc.Failures == nil || doc.Errors == nil {
		t.Fatal("testsuites lacks tests/failures/errors")
	}
	tests, fails := 0, 0
	for _, s := range doc.Suites {
		if s.Name == "" || s.Tests == nil || s.Failures == nil || s.Errors == nil || s.Skipped == nil || s.Time == nil {
			t.Errorf("testsuite %q lacks a required attribute", s.Name)
		}
		if len(s.Any) > 0 {
			t.Errorf("testsuite %q has unexpected children %v", s.Name, s.Any)
		}
		if *s.Tests != len(s.Cases) {
			t.Errorf("testsuite %q: tests=%d but %d testcases", s.Name, *s.Tests, len(s.Cases))
		}
		f := 0
		for _, c := range s.Cases {
			if c.Name == "" || c.Classname == "" || c.Time == nil {
				t.Errorf("testcase %q lacks name, classname or time", c.Name)
			}
			if len(c.Any) > len(c.Failure)+len(c.Error) {
				t.Errorf("testcase %q has unexpected children", c.Name)
			}
			for _, fl := range c.Failure {
				if fl.Message == nil || *fl.Message == "" {
					t.Errorf("testcase %q: failure without message", c.Name)
				}
				if !strings.Contains(fl.Body, "期望") || !strings.Contains(fl.Body, "\n") {
					t.Errorf("testcase %q: failure body is not the readable diff: %q", c.Name, fl.Body)
				}
			}
			f += len(c.Failure)
		}
		if f != *s.Failures {
			t.Errorf("testsuite %q: failures=%d but %d failure elements", s.Name, *s.Failures, f)
		}
		tests += len(s.Cases)
		fails += f
	}
	if tests != *doc.Tests || fails != *doc.Failures || tests != len(rep.Results) {
		t.Errorf("totals: tests=%d/%d failures=%d/%d", *doc.Tests, tests, *doc.Failures, fails)
	}
}

func TestSuiteErrors(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		want    string
		ensures string
	}{
		{"unknown-include", map[string]string{"a.convo.txt": "t\n#include LOGN\n#me\nhi\n", "l.pconvo.txt": "LOGIN\n#me\nx\n"},
			"a.convo.txt:2: #include LOGN: no partial convo with that name (did you mean LOGIN?)", "an unknown include is reported with a suggestion"},
		{"cycle", map[string]string{"a.convo.txt": "t\n#include A\n", "a.pconvo.txt": "A\n#include B\n", "b.pconvo.txt": "B\n#include A\n"},
			"includes itself", "include cycles are caught, not followed forever"},
		{"duplicate-list", map[string]string{"a.utterances.txt": "L\nx\n", "b.utterances.txt": "L\ny\n", "c.convo.txt": "t\n#me\nL\n"},
			"b.utterances.txt:1: utterance list \"L\" is also defined in a.utterances.txt", "two lists with one name are an error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var files []string
			for f := range tc.files {
				files = append(files, f)
			}
			_, err := Parse(sortedStrings(files), tc.files)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ensures %s: got %v, want %q", tc.ensures, err, tc.want)
			}
		})
	}
}

func sortedStrings(s []string) []string {
	m := map[string]bool{}
	for _, x := range s {
		m[x] = true
	}
	return sortedKeys(m)
}
