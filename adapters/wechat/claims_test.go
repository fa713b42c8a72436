package wechat_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/weiyin-bank/weiyin/adapters/wechat"
	"github.com/weiyin-bank/weiyin/engine"
)

// memClaims are Claims in memory (the Redis ones are tested in redisstore).
type memClaims struct {
	mu sync.Mutex
	m  map[string]string
}

func (c *memClaims) ClaimAnswer(_ context.Context, user, msgID, how string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := user + "/" + msgID
	if prev, ok := c.m[k]; ok {
		return prev, nil
	}
	c.m[k] = how
	return "", nil
}

// Ensure two instances sharing Claims deliver a slow turn's answer once: when WeChat's retry
// reaches the other instance, whichever sends the answer first (the retry's passive reply, or
// the slow instance's customer-service message) is the only one.
func TestClaimsAcrossInstances(t *testing.T) {
	for _, tc := range []struct {
		ensure      string
		slowFirst   bool // the slow instance's turn ends before the retry reaches the other
		wantPassive bool
	}{
		{"a retry answered passively by the other instance stops the slow one's customer-service message", false, true},
		{"a customer-service message sent by the slow instance stops the retry's passive reply", true, false},
	} {
		t.Run(tc.ensure, func(t *testing.T) {
			claims := &memClaims{m: map[string]string{}}
			release := make(chan struct{})
			slow := &fakeTurner{}
			slow.reply = func(string, engine.Message) (engine.Reply, error) {
				<-release
				return engine.Reply{Texts: []string{"答复"}}, nil
			}
			a := newRig(t, true, slow, func(o *wechat.Options) { o.Deadline = 50 * time.Millisecond; o.Claims = claims })
			b := newRig(t, true, &fakeTurner{reply: func(string, engine.Message) (engine.Reply, error) {
				return engine.Reply{Texts: []string{"答复"}}, nil // the engine's stored reply
			}}, func(o *wechat.Options) { o.Claims = claims })
			if _, rep := a.push(text(5001, "查余额")); !rep.Success {
				t.Fatalf("the slow instance answered %+v before its turn ended", rep)
			}
			if tc.slowFirst {
				close(release)
				if !a.api.WaitFor(5*time.Second, func() bool { return len(a.api.Custom()) == 1 }) {
					t.Fatal("the slow instance sent no customer-service message")
				}
			}
			_, rep := b.push(text(5001, "查余额"))
			if !tc.slowFirst {
				close(release)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := a.h.Close(ctx); err != nil {
				t.Fatal(err)
			}
			passive := !rep.Success && rep.Text == "答复"
			cs := len(a.api.Custom()) + len(b.api.Custom())
			if passive != tc.wantPassive || (passive && cs != 0) || (!passive && cs != 1) {
				t.Errorf("passive reply %v (%+v), %d customer-service messages; want the answer once", passive, rep, cs)
			}
		})
	}
}
