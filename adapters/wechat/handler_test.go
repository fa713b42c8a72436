package wechat_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weiyin-bank/weiyin/adapters/wechat"
	"github.com/weiyin-bank/weiyin/adapters/wechat/wechattest"
	"github.com/weiyin-bank/weiyin/engine"
)

// fakeTurner answers with a scripted function after an optional delay and records calls.
type fakeTurner struct {
	delay time.Duration
	reply func(user string, m engine.Message) (engine.Reply, error)

	mu    sync.Mutex
	calls []engine.Message
	users []string
	n     atomic.Int64
}

func (f *fakeTurner) Turn(ctx context.Context, user string, m engine.Message) (engine.Reply, error) {
	f.n.Add(1)
	f.mu.Lock()
	f.calls = append(f.calls, m)
	f.users = append(f.users, user)
	f.mu.Unlock()
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-ctx.Done():
			return engine.Reply{}, ctx.Err()
		}
	}
	if f.reply != nil {
		return f.reply(user, m)
	}
	return engine.Reply{Texts: []string{"收到：" + describe(m)}}, nil
}

func (f *fakeTurner) last() engine.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) == 0 {
		return engine.Message{}
	}
	return f.calls[len(f.calls)-1]
}

func describe(m engine.Message) string {
	switch m.Kind {
	case "event":
		return m.Event + ":" + m.Key
	case "location":
		return fmt.Sprintf("%s@%g,%g", m.Label, m.Lat, m.Lng)
	}
	return m.Kind + ":" + m.Text
}

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

const (
	testToken  = "weiyintoken"
	testAppID  = "wx0123456789abcdef"
	testSecret = "secret"
	testAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	testNow    = 1764000000 // 2025-11-24T16:00:00Z
	openid     = "o_user_1"
)

// rig is a handler on an httptest server with a fake turner and a fake WeChat API.
type rig struct {
	t      *testing.T
	srv    *httptest.Server
	h      *wechat.Handler
	turner *fakeTurner
	api    *wechattest.FakeAPI
	signer *wechattest.Signer
	dups   atomic.Int64
}

func newRig(t *testing.T, safe bool, turner *fakeTurner, tweak func(*wechat.Options)) *rig {
	t.Helper()
	r := &rig{t: t, turner: turner, api: wechattest.NewFakeAPI(testAppID, testSecret)}
	t.Cleanup(r.api.Close)
	key := ""
	if safe {
		key = testAESKey
	}
	o := wechat.Options{
		Config:      wechat.Config{AppID: testAppID, Token: testToken, AESKey: key, Secret: testSecret},
		Turner:      turner,
		Sender:      wechat.NewClient(wechat.ClientConfig{AppID: testAppID, Secret: testSecret, BaseURL: r.api.URL()}),
		Clock:       fixedClock{time.Unix(testNow, 0)},
		OnDuplicate: func() { r.dups.Add(1) },
	}
	if tweak != nil {
		tweak(&o)
	}
	h, err := wechat.NewHandler(o)
	if err != nil {
		t.Fatal(err)
	}
	r.h = h
	r.srv = httptest.NewServer(h)
	t.Cleanup(func() {
		r.srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := h.Close(ctx); err != nil {
			t.Error(err)
		}
	})
	r.signer, err = wechattest.NewSigner(testToken, testAppID, key)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// push sends m signed (and encrypted in safe mode) at the test time and returns the status
// and decoded reply.
func (r *rig) push(m wechattest.Msg) (int, wechattest.Reply) {
	r.t.Helper()
	req, err := r.signer.Request(r.srv.URL, m.XML(), testNow, wechattest.Nonce(m.XML()), m.From)
	if err != nil {
		r.t.Fatal(err)
	}
	return r.do(req)
}

func (r *rig) do(req *http.Request) (int, wechattest.Reply) {
	r.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, wechattest.Reply{}
	}
	rep, err := r.signer.Open(body)
	if err != nil {
		r.t.Fatalf("reply %q: %v", body, err)
	}
	return resp.StatusCode, rep
}

func text(id int64, content string) wechattest.Msg {
	return wechattest.Msg{To: "gh_bank", From: openid, CreateTime: testNow, Type: "text", Content: content, MsgID: id}
}

