package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/weiyin-bank/weiyin/engine"
)

// Options tune a Store; zero fields take the defaults.
type Options struct {
	// LeaseTTL is how long a user's lease lasts unless given up [30s]: longer than any turn
	// (a bank call times out after 10 s), since a turn that outlives it is not committed. A
	// killed instance blocks its customers' next turns this long at most.
	LeaseTTL time.Duration
	// SessionTTL is how long a session nobody touches is kept [24h]. Keep it well above the
	// engine's session TTL, so an idle flow ends with its polite message, not silently.
	SessionTTL time.Duration
	// ReplyTTL is how long the reply to a message id is kept for retries [24h].
	ReplyTTL time.Duration
	// NoAutoPipeline sends each turn's lease and commit on a connection of its own instead
	// of batching the concurrent turns' scripts into pipelines (go-redis's autopipeliner,
	// marked experimental by go-redis: this turns it off). Batching takes a third of the
	// time a turn's store calls take under load.
	NoAutoPipeline bool
}

// Defaults of Options.
const (
	DefaultLeaseTTL   = 30 * time.Second
	DefaultSessionTTL = 24 * time.Hour
	DefaultReplyTTL   = 24 * time.Hour
)

// MaxValue caps a session or reply record (Redis's own limit is 512 MB).
const MaxValue = 16 << 20

// Store is a Redis-backed engine.Store and engine.Leaser. Safe for concurrent use, by any
// number of processes.
type Store struct {
	rdb    redis.UniversalClient
	turns  redis.Scripter // runs the turn's scripts: rdb, or its autopipeliner
	opt    Options
	own    bool   // Close closes rdb
	prefix string // random, names this Store's lease tokens
	seq    atomic.Uint64
}

var (
	_ engine.Store  = (*Store)(nil)
	_ engine.Leaser = (*Store)(nil)
)

// Open parses a store URL (ParseURL), connects and checks that Redis answers.
func Open(ctx context.Context, rawURL string) (*Store, error) {
	c, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	rdb := c.Client()
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("redisstore: connecting to %s: %w", redact(rawURL), err)
	}
	s := New(rdb, c.Options)
	s.own = true
	return s, nil
}

// New returns a Store on rdb; Close leaves rdb open.
func New(rdb redis.UniversalClient, o Options) *Store {
	if o.LeaseTTL <= 0 {
		o.LeaseTTL = DefaultLeaseTTL
	}
	if o.SessionTTL <= 0 {
		o.SessionTTL = DefaultSessionTTL
	}
	if o.ReplyTTL <= 0 {
		o.ReplyTTL = DefaultReplyTTL
	}
	var b [8]byte
	rand.Read(b[:])
	st := &Store{rdb: rdb, turns: rdb, opt: o, prefix: hex.EncodeToString(b[:]) + "."}
	if ap, ok := rdb.(interface {
		AutoPipeline() (*redis.AutoPipeliner, error)
	}); ok && !o.NoAutoPipeline {
		if p, err := ap.AutoPipeline(); err == nil { // an error only for an invalid config
			st.turns = p
		}
	}
	return st
}

// Client returns the Redis client, for the other shared parts (WeChat dedupe and access
// token, notification queue). Closed by Close when Open made it.
func (s *Store) Client() redis.UniversalClient { return s.rdb }

// Options returns the options in force.
func (s *Store) Options() Options { return s.opt }

// Close closes the client when Open made it.
func (s *Store) Close() error {
	if s.own {
		return s.rdb.Close()
	}
	return nil
}

// Tag is the hash tag that every key of user carries: the user itself, or "~" and its hex when
// it holds a brace (which would end the tag early) or begins with "~".
func Tag(user string) string {
	if strings.ContainsAny(user, "{}") || strings.HasPrefix(user, "~") {
		return "~" + hex.EncodeToString([]byte(user))
	}
	return user
}

func sessionKey(user string) string { return "wy:{" + Tag(user) + "}:s" }
func leaseKey(user string) string   { return "wy:{" + Tag(user) + "}:l" }
func replyKey(user, msgID string) string {
	return "wy:{" + Tag(user) + "}:r:" + msgID
}

// token returns a new lease token (also the next session version): unique across instances
// and restarts.
func (s *Store) token() string {
	return s.prefix + strconv.FormatUint(s.seq.Add(1), 36)
}

