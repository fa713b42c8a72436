package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Jobs is what the HTTP API needs of a queue: the bbolt Queue, or the Redis StreamQueue that
// several instances share.
type Jobs interface {
	Enqueue(ctx context.Context, r Request) (Job, bool, error)
	Get(id string) (Job, error)
}

var (
	_ Jobs = (*Queue)(nil)
	_ Jobs = (*StreamQueue)(nil)
)

// StreamQueue is the notification queue on a Redis Stream, shared by every instance on one
// Redis: the same API and guarantees as Queue. A request is stored under its id (the
// caller's idempotency key) and added to the stream in one script; every instance reads the
// stream in one consumer group (XREADGROUP), so each job goes to one instance, which
// acknowledges it (XACK) once the job is delivered, failed for good, or set aside for its
// retry (a sorted set by due time, moved back to the stream when due). Jobs an instance read
// and never acknowledged (it died mid-send) are claimed by another after ClaimIdle
// (XAUTOCLAIM) and sent again: delivery is at least once, and WeChat's client_msg_id (the
// job id) keeps a repeat from reaching the customer twice. The rate limit is one token
// bucket in Redis for all instances.
//
// Every key carries the {notify} hash tag, so in a cluster they live in one slot (one shard
// carries the queue) and one script may touch them together.
type StreamQueue struct {
	o        Options
	rdb      redis.UniversalClient
	consumer string
	idle     time.Duration
	log      *slog.Logger
	clock    interface{ Now() time.Time }
	sem      chan struct{}
	wg       sync.WaitGroup
	reaped   time.Time // when tick last removed departed consumers
}

// Redis keys of the stream queue.
const (
	streamKey   = "wy:{notify}:stream"  // entries: id = job id
	delayedKey  = "wy:{notify}:delayed" // sorted set: job id by due time (ms)
	rateKey     = "wy:{notify}:rate"    // hash: tokens, last (ms)
	jobPrefix   = "wy:{notify}:job:"    // job JSON
	msgIDPrefix = "wy:{notify}:msgid:"  // WeChat msgid -> job id, for receipts
	groupName   = "weiyin"
)

// DefaultClaimIdle is how long a job read by an instance may stay unacknowledged before
// another instance takes it over: longer than a send (SendTimeout, 30 s by default).
const DefaultClaimIdle = time.Minute

// StreamOptions add to Options what the stream queue needs; Options.Path is not used.
type StreamOptions struct {
	Options
	Client   redis.UniversalClient
	Consumer string        // this instance's name in the group; must differ between instances
	Claim    time.Duration // ClaimIdle; default DefaultClaimIdle, at least SendTimeout
}

// OpenStream returns the queue on o.Client and creates the consumer group if it is missing.
func OpenStream(ctx context.Context, o StreamOptions) (*StreamQueue, error) {
	if o.Client == nil || o.Sender == nil || o.Consumer == "" {
		return nil, errors.New("notify: Client, Sender and Consumer are required")
	}
	o.defaults()
	if o.Claim <= 0 {
		o.Claim = DefaultClaimIdle
	}
	o.Claim = max(o.Claim, o.SendTimeout)
	q := &StreamQueue{o: o.Options, rdb: o.Client, consumer: o.Consumer, idle: o.Claim, log: o.Logger,
		clock: o.Clock, sem: make(chan struct{}, o.Workers)}
	if q.clock == nil {
		q.clock = systemClock{}
	}
	if q.log == nil {
		q.log = slog.New(slog.DiscardHandler)
	}
	err := q.rdb.XGroupCreateMkStream(ctx, streamKey, groupName, "0").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return nil, fmt.Errorf("notify: creating the consumer group: %w", err)
	}
	return q, nil
}

// Close waits for sends in flight, then takes this instance out of the consumer group when
// it holds no job. Stop Run first.
func (q *StreamQueue) Close() error {
	q.wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := q.leave(ctx, q.consumer); err != nil {
		q.log.Warn("notify: leaving the consumer group (others remove it later)", "err", err)
	}
	return nil
}

// leaveScript removes a consumer from the group only when it holds no pending entry (removing
// it would drop them from the group's pending list, and nobody could take them over). KEYS:
// stream. ARGV: group, consumer. Returns 1 when it was removed.
var leaveScript = redis.NewScript(`
if #redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2]) > 0 then return 0 end
return redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2]) >= 0 and 1 or 0
`)

