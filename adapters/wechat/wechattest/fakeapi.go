package wechattest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/silenceper/wechat/v2/officialaccount/message"
)

// FakeAPI is a fake api.weixin.qq.com: GET /cgi-bin/token, POST
// /cgi-bin/message/custom/send and POST /cgi-bin/message/template/send. It checks the
// AppID/secret and access tokens as WeChat does, records what it receives, and can be told to
// expire tokens or fail sends. Safe for concurrent use.
type FakeAPI struct {
	AppID, Secret string

	srv *httptest.Server

	mu        sync.Mutex
	tokens    map[string]bool // valid access tokens
	issued    int
	custom    []message.CustomerMessage
	templates []message.TemplateMessage
	failNext  []int64 // errcodes the next sends answer with, in order
	httpFail  int     // the next sends answer HTTP 500
	sendDelay time.Duration
	notify    chan struct{}
	nextMsgID int64
}

// NewFakeAPI starts a fake API for appID/secret on 127.0.0.1. Close it when done.
func NewFakeAPI(appID, secret string) *FakeAPI {
	f := &FakeAPI{AppID: appID, Secret: secret, tokens: map[string]bool{}, notify: make(chan struct{}, 1), nextMsgID: 1000}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /cgi-bin/token", f.token)
	mux.HandleFunc("POST /cgi-bin/message/custom/send", f.customSend)
	mux.HandleFunc("POST /cgi-bin/message/template/send", f.templateSend)
	f.srv = httptest.NewServer(mux)
	return f
}

// URL is the base URL to pass as --wechat-api.
func (f *FakeAPI) URL() string { return f.srv.URL }

// Close stops the server.
func (f *FakeAPI) Close() { f.srv.Close() }

// ExpireTokens invalidates every issued access token (the next call gets errcode 40001).
func (f *FakeAPI) ExpireTokens() {
	f.mu.Lock()
	f.tokens = map[string]bool{}
	f.mu.Unlock()
}

// TokensIssued is how many access tokens were handed out.
func (f *FakeAPI) TokensIssued() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.issued
}

// FailNext makes the next len(codes) sends answer with these errcodes, in order.
func (f *FakeAPI) FailNext(codes ...int64) {
	f.mu.Lock()
	f.failNext = append(f.failNext, codes...)
	f.mu.Unlock()
}

// FailHTTP makes the next n sends answer HTTP 500.
func (f *FakeAPI) FailHTTP(n int) {
	f.mu.Lock()
	f.httpFail += n
	f.mu.Unlock()
}

// SetSendDelay makes every send take d.
func (f *FakeAPI) SetSendDelay(d time.Duration) {
	f.mu.Lock()
	f.sendDelay = d
	f.mu.Unlock()
}

// Custom returns the customer-service messages received so far.
func (f *FakeAPI) Custom() []message.CustomerMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]message.CustomerMessage(nil), f.custom...)
}

// Templates returns the template messages received so far.
func (f *FakeAPI) Templates() []message.TemplateMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]message.TemplateMessage(nil), f.templates...)
}

// WaitFor polls until cond holds or timeout passes, and reports whether it held.
func (f *FakeAPI) WaitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		select {
		case <-f.notify:
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func apiErr(w http.ResponseWriter, code int64, msg string) {
	writeJSON(w, map[string]any{"errcode": code, "errmsg": msg})
}

func (f *FakeAPI) token(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("grant_type") != "client_credential" {
		apiErr(w, 40002, "invalid grant_type")
		return
	}
	if q.Get("appid") != f.AppID || q.Get("secret") != f.Secret {
		apiErr(w, 40125, "invalid appsecret")
		return
	}
	f.mu.Lock()
	f.issued++
	tok := fmt.Sprintf("FAKE-TOKEN-%d", f.issued)
	f.tokens[tok] = true
	f.mu.Unlock()
	writeJSON(w, map[string]any{"access_token": tok, "expires_in": 7200})
}

// admit checks the access token and the injected failures; false means it has answered.
func (f *FakeAPI) admit(w http.ResponseWriter, r *http.Request) bool {
	f.mu.Lock()
	delay := f.sendDelay
	f.mu.Unlock()
	if delay > 0 {
		time.Sleep(delay)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	tok := r.URL.Query().Get("access_token")
	switch {
	case tok == "":
		apiErr(w, 41001, "access_token missing")
		return false
	case !f.tokens[tok]:
		apiErr(w, 40001, "invalid credential, access_token is invalid or not latest")
		return false
	case f.httpFail > 0:
		f.httpFail--
		http.Error(w, "busy", http.StatusInternalServerError)
		return false
	case len(f.failNext) > 0:
		code := f.failNext[0]
		f.failNext = f.failNext[1:]
		apiErr(w, code, "injected failure")
		return false
	}
	return true
}

func (f *FakeAPI) signal() {
	select {
	case f.notify <- struct{}{}:
	default:
	}
}

func (f *FakeAPI) customSend(w http.ResponseWriter, r *http.Request) {
	if !f.admit(w, r) {
		return
	}
	var m message.CustomerMessage
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil || m.ToUser == "" {
		apiErr(w, 47001, "data format error")
		return
	}
	f.mu.Lock()
	f.custom = append(f.custom, m)
	f.mu.Unlock()
	f.signal()
	apiErr(w, 0, "ok")
}

func (f *FakeAPI) templateSend(w http.ResponseWriter, r *http.Request) {
	if !f.admit(w, r) {
		return
	}
	var m message.TemplateMessage
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil || m.ToUser == "" || m.TemplateID == "" {
		apiErr(w, 47001, "data format error")
		return
	}
	f.mu.Lock()
	f.templates = append(f.templates, m)
	f.nextMsgID++
	id := f.nextMsgID
	f.mu.Unlock()
	f.signal()
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "msgid": id})
}