func checkUser(user string) error {
	if user == "" || len(user) > 1024 {
		return fmt.Errorf("redisstore: user id of %d bytes", len(user))
	}
	return nil
}

// Load returns the user's session record, or nil.
func (s *Store) Load(ctx context.Context, user string) ([]byte, error) {
	if err := checkUser(user); err != nil {
		return nil, err
	}
	b, err := s.rdb.HGet(ctx, sessionKey(user), "d").Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("redisstore: loading session: %w", err)
	}
	return b, nil
}

// Reply returns the stored reply to msgID, and whether msgID was committed (an empty reply
// counts).
func (s *Store) Reply(ctx context.Context, user, msgID string) ([]byte, bool, error) {
	if err := checkUser(user); err != nil {
		return nil, false, err
	}
	b, err := s.rdb.Get(ctx, replyKey(user, msgID)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("redisstore: reading reply: %w", err)
	}
	return b, true, nil
}

// commitScript saves a session and a reply together. KEYS: lease, session[, reply]. ARGV:
// mode ("0" unfenced; "1" fenced: only while the lease holds ARGV[2] and the session's
// version is ARGV[3], then the lease is given up; "2" fenced, the lease kept and renewed for
// ARGV[9] ms), the lease token, the expected version, session, session TTL ms, reply, reply
// TTL ms, the new version, lease TTL ms.
//
// A commit sent twice (a client resending after a lost connection) applies once: the new
// version is unique, so a session already at it (with the reply stored) was committed by the
// first.
var commitScript = redis.NewScript(`
if redis.call('HGET', KEYS[2], 'v') == ARGV[8] and (not KEYS[3] or redis.call('EXISTS', KEYS[3]) == 1) then
  return 'OK'
end
if ARGV[1] ~= '0' then
  if redis.call('GET', KEYS[1]) ~= ARGV[2] then return redis.error_reply('STALE lease') end
  local v = redis.call('HGET', KEYS[2], 'v')
  if (v or '') ~= ARGV[3] then return redis.error_reply('STALE version') end
end
if KEYS[3] and redis.call('EXISTS', KEYS[3]) == 1 then return redis.error_reply('COMMITTED') end
redis.call('HSET', KEYS[2], 'v', ARGV[8], 'd', ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
if KEYS[3] then redis.call('SET', KEYS[3], ARGV[6], 'PX', ARGV[7]) end
if ARGV[1] == '1' then redis.call('DEL', KEYS[1]) end
if ARGV[1] == '2' then redis.call('PEXPIRE', KEYS[1], ARGV[9]) end
return 'OK'
`)

// Commit saves the session and the reply to msgID together, unfenced: for a sole writer. A
// message id already committed fails with ErrCommitted and changes nothing.
func (s *Store) Commit(ctx context.Context, user string, session []byte, msgID string, reply []byte) error {
	return s.commit(ctx, user, "0", "", "", s.token(), session, msgID, reply)
}

// CommitLeased saves the session and the reply to msgID together, only while l is the user's
// lease and the session is still at l.Version, and then gives the lease up; otherwise it
// returns an error wrapping engine.ErrStale (or ErrCommitted) and changes nothing.
func (s *Store) CommitLeased(ctx context.Context, l *engine.Lease, session []byte, msgID string, reply []byte) error {
	return s.commit(ctx, l.User, "1", l.Token, l.Version, l.Token, session, msgID, reply)
}

// Persist saves the session mid-turn, fenced by l as CommitLeased, but keeps the lease
// (renewed for LeaseTTL) and moves l.Version to the version it wrote.
func (s *Store) Persist(ctx context.Context, l *engine.Lease, session []byte) error {
	v := s.token()
	if err := s.commit(ctx, l.User, "2", l.Token, l.Version, v, session, "", nil); err != nil {
		return err
	}
	l.Version = v
	return nil
}

