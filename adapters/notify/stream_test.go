package notify_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/weiyin-bank/weiyin/adapters/notify"
)

// instance opens another instance's stream queue on e's Redis.
func (e *env) instance(t *testing.T, consumer string, tweak func(*notify.StreamOptions)) *notify.StreamQueue {
	t.Helper()
	o := notify.StreamOptions{Options: e.opts, Client: e.rdb, Consumer: consumer}
	if tweak != nil {
		tweak(&o)
	}
	q, err := notify.OpenStream(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	return q
}

// Ensure instances sharing the stream split the jobs: each delivered exactly once, whichever
// instance accepted it.
func TestStreamInstancesShare(t *testing.T) {
	e := newEnv(t, onRedis, nil)
	ctx := context.Background()
	qs := []*notify.StreamQueue{e.instance(t, "a", nil), e.instance(t, "b", nil), e.instance(t, "c", nil)}
	for i := range 60 {
		if _, _, err := qs[i%3].Enqueue(ctx, req(fmt.Sprint("n", i))); err != nil {
			t.Fatal(err)
		}
	}
	for round := 0; qs[0].Depth() > 0 && round < 20; round++ { // each tick reads a batch
		var wg sync.WaitGroup
		for _, q := range qs {
			wg.Add(1)
			go func() { defer wg.Done(); q.Tick(ctx) }()
		}
		wg.Wait()
	}
	seen := map[string]int{}
	for _, m := range e.api.Templates() {
		seen[m.ClientMsgID]++
	}
	for i := range 60 {
		if n := seen[fmt.Sprint("n", i)]; n != 1 {
			t.Errorf("n%d sent %d times, want once", i, n)
		}
	}
	if d := qs[0].Depth(); d != 0 {
		t.Errorf("depth %d after delivery", d)
	}
}

// Ensure jobs an instance read and never acknowledged (it died mid-send) are taken over by
// another after the claim time, and delivered.
func TestStreamDeadInstance(t *testing.T) {
	e := newEnv(t, onRedis, nil)
	ctx := context.Background()
	live := e.instance(t, "live", func(o *notify.StreamOptions) { o.SendTimeout, o.Claim = 100*time.Millisecond, 100*time.Millisecond })
	for i := range 3 {
		if _, _, err := live.Enqueue(ctx, req(fmt.Sprint("n", i))); err != nil {
			t.Fatal(err)
		}
	}
	// The dead instance read the three jobs (they are pending on it) and sent nothing.
	res, err := e.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "weiyin", Consumer: "dead",
		Streams: []string{"wy:{notify}:stream", ">"}, Count: 10, Block: -1}).Result()
	if err != nil || len(res[0].Messages) != 3 {
		t.Fatalf("the dead instance's read: %v %v", res, err)
	}
	live.Tick(ctx)
	if n := len(e.api.Templates()); n != 0 {
		t.Fatalf("%d jobs taken over before the claim time", n)
	}
	for range 100 {
		if len(e.api.Templates()) == 3 {
			break
		}
		time.Sleep(20 * time.Millisecond) // Redis's own idle time passes
		live.Tick(ctx)
	}
	if n := len(e.api.Templates()); n != 3 {
		t.Fatalf("%d of the dead instance's 3 jobs delivered", n)
	}
	for i := range 3 {
		if j, _ := live.Get(fmt.Sprint("n", i)); j.Status != notify.StatusDelivered {
			t.Errorf("n%d: %+v", i, j)
		}
	}
	// Its jobs taken over, the dead instance leaves the group at the next round of removals.
	e.clk.Add(time.Minute)
	live.Tick(ctx)
	if got := consumers(t, e.rdb); fmt.Sprint(got) != "[live]" {
		t.Errorf("consumers after the takeover: %v, want [live]", got)
	}
}

