package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

var (
	bucketSessions = []byte("sessions")
	bucketReplies  = []byte("replies")
)

// ReplyRetention is how long replies are kept for deduplication. WeChat retries within
// seconds; a day is generous.
const ReplyRetention = 24 * time.Hour

// PruneEvery is how often an open store removes the replies older than ReplyRetention.
const PruneEvery = 10 * time.Minute

// pruneBatch caps the replies one of Prune's write transactions deletes (a variable for tests).
var pruneBatch = 2000

// Store is a bbolt-backed engine.Store. Safe for concurrent use.
type Store struct {
	db    *bolt.DB
	now   func() time.Time
	loads atomic.Int64

	// Group commit: Commit queues its write in pending and waits; the committer goroutine
	// writes everything queued in one transaction (one set of fsyncs), then starts again with what
	// arrived meanwhile, so a batch is as large as the load of one commit's duration.
	mu      sync.Mutex
	pending []*commitReq
	closed  bool
	kick    chan struct{}  // buffered 1: pending is not empty
	stop    chan struct{}  // closed by Close
	stopped chan struct{}  // closed when the committer has returned
	bg      sync.WaitGroup // the pruner
}

// MaxGroupCommit caps how many turns one transaction commits.
const MaxGroupCommit = 2048

// ErrClosed is returned by Commit once the store is closed.
var ErrClosed = errors.New("store: closed")

// ErrCommitted is returned by Commit when the message id already has a committed reply.
var ErrCommitted = errors.New("store: message already committed")

// commitReq is one queued Commit.
type commitReq struct {
	user, session, key, rec []byte // key and rec are nil without a message id
	done                    chan error
}

// TrimEvery is how many session loads pass between two trims of the mapped file (see Trim).
const TrimEvery = 1000

// TrimAbove is the file size from which loads trim the mapping: a smaller file cannot take
// more resident memory than its size, and trimming costs the next reads their mappings.
const TrimAbove = 128 << 20

// Open opens (creating if needed) the session database at path.
func Open(path string) (*Store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second, NoFreelistSync: true, FreelistType: bolt.FreelistMapType})
	if err != nil {
		return nil, fmt.Errorf("store: opening %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketSessions, bucketReplies} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("store: initialising %s: %w", path, err)
	}
	s := &Store{db: db, now: time.Now, kick: make(chan struct{}, 1), stop: make(chan struct{}),
		stopped: make(chan struct{})}
	go s.committer()
	s.bg.Add(1)
	go s.pruner()
	return s, nil
}

// Close commits what is queued, stops the committer and closes the database. Commits that
// arrive after Close fail with ErrClosed.
func (s *Store) Close() error {
	s.mu.Lock()
	already := s.closed
	s.closed = true
	s.mu.Unlock()
	if !already {
		close(s.stop)
	}
	<-s.stopped
	s.bg.Wait()
	return s.db.Close()
}

// Load returns the user's session record, or nil.
func (s *Store) Load(ctx context.Context, user string) ([]byte, error) {
	var out []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketSessions).Get([]byte(user)); v != nil {
			out = append([]byte(nil), v...)
		}
		return nil
	})
	if err == nil && s.loads.Add(1)%TrimEvery == 0 {
		err = s.trim(TrimAbove)
	}
	return out, err
}

// Trim takes the database file's pages out of the process's resident memory. bbolt reads
// through a memory map, and every read maps the page it needs plus up to 64 KB around it that
// the kernel already caches, so with a million sessions the resident set would grow toward the
// file's size. Trimming drops only the mapping: the pages stay in the kernel's page cache and
// the next read maps them again with a minor fault. It runs inside a read transaction, during
// which bbolt cannot remap the file, so the mapping it trims is the current one.
func (s *Store) Trim() error { return s.trim(0) }

// trim trims the mapping when the file is larger than above bytes.
func (s *Store) trim(above int64) error {
	return s.db.View(func(tx *bolt.Tx) error {
		if tx.Size() <= above {
			return nil
		}
		if err := releaseMapped(s.db.Info().Data, tx.Size()); err != nil {
			return fmt.Errorf("store: trimming the mapped file: %w", err)
		}
		return nil
	})
}

// replyKey is the key of the reply to a user's message: the message id first, then the user.
// WeChat's message ids grow with time across all users, so the replies of one group commit
// land side by side at the end of the tree (a page or two written) rather than one page per
// user; the user keeps ids of different channels or accounts apart.
func replyKey(user, msgID string) []byte {
	k := make([]byte, 0, len(user)+len(msgID)+1)
	k = append(k, msgID...)
	k = append(k, 0)
	return append(k, user...)
}

// Reply returns the stored reply to msgID.
func (s *Store) Reply(ctx context.Context, user, msgID string) ([]byte, bool, error) {
	var out []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketReplies).Get(replyKey(user, msgID)); len(v) >= 8 {
			out = append([]byte(nil), v[8:]...)
		}
		return nil
	})
	return out, out != nil, err
}

