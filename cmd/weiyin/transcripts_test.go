package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weiyin-bank/weiyin/engine/transcript"
	"github.com/weiyin-bank/weiyin/intents"
)

// TestShippedTranscripts replays testdata/transcripts against the embedded bank bot on the test
// fixture, as `weiyin test --coverage testdata/transcripts` does, so `go test ./...` runs the
// whole suite. Ensure every convo passes and every intent and flow of the bot is exercised.
func TestShippedTranscripts(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "transcripts")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("no transcripts at %s: %v", dir, err)
	}
	suite, err := transcript.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	prog, err := loadProgram("")
	if err != nil {
		t.Fatal(err)
	}
	if suite.Settings.Fixture == "" {
		t.Fatalf("%s sets no FIXTURE", transcript.SettingsFile)
	}
	// The suite's settings file names the test fixture and the default user.
	rep, err := transcript.Replay(context.Background(), suite, transcript.Options{
		Factory:  replayFactory(prog, "", nil),
		Defaults: suite.Settings,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) < 80 {
		t.Errorf("%d convos, the shipped suite needs at least 80", len(rep.Results))
	}
	if !rep.OK() {
		var b bytes.Buffer
		_ = rep.WriteText(&b, false)
		t.Errorf("transcripts fail:\n%s", b.String())
	}
	cov := transcript.ComputeCoverage(prog.Bundle, rep)
	var b bytes.Buffer
	_ = cov.WriteText(&b)
	t.Logf("%s", b.String())
	if cov.Intents.Hit != cov.Intents.Total || cov.Flows.Hit != cov.Flows.Total {
		t.Errorf("coverage below 100%%: %s\n%s", cov, b.String())
	}
}

// TestTestCommand runs `weiyin test` end to end on a passing and a deliberately broken convo.
// Ensure exit 1, a precise diff in readable Chinese, and a JUnit file.
func TestTestCommand(t *testing.T) {
	dir := t.TempDir()
	fixture := filepath.Join("..", "..", "testdata", "fixtures", "test.json")
	write := func(name, src string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("ok.convo.txt", "问候\n\n#me\n你好\n\n#bot\n您好\nINTENT greet\n")
	write("broken.convo.txt", "故意写错的金额\n\n#me\n给张三转500元\n\n#bot\n金额:¥5,000.00\nINTENT transfer\nSTATE transfer|confirm\n")
	junit := filepath.Join(dir, "report.xml")
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"test", "--fixture", fixture, "--junit", junit, dir}, stdio{strings.NewReader(""), &out, &errb})
	if code != 1 {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
	}
	for _, want := range []string{"FAIL 故意写错的金额", "broken.convo.txt:7: 第1轮 #bot", "- 期望: 金额:¥5,000.00", "+ 实际: 请确认转账信息:", "2 convos, 1 passed, 1 failed"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	x, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(x, []byte(`<testsuites name="weiyin transcripts" tests="2" failures="1" errors="0"`)) || bytes.Contains(x, []byte("&#x")) {
		t.Errorf("JUnit report:\n%s", x)
	}
	// Ensure a usage error is exit 2.
	if code := run(context.Background(), []string{"test"}, stdio{strings.NewReader(""), &out, &errb}); code != 2 {
		t.Errorf("no PATH: exit %d, want 2", code)
	}
}

// Ensure the bot every command runs (serve, chat, test) answers with the NLU calibrated on its
// bundle, as `weiyin eval` measures it, not with the fixed default threshold: the embedded
// bot with its shipped calibration, a bundle of staff-edited files with its own.
func TestProgramNLUCalibrated(t *testing.T) {
	prog, err := loadProgram("")
	if err != nil {
		t.Fatal(err)
	}
	if c := prog.NLU.(*intents.Understander).Calibration(); c.Source == "default" || c.Source == "fixed" {
		t.Errorf("the embedded bot's NLU: %+v, want its calibration", c)
	}
	dir := t.TempDir()
	files, _ := filepath.Glob(filepath.Join("..", "..", "dialogs", "bank", "*.dlg"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(f) == "account.dlg" { // an edit: the bundle's hash changes
			b = append(b, "\n# edited\n"...)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	prog, err = loadProgram(dir)
	if err != nil {
		t.Fatal(err)
	}
	if c := prog.NLU.(*intents.Understander).Calibration(); c.Source == "default" || c.Source == "fixed" {
		t.Errorf("an edited bundle's NLU: %+v, want its own calibration", c)
	}
}
