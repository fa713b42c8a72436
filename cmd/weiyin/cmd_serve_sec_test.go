package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/weiyin-bank/weiyin/adapters/wechat/wechattest"
)

const (
	secWebToken    = "web-sec-0123456789abcdef"
	secWeChatToken = "wechat-sec-0123456789abcdef"
)

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
	signer, err := wechattest.NewSigner(srvToken, srvAppID, srvAESKey)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Unix()
	msg := func(id int64, text string) wechattest.Msg {
		return wechattest.Msg{To: "gh_bank", From: "o_demo_1", CreateTime: now, Type: "text", Content: text, MsgID: id}
	}

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