func (q *StreamQueue) leave(ctx context.Context, consumer string) (bool, error) {
	n, err := leaveScript.Run(ctx, q.rdb, []string{streamKey}, groupName, consumer).Int()
	return n == 1, err
}

// reap removes from the group the consumers that have held nothing and read nothing for the
// claim time: instances that stopped, or died and had their jobs taken over. A live instance
// reads every runBlock, and one removed by mistake is added back by its next read.
func (q *StreamQueue) reap(ctx context.Context) error {
	cs, err := q.rdb.XInfoConsumers(ctx, streamKey, groupName).Result()
	if err != nil {
		return fmt.Errorf("notify: listing consumers: %w", err)
	}
	for _, c := range cs {
		if c.Name == q.consumer || c.Pending > 0 || c.Idle < q.idle {
			continue
		}
		gone, err := q.leave(ctx, c.Name)
		if err != nil {
			return fmt.Errorf("notify: removing a departed consumer: %w", err)
		}
		if gone {
			q.log.Info("notify: removed a departed instance from the consumer group", "consumer", c.Name, "idle", c.Idle)
		}
	}
	return nil
}

// Depth is the number of jobs waiting for delivery: in the stream (new or being sent) or set
// aside for a retry; -1 when Redis cannot be asked.
func (q *StreamQueue) Depth() int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	p := q.rdb.Pipeline()
	n1 := p.XLen(ctx, streamKey)
	n2 := p.ZCard(ctx, delayedKey)
	if _, err := p.Exec(ctx); err != nil {
		return -1
	}
	return int(n1.Val() + n2.Val())
}

// enqueueScript stores a job and adds it to the stream unless its id is taken; returns the
// stored job's JSON when it is. KEYS: job, stream. ARGV: job JSON, job id.
var enqueueScript = redis.NewScript(`
local old = redis.call('GET', KEYS[1])
if old then return old end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('XADD', KEYS[2], '*', 'id', ARGV[2])
return false
`)

// Enqueue stores r durably and queues it; created is false when the id was already queued
// with the same content (that job is returned). ErrConflict, ErrInvalid, ErrUnknownCustomer
// as Queue.Enqueue.
func (q *StreamQueue) Enqueue(ctx context.Context, r Request) (Job, bool, error) {
	if err := validate(&r); err != nil {
		return Job{}, false, err
	}
	to, err := resolveTo(ctx, q.o.Resolver, r)
	if err != nil {
		return Job{}, false, err
	}
	now := q.clock.Now()
	job := Job{Request: r, ToUser: to, Status: StatusQueued, NextAttempt: now, Created: now, Updated: now}
	b, err := json.Marshal(job)
	if err != nil {
		return Job{}, false, err
	}
	old, err := enqueueScript.Run(ctx, q.rdb, []string{jobPrefix + r.ID, streamKey}, b, r.ID).Text()
	switch {
	case errors.Is(err, redis.Nil):
		return job, true, nil
	case err != nil:
		return Job{}, false, fmt.Errorf("notify: store %s: %w", r.ID, err)
	}
	var prev Job
	if err := json.Unmarshal([]byte(old), &prev); err != nil {
		return Job{}, false, fmt.Errorf("notify: stored %s: %w", r.ID, err)
	}
	if !same(prev.Request, r) {
		return Job{}, false, ErrConflict
	}
	return prev, false, nil
}

// Get returns the job with id, or ErrNotFound.
func (q *StreamQueue) Get(id string) (Job, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return q.get(ctx, id)
}

func (q *StreamQueue) get(ctx context.Context, id string) (Job, error) {
	b, err := q.rdb.Get(ctx, jobPrefix+id).Bytes()
	if errors.Is(err, redis.Nil) {
		return Job{}, ErrNotFound
	}
	if err != nil {
		return Job{}, fmt.Errorf("notify: reading %s: %w", id, err)
	}
	var job Job
	if err := json.Unmarshal(b, &job); err != nil {
		return Job{}, fmt.Errorf("notify: stored %s: %w", id, err)
	}
	return job, nil
}

// runBlock is how long Run waits for new jobs before it looks at the retries again.
const runBlock = 200 * time.Millisecond