// Ensure every message type reaches the engine as the right engine.Message and its answer
// comes back as the passive reply, in plaintext and in safe mode.
func TestMessageTypes(t *testing.T) {
	tests := []struct {
		name  string
		msg   wechattest.Msg
		want  engine.Message // zero Kind: no turn
		reply string         // "" = success
	}{
		// Text is passed as is, with the MsgId as message id.
		{"text", text(1001, "我的余额"), engine.Message{ID: "wx:1001", Kind: "text", Text: "我的余额"}, "收到：text:我的余额"},
		// Markup in the text survives the CDATA of the reply.
		{"markup", text(1007, "a]]>b<c>&"), engine.Message{ID: "wx:1007", Kind: "text", Text: "a]]>b<c>&"}, "收到：text:a]]>b<c>&"},
		// Voice uses WeChat's transcript.
		{"voice", wechattest.Msg{Type: "voice", MsgID: 1002, MediaID: "m1", Format: "amr", Recognition: "查一下余额。"},
			engine.Message{ID: "wx:1002", Kind: "voice", Text: "查一下余额。"}, "收到：voice:查一下余额。"},
		// Voice without a transcript (and no ASR) asks the customer to type, without a turn.
		{"voice empty", wechattest.Msg{Type: "voice", MsgID: 1003, MediaID: "m2", Format: "amr"},
			engine.Message{}, wechat.DefaultAskToType},
		// Location carries coordinates and label.
		{"location", wechattest.Msg{Type: "location", MsgID: 1004, LocationX: 31.2304, LocationY: 121.4737, Scale: 15, Label: "上海市黄浦区"},
			engine.Message{ID: "wx:1004", Kind: "location", Lat: 31.2304, Lng: 121.4737, Label: "上海市黄浦区"}, "收到：上海市黄浦区@31.2304,121.4737"},
		// Menu clicks become click events with the menu key.
		{"click", wechattest.Msg{Type: "event", Event: "CLICK", EventKey: "MENU_BALANCE"},
			engine.Message{ID: "wx:ev:" + openid + ":1764000000:click:MENU_BALANCE", Kind: "event", Event: "click", Key: "MENU_BALANCE"}, "收到：click:MENU_BALANCE"},
		// Subscribing through a QR code passes the qrscene_ key.
		{"subscribe", wechattest.Msg{Type: "event", Event: "subscribe", EventKey: "qrscene_branch42"},
			engine.Message{ID: "wx:ev:" + openid + ":1764000000:subscribe:qrscene_branch42", Kind: "event", Event: "subscribe", Key: "qrscene_branch42"}, "收到：subscribe:qrscene_branch42"},
		// A subscribed customer scanning a QR code.
		{"scan", wechattest.Msg{Type: "event", Event: "SCAN", EventKey: "branch42"},
			engine.Message{ID: "wx:ev:" + openid + ":1764000000:scan:branch42", Kind: "event", Event: "scan", Key: "branch42"}, "收到：scan:branch42"},
		// Unsubscribing ends the session in the engine; nothing can be answered.
		{"unsubscribe", wechattest.Msg{Type: "event", Event: "unsubscribe"},
			engine.Message{ID: "wx:ev:" + openid + ":1764000000:unsubscribe", Kind: "event", Event: "unsubscribe"}, ""},
		// Images reach the engine as Kind image (it answers politely).
		{"image", wechattest.Msg{Type: "image", MsgID: 1005, PicURL: "http://x/y.jpg", MediaID: "img1"},
			engine.Message{ID: "wx:1005", Kind: "image"}, "收到：image:"},
		// Other types too.
		{"video", wechattest.Msg{Type: "video", MsgID: 1006}, engine.Message{ID: "wx:1006", Kind: "image"}, "收到：image:"},
		// Menu links and location reports need no turn.
		{"view", wechattest.Msg{Type: "event", Event: "VIEW", EventKey: "https://bank/"}, engine.Message{}, ""},
		{"location report", wechattest.Msg{Type: "event", Event: "LOCATION"}, engine.Message{}, ""},
	}
	for _, safe := range []bool{false, true} {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s/safe=%v", tt.name, safe), func(t *testing.T) {
				ft := &fakeTurner{}
				r := newRig(t, safe, ft, nil)
				m := tt.msg
				m.To, m.From, m.CreateTime = "gh_bank", openid, testNow
				code, rep := r.push(m)
				if code != http.StatusOK {
					t.Fatalf("status %d", code)
				}
				if tt.want.Kind == "" {
					if n := ft.n.Load(); n != 0 {
						t.Errorf("turns = %d, want 0", n)
					}
				} else if got := ft.last(); got != tt.want {
					t.Errorf("engine got %+v, want %+v", got, tt.want)
				} else if ft.users[0] != openid {
					t.Errorf("user = %q", ft.users[0])
				}
				if tt.reply == "" {
					if !rep.Success {
						t.Errorf("reply %+v, want success", rep)
					}
					return
				}
				if rep.Text != tt.reply || rep.To != openid || rep.Type != "text" {
					t.Errorf("reply %+v, want text %q to %s", rep, tt.reply, openid)
				}
			})
		}
	}
}

