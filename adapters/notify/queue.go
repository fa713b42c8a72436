package notify

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/silenceper/wechat/v2/officialaccount/message"
	bolt "go.etcd.io/bbolt"
	"golang.org/x/time/rate"

	"github.com/weiyin-bank/weiyin/engine"
)

// Sender sends a template message and returns WeChat's msgid. *wechat.Client implements it.
// An error with a Temporary() bool method that reports false fails the job at once; any other
// error is retried.
type Sender interface {
	SendTemplate(ctx context.Context, m *message.TemplateMessage) (int64, error)
}

// Resolver finds a customer's WeChat openid; engine.Bank implements it.
type Resolver interface {
	Customer(ctx context.Context, id string) (engine.Customer, error)
}

// Field is one template data value. In JSON it is {"value","color"} or just a string.
type Field struct {
	Value string `json:"value"`
	Color string `json:"color,omitempty"`
}

// UnmarshalJSON accepts "text" as well as {"value":"text","color":"#173177"}.
func (f *Field) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		f.Color = ""
		return json.Unmarshal(b, &f.Value)
	}
	type plain Field
	var p plain
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return err
	}
	*f = Field(p)
	return nil
}

// Request is what a caller POSTs: one template message for one customer, by openid or by
// customer id.
type Request struct {
	ID         string           `json:"id"`
	OpenID     string           `json:"openid,omitempty"`
	Customer   string           `json:"customer,omitempty"`
	TemplateID string           `json:"template_id"`
	Data       map[string]Field `json:"data"`
	URL        string           `json:"url,omitempty"`
}

// Job states.
const (
	StatusQueued    = "queued"
	StatusDelivered = "delivered"
	StatusFailed    = "failed"
)

// Job is a stored notification and its delivery state.
type Job struct {
	Request
	ToUser      string    `json:"to_user"` // the openid it goes to
	Status      string    `json:"status"`
	Attempts    int       `json:"attempts"`
	NextAttempt time.Time `json:"next_attempt,omitzero"`
	LastError   string    `json:"last_error,omitempty"`
	MsgID       int64     `json:"msgid,omitempty"`
	Receipt     string    `json:"receipt,omitempty"` // WeChat's final report, when it came
	Created     time.Time `json:"created"`
	Updated     time.Time `json:"updated"`
}

// Options configures a Queue. Path and Sender are required.
type Options struct {
	Path     string // the bbolt file (its own, not the sessions')
	Sender   Sender
	Resolver Resolver     // nil: requests must name the openid
	Clock    engine.Clock // default: the system clock
	Logger   *slog.Logger

	Rate        float64       // sends per second; default 10
	Burst       int           // default 20
	MaxAttempts int           // then failed; default 8
	Backoff     time.Duration // first retry delay, doubled each time; default 2s
	MaxBackoff  time.Duration // default 10m
	Workers     int           // concurrent sends; default 4
	SendTimeout time.Duration // one send; default 30s
}

// Queue is a durable notification queue. Safe for concurrent use.
type Queue struct {
	o     Options
	db    *bolt.DB
	clock engine.Clock
	log   *slog.Logger
	limit *rate.Limiter // golang.org/x/time/rate: Rate a second, Burst at once
	depth atomic.Int64
	wake  chan struct{}

	mu      sync.Mutex
	sending map[string]bool // ids being sent now
	sem     chan struct{}   // bounds concurrent sends to Workers
	wg      sync.WaitGroup
}

var (
	bucketJobs    = []byte("jobs")    // id -> Job JSON
	bucketPending = []byte("pending") // due time (8 bytes, ns) + id -> nothing
	bucketMsgIDs  = []byte("msgids")  // WeChat msgid (decimal) -> id, for receipts
)

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// defaults fills in the zero fields of o.
func (o *Options) defaults() {
	if o.Rate <= 0 {
		o.Rate = 10
	}
	if o.Burst <= 0 {
		o.Burst = 20
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 8
	}
	if o.Backoff <= 0 {
		o.Backoff = 2 * time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 10 * time.Minute
	}
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.SendTimeout <= 0 {
		o.SendTimeout = 30 * time.Second
	}
}

