// Package storetest is the contract of engine.Store (and engine.Leaser, for stores several
// instances share) as one test suite that every store runs against the real thing: the bbolt
// store in adapters/store, the Redis store in adapters/store/redisstore. Never imported by
// production code.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/weiyin-bank/weiyin/engine"
)

// Harness opens stores for the suite.
type Harness struct {
	// Open returns a new, empty store, closed by the test's cleanup.
	Open func(t *testing.T) engine.Store
	// Reopen closes s and opens the same data again (a restart).
	Reopen func(t *testing.T, s engine.Store) engine.Store
	// Share opens a second handle on s's data while s stays open (another instance), for
	// stores that several instances share; closed by the test's cleanup.
	Share func(t *testing.T, s engine.Store) engine.Store
}

// Run runs the contract on stores h opens; the Leaser part only when they implement it.
func Run(t *testing.T, h Harness) {
	t.Run("Store", func(t *testing.T) { runStore(t, h) })
	s := h.Open(t)
	if _, ok := s.(engine.Leaser); !ok {
		return
	}
	t.Run("Leaser", func(t *testing.T) { runLeaser(t, h) })
}

func runStore(t *testing.T, h Harness) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		ensure string
		run    func(t *testing.T, s engine.Store)
	}{
		{"unknown user", "a user without a session loads nil and has no replies",
			func(t *testing.T, s engine.Store) {
				wantSession(t, s, "nobody", "")
				wantNoReply(t, s, "nobody", "m1")
			}},
		{"commit", "a commit saves session and reply together, readable at once",
			func(t *testing.T, s engine.Store) {
				must(t, s.Commit(ctx, "u1", []byte(`{"n":1}`), "m1", []byte(`{"texts":["hi"]}`)))
				wantSession(t, s, "u1", `{"n":1}`)
				wantReply(t, s, "u1", "m1", `{"texts":["hi"]}`)
			}},
		{"once", "a message id is committed once: a second commit fails and changes nothing",
			func(t *testing.T, s engine.Store) {
				must(t, s.Commit(ctx, "u1", []byte(`{"n":1}`), "m1", []byte(`r1`)))
				if err := s.Commit(ctx, "u1", []byte(`{"n":2}`), "m1", []byte(`r2`)); err == nil {
					t.Fatal("a second commit of the same message id succeeded")
				}
				wantSession(t, s, "u1", `{"n":1}`)
				wantReply(t, s, "u1", "m1", "r1")
			}},
		{"replies per user", "a message id of one user never answers for another",
			func(t *testing.T, s engine.Store) {
				must(t, s.Commit(ctx, "u1", []byte(`{}`), "m1", []byte(`r1`)))
				wantNoReply(t, s, "u2", "m1")
				must(t, s.Commit(ctx, "u2", []byte(`{}`), "m1", []byte(`r2`)))
				wantReply(t, s, "u1", "m1", "r1")
				wantReply(t, s, "u2", "m1", "r2")
			}},
		{"no message id", "a commit without a message id saves the session and no reply",
			func(t *testing.T, s engine.Store) {
				must(t, s.Commit(ctx, "u1", []byte(`{"n":1}`), "", nil))
				must(t, s.Commit(ctx, "u1", []byte(`{"n":2}`), "", nil))
				wantSession(t, s, "u1", `{"n":2}`)
			}},
		{"empty reply", "an empty reply still marks the message id as committed",
			func(t *testing.T, s engine.Store) {
				must(t, s.Commit(ctx, "u1", []byte(`{}`), "m1", nil))
				wantReply(t, s, "u1", "m1", "")
			}},
		{"delete", "Delete forgets the session but keeps the replies, so a retry is still answered",
			func(t *testing.T, s engine.Store) {
				must(t, s.Commit(ctx, "u1", []byte(`{"n":1}`), "m1", []byte(`r1`)))
				must(t, s.Delete(ctx, "u1"))
				wantSession(t, s, "u1", "")
				wantReply(t, s, "u1", "m1", "r1")
				must(t, s.Commit(ctx, "u1", []byte(`{"n":9}`), "m2", []byte(`r2`)))
				wantSession(t, s, "u1", `{"n":9}`)
			}},
		{"odd user ids", "user ids with braces, colons, separators and CJK are kept apart",
			func(t *testing.T, s engine.Store) {
				users := []string{"a", "a}", "{a}", "a}:r:m1", "~61", "web:u1", "wechat:o_x{y", "用户", "a\x00b"}
				for i, u := range users {
					must(t, s.Commit(ctx, u, []byte(strconv.Itoa(i)), "m1", []byte(u)))
				}
				for i, u := range users {
					wantSession(t, s, u, strconv.Itoa(i))
					wantReply(t, s, u, "m1", u)
				}
			}},
		{"bad user", "an empty user id is refused and changes nothing",
			func(t *testing.T, s engine.Store) {
				if err := s.Commit(ctx, "", []byte(`{}`), "m1", []byte(`r`)); err == nil {
					t.Fatal("a commit without a user id succeeded")
				}
				wantSession(t, s, "", "")
			}},
		{"concurrent users", "concurrent commits of many users all land, each user's last one wins",
			func(t *testing.T, s engine.Store) {
				var wg sync.WaitGroup
				for i := range 40 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for j := range 10 {
							if err := s.Commit(ctx, fmt.Sprint("u", i), []byte(strconv.Itoa(j)), fmt.Sprint("m", j), []byte("r")); err != nil {
								t.Error(err)
							}
						}
					}()
				}
				wg.Wait()
				for i := range 40 {
					wantSession(t, s, fmt.Sprint("u", i), "9")
					wantReply(t, s, fmt.Sprint("u", i), "m9", "r")
				}
			}},
		{"durable", "what was committed is there after a reopen, and still committed once",
			func(t *testing.T, s engine.Store) {
				must(t, s.Commit(ctx, "u1", []byte(`{"n":1}`), "m1", []byte(`r1`)))
				must(t, s.Commit(ctx, "u2", []byte(`{"n":2}`), "m1", []byte(`r2`)))
				must(t, s.Delete(ctx, "u2"))
				s = h.Reopen(t, s)
				wantSession(t, s, "u1", `{"n":1}`)
				wantSession(t, s, "u2", "")
				wantReply(t, s, "u1", "m1", "r1")
				if err := s.Commit(ctx, "u1", []byte(`{"n":3}`), "m1", []byte(`r3`)); err == nil {
					t.Fatal("after a reopen, a committed message id was committed again")
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Log("ensures", tc.ensure)
			tc.run(t, h.Open(t))
		})
	}
}

