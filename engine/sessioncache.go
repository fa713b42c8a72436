package engine

import (
	"sync"
	"sync/atomic"

	lru "github.com/hashicorp/golang-lru/v2"
)

// sessionCache keeps the sessions a Bot last committed, decoded, so that a user's next turn
// skips reading and decoding the record (a quarter of a turn's allocations). A Bot that is
// its store's only writer writes sessions only in Turn, under the user's lock, so the cached
// session is the stored one. On a shared store (Leaser) each is kept with the version it was
// committed as, and is used only when the store says that version is still the current one
// (another instance may have committed since). A turn takes its user's session out of the
// cache and puts it back only once its commit succeeded: a turn that fails, panics or ends
// the session leaves the cache without it, and the next turn reads the store. When full, the
// least recently committed session is dropped (github.com/hashicorp/golang-lru/v2).
type sessionCache struct {
	once sync.Once
	lru  atomic.Pointer[lru.Cache[string, cachedSession]] // nil until the first put
}

// cachedSession is a committed session and its version ("" when the store has none).
type cachedSession struct {
	s       *Session
	version string
}

// take removes user's session from the cache and returns it, or a zero cachedSession. Peek
// then Remove is safe because only the turn holding user's lock takes or puts its session.
func (c *sessionCache) take(user string) cachedSession {
	l := c.lru.Load()
	if l == nil {
		return cachedSession{}
	}
	cs, ok := l.Peek(user)
	if !ok {
		return cachedSession{}
	}
	l.Remove(user)
	return cs
}

// put caches user's session, committed as version, dropping the least recently committed
// one when the cache holds max (nothing is cached when max is not positive).
func (c *sessionCache) put(user string, s *Session, version string, max int) {
	if max <= 0 {
		return
	}
	c.once.Do(func() {
		l, _ := lru.New[string, cachedSession](max) // max > 0: New cannot fail
		c.lru.Store(l)
	})
	c.lru.Load().Add(user, cachedSession{s, version})
}
