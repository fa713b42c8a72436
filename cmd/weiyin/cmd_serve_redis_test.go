package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/weiyin-bank/weiyin/adapters/wechat/wechattest"
	"github.com/weiyin-bank/weiyin/internal/redistest"
)

// Ensure two serve instances on one Redis (--store) serve one customer as one: a flow started
// on one continues on the other, and a message retried on the other gets the reply already
// given, not a second turn.
func TestServeSharedStore(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Redis and two servers")
	}
	rs := redistest.Start(t)
	api := wechattest.NewFakeAPI(srvAppID, srvSecret)
	defer api.Close()
	aDir := t.TempDir()
	a := startServe(t, aDir, api.URL(), "--store", rs.URL())
	b := startServe(t, t.TempDir(), api.URL(), "--store", rs.URL())
	signer, msg := demoWeChat(t)
	first := a.wechat(t, signer, msg(7001, "给张三转500元"))
	if !strings.Contains(first.Text, "¥500.00") {
		t.Fatalf("transfer on A: %q", first.Text)
	}
	if again := b.wechat(t, signer, msg(7001, "给张三转500元")); again.Text != first.Text {
		t.Errorf("the retry on B: %q, want A's reply %q", again.Text, first.Text)
	}
	if next := b.wechat(t, signer, msg(7002, "不对,改成800元")); !strings.Contains(next.Text, "¥800.00") {
		t.Errorf("the correction on B did not continue A's transfer: %q", next.Text)
	}
	// Back on A, whose own last session said ¥500: the confirmation is of B's ¥800, and the
	// code's text names it (A keeps sessions decoded only as long as Redis says they are the
	// current version).
	if next := a.wechat(t, signer, msg(7003, "确认")); !strings.Contains(next.Text, "验证码") {
		t.Errorf("the confirmation on A: %q, want the code sent", next.Text)
	}
	if sms, _ := os.ReadFile(filepath.Join(aDir, "sandbox-sms.txt")); !strings.Contains(string(sms), "¥800.00") || strings.Contains(string(sms), "¥500.00") {
		t.Errorf("the code A sent: %q, want it for ¥800.00", sms)
	}
	// Both instances call WeChat's API on one access token: the second never fetches its own,
	// which would invalidate the first's.
	for i, s := range []*served{a, b} {
		if code, out := postJSON(t, s.url+"/api/notify", srvNotify,
			fmt.Sprintf(`{"id":"alert-%d","openid":"o_demo_1","template_id":"TPL_TXN","data":{"amount":"¥1.00"}}`, i)); code != 202 {
			t.Fatalf("notify: %d %v", code, out)
		}
	}
	if !api.WaitFor(10*time.Second, func() bool { return len(api.Templates()) == 2 }) {
		t.Fatalf("%d notifications delivered, want 2", len(api.Templates()))
	}
	// The queue is shared: a repeat of A's id on B is the same job, and B reports it delivered.
	if code, out := postJSON(t, b.url+"/api/notify", srvNotify,
		`{"id":"alert-0","openid":"o_demo_1","template_id":"TPL_TXN","data":{"amount":"¥1.00"}}`); code != 200 {
		t.Errorf("A's notification repeated on B: %d %v, want 200 (the same job)", code, out)
	}
	var status map[string]any
	if !api.WaitFor(5*time.Second, func() bool {
		_, status = getJSON(t, b.url+"/api/notify/alert-0", srvNotify)
		return status["status"] == "delivered"
	}) {
		t.Errorf("A's notification as B reports it: %v", status)
	}
	if n := len(api.Templates()); n != 2 {
		t.Errorf("%d template messages sent, want 2", n)
	}
	if n := api.TokensIssued(); n != 1 {
		t.Errorf("two instances fetched %d access tokens, want 1 shared", n)
	}
	if _, body := get(t, a.url+"/metrics"); !strings.Contains(body, `weiyin_turns_total{channel="wechat"} 2`) {
		t.Errorf("A's metrics: want two WeChat turns")
	}
}
