package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/weiyin-bank/weiyin/adapters/studio"
	"github.com/weiyin-bank/weiyin/adapters/wechat/wechattest"
	"github.com/weiyin-bank/weiyin/dialogs/bank"
)

// copyBankDialogs copies the shipped bank dialogs into a directory the test may edit.
func copyBankDialogs(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, bank.Files); err != nil {
		t.Fatal(err)
	}
	return dir
}

// eventually polls cond until it holds; the bound only stops a test that would hang.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("never happened: %s", what)
}

// Ensure serve --studio-addr is refused without --dialogs, and beyond loopback without a token.
func TestServeStudioUsage(t *testing.T) {
	tests := []struct {
		args []string
		says string
	}{
		{[]string{"--studio-addr", "127.0.0.1:0"}, "--dialogs"},
		{[]string{"--studio-addr", "0.0.0.0:0", "--dialogs", "x"}, "WEIYIN_STUDIO_TOKEN"},
	}
	for _, tt := range tests {
		var errb bytes.Buffer
		got := runServeEnv(context.Background(), tt.args, stdio{strings.NewReader(""), io.Discard, &errb},
			procEnv{getenv: func(string) string { return "" }})
		if got != 2 || !strings.Contains(errb.String(), tt.says) {
			t.Errorf("serve %v = %d %q, want 2 saying %q", tt.args, got, errb.String(), tt.says)
		}
	}
}

// Ensure studio's flags are checked before anything starts: no listening beyond loopback
// without a token, and the usual usage errors.
func TestStudioUsage(t *testing.T) {
	dir := copyBankDialogs(t)
	tests := []struct {
		args  []string
		token string
		want  int
		says  string
	}{
		{[]string{}, "", 2, "usage"}, // --dialogs is required
		{[]string{"--dialogs", dir, "--addr", "0.0.0.0:0"}, "", 2, "WEIYIN_STUDIO_TOKEN"}, // all interfaces need a token
		{[]string{"--dialogs", dir, "--addr", "[::]:0"}, "", 2, "WEIYIN_STUDIO_TOKEN"},    // in IPv6 too
		{[]string{"--dialogs", dir, "--addr", "8088"}, "", 2, "--addr"},                   // not host:port
		{[]string{"--dialogs", dir, "--now", "today"}, "", 2, "RFC 3339"},                 // --now must be RFC 3339
		{[]string{"--dialogs", dir, "extra"}, "", 2, "usage"},                             // no positional arguments
		{[]string{"--dialogs", filepath.Join(dir, "nosuch")}, "", 1, "nosuch"},            // a missing directory fails clearly
	}
	for _, tt := range tests {
		var errb bytes.Buffer
		got := runStudioEnv(context.Background(), tt.args, stdio{strings.NewReader(""), io.Discard, &errb},
			procEnv{getenv: func(k string) string {
				if k == "WEIYIN_STUDIO_TOKEN" {
					return tt.token
				}
				return ""
			}})
		if got != tt.want || !strings.Contains(errb.String(), tt.says) {
			t.Errorf("studio %v = %d %q, want %d saying %q", tt.args, got, errb.String(), tt.want, tt.says)
		}
	}
}

// Ensure weiyin studio serves the page and, with WEIYIN_STUDIO_TOKEN set, its API only to
// callers with the token.
func TestStudioServe(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the studio")
	}
	ctx, cancel := context.WithCancel(context.Background())
	addr, code := make(chan string, 1), make(chan int, 1)
	var errb syncBuffer
	go func() {
		code <- runStudioEnv(ctx, []string{"--dialogs", copyBankDialogs(t), "--addr", "127.0.0.1:0"}, stdio{strings.NewReader(""), io.Discard, &errb},
			procEnv{getenv: func(k string) string {
				if k == "WEIYIN_STUDIO_TOKEN" {
					return "tok-123"
				}
				return ""
			}, ready: func(a string) { addr <- a }})
	}()
	var base string
	select {
	case a := <-addr:
		base = "http://" + a
	case c := <-code:
		cancel()
		t.Fatalf("studio exited %d: %s", c, errb.String())
	}
	defer func() {
		cancel()
		if c := <-code; c != 0 {
			t.Errorf("studio exited %d: %s", c, errb.String())
		}
	}()
	if c, body := get(t, base+"/"); c != 200 || !strings.Contains(body, "codemirror.js") {
		t.Errorf("the page: %d", c)
	}
	if c, _ := getJSON(t, base+"/api/files", ""); c != 401 {
		t.Errorf("the API without the token: %d, want 401", c)
	}
	c, out := getJSON(t, base+"/api/files", "tok-123")
	if files, _ := out["files"].([]any); c != 200 || len(files) == 0 {
		t.Errorf("the API with the token: %d %v", c, out)
	}
}

