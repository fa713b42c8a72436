package wechat_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/weiyin-bank/weiyin/adapters/wechat"
	"github.com/weiyin-bank/weiyin/adapters/wechat/wechattest"
	"github.com/weiyin-bank/weiyin/engine"
)

type instantTurner struct{}

func (instantTurner) Turn(_ context.Context, _ string, m engine.Message) (engine.Reply, error) {
	return engine.Reply{Texts: []string{"收到：" + m.Text}}, nil
}

// BenchmarkSafeModeText measures one signed, encrypted text push through the handler with an
// instant bot: verify, decrypt, parse, dedupe, turn, encrypt and sign the reply.
func BenchmarkSafeModeText(b *testing.B) {
	for _, safe := range []bool{false, true} {
		b.Run(fmt.Sprintf("safe=%v", safe), func(b *testing.B) {
			key := ""
			if safe {
				key = testAESKey
			}
			h, err := wechat.NewHandler(wechat.Options{Config: wechat.Config{AppID: testAppID, Token: testToken, AESKey: key},
				Turner: instantTurner{}})
			if err != nil {
				b.Fatal(err)
			}
			s, _ := wechattest.NewSigner(testToken, testAppID, key)
			now := time.Now().Unix()
			type pre struct {
				body  []byte
				query string
			}
			reqs := make([]pre, 4096)
			for i := range reqs {
				m := wechattest.Msg{To: "gh", From: fmt.Sprintf("o_%d", i%1000), CreateTime: now, Type: "text", Content: "我的余额", MsgID: int64(i + 1)}
				body, q := s.Body(m.XML(), []byte("0123456789abcdef"), now, wechattest.Nonce(m.XML()), m.From)
				reqs[i] = pre{body, q.Encode()}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				p := reqs[i%len(reqs)]
				// Ids repeat after 4096: the dedupe table answers those, which is cheaper; keep N small.
				r := httptest.NewRequest("POST", "/wechat?"+p.query, bytes.NewReader(p.body))
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != 200 {
					b.Fatal(w.Code)
				}
			}
		})
	}
}
