package engine

import "sync"

// sessionCache keeps the sessions a Bot last committed, decoded, so that a user's next turn
// skips reading and decoding the record (a quarter of a turn's allocations). The cached
// session is the stored one because the Bot is its store's only writer and writes sessions
// only in Turn, under the user's lock. A turn takes its user's session out of the cache and
// puts it back only once its commit succeeded: a turn that fails, panics or ends the session
// leaves the cache without it, and the next turn reads the store.
type sessionCache struct {
	mu sync.Mutex
	m  map[string]*Session
}

// take removes user's session from the cache and returns it, or nil.
func (c *sessionCache) take(user string) *Session {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.m[user]
	if s != nil {
		delete(c.m, user)
	}
	return s
}

// put caches user's committed session, dropping another when the cache holds max (none
// when max is not positive).
func (c *sessionCache) put(user string, s *Session, max int) {
	if max <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[string]*Session)
	}
	if len(c.m) >= max {
		for k := range c.m { // an arbitrary one: map iteration order
			delete(c.m, k)
			break
		}
	}
	c.m[user] = s
}