type asrFunc func(ctx context.Context, media, format string) (string, error)

func (f asrFunc) Transcribe(ctx context.Context, media, format string) (string, error) {
	return f(ctx, media, format)
}

// Ensure a voice message without WeChat's transcript goes through the ASR hook.
func TestVoiceASR(t *testing.T) {
	ft := &fakeTurner{}
	r := newRig(t, false, ft, func(o *wechat.Options) {
		o.ASR = asrFunc(func(_ context.Context, media, format string) (string, error) {
			return "转账 " + media + "." + format, nil
		})
	})
	_, rep := r.push(wechattest.Msg{To: "gh", From: openid, CreateTime: testNow, Type: "voice", MsgID: 7, MediaID: "m9", Format: "amr"})
	if got := ft.last(); got.Text != "转账 m9.amr" || got.Kind != "voice" {
		t.Errorf("engine got %+v", got)
	}
	if rep.Text != "收到：voice:转账 m9.amr" {
		t.Errorf("reply %+v", rep)
	}
}

// Ensure requests that fail authentication or are malformed are refused before any turn.
func TestRefused(t *testing.T) {
	for _, safe := range []bool{false, true} {
		ft := &fakeTurner{}
		r := newRig(t, safe, ft, func(o *wechat.Options) { o.MaxBody = 4096 })
		good := text(2001, "你好").XML()
		body, q := r.signer.Body(good, []byte("0123456789abcdef"), testNow, "n", openid)
		tests := []struct {
			name   string
			query  func() string
			body   []byte
			status int
			safe   int // only in this mode: 0 both, 1 plaintext, 2 safe
		}{
			// A forged signature is 403, not the SDK's silent 200.
			{"forged signature", func() string { q2 := clone(q); q2.Set("signature", strings.Repeat("0", 40)); return q2.Encode() }, body, 403, 0},
			// No signature at all.
			{"no signature", func() string { q2 := clone(q); q2.Del("signature"); return q2.Encode() }, body, 403, 0},
			// A signature made with another token.
			{"wrong token", func() string {
				q2 := clone(q)
				q2.Set("signature", wechat.Signature("other", q.Get("timestamp"), "n"))
				return q2.Encode()
			}, body, 403, 0},
			// Older than 5 minutes: a replay.
			{"stale", func() string { return signedAt(r, testNow-301, body, good) }, body, 403, 0},
			// Far in the future.
			{"future", func() string { return signedAt(r, testNow+301, body, good) }, body, 403, 0},
			// Non-numeric timestamp.
			{"bad timestamp", func() string {
				q2 := clone(q)
				q2.Set("timestamp", "x")
				q2.Set("signature", wechat.Signature(testToken, "x", "n"))
				return q2.Encode()
			}, body, 403, 0},
			// Over the body cap.
			{"oversize", func() string { return q.Encode() }, bytes.Repeat([]byte("<a>"), 2000), 413, 0},
			// Malformed XML with a good signature.
			{"malformed xml", func() string { return q.Encode() }, []byte("<xml><FromUserName>"), 400, 1},
			// A message without sender.
			{"no sender", func() string { return fresh(r, []byte("<xml><MsgType>text</MsgType></xml>")) }, []byte("<xml><MsgType>text</MsgType></xml>"), 400, 1},
			// A signed URL already used, with another body: a replay (the plaintext
			// signature does not cover the body), from whatever openid.
			{"replayed URL", func() string { return q.Encode() }, text(2003, "我的余额").XML(), 403, 1},
			{"replayed URL other openid", func() string { return q.Encode() },
				wechattest.Msg{To: "gh_bank", From: "o_victim", CreateTime: testNow, Type: "text", Content: "转账", MsgID: 2004}.XML(), 403, 1},
			// A forged msg_signature over the ciphertext.
			{"forged msg_signature", func() string { q2 := clone(q); q2.Set("msg_signature", strings.Repeat("1", 40)); return q2.Encode() }, body, 403, 2},
			// Ciphertext that does not decrypt, correctly signed.
			{"bad ciphertext", func() string {
				q2 := clone(q)
				q2.Set("msg_signature", wechat.Signature(testToken, q.Get("timestamp"), "n", "QUJDRA=="))
				return q2.Encode()
			}, []byte("<xml><Encrypt><![CDATA[QUJDRA==]]></Encrypt></xml>"), 400, 2},
			// A malformed envelope.
			{"malformed envelope", func() string { return q.Encode() }, []byte("<xml><Encrypt>"), 400, 2},
			// Safe mode refuses plaintext pushes.
			{"plaintext in safe mode", func() string { q2 := clone(q); q2.Del("encrypt_type"); return q2.Encode() }, good, 400, 2},
		}
		for _, tt := range tests {
			if (tt.safe == 1 && safe) || (tt.safe == 2 && !safe) {
				continue
			}
			resp, err := http.Post(r.srv.URL+"?"+tt.query(), "text/xml", bytes.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			out, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("safe=%v %s: status %d (%s), want %d", safe, tt.name, resp.StatusCode, out, tt.status)
			}
		}
		if n := ft.n.Load(); n != 0 {
			t.Errorf("safe=%v: %d turns ran for refused requests", safe, n)
		}
		// The good request still works: the refusals above did not poison anything.
		code, rep := r.push(text(2002, "你好"))
		if code != 200 || rep.Text != "收到：text:你好" {
			t.Errorf("safe=%v: good request: %d %+v", safe, code, rep)
		}
	}
}

