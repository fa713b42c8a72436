package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/weiyin-bank/weiyin/dialogs"
	"github.com/weiyin-bank/weiyin/engine"
)

// Ensure a hot reload takes a good dialog directory and refuses a broken one, keeping the last
// good program serving.
func TestWatchDialogs(t *testing.T) {
	dir := copyBankDialogs(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	bot, closeBot, err := newBot(ctx, botOptions{Dialogs: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer closeBot()
	first := bot.Program().Version
	events := make(chan bool, 4)
	go watchDialogs(ctx, dir, 20*time.Millisecond, bot, slog.New(slog.DiscardHandler), func(_ string, err error) { events <- err == nil })

	common := filepath.Join(dir, "00-common.dlg")
	good, _ := os.ReadFile(common)
	replaceFile(t, common, append(good, []byte("\nreply greeting \"broken\" {\n")...))
	if ok := waitReload(t, events); ok {
		t.Fatal("a directory that fails check was loaded")
	}
	if bot.Program().Version != first {
		t.Fatal("the running program changed after a failed reload")
	}
	replaceFile(t, common, []byte(strings.Replace(string(good), "weiyin 1", "weiyin 1\n# edited", 1)))
	if ok := waitReload(t, events); !ok {
		t.Fatal("a good directory was refused")
	}
	if v := bot.Program().Version; v != dialogs.FilesVersion(os.DirFS(dir), ".") {
		t.Fatalf("running version %s is not the files' version", v)
	}
	if bot.Program().Version == first {
		t.Fatal("the program did not change after a good reload")
	}
	rep, err := bot.Turn(ctx, "o_demo_1", engine.Message{Text: "我的余额"})
	if err != nil || rep.Intent != "balance" {
		t.Fatalf("after reload: %v %v", rep.Intent, err)
	}
}

// replaceFile writes path in one step, as editors save: the watcher never sees half a file
// (which it would refuse, sending one more event than the test waits for).
func replaceFile(t *testing.T, path string, data []byte) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func waitReload(t *testing.T, events chan bool) bool {
	t.Helper()
	select {
	case ok := <-events:
		return ok
	case <-time.After(2 * time.Minute): // a hang guard: a reload builds the NLU, slow under -race
		t.Fatal("no reload happened")
		return false
	}
}
