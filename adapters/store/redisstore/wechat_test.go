package redisstore

import (
	"context"
	"testing"
	"time"

	"github.com/weiyin-bank/weiyin/internal/redistest"
)

// Ensure answer claims decide once across instances: the first claim wins, a passive reply
// may repeat a passive one, and nothing follows a customer-service send.
func TestClaimAnswer(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	a, b := openOn(t, srv.URL()), openOn(t, srv.URL())
	for _, tc := range []struct {
		ensure string
		s      *Store
		user   string
		msg    string
		how    string
		prev   string
	}{
		{"the first claim of a message is granted", a, "u1", "m1", "passive", ""},
		{"another instance sees a passive claim (and may reply passively again)", b, "u1", "m1", "passive", "passive"},
		{"a customer-service send after a passive reply is refused", b, "u1", "m1", "cs", "passive"},
		{"a customer-service send claims a new message", a, "u1", "m2", "cs", ""},
		{"a passive reply after a customer-service send is refused", b, "u1", "m2", "passive", "cs"},
		{"claims are per user", b, "u2", "m2", "cs", ""},
	} {
		t.Log("ensures", tc.ensure)
		prev, err := tc.s.ClaimAnswer(ctx, tc.user, tc.msg, tc.how)
		if err != nil || prev != tc.prev {
			t.Errorf("%s: ClaimAnswer(%s, %s, %s) = %q, %v; want %q", tc.ensure, tc.user, tc.msg, tc.how, prev, err, tc.prev)
		}
	}
	if ttl := srv.Client().PTTL(ctx, "wy:{u1}:a:m1").Val(); ttl <= 0 || ttl > AnswerTTL {
		t.Errorf("a claim expires in %v, want within %v", ttl, AnswerTTL)
	}
	// A claim that reaches Redis twice (a client's resend) is still this call's: granted.
	tok := a.token()
	for i := range 2 {
		prev, err := claimScript.Run(ctx, a.rdb, []string{"wy:{u3}:a:m1"}, "cs", AnswerTTL.Milliseconds(), tok).Text()
		if err != nil || prev != "" {
			t.Errorf("the claim sent %d times: %q, %v; want granted", i+1, prev, err)
		}
	}
	if prev, _ := b.ClaimAnswer(ctx, "u3", "m1", "passive"); prev != "cs" {
		t.Errorf("another instance after the resent claim: %q, want cs", prev)
	}
}

// Ensure the shared access token: one lock holder at a time, the token read by every
// instance with its TTL, and dropped only while it is still the shared one.
func TestTokens(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	a, b := openOn(t, srv.URL()).Tokens("wxapp"), openOn(t, srv.URL()).Tokens("wxapp")
	if tok, _, err := a.Token(ctx); err != nil || tok != "" {
		t.Fatalf("no token yet: %q, %v", tok, err)
	}
	unlock, ok, err := a.Lock(ctx, time.Minute)
	if err != nil || !ok {
		t.Fatalf("first lock: %v %v", ok, err)
	}
	if _, ok, _ := b.Lock(ctx, time.Minute); ok {
		t.Fatal("a second instance took the lock while it is held")
	}
	if err := a.Set(ctx, "T1", time.Hour); err != nil {
		t.Fatal(err)
	}
	unlock()
	if tok, ttl, _ := b.Token(ctx); tok != "T1" || ttl <= 59*time.Minute || ttl > time.Hour {
		t.Fatalf("the other instance reads %q for %v, want T1 for an hour", tok, ttl)
	}
	if _, ok, _ := b.Lock(ctx, time.Minute); !ok {
		t.Fatal("the lock was not given up")
	}
	if err := b.Drop(ctx, "T0"); err != nil {
		t.Fatal(err)
	}
	if tok, _, _ := a.Token(ctx); tok != "T1" {
		t.Fatal("dropping a replaced token dropped the current one")
	}
	if err := b.Drop(ctx, "T1"); err != nil {
		t.Fatal(err)
	}
	if tok, _, _ := a.Token(ctx); tok != "" {
		t.Fatalf("after dropping it: %q", tok)
	}
	if c := openOn(t, srv.URL()).Tokens("wxother"); c.key == a.key {
		t.Fatal("two accounts share a token key")
	}
}

func openOn(t *testing.T, url string) *Store {
	t.Helper()
	s, err := Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
