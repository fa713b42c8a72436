package engine

import (
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// Ensure turns of one user never overlap, turns of different users do not wait for each
// other, and the lock table empties once every turn is done.
func TestUserLocks(t *testing.T) {
	var l userLocks
	var inside [3]atomic.Int32
	var wg sync.WaitGroup
	for g := range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u := g % 3
			user := []string{"a", "b", "c"}[u]
			for range 200 {
				unlock, err := l.lock(user, 100)
				if err != nil {
					t.Error(err)
					return
				}
				if n := inside[u].Add(1); n != 1 {
					t.Errorf("%d turns of user %s at once", n, user)
				}
				inside[u].Add(-1)
				unlock()
			}
		}()
	}
	wg.Wait()

	// A user's lock does not block another user's.
	unlockA, _ := l.lock("a", 100)
	done := make(chan struct{})
	go func() { unlock, _ := l.lock("b", 100); unlock(); close(done) }()
	<-done
	unlockA()

	if n := len(l.users); n != 0 {
		t.Errorf("%d locks left in the table, want 0", n)
	}
}

// Ensure a user's turns running or waiting are capped: one more is refused with ErrBusy at
// once (it does not wait), another user is not affected, and a slot freed is usable again.
func TestUserLocksBounded(t *testing.T) {
	var l userLocks
	const max = 3
	unlock, err := l.lock("a", max)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan func(), max)
	for range max - 1 { // these wait behind the first
		go func() {
			u, err := l.lock("a", max)
			if err != nil {
				t.Error(err)
			}
			got <- u
		}()
	}
	for { // until both wait
		l.mu.Lock()
		n := l.users["a"].refs
		l.mu.Unlock()
		if n == max {
			break
		}
		runtime.Gosched()
	}
	if _, err := l.lock("a", max); !errors.Is(err, ErrBusy) {
		t.Errorf("turn %d of a: %v, want ErrBusy", max+1, err)
	}
	if u, err := l.lock("b", max); err != nil {
		t.Errorf("another user: %v", err)
	} else {
		u()
	}
	unlock()
	for range max - 1 {
		(<-got)()
	}
	if u, err := l.lock("a", max); err != nil {
		t.Errorf("after the queue drained: %v", err)
	} else {
		u()
	}
}
