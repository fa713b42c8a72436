package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// evalFiles writes the files of an eval test into a temporary directory and returns it.
func evalFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const (
	evalTrain = "查余额\tbalance\n我的余额是多少\tbalance\n卡里还有多少钱\tbalance\n余额\tbalance\n" +
		"转账\ttransfer\n给张三转500块\ttransfer\n汇款给李四\ttransfer\n打钱\ttransfer\n" +
		"挂失\tcard_lost\n我的卡丢了\tcard_lost\n"
	evalTest = "帮我看看余额\tbalance\n转一千给王五\ttransfer\n银行卡丢了怎么办\tcard_lost\n今天天气怎么样\tnone\n"
)

// Ensure eval's arguments and files are checked before anything is evaluated: each mistake
// exits 2 with a message that names it, and a good run exits 0 whatever its accuracy.
func TestEvalArgs(t *testing.T) {
	dir := evalFiles(t, map[string]string{
		"train.tsv": evalTrain,
		"test.tsv":  evalTest,
		"notab.tsv": "余额\tbalance\nno tab here\n",
		"empty.tsv": "# only a comment\n\n",
		"gbk.tsv":   "余额\tbalance\n\xd3\xe0\xb6\xee\tbalance\n", // 余额 in GBK
		"long.tsv":  "余额\tbalance\n" + strings.Repeat("余", 400_000) + "\tbalance\n",
		"typo.tsv":  "余额\tbalanse\n天气\tnone\n",
		"crlf.tsv":  strings.ReplaceAll(evalTrain, "\n", "\r\n"),
		"bom.tsv":   "\uFEFFtext\tintent\n" + evalTrain,
		"afile":     "x",
	})
	p := func(name string) string { return filepath.Join(dir, name) }
	for _, tc := range []struct {
		why    string
		args   []string
		code   int
		stderr string // a part of stderr; "" means empty
		stdout string // a part of stdout
	}{
		// Ensure a plain evaluation exits 0.
		{"plain", []string{"--examples", p("train.tsv"), p("test.tsv")}, 0, "", "in-scope accuracy: "},
		// Ensure --kshot 0 is refused: it would learn nothing.
		{"kshot 0", []string{"--kshot", "0", "--examples", p("train.tsv"), p("test.tsv")}, 2, "--kshot 0: K is the number of examples learnt an intent, 1 or more", ""},
		// Ensure a negative K is refused with the same message.
		{"kshot -1", []string{"--kshot", "-1", "--examples", p("train.tsv")}, 2, "--kshot -1: K", ""},
		// Ensure a K that is not a number is a usage error.
		{"kshot abc", []string{"--kshot", "abc", "--examples", p("train.tsv")}, 2, "invalid value \"abc\" for flag -kshot", ""},
		// Ensure a K at or above every intent's examples, with nothing else to test, says so.
		{"kshot too big", []string{"--kshot", "50", "--examples", p("train.tsv")}, 2, "k-shot 50 leaves no line to test: no intent has more than 50 examples (the most: 4)", ""},
		// Ensure a K that big with an EXTRA file tests the EXTRA lines and says why no example is held out.
		{"kshot too big with extra", []string{"--kshot", "50", "--examples", p("train.tsv"), p("test.tsv")}, 0, "", "k-shot 50: 3 intents, 0 held-out examples and the lines of " + p("test.tsv") + " (3 intents have 50 examples or fewer"},
		// Ensure an intent with K examples or fewer is named as untested.
		{"kshot some whole", []string{"--kshot", "2", "--examples", p("train.tsv")}, 0, "", "(1 intent has 2 examples or fewer: all learnt, none tested)"},
		// Ensure --split without --kshot is refused.
		{"split alone", []string{"--split", p("s"), p("test.tsv")}, 2, "--split needs --kshot K", ""},
		// Ensure --split on a regular file is an I/O error naming the flag.
		{"split on a file", []string{"--kshot", "1", "--split", p("afile"), "--examples", p("train.tsv")}, 2, "--split " + p("afile") + ":", ""},
		// Ensure two FILEs are refused, naming them.
		{"two files", []string{"--examples", p("train.tsv"), p("test.tsv"), p("test.tsv")}, 2, "one FILE.tsv, not 2", ""},
		// Ensure no FILE without --kshot is refused.
		{"no file", []string{"--examples", p("train.tsv")}, 2, "FILE.tsv is missing", ""},
		// Ensure --examples and --dialogs together are refused.
		{"examples and dialogs", []string{"--examples", p("train.tsv"), "--dialogs", dir, p("test.tsv")}, 2, "--examples and --dialogs", ""},
		// Ensure a missing FILE is an I/O error naming it.
		{"missing file", []string{"--examples", p("train.tsv"), p("missing.tsv")}, 2, p("missing.tsv"), ""},
		// Ensure a missing EXTRA file under --kshot is an I/O error naming it.
		{"missing extra", []string{"--kshot", "1", "--examples", p("train.tsv"), p("missing.tsv")}, 2, p("missing.tsv"), ""},
		// Ensure a missing --examples file is an I/O error naming the flag.
		{"missing examples", []string{"--examples", p("missing.tsv"), p("test.tsv")}, 2, "--examples: open " + p("missing.tsv"), ""},
		// Ensure a line without a tab is an error at its line.
		{"no tab", []string{"--examples", p("notab.tsv"), p("test.tsv")}, 2, p("notab.tsv") + ":2: want text<TAB>intent", ""},
		// Ensure a bad line of an EXTRA file under --kshot is reported at its own line.
		{"bad extra line", []string{"--kshot", "1", "--examples", p("train.tsv"), p("notab.tsv")}, 2, p("notab.tsv") + ":2: want text<TAB>intent", ""},
		// Ensure a file without lines is an error, not a 0% report.
		{"empty file", []string{"--examples", p("train.tsv"), p("empty.tsv")}, 2, p("empty.tsv") + ": no text<TAB>intent line to evaluate", ""},
		// Ensure a line that is not UTF-8 (a GBK file) is an error at its line, with the way out.
		{"gbk", []string{"--examples", p("gbk.tsv"), p("test.tsv")}, 2, p("gbk.tsv") + ":2: not valid UTF-8: save the file as UTF-8", ""},
		// Ensure a line of megabytes is an error at its line, not a scanner's message.
		{"long line", []string{"--examples", p("long.tsv"), p("test.tsv")}, 2, p("long.tsv") + ":2: line longer than 64 KiB", ""},
		// Ensure a label no intent has is reported as such, and the run still exits 0.
		{"unknown label", []string{"--examples", p("train.tsv"), p("typo.tsv")}, 0, "", `warning: label "balanse" is no intent of the bot: 1 lines (first at line 1) can only be misses`},
		// Ensure CRLF line ends read as LF.
		{"crlf", []string{"--examples", p("crlf.tsv"), p("test.tsv")}, 0, "", "in-scope accuracy: "},
		// Ensure a byte order mark before the header is skipped with the header.
		{"bom", []string{"--examples", p("bom.tsv"), p("test.tsv")}, 0, "", "in-scope accuracy: "},
	} {
		t.Run(tc.why, func(t *testing.T) {
			var out, errb strings.Builder
			code := run(context.Background(), append([]string{"eval"}, tc.args...), stdio{strings.NewReader(""), &out, &errb})
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, errb.String())
			}
			if tc.stderr == "" && errb.Len() > 0 || !strings.Contains(errb.String(), tc.stderr) {
				t.Errorf("stderr %q, want %q", errb.String(), tc.stderr)
			}
			if !strings.Contains(out.String(), tc.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tc.stdout, out.String())
			}
		})
	}
}

