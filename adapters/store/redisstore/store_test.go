package redisstore

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/weiyin-bank/weiyin/adapters/store/storetest"
	"github.com/weiyin-bank/weiyin/engine"
	"github.com/weiyin-bank/weiyin/internal/redistest"
)

// harness runs the contract on the Redis at url: each store starts on an emptied database.
func harness(url string) storetest.Harness {
	open := func(t *testing.T) *Store {
		s, err := Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	return storetest.Harness{
		Open: func(t *testing.T) engine.Store {
			s := open(t)
			flush(t, s.Client())
			return s
		},
		Reopen: func(t *testing.T, s engine.Store) engine.Store {
			s.(*Store).Close()
			return open(t)
		},
		Share: func(t *testing.T, s engine.Store) engine.Store { return open(t) },
	}
}

// flush empties every master of the database.
func flush(t *testing.T, c redis.UniversalClient) {
	t.Helper()
	ctx := context.Background()
	var err error
	if cc, ok := c.(*redis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error { return m.FlushDB(ctx).Err() })
	} else {
		err = c.FlushDB(ctx).Err()
	}
	if err != nil {
		t.Fatal(err)
	}
}

// Ensure the Redis store keeps the engine.Store and engine.Leaser contract on one server,
// with the turns' scripts batched into pipelines (the default) and each on its own.
func TestContractStandalone(t *testing.T) {
	url := redistest.Start(t).URL()
	t.Run("autopipelined", func(t *testing.T) { storetest.Run(t, harness(url)) })
	t.Run("one by one", func(t *testing.T) { storetest.Run(t, harness(url+"?autopipeline=false")) })
}

// Ensure a lease or commit script that reaches Redis twice (a client resending after a lost
// connection) applies once and reports success both times, instead of waiting out its own
// lease or calling its own commit stale.
func TestScriptsResent(t *testing.T) {
	s, err := Open(context.Background(), redistest.Start(t).URL())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	l, err := s.Lease(ctx, "u1", "", "")
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{leaseKey("u1"), sessionKey("u1")}
	res, err := leaseScript.Run(ctx, s.rdb, keys, l.Token, s.opt.LeaseTTL.Milliseconds(), "").Slice()
	if err != nil || res[0] != int64(1) {
		t.Fatalf("the lease script sent again: %v %v, want granted", res, err)
	}
	if err := s.CommitLeased(ctx, l, []byte(`{"n":1}`), "m1", []byte("r1")); err != nil {
		t.Fatal(err)
	}
	args := []any{"1", l.Token, l.Version, `{"n":1}`, s.opt.SessionTTL.Milliseconds(), "r1", s.opt.ReplyTTL.Milliseconds(),
		l.Token, s.opt.LeaseTTL.Milliseconds()}
	if err := commitScript.Run(ctx, s.rdb, append(keys, replyKey("u1", "m1")), args...).Err(); err != nil {
		t.Errorf("the commit script sent again: %v, want OK", err)
	}
	// The same lease committing another message is no resend.
	if err := s.CommitLeased(ctx, l, []byte(`{"n":9}`), "m9", nil); !errors.Is(err, engine.ErrStale) {
		t.Errorf("a spent lease committing another message: %v, want ErrStale", err)
	}
	// A later turn is not mistaken for a resent one.
	l2, err := s.Lease(ctx, "u1", "m2", "")
	if err != nil || string(l2.Session) != `{"n":1}` {
		t.Fatalf("next lease: %+v %v", l2, err)
	}
	if err := s.CommitLeased(ctx, l2, []byte(`{"n":2}`), "m2", nil); err != nil {
		t.Fatal(err)
	}
	if err := s.CommitLeased(ctx, l, []byte(`{"n":3}`), "m3", nil); !errors.Is(err, engine.ErrStale) {
		t.Errorf("an old lease committing anew: %v, want ErrStale", err)
	}
}

// Ensure the contract holds on a Redis Cluster of three masters: every key of a user in one
// slot, the scripts routed to it.
func TestContractCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a three-node cluster")
	}
	storetest.Run(t, harness(redistest.StartCluster(t).URL()))
}

// Ensure a session expires after SessionTTL, a reply after ReplyTTL, and a lease after
// LeaseTTL, as the key's TTL in Redis says (no waiting: Redis's own clock does it).
func TestExpiries(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	s, err := Open(ctx, srv.URL()+"?session_ttl=2h&reply_ttl=3h&lease_ttl=7s")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	l, err := s.Lease(ctx, "u1", "", "")
	if err != nil {
		t.Fatal(err)
	}
	c := srv.Client()
	for _, tc := range []struct {
		key  string
		want time.Duration
	}{
		{leaseKey("u1"), 7 * time.Second},
	} {
		if got := c.PTTL(ctx, tc.key).Val(); got <= 0 || got > tc.want {
			t.Errorf("%s expires in %v, want at most %v", tc.key, got, tc.want)
		}
	}
	if err := s.CommitLeased(ctx, l, []byte(`{}`), "m1", []byte(`r`)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		key  string
		want time.Duration
	}{
		{sessionKey("u1"), 2 * time.Hour},
		{replyKey("u1", "m1"), 3 * time.Hour},
	} {
		if got := c.PTTL(ctx, tc.key).Val(); got < tc.want-time.Minute || got > tc.want {
			t.Errorf("%s expires in %v, want %v", tc.key, got, tc.want)
		}
	}
	if n := c.Exists(ctx, leaseKey("u1")).Val(); n != 0 {
		t.Error("the lease is still held after the commit that gave it up")
	}
}

