package web

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/weiyin-bank/weiyin/engine"
)

// whoTurner answers with the user id and message id the engine was given.
type whoTurner struct{ users, ids []string }

func (w *whoTurner) Turn(_ context.Context, user string, m engine.Message) (engine.Reply, error) {
	w.users, w.ids = append(w.users, user), append(w.ids, m.ID)
	return engine.Reply{Texts: []string{"ok"}}, nil
}

const (
	webToken    = "web-0123456789abcdef"
	wechatToken = "wx-0123456789abcdef0"
)

// Ensure the chat API's callers are authenticated and their user ids namespaced exactly as
// DESIGN.md says, and that message ids live in the chat API's own namespace.
func TestChatAuth(t *testing.T) {
	tokens := []APIToken{{"web", webToken}, {"wechat", wechatToken}}
	tests := []struct {
		name     string
		tokens   []APIToken
		sandbox  bool
		login    bool
		remote   string
		header   map[string]string
		body     string
		status   int
		user, id string // what the engine got
	}{
		// With tokens: no Authorization is 401, even from loopback.
		{"no token", tokens, true, false, "127.0.0.1:1", nil, `{"user":"o_demo_1","text":"我的余额"}`, 401, "", ""},
		// A wrong token is 401.
		{"wrong token", tokens, true, false, "127.0.0.1:1", map[string]string{"Authorization": "Bearer nope-0123456789abcdef"}, `{"user":"o_demo_1","text":"x"}`, 401, "", ""},
		// Another scheme is 401.
		{"basic", tokens, true, false, "127.0.0.1:1", map[string]string{"Authorization": "Basic " + webToken}, `{"user":"o_demo_1","text":"x"}`, 401, "", ""},
		// A web token speaks for its own namespace: o_demo_1 is web:o_demo_1, not the follower.
		{"web namespaced", tokens, false, false, "203.0.113.9:1", map[string]string{"Authorization": "Bearer " + webToken}, `{"user":"o_demo_1","text":"x","id":"7001"}`, 200, "web:o_demo_1", "api:7001"},
		// The wechat token speaks for followers by openid.
		{"wechat openid", tokens, false, false, "203.0.113.9:1", map[string]string{"Authorization": "Bearer " + wechatToken}, `{"user":"o_demo_1","text":"x","id":"wx:7001"}`, 200, "o_demo_1", "api:wx:7001"},
		// The wechat token cannot reach another namespace.
		{"wechat into web", tokens, false, false, "203.0.113.9:1", map[string]string{"Authorization": "Bearer " + wechatToken}, `{"user":"web:u1","text":"x"}`, 403, "", ""},
		// Without tokens: loopback on the sandbox, ids as given.
		{"local sandbox", nil, true, false, "127.0.0.1:1", nil, `{"user":"o_demo_1","text":"x","id":"wx:7001"}`, 200, "o_demo_1", "api:wx:7001"},
		// Without tokens, a remote client is 403.
		{"remote", nil, true, false, "203.0.113.9:1", nil, `{"user":"o_demo_1","text":"x"}`, 403, "", ""},
		// Without tokens, a request through a proxy on loopback is not local.
		{"proxied", nil, true, false, "127.0.0.1:1", map[string]string{"X-Forwarded-For": "203.0.113.9"}, `{"user":"o_demo_1","text":"x"}`, 403, "", ""},
		// Without tokens on a real bank: 403 even from loopback.
		{"real bank", nil, false, false, "127.0.0.1:1", nil, `{"user":"o_demo_1","text":"x"}`, 403, "", ""},
		// "as" with a token but without the sandbox: 403.
		{"as real bank", tokens, false, true, "127.0.0.1:1", map[string]string{"Authorization": "Bearer " + webToken}, `{"user":"u","text":"x","as":"C001"}`, 403, "", ""},
		// "as" on the sandbox without --sandbox-login: 403.
		{"as no login", nil, true, false, "127.0.0.1:1", nil, `{"user":"u","text":"x","as":"C001"}`, 403, "", ""},
		// "as" on the sandbox with --sandbox-login.
		{"as login", nil, true, true, "127.0.0.1:1", nil, `{"user":"u","text":"x","as":"C001"}`, 200, "u", ""},
	}
	for _, tt := range tests {
		tr := &whoTurner{}
		h := NewChat(ChatOptions{Turner: tr, Tokens: tt.tokens, Sandbox: tt.sandbox, SandboxLogin: tt.login})
		req := httptest.NewRequest("POST", "/api/chat", strings.NewReader(tt.body))
		req.RemoteAddr = tt.remote
		for k, v := range tt.header {
			req.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != tt.status {
			t.Errorf("%s: status %d %s, want %d", tt.name, w.Code, w.Body, tt.status)
			continue
		}
		if tt.status == 401 && w.Header().Get("WWW-Authenticate") == "" {
			t.Errorf("%s: 401 without WWW-Authenticate", tt.name)
		}
		if tt.status != 200 {
			if len(tr.users) != 0 {
				t.Errorf("%s: refused request reached the engine as %v", tt.name, tr.users)
			}
			continue
		}
		if len(tr.users) != 1 || tr.users[0] != tt.user || tr.ids[0] != tt.id {
			t.Errorf("%s: engine got users %v ids %v, want %q %q", tt.name, tr.users, tr.ids, tt.user, tt.id)
		}
	}
}

// Ensure WEIYIN_API_TOKENS is parsed strictly: a mistake refuses to start rather than
// running with a weaker set of callers than configured.
func TestParseTokens(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		fail bool
	}{
		{"", 0, false}, // nothing configured
		{"web:" + webToken + ", wechat:" + wechatToken, 2, false}, // two callers, spaces allowed
		{"web", 0, true},       // no token
		{"web:short", 0, true}, // a guessable token
		{"web:" + webToken + ",web:" + wechatToken, 0, true}, // a name twice
		{"web:" + webToken + ",h5:" + webToken, 0, true},     // a token twice
		{"we b:" + webToken, 0, true},                        // a name that cannot namespace
	}
	for _, tt := range tests {
		got, err := ParseTokens(tt.in)
		if (err != nil) != tt.fail || len(got) != tt.n {
			t.Errorf("%q: %v %v", tt.in, got, err)
		}
	}
}

// Ensure entities show card numbers by their tail and phone numbers masked, as the texts do.
func TestResponseMasksEntities(t *testing.T) {
	r := Response(engine.Reply{Entities: []engine.ReplyEntity{
		{Type: "contact", Value: "6217880100002233", Text: "王芳"},
		{Type: "number", Value: "6217 8801 0000 2233", Text: "6217 8801 0000 2233"},
		{Type: "phone", Value: "13812345678", Text: "13812345678"},
		{Type: "money", Value: "500.00", Text: "五百块"},
	}})
	b, _ := json.Marshal(r.Entities)
	for _, leak := range []string{"6217880100002233", "8801", "13812345678"} {
		if strings.Contains(string(b), leak) {
			t.Errorf("entities leak %s: %s", leak, b)
		}
	}
	for _, keep := range []string{"尾号2233", "138****5678", "500.00", "王芳"} {
		if !strings.Contains(string(b), keep) {
			t.Errorf("entities lost %s: %s", keep, b)
		}
	}
}