// Ensure the CRLF and BOM files teach the same bot as the plain one: same report.
func TestEvalLineEndsSameReport(t *testing.T) {
	dir := evalFiles(t, map[string]string{
		"train.tsv": evalTrain,
		"crlf.tsv":  strings.ReplaceAll(evalTrain, "\n", "\r\n"),
		"bom.tsv":   "\uFEFF" + evalTrain,
		"test.tsv":  evalTest,
	})
	var want string
	for _, name := range []string{"train.tsv", "crlf.tsv", "bom.tsv"} {
		var out, errb strings.Builder
		if code := run(context.Background(), []string{"eval", "--json", "--examples", filepath.Join(dir, name), filepath.Join(dir, "test.tsv")}, stdio{strings.NewReader(""), &out, &errb}); code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, errb.String())
		}
		if want == "" {
			want = out.String()
		} else if out.String() != want {
			t.Errorf("%s: report differs from the LF file's:\n%s\nwant\n%s", name, out.String(), want)
		}
	}
}

// Ensure --no-texts never prints a text of the evaluated lines, on stdout or stderr, in
// any form of output and on any error path.
func TestEvalNoTextsNeverPrintsALine(t *testing.T) {
	secret := []string{"机密测试句甲乙", "机密测试句丙丁", "机密测试句戊己", "机密测试句庚辛"}
	test := secret[0] + "\tbalance\n" + secret[1] + "\ttransfer\n" + secret[2] + "\tbalanse\n" + secret[3] + "\tnone\n"
	trainSecret := "机密例句一号"
	train := evalTrain + trainSecret + "\tcard_lost\n" + "机密例句二号\tcard_lost\n"
	dir := evalFiles(t, map[string]string{
		"train.tsv":    train,
		"test.tsv":     test,
		"bad.tsv":      test + secret[0] + "没有标签\n",
		"badutf8.tsv":  test + secret[1] + "\xff\tbalance\n",
		"badmark.tsv":  evalTrain + "给[机密例句](payee:)转\ttransfer\n",
		"badmark2.tsv": evalTrain + "给[](机密例句)转\ttransfer\n",
	})
	p := func(name string) string { return filepath.Join(dir, name) }
	for _, tc := range []struct {
		why  string
		args []string
	}{
		// Ensure the readable report holds no text.
		{"report", []string{"--examples", p("train.tsv"), p("test.tsv")}},
		// Ensure the JSON report holds no text.
		{"json", []string{"--json", "--examples", p("train.tsv"), p("test.tsv")}},
		// Ensure the k-shot report holds neither the test lines nor the held-out examples.
		{"kshot", []string{"--kshot", "1", "--examples", p("train.tsv"), p("test.tsv")}},
		// Ensure the k-shot JSON report holds none either.
		{"kshot json", []string{"--json", "--kshot", "1", "--examples", p("train.tsv"), p("test.tsv")}},
		// Ensure a bad line's error names its line, not its text.
		{"bad line", []string{"--examples", p("train.tsv"), p("bad.tsv")}},
		// Ensure an invalid UTF-8 line's error names its line, not its text.
		{"bad utf-8", []string{"--examples", p("train.tsv"), p("badutf8.tsv")}},
		// Ensure a bad slot mark's error names its column, not the marked text.
		{"bad mark", []string{"--kshot", "1", "--examples", p("badmark.tsv"), p("test.tsv")}},
		// Ensure a mark without a value names its column, not the entity written in its place.
		{"bad mark value", []string{"--kshot", "1", "--examples", p("badmark2.tsv"), p("test.tsv")}},
	} {
		t.Run(tc.why, func(t *testing.T) {
			var out, errb strings.Builder
			run(context.Background(), append([]string{"eval", "--no-texts"}, tc.args...), stdio{strings.NewReader(""), &out, &errb})
			all := out.String() + errb.String()
			for _, s := range append(secret, trainSecret, "机密例句") {
				if strings.Contains(all, s) {
					t.Errorf("output holds %q:\n%s", s, all)
				}
			}
		})
	}
}

