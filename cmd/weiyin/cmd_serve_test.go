package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weiyin-bank/weiyin/adapters/wechat"
	"github.com/weiyin-bank/weiyin/adapters/wechat/wechattest"
	"github.com/weiyin-bank/weiyin/dialogs/bank"
)

const (
	srvToken  = "servetoken"
	srvAppID  = "wxserve0000000001"
	srvSecret = "servesecret"
	srvAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	srvNotify = "notify-token"
)

// served is a running weiyin serve.
type served struct {
	url    string
	stop   func() int // cancel and wait for the exit code
	stderr *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// startServe runs weiyin serve on 127.0.0.1 with the WeChat settings in safe mode.
func startServe(t *testing.T, dataDir, api string, extra ...string) *served {
	t.Helper()
	return startServeEnv(t, dataDir, api, nil, extra...)
}

// startServeEnv is startServe with more settings in the environment.
func startServeEnv(t *testing.T, dataDir, api string, more map[string]string, extra ...string) *served {
	t.Helper()
	env := map[string]string{"WEIYIN_WECHAT_APPID": srvAppID, "WEIYIN_WECHAT_TOKEN": srvToken,
		"WEIYIN_WECHAT_AESKEY": srvAESKey, "WEIYIN_WECHAT_SECRET": srvSecret, "WEIYIN_NOTIFY_TOKEN": srvNotify}
	for k, v := range more {
		env[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	code := make(chan int, 1)
	errb := &syncBuffer{}
	args := append([]string{"--addr", "127.0.0.1:0", "--data", dataDir, "--wechat-api", api, "--log-level", "warn", "--sandbox"}, extra...)
	go func() {
		code <- runServeEnv(ctx, args, stdio{strings.NewReader(""), io.Discard, errb},
			procEnv{getenv: func(k string) string { return env[k] }, ready: func(a string) { addr <- a }})
	}()
	select {
	case a := <-addr:
		s := &served{url: "http://" + a, stderr: errb}
		var once sync.Once
		var rc int
		s.stop = func() int {
			once.Do(func() {
				cancel()
				select {
				case rc = <-code:
				case <-time.After(20 * time.Second):
					t.Fatal("serve did not shut down")
				}
			})
			return rc
		}
		t.Cleanup(func() { s.stop() })
		return s
	case c := <-code:
		cancel()
		t.Fatalf("serve exited %d: %s", c, errb.String())
	case <-time.After(2 * time.Minute): // loading the bot takes about 30 s under -race on a busy 2-core machine
		cancel()
		t.Fatal("serve did not start")
	}
	return nil
}

func (s *served) wechat(t *testing.T, signer *wechattest.Signer, m wechattest.Msg) wechattest.Reply {
	t.Helper()
	req, err := signer.Request(s.url+"/wechat", m.XML(), time.Now().Unix(), wechattest.Nonce(m.XML()), m.From)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("/wechat: %d %s", resp.StatusCode, body)
	}
	rep, err := signer.Open(body)
	if err != nil {
		t.Fatalf("/wechat reply %q: %v", body, err)
	}
	return rep
}

func postJSON(t *testing.T, url, auth, body string) (int, map[string]any) {
	t.Helper()
	return doJSON(t, "POST", url, auth, body)
}

func getJSON(t *testing.T, url, auth string) (int, map[string]any) {
	t.Helper()
	return doJSON(t, "GET", url, auth, "")
}

// doJSON sends a request with an optional bearer token and decodes the JSON answer.
func doJSON(t *testing.T, method, url, auth, body string) (int, map[string]any) {
	t.Helper()
	code, out := tryJSON(method, url, auth, body)
	if code == 0 {
		t.Fatalf("%s %s: no answer", method, url)
	}
	return code, out
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Ensure weiyin serve answers WeChat (safe mode), the chat API, notifications, /healthz and
// /metrics on the real bot, and that a restart keeps committed turns and accepted
// notifications.
func TestServe(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the server")
	}
	api := wechattest.NewFakeAPI(srvAppID, srvSecret)
	defer api.Close()
	data := t.TempDir()
	s := startServe(t, data, api.URL())
	signer, msg := demoWeChat(t)
	now := time.Now().Unix()

	// WeChat, safe mode: a greeting and a balance query of the bound demo customer.
	hello := s.wechat(t, signer, msg(9001, "你好"))
	if hello.Text == "" || hello.Text == wechat.DefaultBusy || hello.To != "o_demo_1" {
		t.Errorf("greeting reply %+v", hello)
	}
	balance := s.wechat(t, signer, msg(9002, "我的余额"))
	if !strings.Contains(balance.Text, "¥") {
		t.Errorf("balance reply %+v", balance)
	}
	// A forged signature is refused.
	req, _ := signer.Request(s.url+"/wechat", msg(9003, "你好").XML(), now, "n", "o_demo_1")
	q := req.URL.Query()
	q.Set("signature", strings.Repeat("0", 40))
	req.URL.RawQuery = q.Encode()
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 403 {
		t.Errorf("forged signature: %v %v", resp.StatusCode, err)
	}
	// A menu click and a location message get answers.
	if r := s.wechat(t, signer, wechattest.Msg{To: "gh_bank", From: "o_demo_1", CreateTime: now + 1, Type: "location",
		MsgID: 9004, LocationX: 31.2304, LocationY: 121.4737, Scale: 15, Label: "上海市黄浦区"}); r.Text == "" {
		t.Errorf("location reply %+v", r)
	}

	// The chat API: idempotent by id; "as" refused without --sandbox-login.
	code, first := postJSON(t, s.url+"/api/chat", "", `{"user":"o_web_1","text":"你好","id":"c1"}`)
	code2, again := postJSON(t, s.url+"/api/chat", "", `{"user":"o_web_1","text":"你好","id":"c1"}`)
	if code != 200 || code2 != 200 || fmt.Sprint(first) != fmt.Sprint(again) || first["intent"] == nil {
		t.Errorf("chat: %d %v / %d %v", code, first, code2, again)
	}
	if code, out := postJSON(t, s.url+"/api/chat", "", `{"user":"u","text":"余额","as":"C001"}`); code != 403 {
		t.Errorf("as without sandbox login: %d %v", code, out)
	}

	// Notifications: accepted, then delivered to the fake API.
	if code, out := postJSON(t, s.url+"/api/notify", srvNotify,
		`{"id":"alert-1","openid":"o_demo_1","template_id":"TPL_TXN","data":{"amount":"¥500.00"}}`); code != 202 {
		t.Errorf("notify: %d %v", code, out)
	}
	if !api.WaitFor(5*time.Second, func() bool { return len(api.Templates()) == 1 }) {
		t.Error("notification not delivered")
	}

	// Health and metrics.
	if code, body := get(t, s.url+"/healthz"); code != 200 || !strings.Contains(body, "ok") {
		t.Errorf("/healthz: %d %s", code, body)
	}
	// Four turns reach the session log: the chat API's retry of c1 is answered from its record.
	_, metrics := get(t, s.url+"/metrics")
	for _, want := range []string{`weiyin_turns_total{channel="wechat"} 3`, `weiyin_turns_total{channel="web"} 2`, "weiyin_notify_queue_depth ",
		"weiyin_store_committed_turns_total 4", "weiyin_store_commit_duration_seconds_count "} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, metrics)
		}
	}

	// Accept a notification WeChat cannot take now, then stop the server.
	api.FailHTTP(1000)
	if code, _ := postJSON(t, s.url+"/api/notify", srvNotify,
		`{"id":"alert-2","openid":"o_demo_1","template_id":"TPL_TXN","data":{"amount":"¥9.00"}}`); code != 202 {
		t.Fatalf("notify 2: %d", code)
	}
	if rc := s.stop(); rc != 0 {
		t.Fatalf("serve exited %d: %s", rc, s.stderr.String())
	}

	// Restart on the same data: the retry of a committed message gets the stored reply, and
	// the accepted notification is delivered once WeChat recovers.
	api.FailHTTP(-1000)
	s2 := startServe(t, data, api.URL())
	if again := s2.wechat(t, signer, msg(9002, "我的余额")); again.Text != balance.Text {
		t.Errorf("retry after restart: %q, want the stored %q", again.Text, balance.Text)
	}
	if !api.WaitFor(15*time.Second, func() bool { return len(api.Templates()) == 2 }) {
		t.Errorf("accepted notification lost across restart: %d delivered", len(api.Templates()))
	}
	var status map[string]any
	if !api.WaitFor(5*time.Second, func() bool {
		_, status = getJSON(t, s2.url+"/api/notify/alert-2", srvNotify)
		return status["status"] == "delivered"
	}) {
		t.Errorf("alert-2 status: %v", status)
	}
}

