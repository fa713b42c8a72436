package wechat

import (
	"fmt"
	"testing"
	"time"
)

// Ensure calls are remembered for the TTL, then forgotten, a few at a time in arrival order,
// and that the queue of keys does not grow without bound.
func TestInflightExpiry(t *testing.T) {
	f := newInflight(time.Minute)
	t0 := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	first := map[string]bool{}
	for i := range 5000 {
		_, ok := f.get(fmt.Sprint("m", i), t0.Add(time.Duration(i)*time.Millisecond*100))
		first[fmt.Sprint("m", i)] = ok
	}
	if len(first) != 5000 {
		t.Fatal("keys missing")
	}
	now := t0.Add(500 * time.Second) // m0 to m4399 are older than a minute
	if _, fresh := f.get("m4999", now); fresh {
		t.Error("m4999 forgotten within its TTL")
	}
	if _, fresh := f.get("m4400", now); fresh {
		t.Error("m4400 forgotten within its TTL")
	}
	if _, fresh := f.get("m10", now); !fresh {
		t.Error("m10 still remembered after its TTL")
	}
	if n := f.len(); n > 602 {
		t.Errorf("%d calls remembered, want the last minute's (601 and m10)", n)
	}
	if len(f.order)-f.head != f.len() {
		t.Errorf("queue holds %d keys for %d calls", len(f.order)-f.head, f.len())
	}
	if cap(f.order) > 8192 {
		t.Errorf("key queue of capacity %d", cap(f.order))
	}
}