// Open opens (creating) the queue file. Jobs queued before a crash are pending again.
func Open(o Options) (*Queue, error) {
	if o.Path == "" || o.Sender == nil {
		return nil, errors.New("notify: Path and Sender are required")
	}
	o.defaults()
	q := &Queue{o: o, clock: o.Clock, log: o.Logger, wake: make(chan struct{}, 1), sending: map[string]bool{},
		sem: make(chan struct{}, o.Workers)}
	if q.clock == nil {
		q.clock = systemClock{}
	}
	if q.log == nil {
		q.log = slog.New(slog.DiscardHandler)
	}
	db, err := bolt.Open(o.Path, 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("notify: open %s: %w", o.Path, err)
	}
	var n int
	err = db.Update(func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucketIfNotExists(bucketJobs); err != nil {
			return err
		}
		if _, err := tx.CreateBucketIfNotExists(bucketMsgIDs); err != nil {
			return err
		}
		p, err := tx.CreateBucketIfNotExists(bucketPending)
		if err != nil {
			return err
		}
		n = p.Stats().KeyN
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("notify: init %s: %w", o.Path, err)
	}
	q.db = db
	q.depth.Store(int64(n))
	q.limit = rate.NewLimiter(rate.Limit(o.Rate), o.Burst)
	return q, nil
}

// Close closes the file. Stop Run first.
func (q *Queue) Close() error {
	q.wg.Wait()
	return q.db.Close()
}

// Depth is the number of jobs waiting for delivery (queued, including retries).
func (q *Queue) Depth() int { return int(q.depth.Load()) }

func pendingKey(due time.Time, id string) []byte {
	k := make([]byte, 8, 8+len(id))
	binary.BigEndian.PutUint64(k, uint64(due.UnixNano()))
	return append(k, id...)
}

// validate checks r and normalises it.
func validate(r *Request) error {
	r.ID, r.OpenID, r.Customer = strings.TrimSpace(r.ID), strings.TrimSpace(r.OpenID), strings.TrimSpace(r.Customer)
	r.TemplateID = strings.TrimSpace(r.TemplateID)
	switch {
	case r.ID == "" || len(r.ID) > 64:
		return fmt.Errorf("%w: id must be 1 to 64 characters", ErrInvalid)
	case r.TemplateID == "":
		return fmt.Errorf("%w: template_id is required", ErrInvalid)
	case r.OpenID == "" && r.Customer == "":
		return fmt.Errorf("%w: openid or customer is required", ErrInvalid)
	case len(r.Data) == 0:
		return fmt.Errorf("%w: data is required", ErrInvalid)
	case len(r.Data) > 64:
		return fmt.Errorf("%w: too many data fields", ErrInvalid)
	}
	return nil
}

// same reports whether a repeat of an id carries the same notification.
func same(a, b Request) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

// Enqueue stores r durably and returns its job; created is false when the id was already
// queued with the same content (the existing job is returned). ErrConflict when the id holds
// another notification; ErrInvalid, ErrUnknownCustomer for bad requests.
func (q *Queue) Enqueue(ctx context.Context, r Request) (job Job, created bool, err error) {
	if err := validate(&r); err != nil {
		return Job{}, false, err
	}
	if old, err := q.Get(r.ID); err == nil {
		if !same(old.Request, r) {
			return Job{}, false, ErrConflict
		}
		return old, false, nil
	}
	to, err := resolveTo(ctx, q.o.Resolver, r)
	if err != nil {
		return Job{}, false, err
	}
	now := q.clock.Now()
	job = Job{Request: r, ToUser: to, Status: StatusQueued, NextAttempt: now, Created: now, Updated: now}
	err = q.db.Update(func(tx *bolt.Tx) error {
		jobs := tx.Bucket(bucketJobs)
		if prev := jobs.Get([]byte(r.ID)); prev != nil { // lost a race with the same id
			var old Job
			if err := json.Unmarshal(prev, &old); err != nil {
				return err
			}
			if !same(old.Request, r) {
				return ErrConflict
			}
			job, created = old, false
			return nil
		}
		b, err := json.Marshal(job)
		if err != nil {
			return err
		}
		created = true
		if err := jobs.Put([]byte(r.ID), b); err != nil {
			return err
		}
		return tx.Bucket(bucketPending).Put(pendingKey(now, r.ID), nil)
	})
	if err != nil {
		if errors.Is(err, ErrConflict) {
			return Job{}, false, err
		}
		return Job{}, false, fmt.Errorf("notify: store %s: %w", r.ID, err)
	}
	if created {
		q.depth.Add(1)
		q.poke()
	}
	return job, created, nil
}

