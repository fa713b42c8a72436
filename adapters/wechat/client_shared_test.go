package wechat_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/weiyin-bank/weiyin/adapters/wechat"
	"github.com/weiyin-bank/weiyin/adapters/wechat/wechattest"
)

// memShare is a TokenShare in memory (the Redis one is tested in redisstore).
type memShare struct {
	mu     sync.Mutex
	token  string
	locked bool
}

func (m *memShare) Token(context.Context) (string, time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.token, time.Hour, nil
}

func (m *memShare) Lock(context.Context, time.Duration) (func(), bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.locked {
		return nil, false, nil
	}
	m.locked = true
	return func() { m.mu.Lock(); m.locked = false; m.mu.Unlock() }, true, nil
}

func (m *memShare) Set(_ context.Context, tok string, _ time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.token = tok
	return nil
}

func (m *memShare) Drop(_ context.Context, tok string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.token == tok {
		m.token = ""
	}
	return nil
}

// Ensure clients of several instances sharing the token fetch it once between them, and
// after WeChat expires it, fetch one new token between them.
func TestClientSharedToken(t *testing.T) {
	api := wechattest.NewFakeAPI(testAppID, testSecret)
	defer api.Close()
	share := &memShare{}
	var clients []*wechat.Client
	for range 4 {
		clients = append(clients, wechat.NewClient(wechat.ClientConfig{AppID: testAppID, Secret: testSecret, BaseURL: api.URL(), Shared: share}))
	}
	ctx := context.Background()
	send := func() {
		var wg sync.WaitGroup
		for _, c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := c.SendText(ctx, openid, "hi"); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
	}
	send()
	if n := api.TokensIssued(); n != 1 {
		t.Errorf("four instances fetched %d tokens, want 1", n)
	}
	api.ExpireTokens()
	send()
	if n := api.TokensIssued(); n != 2 {
		t.Errorf("after the token expired: %d tokens issued in all, want 2", n)
	}
}