// Ensure a lease lapses by itself: an instance that died holding it blocks the user only
// for LeaseTTL, and its commit afterwards is refused.
func TestLeaseLapses(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	dead, err := Open(ctx, srv.URL()+"?lease_ttl=50ms")
	if err != nil {
		t.Fatal(err)
	}
	defer dead.Close()
	l, err := dead.Lease(ctx, "u1", "", "")
	if err != nil {
		t.Fatal(err)
	}
	live, err := Open(ctx, srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	l2, err := live.Lease(ctx, "u1", "", "") // waits out the dead one's 50 ms
	if err != nil {
		t.Fatal(err)
	}
	if err := live.CommitLeased(ctx, l2, []byte(`live`), "m1", nil); err != nil {
		t.Fatal(err)
	}
	if err := dead.CommitLeased(ctx, l, []byte(`dead`), "m2", nil); !errors.Is(err, engine.ErrStale) {
		t.Fatalf("the dead instance's commit: %v, want ErrStale", err)
	}
	if got, _ := live.Load(ctx, "u1"); string(got) != "live" {
		t.Fatalf("session %q, want the live instance's", got)
	}
}

// Ensure a Redis that is away fails the calls quickly with an error (the engine answers busy),
// and the same Store works again once Redis is back, with what Redis kept.
func TestRedisAway(t *testing.T) {
	srv := redistest.Start(t, "--appendfsync", "always")
	ctx := context.Background()
	s := openOn(t, srv.URL())
	if err := s.Commit(ctx, "u1", []byte(`kept`), "m1", []byte(`r1`)); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	if _, err := s.Lease(ctx, "u1", "", ""); err == nil {
		t.Fatal("a lease was granted with Redis away")
	}
	if err := s.Commit(ctx, "u1", []byte(`x`), "m2", nil); err == nil {
		t.Fatal("a commit succeeded with Redis away")
	}
	srv.Restart()
	l, err := s.Lease(ctx, "u1", "", "")
	if err != nil {
		t.Fatalf("after Redis came back: %v", err)
	}
	if string(l.Session) != "kept" {
		t.Fatalf("session after the restart %q, want the one committed before (appendfsync always)", l.Session)
	}
	if r, ok, _ := s.Reply(ctx, "u1", "m1"); !ok || string(r) != "r1" {
		t.Fatal("the reply committed before the restart is gone")
	}
}

// Ensure a Redis that refuses writes (out of memory under noeviction, as a full disk makes it
// refuse them with MISCONF) fails the turn's commit with an error and changes nothing: the
// session and the reply stay as they were, the message id stays unanswered so a retry runs
// it, and once there is room the same turn, under the lease it still holds, commits.
func TestRedisRefusesWrites(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	s := openOn(t, srv.URL())
	if err := s.Commit(ctx, "u1", []byte(`kept`), "m1", []byte(`r1`)); err != nil {
		t.Fatal(err)
	}
	l, err := s.Lease(ctx, "u1", "m2", "")
	if err != nil {
		t.Fatal(err)
	}
	admin := srv.Client()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(admin.ConfigSet(ctx, "maxmemory-policy", "noeviction").Err())
	must(admin.ConfigSet(ctx, "maxmemory", "1").Err()) // below what Redis holds: every write is refused
	err = s.CommitLeased(ctx, l, bytes.Repeat([]byte("x"), 1000), "m2", []byte(`r2`))
	if err == nil || !strings.Contains(err.Error(), "OOM") {
		t.Fatalf("commit with Redis refusing writes: %v, want its OOM error", err)
	}
	must(admin.ConfigSet(ctx, "maxmemory", "0").Err())
	if got, _ := s.Load(ctx, "u1"); string(got) != "kept" {
		t.Errorf("session after the refused commit %q, want kept", got)
	}
	if _, ok, _ := s.Reply(ctx, "u1", "m2"); ok {
		t.Error("the refused turn's message id reads as answered")
	}
	// The refused commit left the lease held (it is the caller's to release or let lapse);
	// the same lease commits now.
	if err := s.CommitLeased(ctx, l, []byte(`new`), "m2", []byte(`r2`)); err != nil {
		t.Fatalf("the same turn once there is room: %v", err)
	}
	if got, _ := s.Load(ctx, "u1"); string(got) != "new" {
		t.Errorf("session %q, want new", got)
	}
}