// Ensure bad flags and settings are usage errors.
func TestServeUsage(t *testing.T) {
	tests := []struct {
		args []string // flags, and WEIYIN_ settings as NAME=VALUE
		want int
	}{
		{[]string{"--now", "yesterday"}, 2},                          // --now must be RFC 3339
		{[]string{"--log-level", "loud"}, 2},                         // unknown level
		{[]string{"--sandbox-login", "--bank-url", "http://x:1"}, 2}, // sandbox login needs the sandbox
		{[]string{"extra"}, 2},                                       // no positional arguments
		{[]string{"--store", "memcache://h:1"}, 2},                   // a store URL serve cannot use
		{[]string{"--store", "redis://h:1/0?lease_ttl=x"}, 2},        // a bad store parameter
		{[]string{"--debug-addr", ":6060"}, 2},                       // the profiler on every interface
		{[]string{"--debug-addr", "0.0.0.0:6060"}, 2},                // the same, spelt out
		{[]string{"--debug-addr", "192.0.2.1:6060"}, 2},              // a non-loopback host
		{[]string{"--sandbox", "--bank-url", "http://x:1"}, 2},       // two banks at once
		// WeChat credentials on the sandbox bank without --sandbox: demo customers to followers.
		{[]string{"WEIYIN_WECHAT_TOKEN=tok"}, 2},
		{[]string{"WEIYIN_WECHAT_APPID=wx1"}, 2},
	}
	for _, tt := range tests {
		var errb bytes.Buffer
		env := map[string]string{}
		var args []string
		for _, a := range tt.args {
			if k, v, ok := strings.Cut(a, "="); ok && strings.HasPrefix(k, "WEIYIN_") {
				env[k] = v
			} else {
				args = append(args, a)
			}
		}
		got := runServeEnv(context.Background(), args, stdio{strings.NewReader(""), io.Discard, &errb},
			procEnv{getenv: func(k string) string { return env[k] }})
		if got != tt.want {
			t.Errorf("serve %v = %d, want %d (%s)", tt.args, got, tt.want, errb.String())
		}
	}
}