// Commit saves the session and the reply to msgID in one transaction, and returns once they
// are durable (fsync). Concurrent commits share a transaction (group commit), but each is
// all-or-nothing on its own: a message id already committed fails with ErrCommitted and
// changes nothing, while the others in the group commit.
func (s *Store) Commit(ctx context.Context, user string, session []byte, msgID string, reply []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if user == "" || len(user) > bolt.MaxKeySize {
		return fmt.Errorf("store: user id of %d bytes", len(user))
	}
	r := &commitReq{user: []byte(user), session: session, done: make(chan error, 1)}
	if msgID != "" {
		r.key = replyKey(user, msgID)
		if len(r.key) > bolt.MaxKeySize {
			return fmt.Errorf("store: message id of %d bytes", len(msgID))
		}
		r.rec = make([]byte, 8, 8+len(reply))
		binary.BigEndian.PutUint64(r.rec, uint64(s.now().Unix()))
		r.rec = append(r.rec, reply...)
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	s.pending = append(s.pending, r)
	s.mu.Unlock()
	select {
	case s.kick <- struct{}{}:
	default:
	}
	// Wait whatever ctx says: once queued, the write may land, and returning early would
	// report a failure for a turn that is committed.
	return <-r.done
}

// committer writes the queued commits, a group at a time, until Close; then it writes what
// is left and returns.
func (s *Store) committer() {
	defer close(s.stopped)
	for {
		select {
		case <-s.kick:
		case <-s.stop:
			for s.commitPending() {
			}
			return
		}
		for s.commitPending() {
		}
	}
}

// commitPending commits up to MaxGroupCommit queued requests and reports whether it found any.
func (s *Store) commitPending() bool {
	s.mu.Lock()
	group := s.pending
	if len(group) > MaxGroupCommit {
		group = group[:MaxGroupCommit:MaxGroupCommit]
		s.pending = append([]*commitReq(nil), s.pending[MaxGroupCommit:]...)
	} else {
		s.pending = nil
	}
	s.mu.Unlock()
	if len(group) == 0 {
		return false
	}
	errs := make([]error, len(group))
	err := s.db.Update(func(tx *bolt.Tx) error {
		clear(errs)
		for i, r := range group {
			if err := put(tx, r); errors.Is(err, ErrCommitted) {
				errs[i] = err
			} else if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil && len(group) > 1 {
		// One bad write spoils the group's transaction: commit each alone so the others land.
		for _, r := range group {
			r.done <- s.commitOne(r)
		}
		return true
	}
	for i, r := range group {
		if err != nil {
			r.done <- fmt.Errorf("store: commit: %w", err)
		} else {
			r.done <- errs[i]
		}
	}
	return true
}

// commitOne commits r in a transaction of its own.
func (s *Store) commitOne(r *commitReq) error {
	err := s.db.Update(func(tx *bolt.Tx) error { return put(tx, r) })
	if err != nil && !errors.Is(err, ErrCommitted) {
		return fmt.Errorf("store: commit: %w", err)
	}
	return err
}

// put writes r's reply (unless its message id is already committed: ErrCommitted, nothing
// written) and session in tx.
func put(tx *bolt.Tx, r *commitReq) error {
	if r.key != nil {
		rb := tx.Bucket(bucketReplies)
		if rb.Get(r.key) != nil {
			return ErrCommitted
		}
		if err := rb.Put(r.key, r.rec); err != nil {
			return err
		}
	}
	return tx.Bucket(bucketSessions).Put(r.user, r.session)
}

// Delete forgets a user's session.
func (s *Store) Delete(ctx context.Context, user string) error {
	return s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketSessions).Delete([]byte(user)) })
}

// Prune removes replies older than ReplyRetention. It returns how many it removed. It reads
// in read transactions and deletes at most pruneBatch replies a write transaction, so that a
// large backlog never holds the writer long enough to delay the turns' commits.
func (s *Store) Prune(ctx context.Context) (int, error) {
	cutoff := uint64(s.now().Add(-ReplyRetention).Unix())
	n := 0
	var from []byte
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		var old [][]byte
		var next []byte
		err := s.db.View(func(tx *bolt.Tx) error {
			c := tx.Bucket(bucketReplies).Cursor()
			k, v := c.First()
			if from != nil {
				k, v = c.Seek(from)
			}
			for ; k != nil; k, v = c.Next() {
				if len(old) == pruneBatch {
					next = append([]byte(nil), k...)
					break
				}
				if len(v) >= 8 && binary.BigEndian.Uint64(v[:8]) < cutoff {
					old = append(old, append([]byte(nil), k...))
				}
			}
			return nil
		})
		if err == nil && len(old) > 0 {
			err = s.db.Update(func(tx *bolt.Tx) error {
				b := tx.Bucket(bucketReplies)
				for _, k := range old {
					if err := b.Delete(k); err != nil {
						return err
					}
				}
				return nil
			})
		}
		if err != nil {
			return n, fmt.Errorf("store: pruning replies: %w", err)
		}
		n += len(old)
		if next == nil {
			return n, nil
		}
		from = next
	}
}

// pruner runs Prune every PruneEvery until Close.
func (s *Store) pruner() {
	defer s.bg.Done()
	t := time.NewTicker(PruneEvery)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			n, err := s.Prune(context.Background())
			if err != nil {
				slog.Warn("store: pruning replies", "err", err)
			} else if n > 0 {
				slog.Info("store: pruned replies", "removed", n)
			}
		}
	}
}

// Sessions counts stored sessions.
func (s *Store) Sessions() (int, error) {
	n := 0
	err := s.db.View(func(tx *bolt.Tx) error { n = tx.Bucket(bucketSessions).Stats().KeyN; return nil })
	return n, err
}