// resolveTo returns the openid r goes to: its own, or its customer's.
func resolveTo(ctx context.Context, res Resolver, r Request) (string, error) {
	if r.OpenID != "" {
		return r.OpenID, nil
	}
	if res == nil {
		return "", fmt.Errorf("%w: customer lookup is not configured; send the openid", ErrUnknownCustomer)
	}
	c, err := res.Customer(ctx, r.Customer)
	switch {
	case errors.Is(err, engine.ErrNotFound):
		return "", fmt.Errorf("%w: %s", ErrUnknownCustomer, r.Customer)
	case err != nil:
		return "", fmt.Errorf("notify: look up customer: %w", err)
	case c.WechatOpenID == "":
		return "", fmt.Errorf("%w: %s has no WeChat binding", ErrUnknownCustomer, r.Customer)
	}
	return c.WechatOpenID, nil
}

// Get returns the job with id, or ErrNotFound.
func (q *Queue) Get(id string) (Job, error) {
	var job Job
	err := q.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketJobs).Get([]byte(id))
		if b == nil {
			return ErrNotFound
		}
		return json.Unmarshal(b, &job)
	})
	return job, err
}

func (q *Queue) poke() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// Run delivers jobs until ctx ends, then waits for sends in flight.
func (q *Queue) Run(ctx context.Context) error {
	for {
		wait := q.tick(ctx)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			q.wg.Wait()
			return nil
		case <-q.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// Tick starts the sends of every job due now (as far as the rate allows) and waits for them.
// Tests drive the queue with it and a fake clock; Run calls it in a loop.
func (q *Queue) Tick(ctx context.Context) {
	q.tick(ctx)
	q.wg.Wait()
}

// tick starts due sends and returns how long to sleep before the next look.
func (q *Queue) tick(ctx context.Context) time.Duration {
	const idle = time.Minute
	now := q.clock.Now()
	due, next, err := q.due(now, 256)
	if err != nil {
		q.log.Error("notify: scan queue", "err", err)
		return time.Second
	}
	for _, id := range due {
		if ctx.Err() != nil {
			return 0
		}
		ok, wait := take(q.limit, q.clock.Now())
		if !ok {
			return wait
		}
		q.mu.Lock()
		if q.sending[id] {
			q.mu.Unlock()
			continue
		}
		q.sending[id] = true
		q.mu.Unlock()
		q.sem <- struct{}{}
		q.wg.Add(1)
		go func() {
			defer func() { <-q.sem; q.wg.Done() }()
			q.attempt(ctx, id)
			q.mu.Lock()
			delete(q.sending, id)
			q.mu.Unlock()
		}()
	}
	if len(due) == 256 {
		return 0
	}
	if next.IsZero() {
		return idle
	}
	if d := next.Sub(now); d < idle {
		return max(d, time.Millisecond)
	}
	return idle
}

// due lists up to n ids due at now, in due order, and the first due time after them.
func (q *Queue) due(now time.Time, n int) (ids []string, next time.Time, err error) {
	err = q.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketPending).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if len(k) < 8 {
				continue
			}
			at := time.Unix(0, int64(binary.BigEndian.Uint64(k[:8])))
			if at.After(now) || len(ids) == n {
				next = at
				return nil
			}
			ids = append(ids, string(k[8:]))
		}
		return nil
	})
	return ids, next, err
}

