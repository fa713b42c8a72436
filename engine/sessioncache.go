package engine

import (
	"sync"
	"sync/atomic"

	lru "github.com/hashicorp/golang-lru/v2"
)

// sessionCache keeps the sessions a Bot last committed, decoded, so that a user's next turn
// skips reading and decoding the record (a quarter of a turn's allocations). The cached
// session is the stored one because the Bot is its store's only writer and writes sessions
// only in Turn, under the user's lock. A turn takes its user's session out of the cache and
// puts it back only once its commit succeeded: a turn that fails, panics or ends the session
// leaves the cache without it, and the next turn reads the store. When full, the least
// recently committed session is dropped (github.com/hashicorp/golang-lru/v2).
type sessionCache struct {
	once sync.Once
	lru  atomic.Pointer[lru.Cache[string, *Session]] // nil until the first put
}

// take removes user's session from the cache and returns it, or nil. Peek then Remove is
// safe because only the turn holding user's lock takes or puts user's session.
func (c *sessionCache) take(user string) *Session {
	l := c.lru.Load()
	if l == nil {
		return nil
	}
	s, ok := l.Peek(user)
	if !ok {
		return nil
	}
	l.Remove(user)
	return s
}

// put caches user's committed session, dropping the least recently committed one when the
// cache holds max (nothing is cached when max is not positive).
func (c *sessionCache) put(user string, s *Session, max int) {
	if max <= 0 {
		return
	}
	c.once.Do(func() {
		l, _ := lru.New[string, *Session](max) // max > 0: New cannot fail
		c.lru.Store(l)
	})
	c.lru.Load().Add(user, s)
}
