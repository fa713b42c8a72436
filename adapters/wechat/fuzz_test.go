package wechat_test

import (
	"bytes"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/weiyin-bank/weiyin/adapters/wechat"
	"github.com/weiyin-bank/weiyin/adapters/wechat/wechattest"
)

// FuzzHandler ensures any correctly signed body, plaintext or sealed, gets a clean answer (200,
// 400 or 413) and never a panic: the signature is the only thing a caller cannot forge, so
// everything after it is untrusted input.
func FuzzHandler(f *testing.F) {
	f.Add(text(1, "你好").XML(), false)
	f.Add(text(1, "你好").XML(), true)
	f.Add(wechattest.Msg{To: "gh", From: "o", Type: "location", LocationX: 1e308, Label: "]]>"}.XML(), true)
	f.Add([]byte(`{"FromUserName":"o","MsgType":"text","Content":"hi","MsgId":1}`), false)
	f.Add([]byte(`<xml><FromUserName>o</FromUserName><MsgType>event</MsgType><Event>CLICK</Event></xml>`), true)
	handlers := map[bool]*wechat.Handler{}
	signers := map[bool]*wechattest.Signer{}
	for _, safe := range []bool{false, true} {
		key := ""
		if safe {
			key = testAESKey
		}
		h, err := wechat.NewHandler(wechat.Options{Config: wechat.Config{AppID: testAppID, Token: testToken, AESKey: key},
			Turner: instantTurner{}, Clock: fixedClock{time.Unix(testNow, 0)}, MaxBody: 8 << 10})
		if err != nil {
			f.Fatal(err)
		}
		handlers[safe] = h
		signers[safe], _ = wechattest.NewSigner(testToken, testAppID, key)
	}
	f.Fuzz(func(t *testing.T, plain []byte, safe bool) {
		body, q := signers[safe].Body(plain, []byte("0123456789abcdef"), testNow, wechattest.Nonce(plain), "o")
		r := httptest.NewRequest("POST", "/wechat?"+q.Encode(), bytes.NewReader(body))
		w := httptest.NewRecorder()
		handlers[safe].ServeHTTP(w, r)
		switch w.Code {
		case 200, 400, 413:
		default:
			t.Fatalf("status %d for %q", w.Code, plain)
		}
		if w.Code == 200 {
			if _, err := signers[safe].Open(w.Body.Bytes()); err != nil && !bytes.HasPrefix(bytes.TrimSpace(plain), []byte("{")) {
				t.Fatalf("reply does not open: %v (%q)", err, w.Body.String())
			}
		}
	})
}
