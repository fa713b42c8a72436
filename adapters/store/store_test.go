package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/weiyin-bank/weiyin/adapters/store/storetest"
	"github.com/weiyin-bank/weiyin/engine"
)

func open(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sessions.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return s, path
}

// Ensure a committed session and reply survive a reopen, and a message id is committed once.
func TestCommitDurableAndOnce(t *testing.T) {
	ctx := context.Background()
	s, path := open(t)
	if err := s.Commit(ctx, "u1", []byte(`{"schema":1}`), "m1", []byte(`{"texts":["hi"]}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx, "u1", []byte(`{"schema":1,"x":2}`), "m1", []byte(`{}`)); err == nil {
		t.Fatal("second commit of the same message id succeeded")
	}
	s.Close()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Load(ctx, "u1")
	if err != nil || string(got) != `{"schema":1}` {
		t.Fatalf("Load = %q, %v; the failed commit must change nothing", got, err)
	}
	r, ok, err := s.Reply(ctx, "u1", "m1")
	if err != nil || !ok || string(r) != `{"texts":["hi"]}` {
		t.Fatalf("Reply = %q %v %v", r, ok, err)
	}
	if _, ok, _ := s.Reply(ctx, "u2", "m1"); ok {
		t.Fatal("a message id of one user must not answer for another")
	}
}

// Ensure concurrent commits of many users all land (group commit through Batch).
func TestConcurrentCommits(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
	defer s.Close()
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 10; j++ {
				u := fmt.Sprintf("u%d", i)
				if err := s.Commit(ctx, u, []byte(fmt.Sprint(j)), fmt.Sprintf("m%d", j), []byte("r")); err != nil {
					t.Error(err)
				}
			}
		}(i)
	}
	wg.Wait()
	n, _ := s.Sessions()
	if n != 50 {
		t.Fatalf("sessions = %d, want 50", n)
	}
	got, _ := s.Load(ctx, "u7")
	if string(got) != "9" {
		t.Fatalf("u7 session = %q, want the last commit", got)
	}
}

// Ensure the commit observer hears of every turn written to the log, group by group, and not
// of a turn refused as already committed.
func TestObserveCommits(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
	defer s.Close()
	var mu sync.Mutex
	groups, turns := 0, 0
	s.ObserveCommits(func(n int, took time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		if n <= 0 || took < 0 {
			t.Errorf("observed a group of %d turns taking %v", n, took)
		}
		groups++
		turns += n
	})
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.Commit(ctx, fmt.Sprintf("u%d", i), []byte("{}"), "m1", []byte("r")); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if err := s.Commit(ctx, "u0", []byte("{}"), "m1", []byte("r")); !errors.Is(err, ErrCommitted) {
		t.Fatalf("recommit: %v, want ErrCommitted", err)
	}
	mu.Lock()
	defer mu.Unlock()
	s.mu.Lock()
	logged := s.committed
	s.mu.Unlock()
	if turns != 20 || uint64(groups) != logged {
		t.Fatalf("observed %d turns in %d groups; want 20 turns in the %d groups logged", turns, groups, logged)
	}
}

// Ensure groups under load begin at least commitSpacing apart, however fast the disk: n
// groups take at least n-1 spacings.
func TestGroupsAreSpaced(t *testing.T) {
	defer func(d time.Duration) { commitSpacing = d }(commitSpacing)
	commitSpacing = 20 * time.Millisecond
	ctx := context.Background()
	s, _ := open(t)
	defer s.Close()
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 5; j++ {
				if err := s.Commit(ctx, fmt.Sprintf("u%d", i), []byte(fmt.Sprint(j)), "", nil); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	s.mu.Lock()
	groups := s.committed
	s.mu.Unlock()
	if most := uint64(elapsed/commitSpacing) + 1; groups > most || groups < 5 {
		t.Fatalf("%d groups in %v: want 5 (each goroutine waits for its turn) to %d", groups, elapsed, most)
	}
}

// Ensure Prune drops only replies older than the retention.
func TestPrune(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
	defer s.Close()
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	s.Commit(ctx, "u", nil, "old", []byte("r"))
	now = now.Add(ReplyRetention + time.Hour)
	s.Commit(ctx, "u", nil, "new", []byte("r"))
	n, err := s.Prune(ctx)
	if err != nil || n != 1 {
		t.Fatalf("Prune = %d, %v; want 1", n, err)
	}
	if _, ok, _ := s.Reply(ctx, "u", "new"); !ok {
		t.Fatal("recent reply pruned")
	}
}

// Ensure Prune works through a backlog larger than one write transaction's batch, keeping
// every recent reply.
func TestPruneBacklog(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
	defer s.Close()
	defer func(n int) { pruneBatch = n }(pruneBatch)
	pruneBatch = 7
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	for i := range 40 {
		s.Commit(ctx, fmt.Sprintf("u%d", i%3), nil, fmt.Sprintf("wx:%d", 1000+i), []byte("r"))
	}
	now = now.Add(ReplyRetention + time.Hour)
	for i := range 5 {
		s.Commit(ctx, "u9", nil, fmt.Sprintf("wx:%d", 2000+i), []byte("r"))
	}
	n, err := s.Prune(ctx)
	if err != nil || n != 40 {
		t.Fatalf("Prune = %d, %v; want 40", n, err)
	}
	for i := range 5 {
		if _, ok, _ := s.Reply(ctx, "u9", fmt.Sprintf("wx:%d", 2000+i)); !ok {
			t.Fatalf("recent reply %d pruned", i)
		}
	}
	if n, _ := s.Prune(ctx); n != 0 {
		t.Fatalf("second Prune removed %d, want 0", n)
	}
}

// Ensure trimming the mapped file loses nothing, even with loads and commits running at the
// same time.
func TestTrimKeepsData(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
	defer s.Close()
	for i := 0; i < 200; i++ {
		if err := s.Commit(ctx, fmt.Sprintf("u%d", i), []byte(fmt.Sprintf(`{"n":%d}`, i)), "", nil); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				u := fmt.Sprintf("u%d", (i*7+g)%200)
				got, err := s.Load(ctx, u)
				if err != nil || string(got) != fmt.Sprintf(`{"n":%d}`, (i*7+g)%200) {
					t.Errorf("%s: %q %v", u, got, err)
					return
				}
				if i%50 == 0 {
					if err := s.Trim(); err != nil {
						t.Error(err)
						return
					}
				}
				if g == 0 && i%10 == 0 {
					// commits grow the file and may remap it while others trim
					s.Commit(ctx, fmt.Sprintf("grow%d", i), make([]byte, 4096), "", nil)
				}
			}
		}(g)
	}
	wg.Wait()
}

// Ensure a group commit keeps each commit all-or-nothing on its own: a message id already
// committed fails with ErrCommitted and writes nothing, while the rest of its group lands.
func TestGroupCommitIsolation(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
	defer s.Close()
	if err := s.Commit(ctx, "dup", []byte("first"), "m", []byte("r1")); err != nil {
		t.Fatal(err)
	}
	errs := make([]error, 40)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%10 == 0 { // a retry of the committed message, in the same groups as the others
				errs[i] = s.Commit(ctx, "dup", []byte("second"), "m", []byte("r2"))
				return
			}
			errs[i] = s.Commit(ctx, fmt.Sprintf("u%d", i), []byte("s"), "m", []byte("r"))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if want := i%10 == 0; errors.Is(err, ErrCommitted) != want || (!want && err != nil) {
			t.Errorf("commit %d: %v", i, err)
		}
	}
	if got, _ := s.Load(ctx, "dup"); string(got) != "first" {
		t.Errorf("dup session %q: a refused commit wrote", got)
	}
	if r, _, _ := s.Reply(ctx, "dup", "m"); string(r) != "r1" {
		t.Errorf("dup reply %q: a refused commit wrote", r)
	}
	if n, _ := s.Sessions(); n != 37 {
		t.Errorf("%d sessions, want 37", n)
	}
}

// Ensure Close waits for queued commits and later commits fail with ErrClosed.
func TestCommitAfterClose(t *testing.T) {
	ctx := context.Background()
	s, path := open(t)
	if err := s.Commit(ctx, "u", []byte("s"), "m", []byte("r")); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx, "u", []byte("s2"), "m2", nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("commit after Close: %v, want ErrClosed", err)
	}
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, _ := s.Load(ctx, "u"); string(got) != "s" {
		t.Fatalf("session %q after reopen", got)
	}
}

// Ensure the bbolt store keeps the engine.Store contract (the suite the Redis store runs too).
func TestStoreContract(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		Open: func(t *testing.T) engine.Store {
			s, _ := open(t)
			t.Cleanup(func() { s.Close() })
			return s
		},
		Reopen: func(t *testing.T, s engine.Store) engine.Store {
			st := s.(*Store)
			path := st.db.Path()
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
			s2, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s2.Close() })
			return s2
		},
	})
}

// Ensure sessions idle for SessionRetention are removed, whoever they belong to, and recent
// ones kept: what one-off visitors leave is bounded.
func TestPruneSessions(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
	defer s.Close()
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	for i := range 5 {
		mustCommit(t, s, fmt.Sprint("stranger", i), "s", "", nil)
	}
	mustCommit(t, s, "regular", "s1", "", nil)
	if _, err := s.PruneSessions(ctx); err != nil { // applied: their age is recorded
		t.Fatal(err)
	}
	now = now.Add(SessionRetention - 24*time.Hour)
	mustCommit(t, s, "regular", "s2", "", nil) // comes back before the retention ends
	now = now.Add(48 * time.Hour)
	n, err := s.PruneSessions(ctx)
	if err != nil || n != 5 {
		t.Fatalf("PruneSessions = %d, %v; want 5", n, err)
	}
	wantSession(t, s, "regular", "s2")
	wantSession(t, s, "stranger0", "")
	if c, _ := s.Sessions(); c != 1 {
		t.Errorf("%d sessions left, want 1", c)
	}
}