func clone(q url.Values) url.Values {
	c := url.Values{}
	for k, v := range q {
		c[k] = append([]string(nil), v...)
	}
	return c
}

// fresh signs a plaintext push of body with a nonce of its own.
func fresh(r *rig, body []byte) string {
	_, q := r.signer.Body(body, []byte("0123456789abcdef"), testNow, wechattest.Nonce(body), openid)
	return q.Encode()
}

// signedAt re-signs the request for timestamp ts (valid signatures, stale time).
func signedAt(r *rig, ts int64, _ []byte, plain []byte) string {
	_, q := r.signer.Body(plain, []byte("0123456789abcdef"), ts, "n", openid)
	return q.Encode()
}

// Ensure URL verification echoes echostr only when signed and fresh.
func TestURLVerification(t *testing.T) {
	r := newRig(t, true, &fakeTurner{}, nil)
	q := r.signer.Query(testNow, "n1", "", "")
	q.Set("echostr", "4375120948345356249")
	resp, err := http.Get(r.srv.URL + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "4375120948345356249" {
		t.Errorf("verification: %d %q", resp.StatusCode, body)
	}
	q.Set("signature", strings.Repeat("a", 40))
	resp, err = http.Get(r.srv.URL + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("forged verification: %d, want 403", resp.StatusCode)
	}
}

// Ensure concurrent retries of one MsgId run one turn and all get the same reply.
func TestConcurrentRetries(t *testing.T) {
	for _, safe := range []bool{false, true} {
		ft := &fakeTurner{delay: 300 * time.Millisecond}
		r := newRig(t, safe, ft, nil)
		const n = 8
		replies := make([]wechattest.Reply, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, replies[i] = r.push(text(3001, "转账"))
			}()
		}
		wg.Wait()
		if got := ft.n.Load(); got != 1 {
			t.Errorf("safe=%v: %d turns, want 1", safe, got)
		}
		for i, rep := range replies {
			if rep.Text != "收到：text:转账" {
				t.Errorf("safe=%v: retry %d got %+v", safe, i, rep)
			}
		}
		if d := r.dups.Load(); d != n-1 {
			t.Errorf("safe=%v: %d duplicates counted, want %d", safe, d, n-1)
		}
		// A late retry gets the same reply and no new turn.
		if _, rep := r.push(text(3001, "转账")); rep.Text != "收到：text:转账" || ft.n.Load() != 1 {
			t.Errorf("safe=%v: late retry %+v, turns %d", safe, rep, ft.n.Load())
		}
		// Another message id is another turn.
		r.push(text(3002, "转账"))
		if ft.n.Load() != 2 {
			t.Errorf("safe=%v: new id did not turn", safe)
		}
	}
}