// attempt sends one job and records the outcome.
func (q *Queue) attempt(ctx context.Context, id string) {
	job, err := q.Get(id)
	if err != nil || job.Status != StatusQueued {
		return
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), q.o.SendTimeout)
	msgID, sendErr := q.o.Sender.SendTemplate(sctx, templateOf(job))
	cancel()
	prevDue := job.NextAttempt
	q.o.settle(&job, msgID, sendErr, q.clock.Now())
	err = q.db.Update(func(tx *bolt.Tx) error {
		b, err := json.Marshal(job)
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketJobs).Put([]byte(id), b); err != nil {
			return err
		}
		p := tx.Bucket(bucketPending)
		if err := p.Delete(pendingKey(prevDue, id)); err != nil {
			return err
		}
		if job.Status == StatusQueued {
			return p.Put(pendingKey(job.NextAttempt, id), nil)
		}
		if job.MsgID != 0 {
			return tx.Bucket(bucketMsgIDs).Put(strconv.AppendInt(nil, job.MsgID, 10), []byte(id))
		}
		return nil
	})
	if err != nil {
		q.log.Error("notify: record attempt", "id", id, "err", err)
		return
	}
	if job.Status != StatusQueued {
		q.depth.Add(-1)
	}
	lvl := slog.LevelInfo
	if sendErr != nil {
		lvl = slog.LevelWarn
	}
	q.log.Log(ctx, lvl, "notify attempt", "id", id, "status", job.Status, "attempts", job.Attempts, "err", job.LastError)
}

// Receipt records WeChat's final report on a delivered template message (the
// TEMPLATESENDJOBFINISH event): "success" keeps the job delivered; anything else ("failed:user
// block", "failed: system failed") marks it failed with that reason. Unknown msgids are
// ignored (ErrNotFound): the account may send template messages of its own.
func (q *Queue) Receipt(ctx context.Context, msgID int64, status string) error {
	err := q.db.Update(func(tx *bolt.Tx) error {
		id := tx.Bucket(bucketMsgIDs).Get(strconv.AppendInt(nil, msgID, 10))
		if id == nil {
			return ErrNotFound
		}
		jobs := tx.Bucket(bucketJobs)
		var job Job
		if err := json.Unmarshal(jobs.Get(id), &job); err != nil {
			return err
		}
		job.receipt(status, q.clock.Now())
		b, err := json.Marshal(job)
		if err != nil {
			return err
		}
		return jobs.Put(id, b)
	})
	if err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("notify: receipt for msgid %d: %w", msgID, err)
	}
	return err
}

// receipt records WeChat's final report on job: "success" keeps it delivered, anything else
// fails it with that reason.
func (job *Job) receipt(status string, now time.Time) {
	job.Receipt, job.Updated = status, now
	if status != "success" {
		job.Status, job.LastError = StatusFailed, "WeChat receipt: "+status
	}
}

// settle records in job the outcome of one attempt that ended at now: delivered, failed for
// good, or due again after the backoff.
func (o *Options) settle(job *Job, msgID int64, sendErr error, now time.Time) {
	job.Attempts++
	job.Updated = now
	switch {
	case sendErr == nil:
		job.Status, job.MsgID, job.LastError, job.NextAttempt = StatusDelivered, msgID, "", time.Time{}
	case permanent(sendErr) || job.Attempts >= o.MaxAttempts:
		job.Status, job.LastError, job.NextAttempt = StatusFailed, sendErr.Error(), time.Time{}
	default:
		job.LastError = sendErr.Error()
		job.NextAttempt = now.Add(o.backoff(job.Attempts))
	}
}

// backoff is the delay before retry n (1-based): Backoff doubled each time, capped.
func (o *Options) backoff(n int) time.Duration {
	d := o.Backoff
	for i := 1; i < n && d < o.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, o.MaxBackoff)
}

// permanent reports whether err says retrying cannot help.
func permanent(err error) bool {
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && !t.Temporary()
}

func templateOf(j Job) *message.TemplateMessage {
	m := &message.TemplateMessage{ToUser: j.ToUser, TemplateID: j.TemplateID, URL: j.URL,
		ClientMsgID: j.ID, Data: make(map[string]*message.TemplateDataItem, len(j.Data))}
	for k, f := range j.Data {
		m.Data[k] = &message.TemplateDataItem{Value: f.Value, Color: f.Color}
	}
	return m
}
