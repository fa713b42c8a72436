// Package enginetest is the engine's test kit: a settable clock and an in-memory store.
package enginetest

import (
	"context"
	"sync"
	"time"
)

// Clock is a settable clock for deterministic tests and replays.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// MemStore is an in-memory engine.Store.
type MemStore struct {
	mu       sync.Mutex
	sessions map[string][]byte
	replies  map[string][]byte
}

// NewMemStore returns an empty store.
func NewMemStore() *MemStore {
	return &MemStore{sessions: map[string][]byte{}, replies: map[string][]byte{}}
}

func (m *MemStore) Load(ctx context.Context, user string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.sessions[user], nil
}

func (m *MemStore) Reply(ctx context.Context, user, msgID string) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.replies[user+"\x00"+msgID]
	return r, ok, nil
}

func (m *MemStore) Commit(ctx context.Context, user string, session []byte, msgID string, reply []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sessions[user] = append([]byte(nil), session...)
	if msgID != "" {
		m.replies[user+"\x00"+msgID] = append([]byte(nil), reply...)
	}
	return nil
}

func (m *MemStore) Delete(ctx context.Context, user string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.sessions, user)
	return nil
}
