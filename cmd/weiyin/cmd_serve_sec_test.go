package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/weiyin-bank/weiyin/adapters/web"
	"github.com/weiyin-bank/weiyin/adapters/wechat"
	"github.com/weiyin-bank/weiyin/adapters/wechat/wechattest"
)

const (
	secWebToken    = "web-sec-0123456789abcdef"
	secWeChatToken = "wechat-sec-0123456789abcdef"
)

// demoWeChat returns the signer of serve's WeChat settings and a maker of 张伟's (o_demo_1)
// text messages.
func demoWeChat(t *testing.T) (*wechattest.Signer, func(id int64, text string) wechattest.Msg) {
	t.Helper()
	signer, err := wechattest.NewSigner(srvToken, srvAppID, srvAESKey)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Unix()
	return signer, func(id int64, text string) wechattest.Msg {
		return wechattest.Msg{To: "gh_bank", From: "o_demo_1", CreateTime: now, Type: "text", Content: text, MsgID: id}
	}
}

// Ensure nobody speaks for a WeChat follower through the chat API: while 张伟 (o_demo_1)
// confirms a transfer in WeChat, a caller of /api/chat naming his openid (no token, a wrong
// token, or the web frontend's token, whose users are namespaced) cannot change the payee,
// and the code he then enters pays the payee and amount he confirmed. And a chat-API message
// id "wx:N" does not pre-empt WeChat's message N.
func TestServeChatTakeover(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the server")
	}
	api := wechattest.NewFakeAPI(srvAppID, srvSecret)
	defer api.Close()
	s := startServeEnv(t, t.TempDir(), api.URL(),
		map[string]string{"WEIYIN_API_TOKENS": "web:" + secWebToken + ",wechat:" + secWeChatToken},
		"--fixture", "../../testdata/fixtures/test.json")
	signer, msg := demoWeChat(t)

	if r := s.wechat(t, signer, msg(7000, "给张三转500元")); !strings.Contains(r.Text, "张三") || !strings.Contains(r.Text, "¥500.00") {
		t.Fatalf("read-back: %q", r.Text)
	}
	attacks := []struct {
		name, auth string
		want       int
	}{
		{"no token", "", 401},                            // tokens configured: anonymous callers are refused, loopback too
		{"wrong token", "web-sec-guessed-00000000", 401}, // a guessed token is refused
		{"web token", secWebToken, 200},                  // answered, but for web:o_demo_1, not the follower
	}
	for i, a := range attacks {
		for j, text := range []string{"不对,转给王芳", "不对,是999", "确认"} {
			code, out := postJSON(t, s.url+"/api/chat", a.auth,
				fmt.Sprintf(`{"user":"o_demo_1","text":%q,"id":"atk-%d-%d"}`, text, i, j))
			if code != a.want {
				t.Errorf("%s %q: %d %v, want %d", a.name, text, code, out, a.want)
			}
		}
	}
	r := s.wechat(t, signer, msg(7001, "确认"))
	if !strings.Contains(r.Text, "验证码") {
		t.Fatalf("confirm: %q", r.Text)
	}
	r = s.wechat(t, signer, msg(7002, "123456"))
	if !strings.Contains(r.Text, "张三") || !strings.Contains(r.Text, "¥500.00") || strings.Contains(r.Text, "王芳") || strings.Contains(r.Text, "999") {
		t.Errorf("the customer's code paid something else than he confirmed: %q", r.Text)
	}

	// The chat API's id "wx:7003" (for the follower, through the wechat token) is not WeChat's 7003.
	if code, out := postJSON(t, s.url+"/api/chat", secWeChatToken, `{"user":"o_demo_1","text":"你好","id":"wx:7003"}`); code != 200 {
		t.Errorf("chat as a follower with the wechat token: %d %v", code, out)
	}
	if r := s.wechat(t, signer, msg(7003, "我的余额")); !strings.Contains(r.Text, "¥") {
		t.Errorf("WeChat message 7003 got the chat API's reply to its id wx:7003: %q", r.Text)
	}
}

// Ensure that through weiyin serve a full disk makes /healthz answer 503 with the store
// failing and the customer told the service is busy, and that once space returns the same
// server is healthy and answers again, with no restart.
func TestServeDiskFull(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the server")
	}
	if os.Geteuid() != 0 {
		t.Skip("mounting a small filesystem needs root")
	}
	data := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", data).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", data).Run() })
	api := wechattest.NewFakeAPI(srvAppID, srvSecret)
	defer api.Close()
	s := startServe(t, data, api.URL(), "--fixture", "../../testdata/fixtures/test.json")
	signer, msg := demoWeChat(t)
	if r := s.wechat(t, signer, msg(8000, "我的余额")); !strings.Contains(r.Text, "¥") {
		t.Fatalf("balance: %q", r.Text)
	}
	if code, body := get(t, s.url+"/healthz"); code != 200 {
		t.Fatalf("/healthz before: %d %s", code, body)
	}

	// Fill the disk; turns now fail until the log cannot grow.
	filler := filepath.Join(data, "filler")
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	for buf := make([]byte, 64<<10); ; {
		if _, err := f.Write(buf); err != nil {
			break
		}
	}
	f.Close()
	busy := false
	for i := range 5000 { // more than the log's last chunk holds
		if r := s.wechat(t, signer, msg(int64(10001+i), "你好"+strings.Repeat("啊", 1900))); r.Text == wechat.DefaultBusy {
			busy = true
			t.Logf("the disk filled at turn %d", i+1)
			break
		}
	}
	if !busy {
		t.Fatal("every turn succeeded on a full disk")
	}
	time.Sleep(web.HealthCache) // past the last round of probes
	if code, body := get(t, s.url+"/healthz"); code != 503 || !strings.Contains(body, `"store":"failing"`) {
		t.Errorf("/healthz on a full disk: %d %s, want 503 with the store failing", code, body)
	}

	os.Remove(filler)
	time.Sleep(web.HealthCache)
	if code, body := get(t, s.url+"/healthz"); code != 200 {
		t.Errorf("/healthz once space is back: %d %s", code, body)
	}
	if r := s.wechat(t, signer, msg(9000, "我的余额")); !strings.Contains(r.Text, "¥") {
		t.Errorf("a turn once space is back: %q", r.Text)
	}
}

// Ensure --metrics-addr serves /metrics there and no longer beside the public endpoints.
func TestServeMetricsAddr(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the server")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	maddr := ln.Addr().String()
	ln.Close()
	api := wechattest.NewFakeAPI(srvAppID, srvSecret)
	defer api.Close()
	s := startServe(t, t.TempDir(), api.URL(), "--metrics-addr", maddr)
	if code, body := get(t, "http://"+maddr+"/metrics"); code != 200 || !strings.Contains(body, "weiyin_turns_total") && !strings.Contains(body, "go_goroutines") {
		t.Errorf("--metrics-addr /metrics: %d %.200s", code, body)
	}
	if code, _ := get(t, s.url+"/metrics"); code != 404 {
		t.Errorf("/metrics on --addr with --metrics-addr: %d, want 404", code)
	}
}