// Ensure a turn slower than the deadline is answered "success" at once and delivered as a
// customer-service message; retries meanwhile get "success" and start nothing.
func TestSlowTurnGoesAsync(t *testing.T) {
	ft := &fakeTurner{delay: 400 * time.Millisecond}
	r := newRig(t, true, ft, func(o *wechat.Options) { o.Deadline = 100 * time.Millisecond })
	start := time.Now()
	_, rep := r.push(text(4001, "查余额"))
	if !rep.Success {
		t.Fatalf("reply %+v, want success", rep)
	}
	if el := time.Since(start); el > 300*time.Millisecond {
		t.Errorf("answered after %v, want about the deadline", el)
	}
	if _, rep := r.push(text(4001, "查余额")); !rep.Success {
		t.Errorf("retry got %+v, want success", rep)
	}
	ok := r.api.WaitFor(3*time.Second, func() bool { return len(r.api.Custom()) == 1 })
	if !ok {
		t.Fatalf("no customer-service message; got %+v", r.api.Custom())
	}
	cs := r.api.Custom()[0]
	if cs.ToUser != openid || cs.Text == nil || cs.Text.Content != "收到：text:查余额" {
		t.Errorf("customer-service message %+v", cs)
	}
	// A retry after delivery still gets success, and nothing is sent twice.
	if _, rep := r.push(text(4001, "查余额")); !rep.Success {
		t.Errorf("late retry got %+v", rep)
	}
	time.Sleep(50 * time.Millisecond)
	if n := len(r.api.Custom()); n != 1 || ft.n.Load() != 1 {
		t.Errorf("%d customer-service messages, %d turns; want 1, 1", n, ft.n.Load())
	}
}

// Ensure a reply over 2048 bytes is split at line breaks: the first part passive, the rest as
// customer-service messages, nothing lost.
func TestLongReplySplit(t *testing.T) {
	var lines []string
	for i := range 60 {
		lines = append(lines, fmt.Sprintf("第%02d条：活期账户余额明细示例文字内容", i))
	}
	ft := &fakeTurner{reply: func(string, engine.Message) (engine.Reply, error) {
		return engine.Reply{Texts: []string{strings.Join(lines, "\n")}, Buttons: []string{"确认", "取消"}}, nil
	}}
	r := newRig(t, true, ft, nil)
	_, rep := r.push(text(5001, "明细"))
	if len(rep.Text) > wechat.MaxReplyBytes || !strings.HasPrefix(rep.Text, lines[0]) {
		t.Fatalf("passive part %d bytes: %.40q", len(rep.Text), rep.Text)
	}
	if !r.api.WaitFor(3*time.Second, func() bool { return len(r.api.Custom()) >= 1 }) {
		t.Fatal("no customer-service parts")
	}
	time.Sleep(50 * time.Millisecond)
	all := rep.Text
	for _, cs := range r.api.Custom() {
		if len(cs.Text.Content) > wechat.MaxReplyBytes {
			t.Errorf("part of %d bytes", len(cs.Text.Content))
		}
		all += "\n" + cs.Text.Content
	}
	want := strings.Join(lines, "\n") + "\n" + wechat.DefaultButtons + "确认 / 取消"
	if all != want {
		t.Errorf("reassembled reply differs:\n%q\nwant\n%q", all, want)
	}
	// A retry of the passive part does not resend the rest.
	parts := len(r.api.Custom())
	r.push(text(5001, "明细"))
	time.Sleep(50 * time.Millisecond)
	if len(r.api.Custom()) != parts {
		t.Errorf("retry resent customer-service parts")
	}
}

// Ensure a failing turn gets the polite busy answer, not an HTTP error, and is not remembered.
func TestTurnError(t *testing.T) {
	var down atomic.Bool
	down.Store(true)
	ft := &fakeTurner{reply: func(string, engine.Message) (engine.Reply, error) {
		if down.Load() {
			return engine.Reply{}, fmt.Errorf("store down")
		}
		return engine.Reply{Texts: []string{"余额¥1.00"}}, nil
	}}
	r := newRig(t, false, ft, nil)
	if code, rep := r.push(text(6001, "余额")); code != 200 || rep.Text != wechat.DefaultBusy {
		t.Errorf("got %d %+v", code, rep)
	}
	// A failed turn committed nothing: WeChat's retry, once the store is back, turns it again
	// rather than getting the busy reply remembered.
	down.Store(false)
	if _, rep := r.push(text(6001, "余额")); rep.Text != "余额¥1.00" {
		t.Errorf("the retry after the failure got %+v, want the turn's answer", rep)
	}
}