// Ensure --split writes both files whole, replaces earlier ones and leaves no temporary
// file; a --split DIR that cannot be written changes nothing there.
func TestEvalSplit(t *testing.T) {
	dir := evalFiles(t, map[string]string{"train.tsv": evalTrain, "test.tsv": evalTest})
	split := filepath.Join(dir, "split")
	os.MkdirAll(split, 0o755)
	os.WriteFile(filepath.Join(split, "train.tsv"), []byte("old\tx\n"), 0o644)
	os.WriteFile(filepath.Join(split, "other.txt"), []byte("keep"), 0o644)
	var out, errb strings.Builder
	if code := run(context.Background(), []string{"eval", "--kshot", "1", "--split", split, "--examples", filepath.Join(dir, "train.tsv"), filepath.Join(dir, "test.tsv")}, stdio{strings.NewReader(""), &out, &errb}); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, tc := range []struct {
		file  string
		lines int
	}{
		// Ensure train.tsv holds one example of each of the three intents (the old file replaced).
		{"train.tsv", 3},
		// Ensure test.tsv holds the 7 other examples and the 4 lines of test.tsv.
		{"test.tsv", 11},
	} {
		data, err := os.ReadFile(filepath.Join(split, tc.file))
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(string(data), "\n"); n != tc.lines || strings.Contains(string(data), "old") {
			t.Errorf("%s: %d lines, want %d:\n%s", tc.file, n, tc.lines, data)
		}
	}
	entries, _ := os.ReadDir(split)
	if len(entries) != 3 {
		t.Errorf("split holds %v, want train.tsv, test.tsv and other.txt", entries)
	}
}

