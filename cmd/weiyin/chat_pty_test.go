package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// ptyOutput collects what the program writes to its terminal.
type ptyOutput struct{ syncBuffer }

// waitFor waits until the output holds n occurrences of s; the deadline only bounds a failing
// test, it asserts nothing about speed.
func (p *ptyOutput) waitFor(t *testing.T, s string, n int) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if strings.Count(p.String(), s) >= n {
			return
		}
	}
	t.Fatalf("waiting for %d× %q; the terminal shows:\n%q", n, s, p.String())
}

// waitSince waits until the output written after byte from holds s.
func (p *ptyOutput) waitSince(t *testing.T, from int, s string) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if strings.Contains(p.String()[from:], s) {
			return
		}
	}
	t.Fatalf("waiting for %q; the terminal shows since:\n%q", s, p.String()[from:])
}

// TestChatLineEditingInTerminal ensures weiyin chat edits lines of wide Chinese characters in
// a real terminal: the cursor moves two cells for each, edits in the middle of a line reach
// the bot as typed, and history recalls earlier lines.
func TestChatLineEditingInTerminal(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	weiyin := filepath.Join(dir, "weiyin") // TestMain runs main when called by this name
	if err := os.Symlink(exe, weiyin); err != nil {
		t.Skipf("cannot link the test binary as weiyin: %v", err)
	}
	rec := filepath.Join(dir, "chat.convo.txt")
	cmd := exec.Command(weiyin, "chat", "--data", filepath.Join(dir, "data"), "--now", "2026-03-02T10:00:00+08:00", "--record", rec)
	cmd.Env = append(os.Environ(), "HOME="+dir, "WEIYIN_HISTORY="+filepath.Join(dir, "history"), "TERM=xterm")
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 80})
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer tty.Close()
	var out ptyOutput
	go func() { _, _ = bytesCopy(&out, tty) }()
	typ := func(s string) {
		if _, err := tty.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	out.waitFor(t, "我> ", 1)
	// The prompt 我> takes cells 1-4, 余 5-6, 额 7-8; ESC [ N G puts the cursor in column N.
	steps := []struct {
		keys, want string
	}{
		{"余额", "余额"},            // Ensure typed wide characters are echoed.
		{"\x1b[D", "\x1b[7G"},   // Ensure left arrow moves back over one wide character: two cells.
		{"\x01", "\x1b[5G"},     // Ensure Ctrl-A goes to the first cell after the prompt.
		{"查", "查余额\x1b[7G"},     // Ensure a wide character inserted at the start pushes the rest right.
		{"\r", "\x1b[6n"},       // Ensure Enter sends the edited line (checked in the record below); the next prompt starts with a cursor query.
		{"\x1b[A", "查余额"},       // Ensure up arrow recalls it from the history.
		{"\x05\b\r", "\x1b[6n"}, // Ensure Ctrl-E and backspace delete the last wide character.
	}
	for _, st := range steps {
		from := len(out.String())
		typ(st.keys)
		out.waitSince(t, from, st.want)
	}
	typ("\x04") // Ctrl-D ends the chat
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("weiyin chat: %v\n%q", err, out.String())
		}
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("weiyin chat did not end on Ctrl-D; the terminal shows:\n%q", out.String())
	}
	got, err := os.ReadFile(rec)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(got), "#me\n查余额\n") || !strings.Contains(string(got), "#me\n查余\n") {
		t.Errorf("the bot did not get the edited lines 查余额 and 查余:\n%s", got)
	}
}

func bytesCopy(w *ptyOutput, r *os.File) (int64, error) {
	var n int64
	buf := make([]byte, 4096)
	for {
		k, err := r.Read(buf)
		for range bytes.Count(buf[:k], []byte("\x1b[6n")) { // answered before the test can see it
			_, _ = r.Write([]byte("\x1b[3;1R"))
		}
		w.Write(buf[:k])
		n += int64(k)
		if err != nil {
			return n, err
		}
	}
}
