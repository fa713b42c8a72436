package wechat

import (
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/officialaccount/message"

	"github.com/weiyin-bank/weiyin/engine"
)

type echoTurner struct{ got []engine.Message }

func (e *echoTurner) Turn(_ context.Context, user string, m engine.Message) (engine.Reply, error) {
	e.got = append(e.got, m)
	return engine.Reply{Texts: []string{user + ":" + m.Text}}, nil
}

type clockAt int64

func (c clockAt) Now() time.Time { return time.Unix(int64(c), 0) }

func serveOnce(t *testing.T, h http.Handler, method, query, body string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(method, "/wechat?"+query, strings.NewReader(body))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	out, _ := io.ReadAll(w.Result().Body)
	return w.Code, string(out)
}

// Ensure the endpoint accepts Tencent's published requests byte for byte: URL verification,
// the 2024 safe-mode JSON push and the 2014 compatible-mode XML push.
func TestHandlerVectors(t *testing.T) {
	v := loadVectors(t)
	a, b := v.a, v.b

	// 2024: URL verification and safe-mode JSON push (a debug event: no turn, "success").
	ta := &echoTurner{}
	ha, err := NewHandler(Options{Config: Config{AppID: a[2], Token: a[0], AESKey: a[1]}, Turner: ta, Clock: clockAt(mustInt(t, a[3]))})
	if err != nil {
		t.Fatal(err)
	}
	q := url.Values{"signature": {a[5]}, "timestamp": {a[3]}, "nonce": {a[4]}, "echostr": {a[6]}}
	if code, body := serveOnce(t, ha, http.MethodGet, q.Encode(), ""); code != 200 || body != a[6] {
		t.Errorf("2024 URL verification: %d %q", code, body)
	}
	ha.clock = clockAt(mustInt(t, a[10]))
	q = url.Values{"signature": {a[12]}, "timestamp": {a[10]}, "nonce": {a[11]}, "encrypt_type": {"aes"}, "msg_signature": {a[13]}}
	body := `{"ToUserName":"gh_97417a04a28d","Encrypt":"` + a[14] + `"}`
	if code, out := serveOnce(t, ha, http.MethodPost, q.Encode(), body); code != 200 || out != "success" || len(ta.got) != 0 {
		t.Errorf("2024 safe push: %d %q, %d turns", code, out, len(ta.got))
	}
	q.Set("msg_signature", strings.Repeat("0", 40))
	if code, _ := serveOnce(t, ha, http.MethodPost, q.Encode(), body); code != 403 {
		t.Errorf("2024 safe push with forged msg_signature: %d, want 403", code)
	}

	// 2014: compatible mode (plaintext fields and Encrypt): the text turns and the reply is
	// encrypted for the account.
	tb := &echoTurner{}
	hb, err := NewHandler(Options{Config: Config{AppID: b[2], Token: b[0], AESKey: b[1]}, Turner: tb, Clock: clockAt(mustInt(t, b[3]))})
	if err != nil {
		t.Fatal(err)
	}
	q = url.Values{"signature": {Signature(b[0], b[3], b[4])}, "timestamp": {b[3]}, "nonce": {b[4]},
		"encrypt_type": {"aes"}, "msg_signature": {b[5]}}
	code, out := serveOnce(t, hb, http.MethodPost, q.Encode(), v.bodyB)
	if code != 200 || len(tb.got) != 1 || tb.got[0].Text != b[6] || tb.got[0].ID != "wx:"+b[7] {
		t.Fatalf("2014 compatible push: %d %q, turns %+v", code, out, tb.got)
	}
	var env message.ResponseEncryptedXMLMsg
	if err := xml.Unmarshal([]byte(out), &env); err != nil {
		t.Fatal(err)
	}
	if env.MsgSignature != Signature(b[0], b[3], env.Nonce, env.EncryptedMsg) || env.Nonce != b[4] {
		t.Errorf("reply signature does not verify: %+v", env)
	}
	key, _ := DecodeAESKey(b[1])
	plain, err := Open(env.EncryptedMsg, key, b[2])
	if err != nil || !strings.Contains(string(plain), "<Content><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs:"+b[6]+"]]></Content>") {
		t.Errorf("reply %q, %v", plain, err)
	}
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	for _, c := range s {
		if c < '0' || c > '9' {
			t.Fatalf("not a number: %q", s)
		}
		n = n*10 + int64(c-'0')
	}
	return n
}