// Ensure the handler reads the SDK's reply XML shape (sanity check of the signer's decoder).
func TestReplyXMLShape(t *testing.T) {
	r := newRig(t, false, &fakeTurner{}, nil)
	req, _ := r.signer.Request(r.srv.URL, text(7001, "hi").XML(), testNow, "n", openid)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var x struct {
		XMLName                           xml.Name `xml:"xml"`
		ToUserName, FromUserName, MsgType string
		CreateTime                        int64
		Content                           string
	}
	if err := xml.NewDecoder(resp.Body).Decode(&x); err != nil {
		t.Fatal(err)
	}
	if x.ToUserName != openid || x.FromUserName != "gh_bank" || x.MsgType != "text" || x.CreateTime != testNow || x.Content != "收到：text:hi" {
		t.Errorf("reply %+v", x)
	}
}

// Ensure Close waits for a running turn and its customer-service answer (graceful shutdown).
func TestCloseWaits(t *testing.T) {
	ft := &fakeTurner{delay: 300 * time.Millisecond}
	r := newRig(t, false, ft, func(o *wechat.Options) { o.Deadline = 20 * time.Millisecond })
	if _, rep := r.push(text(8001, "转账")); !rep.Success {
		t.Fatalf("reply %+v, want success", rep)
	}
	if len(r.api.Custom()) != 0 {
		t.Fatal("answer sent before the turn ended")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.h.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(r.api.Custom()); n != 1 {
		t.Errorf("after Close: %d customer-service messages, want 1", n)
	}
}

// Ensure template-message receipts reach the hook and start no turn.
func TestTemplateReceipt(t *testing.T) {
	type receipt struct {
		id     int64
		status string
	}
	var got []receipt
	ft := &fakeTurner{}
	r := newRig(t, true, ft, func(o *wechat.Options) {
		o.OnTemplateReceipt = func(_ context.Context, id int64, status string) { got = append(got, receipt{id, status}) }
	})
	_, rep := r.push(wechattest.Msg{To: "gh", From: openid, CreateTime: testNow, Type: "event", Event: "TEMPLATESENDJOBFINISH",
		TemplateMsgID: 200163836, Status: "failed:user block"})
	if !rep.Success || ft.n.Load() != 0 {
		t.Errorf("reply %+v, %d turns", rep, ft.n.Load())
	}
	if len(got) != 1 || got[0] != (receipt{200163836, "failed:user block"}) {
		t.Errorf("receipts %+v", got)
	}
}

// Ensure a captured plaintext URL cannot carry another body (another text, another openid)
// while its timestamp is fresh, while WeChat's retry of the same body still gets the reply.
func TestReplayedSignedURL(t *testing.T) {
	ft := &fakeTurner{}
	r := newRig(t, false, ft, nil)
	orig := text(8001, "你好").XML()
	_, q := r.signer.Body(orig, nil, testNow, "captured", openid)
	post := func(body []byte) int {
		resp, err := http.Post(r.srv.URL+"?"+q.Encode(), "text/xml", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	tests := []struct {
		name string
		body []byte
		want int
	}{
		// The original push.
		{"original", orig, 200},
		// WeChat's retry: same URL, same body.
		{"retry", orig, 200},
		// The attacker's body on the captured URL, as the victim.
		{"other openid", wechattest.Msg{To: "gh_bank", From: "o_victim", CreateTime: testNow, Type: "text", Content: "转账给王芳999", MsgID: 8002}.XML(), 403},
		// Another text from the same openid.
		{"other text", text(8003, "确认").XML(), 403},
	}
	for _, tt := range tests {
		if got := post(tt.body); got != tt.want {
			t.Errorf("%s: status %d, want %d", tt.name, got, tt.want)
		}
	}
	if n := ft.n.Load(); n != 1 {
		t.Errorf("%d turns, want 1", n)
	}
}

// Ensure two different menu clicks within one second are two turns with their own answers,
// not the second a duplicate of the first.
func TestMenuClicksSameSecond(t *testing.T) {
	ft := &fakeTurner{}
	r := newRig(t, true, ft, nil)
	for _, key := range []string{"MENU_BALANCE", "MENU_BRANCH"} {
		m := wechattest.Msg{To: "gh_bank", From: openid, CreateTime: testNow, Type: "event", Event: "CLICK", EventKey: key}
		if _, rep := r.push(m); rep.Text != "收到：click:"+key {
			t.Errorf("click %s answered %q", key, rep.Text)
		}
	}
	if n := ft.n.Load(); n != 2 {
		t.Errorf("%d turns, want 2", n)
	}
}