func runLeaser(t *testing.T, h Harness) {
	ctx := context.Background()
	lease := func(t *testing.T, s engine.Store, user string) *engine.Lease {
		t.Helper()
		l, err := s.(engine.Leaser).Lease(ctx, user, "", "")
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	busy := func(t *testing.T, s engine.Store, user string) {
		t.Helper()
		c, cancel := context.WithCancel(ctx)
		cancel()
		if l, err := s.(engine.Leaser).Lease(c, user, "", ""); err == nil {
			t.Fatalf("a second lease of %s was granted while the first is held (%s)", user, l.Token)
		}
	}
	for _, tc := range []struct {
		name   string
		ensure string
		run    func(t *testing.T, s engine.Store, lr engine.Leaser)
	}{
		{"read with the lease", "a lease carries the session and its version; a fenced commit applies, gives the lease up and makes its token the version",
			func(t *testing.T, s engine.Store, lr engine.Leaser) {
				l := lease(t, s, "u1")
				if l.Version != "" || l.Session != nil {
					t.Fatalf("a new user's lease: version %q session %q, want none", l.Version, l.Session)
				}
				busy(t, s, "u1")
				must(t, lr.CommitLeased(ctx, l, []byte(`{"n":1}`), "m1", []byte(`r1`)))
				l2 := lease(t, s, "u1")
				if l2.Version != l.Token || string(l2.Session) != `{"n":1}` {
					t.Fatalf("next lease: version %q session %q, want %q %q", l2.Version, l2.Session, l.Token, `{"n":1}`)
				}
				wantReply(t, s, "u1", "m1", "r1")
				must(t, lr.Release(ctx, l2))
			}},
		{"other users", "one user's lease does not hold another's",
			func(t *testing.T, s engine.Store, lr engine.Leaser) {
				l := lease(t, s, "u1")
				must(t, lr.Release(ctx, lease(t, s, "u2")))
				must(t, lr.Release(ctx, l))
			}},
		{"lapsed lease", "a commit under a lease given up (or lapsed) after another took it is refused with ErrStale and changes nothing",
			func(t *testing.T, s engine.Store, lr engine.Leaser) {
				old := lease(t, s, "u1")
				must(t, lr.Release(ctx, old))
				cur := lease(t, s, "u1")
				must(t, lr.CommitLeased(ctx, cur, []byte(`{"n":"new"}`), "m1", []byte(`new`)))
				if err := lr.CommitLeased(ctx, old, []byte(`{"n":"old"}`), "m2", []byte(`old`)); !errors.Is(err, engine.ErrStale) {
					t.Fatalf("stale commit: %v, want ErrStale", err)
				}
				wantSession(t, s, "u1", `{"n":"new"}`)
				wantNoReply(t, s, "u1", "m2")
			}},
		{"changed session", "a fenced commit is refused when the session changed since the lease read it, even if the lease is held",
			func(t *testing.T, s engine.Store, lr engine.Leaser) {
				l := lease(t, s, "u1")
				must(t, s.Commit(ctx, "u1", []byte(`{"n":"other"}`), "", nil))
				if err := lr.CommitLeased(ctx, l, []byte(`{"n":"mine"}`), "m1", []byte(`r`)); !errors.Is(err, engine.ErrStale) {
					t.Fatalf("commit on a changed session: %v, want ErrStale", err)
				}
				wantSession(t, s, "u1", `{"n":"other"}`)
				wantNoReply(t, s, "u1", "m1")
			}},
		{"deleted and recreated", "a session deleted and created again never takes an old version, so a lease read before is refused",
			func(t *testing.T, s engine.Store, lr engine.Leaser) {
				must(t, s.Commit(ctx, "u1", []byte(`{"n":1}`), "", nil))
				l := lease(t, s, "u1")
				must(t, s.Delete(ctx, "u1"))
				must(t, s.Commit(ctx, "u1", []byte(`{"n":2}`), "", nil))
				if err := lr.CommitLeased(ctx, l, []byte(`{"n":3}`), "", nil); !errors.Is(err, engine.ErrStale) {
					t.Fatalf("commit over a recreated session: %v, want ErrStale", err)
				}
				wantSession(t, s, "u1", `{"n":2}`)
			}},
		{"committed id", "a fenced commit of a message id already committed fails and changes nothing",
			func(t *testing.T, s engine.Store, lr engine.Leaser) {
				must(t, s.Commit(ctx, "u1", []byte(`{"n":1}`), "m1", []byte(`r1`)))
				l := lease(t, s, "u1")
				if err := lr.CommitLeased(ctx, l, []byte(`{"n":2}`), "m1", []byte(`r2`)); err == nil {
					t.Fatal("a fenced commit of a committed message id succeeded")
				}
				wantSession(t, s, "u1", `{"n":1}`)
				wantReply(t, s, "u1", "m1", "r1")
				must(t, lr.Release(ctx, l))
			}},
		{"persist mid-turn", "a session saved mid-turn (before a bank call) keeps the lease, and the turn's final commit still applies",
			func(t *testing.T, s engine.Store, lr engine.Leaser) {
				l := lease(t, s, "u1")
				must(t, lr.Persist(ctx, l, []byte(`{"pending":1}`)))
				wantSession(t, s, "u1", `{"pending":1}`)
				busy(t, s, "u1")
				must(t, lr.Persist(ctx, l, []byte(`{"pending":2}`)))
				must(t, lr.CommitLeased(ctx, l, []byte(`{"done":1}`), "m1", []byte(`r1`)))
				wantSession(t, s, "u1", `{"done":1}`)
				wantReply(t, s, "u1", "m1", "r1")
				must(t, lr.Release(ctx, lease(t, s, "u1")))
			}},
		{"stale persist", "a mid-turn save under a lease that lapsed is refused with ErrStale and changes nothing",
			func(t *testing.T, s engine.Store, lr engine.Leaser) {
				old := lease(t, s, "u1")
				must(t, lr.Release(ctx, old))
				must(t, lr.CommitLeased(ctx, lease(t, s, "u1"), []byte(`{"n":"new"}`), "", nil))
				if err := lr.Persist(ctx, old, []byte(`{"n":"old"}`)); !errors.Is(err, engine.ErrStale) {
					t.Fatalf("stale persist: %v, want ErrStale", err)
				}
				wantSession(t, s, "u1", `{"n":"new"}`)
			}},
		{"mutual exclusion", "concurrent read-modify-write turns of one user through leases from two store handles lose no update",
			func(t *testing.T, s engine.Store, lr engine.Leaser) {
				stores := []engine.Leaser{lr}
				if h.Share != nil {
					stores = append(stores, h.Share(t, s).(engine.Leaser))
				}
				var wg sync.WaitGroup
				const workers, turns = 6, 25
				for w := range workers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						lr := stores[w%len(stores)]
						for i := range turns {
							l, err := lr.Lease(ctx, "u1", "", "")
							if err != nil {
								t.Error(err)
								return
							}
							n, _ := strconv.Atoi(string(l.Session))
							if err := lr.CommitLeased(ctx, l, []byte(strconv.Itoa(n+1)), fmt.Sprintf("w%d-%d", w, i), nil); err != nil {
								t.Error(err)
								return
							}
						}
					}()
				}
				wg.Wait()
				wantSession(t, s, "u1", strconv.Itoa(workers*turns))
			}},
		{"waits for the holder", "a second Lease waits while the first is held and is granted once it is given up",
			func(t *testing.T, s engine.Store, lr engine.Leaser) {
				l := lease(t, s, "u1")
				got := leaseLater(t, lr, "u1", "")
				must(t, lr.CommitLeased(ctx, l, []byte(`{"n":1}`), "", nil))
				if l2 := <-got; l2 == nil || string(l2.Session) != `{"n":1}` {
					t.Fatalf("the waiting lease: %+v, want it to read the session committed before it", l2)
				}
			}},
		{"answered message", "Lease with a committed message id returns its stored reply (an empty one too) without taking the lease; a new id takes it",
			func(t *testing.T, s engine.Store, lr engine.Leaser) {
				l := lease(t, s, "u1")
				must(t, lr.CommitLeased(ctx, l, []byte(`{"n":1}`), "m1", []byte(`r1`)))
				l = lease(t, s, "u1")
				must(t, lr.CommitLeased(ctx, l, []byte(`{"n":2}`), "m2", nil))
				for id, want := range map[string]string{"m1": "r1", "m2": ""} {
					a, err := lr.Lease(ctx, "u1", id, "")
					if err != nil || !a.Answered || string(a.Reply) != want {
						t.Fatalf("Lease(u1, %s) = %+v, %v; want answered with %q", id, a, err, want)
					}
				}
				held, err := lr.Lease(ctx, "u1", "m3", "") // nothing was held by the answered ones
				if err != nil || held.Answered || string(held.Session) != `{"n":2}` {
					t.Fatalf("Lease(u1, m3) = %+v, %v; want the lease with the session", held, err)
				}
				busy(t, s, "u1")
			}},
		{"current version", "Lease with the version the caller has says it is current without the record, and carries the record once another commit changed it",
			func(t *testing.T, s engine.Store, lr engine.Leaser) {
				l := lease(t, s, "u1")
				must(t, lr.CommitLeased(ctx, l, []byte(`{"n":1}`), "", nil))
				have := l.Token // a commit stamps the session with its lease's token
				l, err := lr.Lease(ctx, "u1", "", have)
				if err != nil || !l.Current || l.Session != nil || l.Version != have {
					t.Fatalf("Lease(have %s) = %+v, %v; want current at that version, without the record", have, l, err)
				}
				must(t, lr.CommitLeased(ctx, l, []byte(`{"n":2}`), "", nil)) // another instance's turn
				l, err = lr.Lease(ctx, "u1", "", have)
				if err != nil || l.Current || string(l.Session) != `{"n":2}` {
					t.Fatalf("Lease(stale have) = %+v, %v; want the newer record", l, err)
				}
				must(t, lr.Release(ctx, l))
				must(t, s.Delete(ctx, "u1"))
				l, err = lr.Lease(ctx, "u1", "", l.Version)
				if err != nil || l.Current || l.Session != nil {
					t.Fatalf("Lease(have) after Delete = %+v, %v; want no session", l, err)
				}
			}},
		{"waiting retry gets the answer", "a retried message waiting for the lease of the turn answering it gets that turn's reply once it commits",
			func(t *testing.T, s engine.Store, lr engine.Leaser) {
				l := lease(t, s, "u1")
				got := leaseLater(t, lr, "u1", "m1")
				must(t, lr.CommitLeased(ctx, l, []byte(`{"n":1}`), "m1", []byte(`r1`)))
				if l2 := <-got; l2 == nil || !l2.Answered || string(l2.Reply) != "r1" {
					t.Fatalf("the waiting retry: %+v, want the committed reply r1", l2)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Log("ensures", tc.ensure)
			s := h.Open(t)
			tc.run(t, s, s.(engine.Leaser))
		})
	}
}