// Ensure serve --review-log writes the messages the bot did not understand, once per message
// id, and that a refused hot reload shows on /healthz (degraded, with the diagnostics) and
// /metrics until a good edit loads.
func TestServeReviewLogAndReloads(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the server")
	}
	api := wechattest.NewFakeAPI(srvAppID, srvSecret)
	defer api.Close()
	dir := copyBankDialogs(t)
	logPath := filepath.Join(t.TempDir(), "review.jsonl")
	studioAddr := freeAddr(t)
	s := startServe(t, t.TempDir(), api.URL(), "--dialogs", dir, "--reload-every", "20ms", "--review-log", logPath, "--studio-addr", studioAddr)

	for _, m := range []struct{ id, text string }{
		{"r1", "钱包还鼓不鼓"}, {"r1", "钱包还鼓不鼓"}, // the retry of r1 is not logged again
		{"r2", "我的余额"}, // understood
		{"r3", "帮我盘一下家底 卡号6217000012345678"},
	} {
		if c, out := postJSON(t, s.url+"/api/chat", "", `{"user":"o_web_`+m.id+`","text":"`+m.text+`","id":"`+m.id+`"}`); c != 200 {
			t.Fatalf("chat %s: %d %v", m.text, c, out)
		}
	}
	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var e studio.ReviewEntry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("review log line %q: %v", line, err)
		}
		if e.Channel != "web" || e.Intent != "none" {
			t.Errorf("review entry %+v", e)
		}
		texts = append(texts, e.Text)
	}
	if want := []string{"钱包还鼓不鼓", "帮我盘一下家底 卡号****************"}; strings.Join(texts, "|") != strings.Join(want, "|") {
		t.Errorf("review log %q, want %q", texts, want)
	}

	health := func() (status string, reload map[string]any) {
		resp, err := http.Get(s.url + "/healthz")
		if err != nil {
			return "", nil
		}
		defer resp.Body.Close()
		var h struct {
			Status string
			Reload map[string]any
		}
		json.NewDecoder(resp.Body).Decode(&h)
		return h.Status, h.Reload
	}
	if st, r := health(); st != "ok" || r == nil {
		t.Fatalf("/healthz before an edit: %q %v", st, r)
	}
	account := filepath.Join(dir, "account.dlg")
	good, _ := os.ReadFile(account)
	replaceFile(t, account, append(append([]byte{}, good...), "\nintent oops {\n  examples {\n    \"还有钱吗\"\n"...))
	var reload map[string]any
	eventually(t, "/healthz degraded after a broken edit", func() bool {
		var st string
		st, reload = health()
		return st == "degraded"
	})
	var refused struct {
		Check struct {
			Diagnostics []struct{ File, Severity string }
		}
	}
	b, _ := json.Marshal(reload["last_refused"])
	json.Unmarshal(b, &refused)
	if ds := refused.Check.Diagnostics; len(ds) == 0 || filepath.Base(ds[0].File) != "account.dlg" || ds[0].Severity != "error" {
		t.Errorf("the refused edit's diagnostics: %s", b)
	}
	// The studio serve mounts on --studio-addr shows serve's own reload status, and the
	// review log serve writes.
	if c, ship := getJSON(t, "http://"+studioAddr+"/api/ship", ""); c != 200 || fmt.Sprint(ship["health"]) == "" || !strings.Contains(fmt.Sprint(ship["health"]), "degraded") {
		t.Errorf("the studio's ship tab: %d %v", c, ship)
	}
	if c, rv := getJSON(t, "http://"+studioAddr+"/api/review", ""); c != 200 || rv["messages"] != float64(2) {
		t.Errorf("the studio's review tab: %d %v", c, rv)
	}
	_, metrics := get(t, s.url+"/metrics")
	for _, want := range []string{"\nweiyin_dialogs_stale 1\n", "\nweiyin_dialog_reloads_refused_total 1\n"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", strings.TrimSpace(want))
		}
	}
	replaceFile(t, account, good)
	eventually(t, "/healthz ok after the edit is fixed", func() bool { st, _ := health(); return st == "ok" })
	if _, metrics := get(t, s.url+"/metrics"); !strings.Contains(metrics, "\nweiyin_dialogs_stale 0\n") {
		t.Error("weiyin_dialogs_stale stays up after a good edit")
	}
}
