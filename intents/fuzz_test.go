package intents_test

import (
	"sync"
	"testing"
	"time"

	"github.com/weiyin-bank/weiyin/intents"
)

var (
	fuzzOnce sync.Once
	fuzzU    *intents.Understander
)

// FuzzUnderstand holds Understand's invariants on any input: no panic, a known intent or
// none, confidences in [0,1], entity offsets inside the text and matching its runes.
func FuzzUnderstand(f *testing.F) {
	for _, s := range []string{"", "我的余额", "给张三转500块", "鱼额", "轉賬", "1", "99999999999999999999",
		"\xff\xfe", "\x00\x1b", "😀😀", "[](x)", "明天下午三点预约", "尾号1234", "幺三八一二三四五六七八",
		"I don't want to transfer, check my balance", "check my balance, not transfer", "别查余额了，帮我转账",
		"不转了，查余额", "转账不是查余额", "customer  service", "给于娥转账", "wealth products"} {
		f.Add(s)
	}
	fuzzOnce.Do(func() { fuzzU = devUnderstander(f, intents.Options{}) })
	f.Fuzz(func(t *testing.T, s string) {
		done := make(chan intents.Result, 1)
		go func() { done <- fuzzU.Understand(s, intents.Context{Now: testNow}) }()
		select {
		case r := <-done:
			checkResult(t, s, r)
		case <-time.After(5 * time.Second):
			t.Fatalf("Understand(%q) did not answer within 5 s", s)
		}
	})
}
