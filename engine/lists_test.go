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