// Run delivers jobs until ctx ends, then waits for sends in flight.
func (q *StreamQueue) Run(ctx context.Context) error {
	for ctx.Err() == nil {
		if err := q.tick(ctx, runBlock); err != nil && ctx.Err() == nil {
			q.log.Warn("notify: reading the queue", "err", err)
			t := time.NewTimer(time.Second)
			select {
			case <-ctx.Done():
			case <-t.C:
			}
			t.Stop()
		}
	}
	q.wg.Wait()
	return nil
}

// Tick moves the retries due now back to the stream, takes over jobs a dead instance left,
// reads what is new without waiting, and sends it all (as far as the rate allows); it returns
// when the sends are done. Tests drive the queue with it and a fake clock.
func (q *StreamQueue) Tick(ctx context.Context) {
	if err := q.tick(ctx, -1); err != nil {
		q.log.Warn("notify: reading the queue", "err", err)
	}
	q.wg.Wait()
}

// promoteScript moves the retries due at ARGV[1] (ms) back to the stream. KEYS: delayed,
// stream.
var promoteScript = redis.NewScript(`
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 256)
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[1], id)
  redis.call('XADD', KEYS[2], '*', 'id', id)
end
return #ids
`)

// tick does one round; block is how long to wait for new entries (negative: not at all).
func (q *StreamQueue) tick(ctx context.Context, block time.Duration) error {
	if err := promoteScript.Run(ctx, q.rdb, []string{delayedKey, streamKey}, q.clock.Now().UnixMilli()).Err(); err != nil {
		return fmt.Errorf("notify: moving due retries: %w", err)
	}
	claimed, _, err := q.rdb.XAutoClaim(ctx, &redis.XAutoClaimArgs{Stream: streamKey, Group: groupName,
		Consumer: q.consumer, MinIdle: q.idle, Start: "0-0", Count: 64}).Result()
	if err != nil {
		return fmt.Errorf("notify: claiming abandoned jobs: %w", err)
	}
	for _, m := range claimed {
		q.log.Info("notify: taking over a job another instance left", "id", m.Values["id"])
		q.start(ctx, m)
	}
	if now := q.clock.Now(); now.Sub(q.reaped) >= q.idle {
		q.reaped = now
		if err := q.reap(ctx); err != nil {
			q.log.Warn("notify: removing departed consumers", "err", err)
		}
	}
	if len(claimed) > 0 {
		block = -1 // look again soon: there may be more
	}
	res, err := q.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: groupName, Consumer: q.consumer,
		Streams: []string{streamKey, ">"}, Count: int64(q.o.Workers) * 4, Block: block}).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		if strings.HasPrefix(err.Error(), "NOGROUP") { // Redis lost the group (restarted empty)
			q.rdb.XGroupCreateMkStream(ctx, streamKey, groupName, "0")
		}
		return fmt.Errorf("notify: reading new jobs: %w", err)
	}
	for _, s := range res {
		for _, m := range s.Messages {
			q.start(ctx, m)
		}
	}
	return nil
}

// start sends the job of stream entry m on a worker, waiting for a free one.
func (q *StreamQueue) start(ctx context.Context, m redis.XMessage) {
	q.sem <- struct{}{}
	q.wg.Add(1)
	go func() {
		defer func() { <-q.sem; q.wg.Done() }()
		id, _ := m.Values["id"].(string)
		q.attempt(ctx, m.ID, id)
	}()
}

// settleScript records an attempt and acknowledges its stream entry, in one step. KEYS: job,
// stream, delayed, msgid key (or any key of the slot). ARGV: job JSON, entry id, group, due
// ms ("" unless retried), job id, msgid ("" = none).
var settleScript = redis.NewScript(`
redis.call('SET', KEYS[1], ARGV[1])
if ARGV[4] ~= '' then redis.call('ZADD', KEYS[3], ARGV[4], ARGV[5]) end
if ARGV[6] ~= '' then redis.call('SET', KEYS[4], ARGV[5]) end
redis.call('XACK', KEYS[2], ARGV[3], ARGV[2])
redis.call('XDEL', KEYS[2], ARGV[2])
return 1
`)

// ackScript acknowledges and drops a stream entry. KEYS: stream. ARGV: group, entry id.
var ackScript = redis.NewScript(`
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
return redis.call('XDEL', KEYS[1], ARGV[2])
`)

