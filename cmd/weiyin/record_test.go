package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weiyin-bank/weiyin/engine"
)

// Ensure serve's recordings are 0600 and masked, one file per user id (ids that differ only
// in characters a file name cannot hold too), at most max files open, and appended to after
// a restart instead of wiped, with a code typed after the restart still masked.
func TestRecordingTurner(t *testing.T) {
	fixture := filepath.Join("..", "..", "testdata", "fixtures", "test.json")
	if _, err := os.Stat(fixture); err != nil {
		t.Skipf("no test fixture: %v", err)
	}
	ctx := context.Background()
	bot, closeBot, err := newBot(ctx, botOptions{Fixture: fixture, DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer closeBot()
	dir := t.TempDir()
	rt, err := newRecordingTurner(bot, dir)
	if err != nil {
		t.Fatal(err)
	}
	rt.max = 2
	say := func(rt *recordingTurner, user, text string) engine.Reply {
		t.Helper()
		rep, err := rt.Turn(ctx, user, engine.Message{Kind: "text", Text: text})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	// Five users, two of whose ids would both be "webu1" as file names.
	users := []string{"o_demo_1", "web:u1", "webu1", "web/u1", "o_new_1"}
	for _, u := range users {
		say(rt, u, "你好")
		if rt.lru.Len() > rt.max {
			t.Fatalf("%d recordings open, max %d", rt.lru.Len(), rt.max)
		}
	}
	for _, text := range []string{"我的余额", "给张三转500元", "确认"} {
		say(rt, "o_demo_1", text)
	}
	rt.Close()

	// A restart: the same directory, a new recorder; the code comes now.
	rt2, err := newRecordingTurner(bot, dir)
	if err != nil {
		t.Fatal(err)
	}
	if rep := say(rt2, "o_demo_1", "123456"); !strings.Contains(strings.Join(rep.Texts, ""), "成功") {
		t.Fatalf("transfer: %q", rep.Texts)
	}
	rt2.Close()

	files, _ := filepath.Glob(filepath.Join(dir, "*.convo.txt"))
	if len(files) != len(users) {
		t.Errorf("%d files for %d users: ids share a file", len(files), len(users))
	}
	mine, err := os.ReadFile(rt2.fileName("o_demo_1"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"我的余额", "给张三转500元", "转账成功", "¥*"} {
		if !strings.Contains(string(mine), want) {
			t.Errorf("o_demo_1's recording lacks %q (wiped at the restart?):\n%s", want, mine)
		}
	}
	if n := strings.Count(string(mine), "recorded with weiyin serve"); n != 1 {
		t.Errorf("title written %d times:\n%s", n, mine)
	}
	for _, f := range files {
		st, _ := os.Stat(f)
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", f, st.Mode().Perm())
		}
		b, _ := os.ReadFile(f)
		for _, leak := range []string{"o_demo_1", "o_new_1", "123456", "52,380.50", "51,880.50", "6217880100001234", "13812345678"} {
			if strings.Contains(string(b), leak) {
				t.Errorf("%s shows %q:\n%s", filepath.Base(f), leak, b)
			}
		}
	}
}
