package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// weiyinMain links the test binary as weiyin-main, which TestMain runs as the real binary's
// main (signal handling included), and returns its path.
func weiyinMain(t *testing.T) string { return linkTestBinary(t, "weiyin-main") }

// linkTestBinary links the test binary as name, one of the programs TestMain runs, and
// returns its path.
func linkTestBinary(t *testing.T, name string) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), name)
	if err := os.Symlink(exe, p); err != nil {
		t.Skipf("cannot link the test binary: %v", err)
	}
	return p
}

// fewBot writes a dialog directory of few examples an intent, whose calibration no cache holds.
func fewBot(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	const dlg = `weiyin 1

intent unbind "解绑" {
  examples { "怎么解除绑定" "解绑银行卡" "取消绑定的卡" }
}
intent pos "刷卡机" {
  examples { "POS机坏了" "刷卡机不能用" "商户收款机器" }
}
intent overseas "境外用卡" {
  examples { "境外刷卡" "在国外能用吗" "出国用卡手续费" }
}
intent lost "挂失" {
  examples { "卡丢了" "银行卡被偷了" "挂失我的卡" }
}
intent limit "额度" {
  examples { "提高额度" "信用额度多少" "临时额度怎么申请" }
}
intent bill "账单" {
  examples { "本月账单" "账单日是哪天" "查信用卡账单" }
}
intent repay "还款" {
  examples { "怎么还款" "最低还款额" "自动还款设置" }
}

reply unbind "解绑"
reply pos "刷卡机"
reply overseas "境外"
reply lost "挂失"
reply limit "额度"
reply bill "账单"
reply repay "还款"
reply greeting "您好"
reply help "帮助"
reply fallback "抱歉, 没听懂"
reply fallback_again "还是没听懂"
`
	if err := os.WriteFile(filepath.Join(dir, "bot.dlg"), []byte(dlg), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

const fewBotLines = "刷卡机坏了怎么办\nhow to unbind my card\n海外能刷卡吗\n今天天气怎么样\n我的卡不见了\n额度不够用\n"

// Ensure `weiyin nlu | head -1`: the process whose reader went away exits 0 without a word
// (no "broken pipe", no panic), in both output forms.
func TestNLUProcessClosedPipe(t *testing.T) {
	bin := weiyinMain(t)
	input := filepath.Join(t.TempDir(), "lines.txt")
	os.WriteFile(input, []byte(strings.Repeat("我的余额\n给张三转500块\n", 20000)), 0o644)
	for _, args := range [][]string{{"nlu"}, {"nlu", "--json"}} {
		in, _ := os.Open(input)
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		var errb bytes.Buffer
		cmd := exec.Command(bin, args...)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = in, w, &errb
		cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+t.TempDir())
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		w.Close()
		if _, err := bufio.NewReader(r).ReadString('\n'); err != nil {
			t.Fatalf("%v: no first line: %v", args, err)
		}
		r.Close() // head -1 has its line
		err = cmd.Wait()
		in.Close()
		if err != nil || errb.Len() > 0 {
			t.Errorf("%v: %v, stderr %q; want exit 0 and nothing said", args, err, errb.String())
		}
	}
}

// Ensure Ctrl-C stops `weiyin nlu` while it waits for stdin (a terminal, a pipe left open):
// exit 1, the answers made before are out, nothing on stderr.
func TestNLUProcessInterrupt(t *testing.T) {
	bin := weiyinMain(t)
	inR, inW, _ := os.Pipe()
	outR, outW, _ := os.Pipe()
	var errb bytes.Buffer
	cmd := exec.Command(bin, "nlu", "--json")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, &errb
	cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+t.TempDir())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	inR.Close()
	outW.Close()
	defer inW.Close()
	inW.WriteString("我的余额\n")
	line, err := bufio.NewReader(outR).ReadString('\n')
	if err != nil || !strings.Contains(line, `"intent":"balance"`) {
		t.Fatalf("first answer %q (%v)", line, err)
	}
	cmd.Process.Signal(syscall.SIGINT) // stdin stays open: nlu is blocked reading it
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(60 * time.Second): // bounds a failing test only
		cmd.Process.Kill()
		t.Fatal("weiyin nlu still waits for stdin 60 s after Ctrl-C")
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || errb.Len() > 0 {
		t.Errorf("after Ctrl-C: %v, stderr %q; want exit 1 and nothing said", err, errb.String())
	}
}

