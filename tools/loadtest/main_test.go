package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weiyin-bank/weiyin/adapters/bank/sandbox"
	"github.com/weiyin-bank/weiyin/adapters/wechat"
	"github.com/weiyin-bank/weiyin/adapters/wechat/wechattest"
)

// Ensure a bounded run against the in-process endpoint sends exactly -n messages in both
// modes, verifies every reply and reports the figures.
func TestFakeRun(t *testing.T) {
	const aes = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	for _, tt := range []struct {
		key   string
		conns int
	}{{"", 0}, {aes, 0}, {aes, 3}} {
		key := tt.key
		var out bytes.Buffer
		o := options{fake: true, token: "tok", appID: "wxapp", aesKey: key, users: 20, n: 300,
			duration: 20 * time.Second, timeout: 5 * time.Second, texts: "你好|余额", conns: tt.conns}
		if err := run(o, &out); err != nil {
			t.Fatalf("aeskey=%q: %v\n%s", key, err, out.String())
		}
		for _, want := range []string{"sent        300 in", "replies     300 ok (0", "errors      0", "p99", "cpu check"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("aeskey=%q: report lacks %q:\n%s", key, want, out.String())
			}
		}
	}
}

// Ensure several -url targets share the messages: at random, both get some; with -sticky,
// each user's messages go to one target (20 users of 15 messages: 150 each).
func TestSeveralTargets(t *testing.T) {
	h, err := wechat.NewHandler(wechat.Options{Config: wechat.Config{AppID: "wxapp", Token: "tok"}, Turner: instant{}})
	if err != nil {
		t.Fatal(err)
	}
	var counts [2]atomic.Int64
	var urls []string
	for i := range counts {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost { // not the tool's look at /metrics
				counts[i].Add(1)
			}
			h.ServeHTTP(w, r)
		}))
		defer srv.Close()
		urls = append(urls, srv.URL+"/wechat")
	}
	for _, sticky := range []bool{false, true} {
		counts[0].Store(0)
		counts[1].Store(0)
		var out bytes.Buffer
		o := options{url: strings.Join(urls, ","), sticky: sticky, token: "tok", appID: "wxapp", users: 20, n: 300,
			duration: 20 * time.Second, timeout: 5 * time.Second, texts: "你好|余额"}
		if err := run(o, &out); err != nil {
			t.Fatalf("sticky=%v: %v\n%s", sticky, err, out.String())
		}
		a, b := counts[0].Load(), counts[1].Load()
		if a+b != 300 || a == 0 || b == 0 || (sticky && a != 150) {
			t.Errorf("sticky=%v: the targets got %d and %d of 300", sticky, a, b)
		}
	}
}

// Ensure a wrong token is reported as errors, not as successes.
func TestWrongToken(t *testing.T) {
	url, stop, err := serveFake(options{token: "right", appID: "wxapp"})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	var out bytes.Buffer
	err = run(options{url: url, token: "wrong", appID: "wxapp", users: 2, n: 10, duration: 10 * time.Second,
		timeout: 5 * time.Second, texts: "你好"}, &out)
	if err == nil || !strings.Contains(out.String(), "http-403=10") {
		t.Errorf("err %v, report:\n%s", err, out.String())
	}
}

// Ensure the prebuilt requests share -n evenly among the users, each a distinct MsgId with
// its own nonce, signed so that the endpoint accepts them.
func TestPrepare(t *testing.T) {
	o := options{url: "http://127.0.0.1:1/wechat", token: "tok", appID: "wxapp", aesKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
		users: 3, n: 10, texts: "你好|余额"}
	s, err := wechattest.NewSigner(o.token, o.appID, o.aesKey)
	if err != nil {
		t.Fatal(err)
	}
	per, err := prepare(o, s)
	if err != nil {
		t.Fatal(err)
	}
	var quotas []int
	nonces := map[string]bool{}
	bodies := map[string]bool{}
	for _, reqs := range per {
		quotas = append(quotas, len(reqs))
		for _, raw := range reqs {
			req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
			if err != nil {
				t.Fatalf("prebuilt request does not parse: %v", err)
			}
			nonces[req.URL.Query().Get("nonce")] = true
			body, _ := io.ReadAll(req.Body)
			bodies[string(body)] = true
		}
	}
	if fmt.Sprint(quotas) != "[4 3 3]" {
		t.Errorf("quotas %v, want [4 3 3]", quotas)
	}
	if len(nonces) != 10 || len(bodies) != 10 {
		t.Errorf("%d distinct nonces and %d distinct bodies for 10 requests", len(nonces), len(bodies))
	}
	if _, err := prepare(options{url: "https://example.com/wechat", users: 1, n: 1, texts: "x"}, s); err == nil {
		t.Error("an https URL was accepted")
	}
}