// consumers lists the group's consumers, with their pending counts when not zero.
func consumers(t *testing.T, rdb redis.UniversalClient) []string {
	t.Helper()
	cs, err := rdb.XInfoConsumers(context.Background(), "wy:{notify}:stream", "weiyin").Result()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cs {
		if c.Pending > 0 {
			names = append(names, fmt.Sprintf("%s(%d)", c.Name, c.Pending))
		} else {
			names = append(names, c.Name)
		}
	}
	return names
}

// Ensure the group does not grow with every restart: an instance that stops leaves it, one that
// stopped without leaving is removed once idle for the claim time, and a consumer holding jobs
// keeps them until they are taken over (removing it first would lose them).
func TestStreamConsumersLeave(t *testing.T) {
	e := newEnv(t, onRedis, nil)
	ctx := context.Background()
	short := func(o *notify.StreamOptions) { o.SendTimeout, o.Claim = 50*time.Millisecond, 50*time.Millisecond }
	// b removes only consumers idle for its default claim time (a minute): none here.
	a, b := e.instance(t, "a", short), e.instance(t, "b", nil)
	if _, _, err := a.Enqueue(ctx, req("n1")); err != nil {
		t.Fatal(err)
	}
	// "holder" read n1 and died holding it; "quiet" read an entry, handled it and died.
	read := func(consumer string) []redis.XMessage {
		res, err := e.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "weiyin", Consumer: consumer,
			Streams: []string{"wy:{notify}:stream", ">"}, Count: 1, Block: -1}).Result()
		if err != nil {
			t.Fatal(err)
		}
		return res[0].Messages
	}
	read("holder")
	e.rdb.XAdd(ctx, &redis.XAddArgs{Stream: "wy:{notify}:stream", Values: []string{"id", "none"}})
	for _, m := range read("quiet") {
		e.rdb.XAck(ctx, "wy:{notify}:stream", "weiyin", m.ID)
		e.rdb.XDel(ctx, "wy:{notify}:stream", m.ID)
	}
	if _, _, err := b.Enqueue(ctx, req("n2")); err != nil {
		t.Fatal(err)
	}
	b.Tick(ctx) // b delivers n2
	if got := fmt.Sprint(consumers(t, e.rdb)); got != "[b holder(1) quiet]" {
		t.Fatalf("consumers: %s", got)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(consumers(t, e.rdb)); got != "[holder(1) quiet]" {
		t.Errorf("after b stopped: %s, want b gone", got)
	}
	time.Sleep(60 * time.Millisecond) // Redis's idle time passes the claim time
	e.clk.Add(time.Second)
	a.Tick(ctx) // takes n1 over from holder and delivers it, then removes holder and quiet
	if got := fmt.Sprint(consumers(t, e.rdb)); got != "[a]" {
		t.Errorf("after the claim time: %s, want [a]", got)
	}
	seen := map[string]int{}
	for _, m := range e.api.Templates() {
		seen[m.ClientMsgID]++
	}
	if seen["n1"] != 1 || seen["n2"] != 1 || len(seen) != 2 {
		t.Errorf("sent %v, want n1 and n2 once each", seen)
	}
}

// Ensure the rate limit is one for all instances: the burst is shared, not each instance's.
func TestStreamSharedRate(t *testing.T) {
	e := newEnv(t, onRedis, func(o *notify.Options) { o.Rate, o.Burst = 1, 3 })
	ctx := context.Background()
	a, b := e.instance(t, "a", nil), e.instance(t, "b", nil)
	for i, q := range []*notify.StreamQueue{a, b, a} {
		if ok, _, err := q.TakeToken(ctx); !ok || err != nil {
			t.Fatalf("send %d of the burst of 3: %v %v", i+1, ok, err)
		}
	}
	if ok, wait, _ := b.TakeToken(ctx); ok || wait <= 0 || wait > time.Second {
		t.Errorf("a fourth send at once: ok %v, wait %v; want refused for up to 1s", ok, wait)
	}
	e.clk.Add(time.Second)
	if ok, _, _ := b.TakeToken(ctx); !ok {
		t.Error("no send a second later at 1/s")
	}
}