// Ensure two processes calibrating one new bundle into one cache at once answer alike, and
// alike with what a warm cache and no cache give; the cache holds one sound calibration and
// one model, and no temporary file.
func TestNLUProcessesShareCache(t *testing.T) {
	bin := weiyinMain(t)
	bot := fewBot(t)
	cache := t.TempDir()
	nlu := func(cacheHome string) *exec.Cmd {
		cmd := exec.Command(bin, "nlu", "--json", "--dialogs", bot)
		cmd.Stdin = strings.NewReader(fewBotLines)
		cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+cacheHome)
		return cmd
	}
	outs := make([][]byte, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range outs {
		wg.Go(func() { outs[i], errs[i] = nlu(cache).Output() })
	}
	wg.Wait()
	warm, err := nlu(cache).Output()
	if err != nil {
		t.Fatal(err)
	}
	none, err := nlu("relative/path").Output() // a relative XDG_CACHE_HOME: no cache at all
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		why string
		out []byte
		err error
	}{
		// Ensure the first process answers as with no cache.
		{"first process", outs[0], errs[0]},
		// Ensure the second, racing it, answers the same.
		{"second process", outs[1], errs[1]},
		// Ensure a start from the cache they left answers the same.
		{"warm cache", warm, nil},
	} {
		if tc.err != nil || !bytes.Equal(tc.out, none) {
			t.Errorf("%s (%v):\n%s\nwant, as without a cache:\n%s", tc.why, tc.err, tc.out, none)
		}
	}
	files, _ := filepath.Glob(filepath.Join(cache, "weiyin", "*"))
	hidden, _ := filepath.Glob(filepath.Join(cache, "weiyin", ".*"))
	var calib, model int
	for _, f := range files {
		switch {
		case strings.HasPrefix(filepath.Base(f), "calibration-"):
			calib++
			data, _ := os.ReadFile(f)
			if !json.Valid(data) {
				t.Errorf("%s is not JSON: %q", f, data)
			}
		case strings.HasPrefix(filepath.Base(f), "model-"):
			model++
		}
	}
	if calib != 1 || model != 1 || len(hidden) > 0 {
		t.Errorf("cache holds %v and %v; want one calibration, one model, no temporary", files, hidden)
	}
	if _, err := os.Stat("relative"); err == nil {
		t.Error("a relative XDG_CACHE_HOME was used as a cache")
	}
}

// Ensure a second Ctrl-C ends the process at once when the command, cancelled by the first,
// does not return (stuck on a message, a peer or a disk): the operator is never left with a
// process that only kill -9 stops.
func TestSecondInterruptEnds(t *testing.T) {
	bin := linkTestBinary(t, "weiyin-stuck")
	outR, outW, _ := os.Pipe()
	cmd := exec.Command(bin)
	cmd.Stdout = outW
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	outW.Close()
	if line, err := bufio.NewReader(outR).ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("start: %q (%v)", line, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.After(60 * time.Second) // bounds a failing test only
	var err error
	for {
		cmd.Process.Signal(syscall.SIGINT)
		select {
		case err = <-done:
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != -1 {
				t.Errorf("after two Ctrl-C: %v; want the process ended by the signal", err)
			}
			return
		case <-time.After(100 * time.Millisecond):
		case <-deadline:
			cmd.Process.Kill()
			t.Fatal("the process still runs 60 s after repeated Ctrl-C")
		}
	}
}
