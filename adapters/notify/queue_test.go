package notify_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/weiyin-bank/weiyin/adapters/notify"
	"github.com/weiyin-bank/weiyin/adapters/wechat"
	"github.com/weiyin-bank/weiyin/adapters/wechat/wechattest"
	"github.com/weiyin-bank/weiyin/engine"
	"github.com/weiyin-bank/weiyin/internal/redistest"
)

// clock is a settable fake clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type resolver map[string]engine.Customer

func (r resolver) Customer(_ context.Context, id string) (engine.Customer, error) {
	c, ok := r[id]
	if !ok {
		return engine.Customer{}, fmt.Errorf("customer %s: %w", id, engine.ErrNotFound)
	}
	return c, nil
}

type env struct {
	api   *wechattest.FakeAPI
	clk   *clock
	path  string
	opts  notify.Options
	rdb   redis.UniversalClient // nil: the bbolt queue
	queue queue
}

// queue is what the tests drive of Queue (bbolt) and StreamQueue (Redis).
type queue interface {
	notify.Jobs
	Tick(ctx context.Context)
	Run(ctx context.Context) error
	Depth() int
	Receipt(ctx context.Context, msgID int64, status string) error
	Close() error
}

// backend says which queue a test runs on.
type backend int

const (
	onBolt backend = iota
	onRedis
)

// Ensure both queues keep the queue's contract: every test runs on bbolt and on a real Redis.
func TestQueues(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  func(*testing.T, backend)
	}{
		{"Deliver", testDeliver}, {"Idempotent", testIdempotent}, {"DurableAcrossReopen", testDurableAcrossReopen},
		{"Retries", testRetries}, {"RateLimit", testRateLimit}, {"ResolveCustomer", testResolveCustomer},
		{"Run", testRun}, {"Receipt", testReceipt},
	} {
		t.Run(tc.name+"/bbolt", func(t *testing.T) { tc.run(t, onBolt) })
		t.Run(tc.name+"/redis", func(t *testing.T) { tc.run(t, onRedis) })
	}
}

func newEnv(t *testing.T, b backend, tweak func(*notify.Options)) *env {
	t.Helper()
	e := &env{api: wechattest.NewFakeAPI("wxapp", "sec"), clk: &clock{t: time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)},
		path: filepath.Join(t.TempDir(), "notify.db")}
	t.Cleanup(e.api.Close)
	e.opts = notify.Options{
		Path:     e.path,
		Sender:   wechat.NewClient(wechat.ClientConfig{AppID: "wxapp", Secret: "sec", BaseURL: e.api.URL()}),
		Resolver: resolver{"C001": {ID: "C001", WechatOpenID: "o_c001"}, "C002": {ID: "C002"}},
		Clock:    e.clk,
		Rate:     1000, Burst: 1000,
	}
	if tweak != nil {
		tweak(&e.opts)
	}
	if b == onRedis {
		e.rdb = redistest.Start(t).Client()
	}
	e.open(t)
	return e
}

func (e *env) open(t *testing.T) {
	t.Helper()
	var q queue
	var err error
	if e.rdb != nil {
		q, err = notify.OpenStream(context.Background(), notify.StreamOptions{Options: e.opts, Client: e.rdb, Consumer: "c1"})
	} else {
		q, err = notify.Open(e.opts)
	}
	if err != nil {
		t.Fatal(err)
	}
	e.queue = q
	t.Cleanup(func() { q.Close() })
}

func req(id string) notify.Request {
	return notify.Request{ID: id, OpenID: "o_user", TemplateID: "TPL_TXN",
		Data: map[string]notify.Field{"amount": {Value: "¥500.00"}, "time": {Value: "2026-11-25 08:00", Color: "#173177"}},
		URL:  "https://bank.example/txn"}
}

// Ensure a queued notification is delivered as a template message and reported delivered.
func testDeliver(t *testing.T, b backend) {
	e := newEnv(t, b, nil)
	ctx := context.Background()
	job, created, err := e.queue.Enqueue(ctx, req("n1"))
	if err != nil || !created || job.Status != notify.StatusQueued || e.queue.Depth() != 1 {
		t.Fatalf("enqueue: %+v %v %v depth %d", job, created, err, e.queue.Depth())
	}
	e.queue.Tick(ctx)
	got, _ := e.queue.Get("n1")
	if got.Status != notify.StatusDelivered || got.MsgID == 0 || got.Attempts != 1 || e.queue.Depth() != 0 {
		t.Errorf("after tick: %+v depth %d", got, e.queue.Depth())
	}
	tpl := e.api.Templates()
	if len(tpl) != 1 || tpl[0].ToUser != "o_user" || tpl[0].TemplateID != "TPL_TXN" || tpl[0].ClientMsgID != "n1" ||
		tpl[0].Data["amount"].Value != "¥500.00" || tpl[0].Data["time"].Color != "#173177" || tpl[0].URL != "https://bank.example/txn" {
		t.Errorf("template sent: %+v", tpl)
	}
	// Delivered jobs are not sent again.
	e.queue.Tick(ctx)
	if len(e.api.Templates()) != 1 {
		t.Error("delivered job sent twice")
	}
}