// Ensure the fast reply check agrees with wechattest's full one and refuses what it refuses,
// and check classifies each reply.
func TestOpenReply(t *testing.T) {
	const key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	s, _ := wechattest.NewSigner("tok", "wxapp", key)
	h, err := wechat.NewHandler(wechat.Options{Config: wechat.Config{AppID: "wxapp", Token: "tok", AESKey: key}, Turner: instant{}})
	if err != nil {
		t.Fatal(err)
	}
	m := wechattest.Msg{To: "gh", From: "o_1", CreateTime: time.Now().Unix(), Type: "text", Content: "a]]>b", MsgID: 7}
	body, q := s.Body(m.XML(), []byte("0123456789abcdef"), m.CreateTime, "n1", m.From)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("POST", "/wechat?"+q.Encode(), bytes.NewReader(body)))
	reply := w.Body.Bytes()
	tests := []struct {
		name string
		body []byte
		ok   bool
		kind string // check's verdict for user o_1
	}{
		{"the endpoint's reply", reply, true, ""},
		{"success", []byte("success"), true, "success"},
		{"tampered signature", bytes.Replace(reply, []byte("<MsgSignature><![CDATA["), []byte("<MsgSignature><![CDATA[0"), 1), false, "bad-reply"},
		{"tampered ciphertext", bytes.Replace(reply, []byte("<Encrypt><![CDATA["), []byte("<Encrypt><![CDATA[AAAA"), 1), false, "bad-reply"},
		{"not XML", []byte("<html>busy</html>"), false, "bad-reply"},
	}
	if got := check(s, reply, "o_2"); got != "wrong-reply" {
		t.Errorf("a reply to o_1 checked for o_2: %q, want wrong-reply", got)
	}
	for _, tt := range tests {
		if got := check(s, tt.body, "o_1"); got != tt.kind {
			t.Errorf("%s: check %q, want %q", tt.name, got, tt.kind)
		}
		got, err := openReply(s, tt.body)
		want, werr := s.Open(tt.body)
		if (err == nil) != tt.ok || (werr == nil) != tt.ok {
			t.Errorf("%s: fast err %v, full err %v, want ok=%v", tt.name, err, werr, tt.ok)
			continue
		}
		if got != want {
			t.Errorf("%s: fast %+v, full %+v", tt.name, got, want)
		}
	}
}

// Ensure -fixture writes a fixture the sandbox loads, with every simulated user bound to a
// customer who has an account.
func TestWriteFixture(t *testing.T) {
	path := filepath.Join(t.TempDir(), "load.json")
	if err := writeFixture(path, 3); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fix, err := sandbox.LoadFixture(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	bank, err := sandbox.Open(filepath.Join(t.TempDir(), "bank.db"), sandbox.Options{Fixture: fix, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer bank.Close()
	ctx := context.Background()
	for u := range 3 {
		c, err := bank.CustomerByOpenID(ctx, userID(u))
		if err != nil {
			t.Fatalf("%s: %v", userID(u), err)
		}
		if as, err := bank.Accounts(ctx, c.ID); err != nil || len(as) != 1 {
			t.Errorf("%s: accounts %v, %v; want one", userID(u), as, err)
		}
	}
}

// Ensure the server's commit counts are read from the /metrics beside the target, and that a
// target without them (not weiyin, or down) gives none.
func TestCommitCounts(t *testing.T) {
	metrics := `# TYPE weiyin_store_commit_duration_seconds histogram
weiyin_store_commit_duration_seconds_bucket{le="0.025"} 95
weiyin_store_commit_duration_seconds_bucket{le="0.05"} 97
weiyin_store_commit_duration_seconds_bucket{le="+Inf"} 100
weiyin_store_commit_duration_seconds_count 100
`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, metrics)
	}))
	defer srv.Close()
	groups, slow, ok := commitCounts([]string{srv.URL + "/wechat?x=1"})
	if !ok || groups != 100 || slow != 3 {
		t.Errorf("commitCounts = %v %v %v, want 100 3 true", groups, slow, ok)
	}
	// Two instances: their counts add up.
	if groups, slow, ok := commitCounts([]string{srv.URL + "/wechat", srv.URL + "/wechat"}); !ok || groups != 200 || slow != 6 {
		t.Errorf("commitCounts of two = %v %v %v, want 200 6 true", groups, slow, ok)
	}
	metrics = "go_goroutines 7\n"
	if _, _, ok := commitCounts([]string{srv.URL + "/wechat"}); ok {
		t.Error("a server without the metric gave counts")
	}
	srv.Close()
	if _, _, ok := commitCounts([]string{srv.URL + "/wechat"}); ok {
		t.Error("a server that is down gave counts")
	}
}

// Ensure the load waits for a server that is still starting, and gives up on one that does
// not come.
func TestAwaitTarget(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // the server is not up yet
	if err := awaitTarget("http://"+addr+"/wechat", 300*time.Millisecond); err == nil || !strings.Contains(err.Error(), "does not accept connections") {
		t.Fatalf("no server: %v", err)
	}
	go func() {
		time.Sleep(300 * time.Millisecond)
		if l, err := net.Listen("tcp", addr); err == nil {
			t.Cleanup(func() { l.Close() })
		}
	}()
	if err := awaitTarget("http://"+addr+"/wechat", 10*time.Second); err != nil {
		t.Fatalf("a server up after 300 ms: %v", err)
	}
}