// attempt sends the job id of stream entry entry once and records the outcome.
func (q *StreamQueue) attempt(ctx context.Context, entry, id string) {
	rctx := context.WithoutCancel(ctx)
	job, err := q.get(rctx, id)
	if errors.Is(err, ErrNotFound) || (err == nil && job.Status != StatusQueued) {
		ackScript.Run(rctx, q.rdb, []string{streamKey}, groupName, entry)
		return
	}
	if err != nil {
		q.log.Warn("notify: reading a job (its entry is taken over later)", "id", id, "err", err)
		return
	}
	ok, wait, err := q.TakeToken(rctx)
	if err != nil {
		q.log.Warn("notify: rate limit (the job is taken over later)", "id", id, "err", err)
		return
	}
	var sendErr error
	if ok {
		sctx, cancel := context.WithTimeout(rctx, q.o.SendTimeout)
		var msgID int64
		msgID, sendErr = q.o.Sender.SendTemplate(sctx, templateOf(job))
		cancel()
		q.o.settle(&job, msgID, sendErr, q.clock.Now())
	} else { // over the shared rate: set aside until a send is free, no attempt counted
		job.NextAttempt = q.clock.Now().Add(wait)
	}
	b, err := json.Marshal(job)
	if err != nil {
		q.log.Error("notify: encoding a job", "id", id, "err", err)
		return
	}
	due, mid := "", ""
	if job.Status == StatusQueued {
		due = strconv.FormatInt(job.NextAttempt.UnixMilli(), 10)
	}
	if job.MsgID != 0 {
		mid = strconv.FormatInt(job.MsgID, 10)
	}
	keys := []string{jobPrefix + id, streamKey, delayedKey, msgIDPrefix + mid}
	if err := settleScript.Run(rctx, q.rdb, keys, b, entry, groupName, due, id, mid).Err(); err != nil {
		q.log.Error("notify: record attempt (the job is sent again after the claim time)", "id", id, "err", err)
		return
	}
	if !ok {
		return
	}
	lvl := slog.LevelInfo
	if sendErr != nil {
		lvl = slog.LevelWarn
	}
	q.log.Log(ctx, lvl, "notify attempt", "id", id, "status", job.Status, "attempts", job.Attempts, "err", job.LastError)
}

// rateScript takes one token from the shared bucket. KEYS: bucket. ARGV: rate per second,
// burst, now ms. Returns 0 when taken, else the ms until a token is there.
var rateScript = redis.NewScript(`
local rate, burst, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'last')
local tokens, last = tonumber(b[1]) or burst, tonumber(b[2]) or now
if now > last then tokens = math.min(burst, tokens + (now - last) / 1000 * rate); last = now end
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) / rate * 1000) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'last', tostring(last))
redis.call('PEXPIRE', KEYS[1], 3600000)
return wait
`)

// TakeToken takes one send from the rate limit that all instances share, reporting how long
// to wait when there is none.
func (q *StreamQueue) TakeToken(ctx context.Context) (ok bool, wait time.Duration, err error) {
	ms, err := rateScript.Run(ctx, q.rdb, []string{rateKey}, q.o.Rate, q.o.Burst, q.clock.Now().UnixMilli()).Int64()
	if err != nil {
		return false, 0, fmt.Errorf("notify: rate limit: %w", err)
	}
	return ms == 0, time.Duration(ms) * time.Millisecond, nil
}

// Receipt records WeChat's final report on a delivered template message, as Queue.Receipt.
func (q *StreamQueue) Receipt(ctx context.Context, msgID int64, status string) error {
	id, err := q.rdb.Get(ctx, msgIDPrefix+strconv.FormatInt(msgID, 10)).Result()
	if errors.Is(err, redis.Nil) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("notify: receipt for msgid %d: %w", msgID, err)
	}
	job, err := q.get(ctx, id)
	if err != nil {
		return err
	}
	job.receipt(status, q.clock.Now())
	b, err := json.Marshal(job)
	if err != nil {
		return err
	}
	if err := q.rdb.Set(ctx, jobPrefix+id, b, 0).Err(); err != nil {
		return fmt.Errorf("notify: receipt for msgid %d: %w", msgID, err)
	}
	return nil
}