// Ensure the caller's id makes requests idempotent and conflicting reuse is refused.
func testIdempotent(t *testing.T, b backend) {
	e := newEnv(t, b, nil)
	ctx := context.Background()
	if _, created, err := e.queue.Enqueue(ctx, req("n1")); err != nil || !created {
		t.Fatal(err)
	}
	if j, created, err := e.queue.Enqueue(ctx, req("n1")); err != nil || created || j.ID != "n1" {
		t.Errorf("repeat: %+v %v %v", j, created, err)
	}
	other := req("n1")
	other.Data = map[string]notify.Field{"amount": {Value: "¥1.00"}}
	if _, _, err := e.queue.Enqueue(ctx, other); !errors.Is(err, notify.ErrConflict) {
		t.Errorf("conflicting reuse: err = %v", err)
	}
	e.queue.Tick(ctx)
	if n := len(e.api.Templates()); n != 1 || e.queue.Depth() != 0 {
		t.Errorf("%d sends, depth %d; want 1, 0", n, e.queue.Depth())
	}
}

// Ensure accepted notifications survive closing and reopening the file (a restart), and are
// delivered afterwards.
func testDurableAcrossReopen(t *testing.T, b backend) {
	e := newEnv(t, b, nil)
	ctx := context.Background()
	for i := range 5 {
		if _, _, err := e.queue.Enqueue(ctx, req(fmt.Sprintf("n%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	// One is delivered before the "crash", one is mid-retry.
	e.api.FailHTTP(1)
	e.queue.Tick(ctx) // sends n0..n4: one fails (retry queued)
	delivered := len(e.api.Templates())
	if delivered != 4 {
		t.Fatalf("%d delivered before restart, want 4", delivered)
	}
	if err := e.queue.Close(); err != nil {
		t.Fatal(err)
	}
	e.open(t)
	if d := e.queue.Depth(); d != 1 {
		t.Errorf("depth after reopen = %d, want 1", d)
	}
	e.clk.Add(time.Hour)
	e.queue.Tick(ctx)
	if n := len(e.api.Templates()); n != 5 || e.queue.Depth() != 0 {
		t.Errorf("after restart: %d delivered, depth %d", n, e.queue.Depth())
	}
	for i := range 5 {
		if j, err := e.queue.Get(fmt.Sprintf("n%d", i)); err != nil || j.Status != notify.StatusDelivered {
			t.Errorf("n%d: %+v %v", i, j, err)
		}
	}
}

// Ensure transient failures are retried with doubling delays and permanent ones fail at once.
func testRetries(t *testing.T, b backend) {
	tests := []struct {
		name     string
		inject   func(api *wechattest.FakeAPI)
		steps    []time.Duration // clock advances between ticks
		status   string
		attempts int
	}{
		// Two HTTP 500s: retried after 2s then 4s, delivered on the third attempt.
		{"transient", func(a *wechattest.FakeAPI) { a.FailHTTP(2) }, []time.Duration{0, 2 * time.Second, 4 * time.Second}, notify.StatusDelivered, 3},
		// A retry is not made before its backoff has passed.
		{"not early", func(a *wechattest.FakeAPI) { a.FailHTTP(1) }, []time.Duration{0, time.Second}, notify.StatusQueued, 1},
		// System busy (-1) is transient.
		{"busy", func(a *wechattest.FakeAPI) { a.FailNext(-1) }, []time.Duration{0, 2 * time.Second}, notify.StatusDelivered, 2},
		// Not subscribed (43004) cannot succeed later: failed after one attempt.
		{"permanent", func(a *wechattest.FakeAPI) { a.FailNext(43004) }, []time.Duration{0, time.Hour}, notify.StatusFailed, 1},
		// Failures past MaxAttempts (3) end in failed.
		{"exhausted", func(a *wechattest.FakeAPI) { a.FailHTTP(10) }, []time.Duration{0, time.Hour, time.Hour, time.Hour}, notify.StatusFailed, 3},
		// An expired token is refreshed inside the send: one attempt, delivered.
		{"token expiry", func(a *wechattest.FakeAPI) { a.ExpireTokens() }, []time.Duration{0}, notify.StatusDelivered, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, b, func(o *notify.Options) { o.MaxAttempts = 3 })
			ctx := context.Background()
			// Warm the token so ExpireTokens has one to expire.
			if err := e.opts.Sender.(*wechat.Client).SendText(ctx, "o_warm", "x"); err != nil {
				t.Fatal(err)
			}
			tt.inject(e.api)
			if _, _, err := e.queue.Enqueue(ctx, req("r1")); err != nil {
				t.Fatal(err)
			}
			for _, d := range tt.steps {
				e.clk.Add(d)
				e.queue.Tick(ctx)
			}
			j, _ := e.queue.Get("r1")
			if j.Status != tt.status || j.Attempts != tt.attempts {
				t.Errorf("status %s after %d attempts (%s), want %s after %d", j.Status, j.Attempts, j.LastError, tt.status, tt.attempts)
			}
			if tt.status == notify.StatusFailed && j.LastError == "" {
				t.Error("failed without an error")
			}
		})
	}
}

// Ensure the token bucket caps sends per second.
func testRateLimit(t *testing.T, b backend) {
	e := newEnv(t, b, func(o *notify.Options) { o.Rate, o.Burst = 2, 3 })
	ctx := context.Background()
	for i := range 10 {
		e.queue.Enqueue(ctx, req(fmt.Sprintf("n%d", i)))
	}
	e.queue.Tick(ctx)
	if n := len(e.api.Templates()); n != 3 {
		t.Errorf("burst: %d sent, want 3", n)
	}
	e.clk.Add(time.Second)
	e.queue.Tick(ctx)
	if n := len(e.api.Templates()); n != 5 {
		t.Errorf("after 1s at 2/s: %d sent, want 5", n)
	}
	if d := e.queue.Depth(); d != 5 {
		t.Errorf("depth %d, want 5", d)
	}
}

// Ensure customers are resolved to their openid and unknown or unbound ones are refused.
func testResolveCustomer(t *testing.T, b backend) {
	e := newEnv(t, b, nil)
	ctx := context.Background()
	r := req("c1")
	r.OpenID, r.Customer = "", "C001"
	j, _, err := e.queue.Enqueue(ctx, r)
	if err != nil || j.ToUser != "o_c001" {
		t.Errorf("C001: %+v %v", j, err)
	}
	for _, c := range []string{"C002", "C404"} { // not bound; unknown
		r := req("c-" + c)
		r.OpenID, r.Customer = "", c
		if _, _, err := e.queue.Enqueue(ctx, r); !errors.Is(err, notify.ErrUnknownCustomer) {
			t.Errorf("%s: err = %v", c, err)
		}
	}
}

// Ensure Run delivers in the background and stops on cancel.
func testRun(t *testing.T, b backend) {
	e := newEnv(t, b, func(o *notify.Options) { o.Clock = nil })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- e.queue.Run(ctx) }()
	for i := range 3 {
		e.queue.Enqueue(context.Background(), req(fmt.Sprintf("n%d", i)))
	}
	if !e.api.WaitFor(3*time.Second, func() bool { return len(e.api.Templates()) == 3 }) {
		t.Errorf("Run delivered %d of 3", len(e.api.Templates()))
	}
	cancel()
	if err := <-done; err != nil {
		t.Error(err)
	}
}

// Ensure WeChat's receipts update delivered jobs: a failure marks the job failed with the
// reason; success keeps it delivered; unknown msgids are ignored.
func testReceipt(t *testing.T, b backend) {
	e := newEnv(t, b, nil)
	ctx := context.Background()
	for _, id := range []string{"ok", "blocked"} {
		e.queue.Enqueue(ctx, req(id))
	}
	e.queue.Tick(ctx)
	okJob, _ := e.queue.Get("ok")
	blocked, _ := e.queue.Get("blocked")
	if err := e.queue.Receipt(ctx, okJob.MsgID, "success"); err != nil {
		t.Fatal(err)
	}
	if err := e.queue.Receipt(ctx, blocked.MsgID, "failed:user block"); err != nil {
		t.Fatal(err)
	}
	if err := e.queue.Receipt(ctx, 999999, "success"); !errors.Is(err, notify.ErrNotFound) {
		t.Errorf("unknown msgid: %v", err)
	}
	if j, _ := e.queue.Get("ok"); j.Status != notify.StatusDelivered || j.Receipt != "success" {
		t.Errorf("ok: %+v", j)
	}
	if j, _ := e.queue.Get("blocked"); j.Status != notify.StatusFailed || j.Receipt != "failed:user block" || j.LastError == "" {
		t.Errorf("blocked: %+v", j)
	}
}