// Ensure a runtime flag (--gogc, --procs) wins, its environment variable is left to the
// runtime, and serve's default applies otherwise.
func TestRuntimeSetting(t *testing.T) {
	tests := []struct {
		flag int
		env  string
		want int
	}{
		{0, "", 400},      // neither: serve's default
		{0, "150", 0},     // the variable set: the runtime has applied it
		{0, "off", 0},     // also when it turns the collector off
		{200, "150", 200}, // the flag wins over the variable
		{-1, "", -1},      // the flag can turn the collector off
	}
	for _, tt := range tests {
		if got := runtimeSetting(tt.flag, tt.env, 400); got != tt.want {
			t.Errorf("runtimeSetting(%d, %q, 400) = %d, want %d", tt.flag, tt.env, got, tt.want)
		}
	}
}

// Ensure serve refuses dialogs with stub operations on a real bank (--bank-url), naming the
// stub, before it listens: a stub answers with made-up results.
func TestServeRefusesStubsOutsideSandbox(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile("../../engine/testdata/stub.dlg")
	if err != nil {
		t.Fatal(err)
	}
	names, _ := fs.Glob(bank.Files, "*.dlg")
	for _, n := range names {
		data, _ := fs.ReadFile(bank.Files, n)
		if err := os.WriteFile(filepath.Join(dir, n), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "zz-fx.dlg"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	var errb bytes.Buffer
	got := runServeEnv(context.Background(), []string{"--dialogs", dir, "--data", t.TempDir(), "--addr", "127.0.0.1:0", "--bank-url", "http://127.0.0.1:1"},
		stdio{strings.NewReader(""), io.Discard, &errb}, procEnv{getenv: func(string) string { return "" }})
	if got != 1 || !strings.Contains(errb.String(), "stub operations (fx_buy)") {
		t.Errorf("serve with a stub on a real bank = %d, want 1 naming fx_buy (%s)", got, errb.String())
	}
}