// Ensure eval's --json report is one JSON document with the k-shot split described.
func TestEvalJSONKShot(t *testing.T) {
	dir := evalFiles(t, map[string]string{"train.tsv": evalTrain, "test.tsv": evalTest})
	var out, errb strings.Builder
	if code := run(context.Background(), []string{"eval", "--json", "--kshot", "1", "--examples", filepath.Join(dir, "train.tsv"), filepath.Join(dir, "test.tsv")}, stdio{strings.NewReader(""), &out, &errb}); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var rep struct {
		Lines int `json:"lines"`
		KShot struct {
			K, Intents int
			Held       int `json:"held_out"`
			Extra      int `json:"extra_lines"`
		} `json:"kshot"`
		Errors []struct {
			File string `json:"file"`
			Line int    `json:"line"`
		} `json:"errors"`
	}
	if err := json.Unmarshal([]byte(out.String()), &rep); err != nil {
		t.Fatalf("%v:\n%s", err, out.String())
	}
	if rep.Lines != 11 || rep.KShot.K != 1 || rep.KShot.Intents != 3 || rep.KShot.Held != 7 || rep.KShot.Extra != 4 {
		t.Errorf("report %+v", rep)
	}
	for _, e := range rep.Errors {
		if e.File == "" || e.Line == 0 {
			t.Errorf("error without its file and line: %+v", e)
		}
	}
}

// brokenPipeWriter takes n bytes, then fails as a closed pipe does.
type brokenPipeWriter struct{ n int }

func (w *brokenPipeWriter) Write(p []byte) (int, error) {
	if len(p) <= w.n {
		w.n -= len(p)
		return len(p), nil
	}
	k := w.n
	w.n = 0
	return k, syscall.EPIPE
}

// Ensure eval writing to a pipe whose reader has gone (| head -1) exits 0 and says nothing.
func TestEvalBrokenPipe(t *testing.T) {
	dir := evalFiles(t, map[string]string{"train.tsv": evalTrain, "test.tsv": evalTest})
	for _, args := range [][]string{
		// Ensure the readable report stops quietly.
		{"eval", "--examples", filepath.Join(dir, "train.tsv"), filepath.Join(dir, "test.tsv")},
		// Ensure the JSON report stops quietly.
		{"eval", "--json", "--examples", filepath.Join(dir, "train.tsv"), filepath.Join(dir, "test.tsv")},
	} {
		var errb strings.Builder
		if code := run(context.Background(), args, stdio{strings.NewReader(""), &brokenPipeWriter{n: 10}, &errb}); code != 0 || errb.Len() > 0 {
			t.Errorf("%v: exit %d, stderr %q", args, code, errb.String())
		}
	}
}
