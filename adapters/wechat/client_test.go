package wechat_test

import (
	"context"
	"errors"
	"testing"

	"github.com/silenceper/wechat/v2/officialaccount/message"

	"github.com/weiyin-bank/weiyin/adapters/wechat"
	"github.com/weiyin-bank/weiyin/adapters/wechat/wechattest"
)

// Ensure the client caches the token, refreshes it once on expiry, and reports errcodes.
func TestClient(t *testing.T) {
	api := wechattest.NewFakeAPI(testAppID, testSecret)
	defer api.Close()
	c := wechat.NewClient(wechat.ClientConfig{AppID: testAppID, Secret: testSecret, BaseURL: api.URL()})
	ctx := context.Background()

	// Two sends, one token.
	for range 2 {
		if err := c.SendText(ctx, openid, "hi"); err != nil {
			t.Fatal(err)
		}
	}
	if n := api.TokensIssued(); n != 1 {
		t.Errorf("tokens issued = %d, want 1 (cached)", n)
	}
	// The token expires on WeChat's side: one refresh, the send retried and delivered.
	api.ExpireTokens()
	id, err := c.SendTemplate(ctx, &message.TemplateMessage{ToUser: openid, TemplateID: "tpl1",
		Data: map[string]*message.TemplateDataItem{"amount": {Value: "100.00"}}})
	if err != nil || id == 0 || api.TokensIssued() != 2 || len(api.Templates()) != 1 {
		t.Errorf("after expiry: id %d, err %v, tokens %d, templates %d", id, err, api.TokensIssued(), len(api.Templates()))
	}
	// 42001 twice: refreshed and retried once only, then the error surfaces.
	api.FailNext(42001, 42001)
	err = c.SendText(ctx, openid, "x")
	var ae *wechat.APIError
	if !errors.As(err, &ae) || ae.Code != 42001 || !ae.TokenExpired() {
		t.Errorf("double expiry: err = %v", err)
	}
	if api.TokensIssued() != 3 {
		t.Errorf("tokens issued = %d, want 3", api.TokensIssued())
	}
	// A permanent error is not retried.
	api.FailNext(40003)
	if err := c.SendText(ctx, openid, "x"); !errors.As(err, &ae) || ae.Code != 40003 || ae.Temporary() {
		t.Errorf("invalid openid: err = %v", err)
	}
	// HTTP failures are errors.
	api.FailHTTP(1)
	if err := c.SendText(ctx, openid, "x"); err == nil {
		t.Error("HTTP 500 not reported")
	}
	// A wrong secret cannot get a token.
	bad := wechat.NewClient(wechat.ClientConfig{AppID: testAppID, Secret: "nope", BaseURL: api.URL()})
	if err := bad.SendText(ctx, openid, "x"); !errors.As(err, &ae) || ae.Code != 40125 {
		t.Errorf("bad secret: err = %v", err)
	}
}