// leaseLater asks for user's lease (with msgID) in the background, for up to a minute; the
// channel gets the lease (nil on error).
func leaseLater(t *testing.T, lr engine.Leaser, user, msgID string) <-chan *engine.Lease {
	got := make(chan *engine.Lease, 1)
	go func() {
		c, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		l, err := lr.Lease(c, user, msgID, "")
		if err != nil {
			t.Error(err)
		}
		got <- l
	}()
	return got
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantSession checks user's session record ("" = none).
func wantSession(t *testing.T, s engine.Store, user, want string) {
	t.Helper()
	got, err := s.Load(context.Background(), user)
	if user == "" && err != nil {
		return // refusing an empty user id is fine
	}
	if err != nil {
		t.Fatalf("Load(%q): %v", user, err)
	}
	if string(got) != want || (want == "" && got != nil) {
		t.Fatalf("Load(%q) = %q, want %q", user, got, want)
	}
}

func wantReply(t *testing.T, s engine.Store, user, msgID, want string) {
	t.Helper()
	got, ok, err := s.Reply(context.Background(), user, msgID)
	if err != nil || !ok || string(got) != want {
		t.Fatalf("Reply(%q, %q) = %q, %v, %v; want %q", user, msgID, got, ok, err, want)
	}
}

func wantNoReply(t *testing.T, s engine.Store, user, msgID string) {
	t.Helper()
	if got, ok, err := s.Reply(context.Background(), user, msgID); err != nil || ok {
		t.Fatalf("Reply(%q, %q) = %q, %v, %v; want none", user, msgID, got, ok, err)
	}
}
