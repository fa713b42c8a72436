package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// AnswerTTL is how long a claim on answering a WeChat message is kept: well past WeChat's
// retries (three within 15 s) and the turn's own limit.
const AnswerTTL = 10 * time.Minute

// claimScript claims KEYS[1] for ARGV[1] (how) by ARGV[3] (a token unique to the call)
// unless someone did: returns the earlier claim's how, or "" when this call claimed it, also
// when the call reaches Redis twice (a resend). A "passive" claim does not stop another
// passive reply (the first one may have been lost with its HTTP response), only
// customer-service sends.
var claimScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v then
  local sp = string.find(v, ' ', 1, true)
  if not sp then return v end
  if string.sub(v, sp + 1) == ARGV[3] then return '' end
  return string.sub(v, 1, sp - 1)
end
redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. ARGV[3], 'PX', ARGV[2])
return ''
`)

// ClaimAnswer claims the answer to user's message msgID for how ("passive" or "cs"), across
// instances: it returns the earlier claim's how, or "" when this call claimed it. An instance
// sends a late answer as customer-service messages only when it claimed it, and one that
// would reply passively stays silent when another already sent the answer that way: each
// answer reaches the customer once.
func (s *Store) ClaimAnswer(ctx context.Context, user, msgID, how string) (string, error) {
	if err := checkUser(user); err != nil {
		return "", err
	}
	key := "wy:{" + Tag(user) + "}:a:" + msgID
	prev, err := claimScript.Run(ctx, s.turns, []string{key}, how, AnswerTTL.Milliseconds(), s.token()).Text()
	if err != nil {
		return "", fmt.Errorf("redisstore: claiming an answer: %w", err)
	}
	return prev, nil
}

// Tokens shares one WeChat account's access token between instances: WeChat keeps only the
// latest token valid (the previous one for 5 minutes more), so instances fetching their own
// would invalidate each other's. One instance fetches under a lock; the others read it.
type Tokens struct {
	s          *Store
	key, lockK string
}

// Tokens returns the shared access token of the account appID.
func (s *Store) Tokens(appID string) *Tokens {
	tag := "wy:{wechat:" + Tag(appID) + "}:"
	return &Tokens{s: s, key: tag + "token", lockK: tag + "token-lock"}
}

// Token returns the shared token and how long it stays valid; "" when there is none.
func (t *Tokens) Token(ctx context.Context) (string, time.Duration, error) {
	p := t.s.rdb.Pipeline()
	get := p.Get(ctx, t.key)
	ttl := p.PTTL(ctx, t.key)
	if _, err := p.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return "", 0, fmt.Errorf("redisstore: reading the access token: %w", err)
	}
	if get.Val() == "" || ttl.Val() <= 0 {
		return "", 0, nil
	}
	return get.Val(), ttl.Val(), nil
}

// Lock tries to become the one instance that fetches a new token, for at most ttl; ok is
// false when another instance holds the lock. unlock gives the lock up if still held.
func (t *Tokens) Lock(ctx context.Context, ttl time.Duration) (unlock func(), ok bool, err error) {
	tok := t.s.token()
	ok, err = t.s.rdb.SetNX(ctx, t.lockK, tok, ttl).Result()
	if err != nil {
		return nil, false, fmt.Errorf("redisstore: locking the access token: %w", err)
	}
	if !ok {
		return nil, false, nil
	}
	return func() {
		releaseScript.Run(context.WithoutCancel(ctx), t.s.rdb, []string{t.lockK}, tok)
	}, true, nil
}

// Set stores a fetched token for ttl.
func (t *Tokens) Set(ctx context.Context, token string, ttl time.Duration) error {
	if err := t.s.rdb.Set(ctx, t.key, token, ttl).Err(); err != nil {
		return fmt.Errorf("redisstore: storing the access token: %w", err)
	}
	return nil
}

// Drop forgets token if it is still the shared one (WeChat said it is invalid), so the next
// reader fetches a new one; a token another instance has already replaced is left alone.
func (t *Tokens) Drop(ctx context.Context, token string) error {
	if err := releaseScript.Run(ctx, t.s.rdb, []string{t.key}, token).Err(); err != nil {
		return fmt.Errorf("redisstore: dropping the access token: %w", err)
	}
	return nil
}
