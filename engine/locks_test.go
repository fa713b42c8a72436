package engine

import (
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
				unlock := l.lock(user)
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
	unlockA := l.lock("a")
	done := make(chan struct{})
	go func() { l.lock("b")(); close(done) }()
	<-done
	unlockA()

	if n := len(l.users); n != 0 {
		t.Errorf("%d locks left in the table, want 0", n)
	}
}