func (s *Store) commit(ctx context.Context, user, mode, token, version, newVersion string, session []byte, msgID string, reply []byte) error {
	if err := checkUser(user); err != nil {
		return err
	}
	if len(session) > MaxValue || len(reply) > MaxValue {
		return fmt.Errorf("redisstore: a record of %d bytes (at most %d)", max(len(session), len(reply)), MaxValue)
	}
	keys := []string{leaseKey(user), sessionKey(user)}
	if msgID != "" {
		keys = append(keys, replyKey(user, msgID))
	}
	args := []any{mode, token, version, session, s.opt.SessionTTL.Milliseconds(), reply, s.opt.ReplyTTL.Milliseconds(),
		newVersion, s.opt.LeaseTTL.Milliseconds()}
	err := commitScript.Run(ctx, s.turns, keys, args...).Err()
	switch {
	case err == nil:
		return nil
	case strings.HasPrefix(err.Error(), "STALE"):
		return fmt.Errorf("redisstore: commit refused (%s): %w", err, engine.ErrStale)
	case strings.HasPrefix(err.Error(), "COMMITTED"):
		return ErrCommitted
	}
	return fmt.Errorf("redisstore: committing: %w", err)
}

// Delete forgets a user's session.
func (s *Store) Delete(ctx context.Context, user string) error {
	if err := checkUser(user); err != nil {
		return err
	}
	if err := s.rdb.Del(ctx, sessionKey(user)).Err(); err != nil {
		return fmt.Errorf("redisstore: deleting session: %w", err)
	}
	return nil
}

// leaseScript returns the stored reply to a message id, or takes a user's lease if nobody
// holds it and reads the session. KEYS: lease, session[, reply]. ARGV: token, TTL ms, the
// version the caller has ("" for none). Returns {2, reply} when the reply key exists (no
// lease taken); once the lease is taken {3, version} when the session is at the caller's
// version, else {1, version, record} (only {1} without a session); or {0, the lease's
// remaining ms} when another holds it. Sent twice, it finds its own token and is granted.
var leaseScript = redis.NewScript(`
if KEYS[3] then
  local r = redis.call('GET', KEYS[3])
  if r then return {2, r} end
end
if redis.call('GET', KEYS[1]) == ARGV[1] or redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  local v = redis.call('HGET', KEYS[2], 'v')
  if not v then return {1} end
  if ARGV[3] ~= '' and v == ARGV[3] then return {3, v} end
  return {1, v, redis.call('HGET', KEYS[2], 'd') or ''}
end
return {0, redis.call('PTTL', KEYS[1])}
`)

// releaseScript drops a lease if it is still the caller's. KEYS: lease. ARGV: token.
var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`)

// Lease waits until the caller holds user's lease, or ctx ends; it polls, from 1 ms doubling
// to 20 ms, never past the lease's remaining time. A msgID already committed returns its
// reply at once (engine.Leaser), in the same round trip as the lease: a retried message
// waiting for the turn that answers it gets that answer as soon as it is committed. A have
// that is still the session's version comes back Current, without the record.
func (s *Store) Lease(ctx context.Context, user, msgID, have string) (*engine.Lease, error) {
	if err := checkUser(user); err != nil {
		return nil, err
	}
	keys := []string{leaseKey(user), sessionKey(user)}
	if msgID != "" {
		keys = append(keys, replyKey(user, msgID))
	}
	l := &engine.Lease{User: user, Token: s.token()}
	wait := time.Millisecond
	for {
		res, err := leaseScript.Run(ctx, s.turns, keys, l.Token, s.opt.LeaseTTL.Milliseconds(), have).Slice()
		if err != nil {
			return nil, fmt.Errorf("redisstore: taking lease: %w", err)
		}
		switch got, _ := res[0].(int64); got {
		case 2:
			r, _ := res[1].(string)
			l.Token, l.Answered, l.Reply = "", true, []byte(r)
			return l, nil
		case 3:
			l.Version, _ = res[1].(string)
			l.Current = true
			return l, nil
		case 1:
			if len(res) == 3 {
				l.Version, _ = res[1].(string)
				d, _ := res[2].(string)
				l.Session = []byte(d)
			}
			return l, nil
		}
		d := wait
		if len(res) == 2 {
			if left, _ := res[1].(int64); left > 0 && time.Duration(left)*time.Millisecond < d {
				d = time.Duration(left) * time.Millisecond
			}
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("redisstore: waiting for the lease of a user another turn holds: %w", ctx.Err())
		case <-t.C:
		}
		wait = min(2*wait, 20*time.Millisecond)
	}
}

// Release gives l up if it is still held.
func (s *Store) Release(ctx context.Context, l *engine.Lease) error {
	if err := releaseScript.Run(ctx, s.turns, []string{leaseKey(l.User)}, l.Token).Err(); err != nil {
		return fmt.Errorf("redisstore: releasing lease: %w", err)
	}
	return nil
}
