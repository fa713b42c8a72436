package engine

import (
	"testing"
	"time"
)

// Ensure forgetting a customer's lists drops that customer's, and keeps other customers' and
// the shared ones; and that an entry is served only within listTTL.
func TestListCacheForget(t *testing.T) {
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	var c listCache
	keys := []listKey{{"account", "accounts", "C001"}, {"payee", "payees", "C001"},
		{"account", "accounts", "C002"}, {"branch", "branches", ""}}
	for _, k := range keys {
		c.put(k, listEntry{at: now})
	}
	c.forget("C001")
	for i, k := range keys {
		_, ok := c.get(k, now)
		if want := i >= 2; ok != want {
			t.Errorf("%v cached = %v after forgetting C001, want %v", k, ok, want)
		}
	}
	if _, ok := c.get(keys[3], now.Add(listTTL+time.Second)); ok {
		t.Error("an entry older than listTTL was served")
	}
}

// Ensure a full session cache drops the least recently committed session, not an arbitrary
// one, that take removes what it returns, and that a non-positive size caches nothing.
func TestSessionCacheEvictsLeastRecent(t *testing.T) {
	var c sessionCache
	a, b, d := &Session{}, &Session{}, &Session{}
	c.put("a", a, "", 2)
	c.put("b", b, "", 2)
	c.put("a", a, "v2", 2) // a committed again: b is now the oldest
	c.put("d", d, "", 2)
	if c.take("b").s != nil {
		t.Error("b, the least recently committed, was kept")
	}
	if got := c.take("a"); got.s != a || got.version != "v2" || c.take("d").s != d {
		t.Error("a or d, the most recent, was dropped, or a's last version forgotten")
	}
	if c.take("a").s != nil {
		t.Error("take left the session in the cache")
	}
	var off sessionCache
	off.put("a", a, "", 0)
	if off.take("a").s != nil {
		t.Error("a cache of size 0 kept a session")
	}
}
