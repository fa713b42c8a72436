package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

var (
	bucketSessions = []byte("sessions")
	bucketReplies  = []byte("replies")
	bucketTouched  = []byte("touched") // user -> the day its session was last committed (unix days, 8 bytes)
)

// SessionRetention is how long a session nobody speaks to is kept: a customer's or a
// stranger's who never bound alike, so that what many one-off visitors leave is bounded (by
// their rate times this). A session idle this long has no flow left (SessionTTL is minutes);
// its loss only means the next message starts a fresh session.
const SessionRetention = 30 * 24 * time.Hour

// day is t's unix day: the session's age is kept to the day, so that a user's turns within
// one day write its touched entry once.
func day(t time.Time) uint64 { return uint64(t.Unix() / 86400) }

// ReplyRetention is how long replies are kept for deduplication. WeChat retries within
// seconds; a day is generous.
const ReplyRetention = 24 * time.Hour

// PruneEvery is how often an open store removes the replies older than ReplyRetention and
// the sessions idle for SessionRetention.
const PruneEvery = 10 * time.Minute

// pruneBatch caps the replies one of Prune's write transactions deletes (a variable for tests).
var pruneBatch = 2000

// Store is a bbolt-backed engine.Store. Safe for concurrent use.
type Store struct {
	path  string
	db    *bolt.DB
	log   *wal // the committer's
	now   func() time.Time
	loads atomic.Int64

	// Group commit: Commit queues its write in pending and waits; the committer goroutine
	// writes everything queued as one group of the log (one fdatasync), then starts again with
	// what arrived meanwhile, so a group is as large as the load of one commit's duration.
	mu      sync.Mutex
	pending []*commitReq
	closed  bool
	// failed: a log write or sync failed and its group could not be struck off the log, so
	// what the log holds is unknown; nothing is committed until the committer has struck it
	// off (it retries at every group: the disk may have come back).
	failed error
	// lastErr: the last group could not be logged (a full disk); nil once one is.
	lastErr error
	// observe, when set, is told each group's turns and how long its log write and sync took.
	observe func(turns int, took time.Duration)
	// What the log holds and bbolt does not yet, by user and by reply key; the applier moves
	// it to bbolt every applyEvery.
	sessions  map[string]logged
	replies   map[string]logged
	committed uint64 // the last group in the log
	applied   uint64 // the last group in bbolt

	applyMu   sync.Mutex     // one apply at a time
	kick      chan struct{}  // buffered 1: pending is not empty
	applyKick chan struct{}  // buffered 1: much is waiting for the applier
	stop      chan struct{}  // closed by Close
	stopped   chan struct{}  // closed when the committer has returned
	stopApply chan struct{}  // closed by Close once the committer has returned
	bg        sync.WaitGroup // the pruner and the applier
}

// logged is a session or reply in the log, not yet in bbolt.
type logged struct {
	seq uint64 // its group
	val []byte
	del bool // the session was deleted
}

// applyEvery is how often the applier moves what the log holds to bbolt (a variable for
// tests); it also runs as soon as ApplyAbove sessions and replies wait. The longer the span,
// the more turns of one user share a page write: under load, applying every second instead of
// every 100 ms halved the applier's share of the server's CPU (docs/benchmarks.md). A crash
// replays at most this much of the log.
var applyEvery = time.Second

// commitSpacing is the least time between the starts of two groups (a variable for tests).
// Under load a group waits out the rest of it after the last group began, so groups are
// fewer and larger: each costs a write and an fdatasync whatever its size, so under load the
// spacing lowers the server's CPU a turn (docs/benchmarks.md). A turn that comes alone, more
// than this after the last group, is not held.
var commitSpacing = 2 * time.Millisecond

// ApplyAbove is how many logged sessions and replies make the applier run before its tick.
const ApplyAbove = 20000

// MaxValue caps a session or reply record (bbolt's own limit is 2 GB).
const MaxValue = 16 << 20

// MaxGroupCommit caps how many turns one group of the log holds (and maxFrame its bytes).
const MaxGroupCommit = 2048

// ErrClosed is returned by Commit once the store is closed.
var ErrClosed = errors.New("store: closed")

// ErrCommitted is returned by Commit when the message id already has a committed reply.
var ErrCommitted = errors.New("store: message already committed")

// commitReq is one queued Commit.
type commitReq struct {
	user, session, key, rec []byte // key and rec are nil without a message id
	del                     bool   // forget the user's session (Delete)
	probe                   bool   // no record: Healthy's check that a group can be logged
	done                    chan error
}

// size is at least the bytes r takes in a log frame.
func (r *commitReq) size() int {
	return 1 + 4*binary.MaxVarintLen64 + len(r.user) + len(r.session) + len(r.key) + len(r.rec)
}

// TrimEvery is how many session loads pass between two trims of the mapped file (see Trim).
const TrimEvery = 1000

// TrimAbove is the file size from which loads trim the mapping: a smaller file cannot take
// more resident memory than its size, and trimming costs the next reads their mappings.
const TrimAbove = 128 << 20

// InitialMmap is the address space the database is mapped with at first (only address space:
// pages come into memory as they are read).
const InitialMmap = 1 << 30

// Open opens (creating if needed) the session database at path.
func Open(path string) (*Store, error) {
	opts := &bolt.Options{Timeout: 5 * time.Second, NoFreelistSync: true, FreelistType: bolt.FreelistMapType}
	if strconv.IntSize == 64 && runtime.GOOS != "windows" { // Windows would size the file to the map
		// Map address space for a large database from the start: when the file outgrows the
		// map, bbolt remaps it, and a remap waits for every read transaction to end and holds
		// off new ones (the turns' loads and the committer's checks) meanwhile.
		opts.InitialMmapSize = InitialMmap
	}
	db, applied, err := openBolt(path, opts)
	if err != nil {
		return nil, err
	}
	log, err := openWAL(path)
	if err != nil {
		db.Close()
		return nil, err
	}
	s := &Store{path: path, db: db, log: log, now: time.Now, sessions: map[string]logged{}, replies: map[string]logged{},
		kick: make(chan struct{}, 1), applyKick: make(chan struct{}, 1), stop: make(chan struct{}),
		stopped: make(chan struct{}), stopApply: make(chan struct{})}
	if err := s.replay(applied); err != nil {
		log.close()
		db.Close()
		return nil, err
	}
	go s.committer()
	s.bg.Add(2)
	go s.pruner()
	go s.applier()
	return s, nil
}

// openBolt opens the database and its buckets and returns the last group of the log it holds.
// bbolt panics on some damaged files (a page that is not what its parent says, found while it
// rebuilds the free list at open): that panic is turned into an ErrCorrupt that says what to
// do, rather than a crash at every start. The file's descriptor and lock stay with the process
// in that case (bbolt never returned the handle): the caller is expected to exit.
func openBolt(path string, opts *bolt.Options) (db *bolt.DB, applied uint64, err error) {
	defer func() {
		if r := recover(); r != nil {
			db, applied = nil, 0
			err = fmt.Errorf("%w: the session database %s is damaged (%v). Move it aside (mv %s %s.corrupt) and restart: "+
				"conversations start afresh and the replies kept for retries are lost; or restore it from a backup",
				ErrCorrupt, path, r, path, path)
		}
	}()
	db, err = bolt.Open(path, 0o600, opts)
	if err != nil {
		if errors.Is(err, bolt.ErrInvalid) || errors.Is(err, bolt.ErrChecksum) || errors.Is(err, bolt.ErrVersionMismatch) {
			return nil, 0, fmt.Errorf("%w: the session database %s is not a readable bbolt file (%v). Move it aside (mv %s %s.corrupt) "+
				"and restart, or restore it from a backup", ErrCorrupt, path, err, path, path)
		}
		return nil, 0, fmt.Errorf("store: opening %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		fresh := tx.Bucket(bucketTouched) == nil
		for _, b := range [][]byte{bucketSessions, bucketReplies, bucketWAL, bucketTouched} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		if fresh { // sessions stored before their age was: they count from today
			today := binary.BigEndian.AppendUint64(nil, day(time.Now()))
			touched := tx.Bucket(bucketTouched)
			if err := tx.Bucket(bucketSessions).ForEach(func(k, _ []byte) error { return touched.Put(k, today) }); err != nil {
				return err
			}
		}
		if v := tx.Bucket(bucketWAL).Get(keyApplied); len(v) == 8 {
			applied = binary.BigEndian.Uint64(v)
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, 0, fmt.Errorf("store: initialising %s: %w", path, err)
	}
	return db, applied, nil
}

// replay applies the log's groups after applied (those a crash kept out of bbolt), then
// starts the log over.
func (s *Store) replay(applied uint64) error {
	frames, err := s.log.frames(s.path, applied)
	if err != nil {
		return err
	}
	last := applied
	for _, f := range frames {
		if f.seq != last+1 {
			// Group last+1 is damaged or missing while later ones were acknowledged.
			return fmt.Errorf("%w: the session log %s.wal0/1 lacks group %d but holds group %d: replaying would drop "+
				"acknowledged turns; keep the files for analysis, or move both logs aside to start from what the database holds",
				ErrCorrupt, s.path, last+1, f.seq)
		}
		reqs, err := decodeRecords(f.payload)
		if err != nil {
			return fmt.Errorf("store: replaying group %d: %w", f.seq, err)
		}
		s.remember(reqs, f.seq)
		last = f.seq
	}
	// New groups are numbered after every group either file holds, and bbolt records that
	// number as applied even past a gap, so that no older frame left in a file is ever
	// replayed after the new ones.
	s.log.seq = applied
	if len(frames) > 0 {
		s.log.seq = max(applied, frames[len(frames)-1].seq)
	}
	s.committed, s.applied = s.log.seq, applied
	if err := s.apply(); err != nil {
		return fmt.Errorf("store: replaying the log: %w", err)
	}
	if last > applied {
		slog.Info("store: replayed the log", "groups", last-applied)
	}
	s.log.restart()
	return nil
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
	if !already {
		close(s.stopApply)
	}
	s.bg.Wait()
	return errors.Join(s.log.close(), s.db.Close())
}

// Load returns the user's session record, or nil.
func (s *Store) Load(ctx context.Context, user string) ([]byte, error) {
	s.mu.Lock()
	l, ok := s.sessions[user]
	s.mu.Unlock()
	if ok {
		if l.del {
			return nil, nil
		}
		return append([]byte(nil), l.val...), nil
	}
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

// Reply returns the stored reply to msgID, and whether msgID was committed (an empty reply
// counts).
func (s *Store) Reply(ctx context.Context, user, msgID string) ([]byte, bool, error) {
	key := replyKey(user, msgID)
	s.mu.Lock()
	l, ok := s.replies[string(key)]
	s.mu.Unlock()
	if ok {
		return append([]byte(nil), l.val[8:]...), true, nil
	}
	var out []byte
	found := false
	err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketReplies).Get(key); len(v) >= 8 {
			out, found = append([]byte(nil), v[8:]...), true
		}
		return nil
	})
	return out, found, err
}

// Commit saves the session and the reply to msgID together, and returns once they are
// durable (in the log, fdatasync). It keeps session: the caller must not change it after.
// Concurrent commits share a log write (group commit), but each is all-or-nothing on its own:
// a message id already committed fails with ErrCommitted and changes nothing, while the others
// in the group commit.
func (s *Store) Commit(ctx context.Context, user string, session []byte, msgID string, reply []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if user == "" || len(user) > bolt.MaxKeySize {
		return fmt.Errorf("store: user id of %d bytes", len(user))
	}
	if len(session) > MaxValue || len(reply) > MaxValue {
		return fmt.Errorf("store: a record of %d bytes (at most %d)", max(len(session), len(reply)), MaxValue)
	}
	// The log keeps session until the applier copies it to bbolt; the caller gives it up
	// (engine.Store's contract).
	r := &commitReq{user: []byte(user), session: session}
	if msgID != "" {
		r.key = replyKey(user, msgID)
		if len(r.key) > bolt.MaxKeySize {
			return fmt.Errorf("store: message id of %d bytes", len(msgID))
		}
		r.rec = make([]byte, 8, 8+len(reply))
		binary.BigEndian.PutUint64(r.rec, uint64(s.now().Unix()))
		r.rec = append(r.rec, reply...)
	}
	return s.enqueue(r)
}

// Delete forgets a user's session.
func (s *Store) Delete(ctx context.Context, user string) error {
	if user == "" || len(user) > bolt.MaxKeySize {
		return fmt.Errorf("store: user id of %d bytes", len(user))
	}
	return s.enqueue(&commitReq{user: []byte(user), del: true})
}

// queue hands r to the committer, which answers on r.done.
func (s *Store) queue(r *commitReq) error {
	r.done = make(chan error, 1)
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
	return nil
}

// Healthy reports whether the store can commit. After a group could not be logged (a full
// disk), it logs an empty group to find out whether it can now: a store taken out of a load
// balancer's rotation finds out it has recovered without waiting for turns.
func (s *Store) Healthy(ctx context.Context) error {
	s.mu.Lock()
	closed, failed, last := s.closed, s.failed, s.lastErr
	s.mu.Unlock()
	switch {
	case closed:
		return ErrClosed
	case failed == nil && last == nil:
		return nil
	}
	r := &commitReq{probe: true}
	if err := s.queue(r); err != nil {
		return err
	}
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("store: no answer from the committer: %w", ctx.Err())
	}
}

// enqueue hands r to the committer and waits for the outcome.
func (s *Store) enqueue(r *commitReq) error {
	if err := s.queue(r); err != nil {
		return err
	}
	// Wait whatever ctx says: once queued, the write may land, and returning early would
	// report a failure for a turn that is committed.
	return <-r.done
}

// committer writes the queued commits, a group at a time, until Close; then it writes what
// is left and returns.
func (s *Store) committer() {
	defer close(s.stopped)
	var last time.Time // when the last group began
	for {
		select {
		case <-s.kick:
		case <-s.stop:
			for s.commitPending() {
			}
			return
		}
		for {
			if wait := time.Until(last.Add(commitSpacing)); wait > 0 {
				time.Sleep(wait)
			}
			start := time.Now()
			if !s.commitPending() {
				break
			}
			last = start
		}
	}
}

// ObserveCommits has f told, for every group written to the log, its turns and how long
// the write and its sync took (serve's /metrics). f runs on the committer: it must be quick.
func (s *Store) ObserveCommits(f func(turns int, took time.Duration)) {
	s.mu.Lock()
	s.observe = f
	s.mu.Unlock()
}

// commitPending logs the queued requests that fit one group (MaxGroupCommit of them, maxFrame
// bytes) and reports whether it found any.
func (s *Store) commitPending() bool {
	s.mu.Lock()
	n, size := 0, 0
	for n < len(s.pending) && n < MaxGroupCommit {
		if size += s.pending[n].size(); n > 0 && size > maxFrame {
			break
		}
		n++
	}
	group := s.pending[:n:n]
	s.pending = append([]*commitReq(nil), s.pending[n:]...)
	failed, observe := s.failed, s.observe
	s.mu.Unlock()
	if len(group) == 0 {
		return false
	}
	errs := make([]error, len(group))
	if failed != nil && s.log.strikeOff() == nil {
		slog.Info("store: the log is writable again; committing")
		s.mu.Lock()
		s.failed, failed = nil, nil
		s.mu.Unlock()
	}
	if failed != nil {
		failRest(errs, failed)
	} else if err := s.refuseCommitted(group, errs); err != nil {
		failRest(errs, err)
	} else if write := accepted(group, errs); len(write) > 0 {
		began := time.Now()
		seq, err := s.log.append(write, s.appliedSeq())
		if observe != nil {
			observe(len(write), time.Since(began))
		}
		if err != nil {
			err = fmt.Errorf("store: commit: %w", err)
			s.mu.Lock()
			s.lastErr = err
			if errors.Is(err, errLogUnknown) {
				// The group may be on disk: commit nothing until it is struck off, rather
				// than risk a turn reported failed coming back on replay.
				s.failed = err
			}
			s.mu.Unlock()
			slog.Error("store: a group of turns could not be logged; they are refused", "turns", len(write), "err", err)
			failRest(errs, err)
		} else if s.remember(write, seq) > ApplyAbove {
			select {
			case s.applyKick <- struct{}{}:
			default:
			}
		}
	}
	for i, r := range group {
		r.done <- errs[i]
	}
	return true
}

// failRest sets err for every request errs has no outcome for yet.
func failRest(errs []error, err error) {
	for i := range errs {
		if errs[i] == nil {
			errs[i] = err
		}
	}
}

// refuseCommitted sets ErrCommitted for the requests whose message id already has a reply:
// in the log, in bbolt, or earlier in the group.
func (s *Store) refuseCommitted(group []*commitReq, errs []error) error {
	seen := make(map[string]bool, len(group))
	var check []int
	s.mu.Lock()
	for i, r := range group {
		if r.key == nil {
			continue
		}
		if _, ok := s.replies[string(r.key)]; ok || seen[string(r.key)] {
			errs[i] = ErrCommitted
			continue
		}
		seen[string(r.key)] = true
		check = append(check, i)
	}
	s.mu.Unlock()
	if len(check) == 0 {
		return nil
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketReplies)
		for _, i := range check {
			if b.Get(group[i].key) != nil {
				errs[i] = ErrCommitted
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// accepted returns the requests of group that errs does not refuse.
func accepted(group []*commitReq, errs []error) []*commitReq {
	out := make([]*commitReq, 0, len(group))
	for i, r := range group {
		if errs[i] == nil {
			out = append(out, r)
		}
	}
	return out
}

// remember records reqs, logged as group seq, as the latest state until the applier has
// copied them to bbolt; it returns how many records wait.
func (s *Store) remember(reqs []*commitReq, seq uint64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastErr = nil
	for _, r := range reqs {
		if r.probe {
			continue
		}
		s.sessions[string(r.user)] = logged{seq: seq, val: r.session, del: r.del}
		if r.key != nil {
			s.replies[string(r.key)] = logged{seq: seq, val: r.rec}
		}
	}
	s.committed = max(s.committed, seq)
	return len(s.sessions) + len(s.replies)
}

func (s *Store) appliedSeq() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.applied
}

// applier copies what the log holds to bbolt every applyEvery (or sooner when much waits),
// until Close; then once more.
func (s *Store) applier() {
	defer s.bg.Done()
	t := time.NewTicker(applyEvery)
	defer t.Stop()
	for {
		select {
		case <-s.stopApply:
			if err := s.apply(); err != nil {
				slog.Error("store: applying the log at close; the next open replays it", "err", err)
			}
			return
		case <-t.C:
		case <-s.applyKick:
		}
		if err := s.apply(); err != nil {
			slog.Error("store: applying the log; retrying", "err", err)
		}
	}
}

// apply writes every logged session and reply to bbolt in one transaction, with the number
// of the last group it holds, then forgets those the log has no newer version of.
func (s *Store) apply() error {
	s.applyMu.Lock()
	defer s.applyMu.Unlock()
	type kv struct {
		k string
		l logged
	}
	s.mu.Lock()
	upto := s.committed
	if upto == s.applied {
		s.mu.Unlock()
		return nil
	}
	sess := make([]kv, 0, len(s.sessions))
	for k, l := range s.sessions {
		sess = append(sess, kv{k, l})
	}
	reps := make([]kv, 0, len(s.replies))
	for k, l := range s.replies {
		reps = append(reps, kv{k, l})
	}
	s.mu.Unlock()
	byKey := func(a, b kv) int { return strings.Compare(a.k, b.k) }
	slices.SortFunc(sess, byKey) // bbolt writes sorted keys with fewer page splits
	slices.SortFunc(reps, byKey)
	today := binary.BigEndian.AppendUint64(nil, day(s.now()))
	err := s.db.Update(func(tx *bolt.Tx) error {
		b, touched := tx.Bucket(bucketSessions), tx.Bucket(bucketTouched)
		for _, e := range sess {
			var err error
			if e.l.del {
				if err = b.Delete([]byte(e.k)); err == nil {
					err = touched.Delete([]byte(e.k))
				}
			} else if err = b.Put([]byte(e.k), e.l.val); err == nil && !bytes.Equal(touched.Get([]byte(e.k)), today) {
				err = touched.Put([]byte(e.k), today)
			}
			if err != nil {
				return err
			}
		}
		b = tx.Bucket(bucketReplies)
		for _, e := range reps {
			if err := b.Put([]byte(e.k), e.l.val); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketWAL).Put(keyApplied, binary.BigEndian.AppendUint64(nil, upto))
	})
	if err != nil {
		return fmt.Errorf("store: applying the log: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range sess {
		if l, ok := s.sessions[e.k]; ok && l.seq <= upto {
			delete(s.sessions, e.k)
		}
	}
	for _, e := range reps {
		if l, ok := s.replies[e.k]; ok && l.seq <= upto {
			delete(s.replies, e.k)
		}
	}
	s.applied = max(s.applied, upto)
	return nil
}

// Prune removes replies older than ReplyRetention. It returns how many it removed. It reads
// in read transactions and deletes at most pruneBatch replies a write transaction, so that a
// large backlog never holds the writer long enough to delay the turns' commits.
func (s *Store) Prune(ctx context.Context) (int, error) {
	if err := s.apply(); err != nil { // the replies still in the log join the rest
		return 0, err
	}
	cutoff := uint64(s.now().Add(-ReplyRetention).Unix())
	n := 0
	var from []byte
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		old, next, err := s.scanOld(bucketReplies, from, func(v []byte) bool {
			return len(v) >= 8 && binary.BigEndian.Uint64(v[:8]) < cutoff
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

// PruneSessions removes the sessions nobody committed for SessionRetention, as Prune does
// replies (batches of at most pruneBatch a write transaction). A session with a turn in the
// log not yet applied is kept. It returns how many it removed.
func (s *Store) PruneSessions(ctx context.Context) (int, error) {
	if err := s.apply(); err != nil {
		return 0, err
	}
	cutoff := day(s.now().Add(-SessionRetention))
	n := 0
	var from []byte
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		expired := func(v []byte) bool { return len(v) == 8 && binary.BigEndian.Uint64(v) < cutoff }
		old, next, err := s.scanOld(bucketTouched, from, expired)
		removed := 0
		if err == nil && len(old) > 0 {
			err = s.db.Update(func(tx *bolt.Tx) error {
				removed = 0
				b, touched := tx.Bucket(bucketSessions), tx.Bucket(bucketTouched)
				s.mu.Lock() // a turn logged since the scan keeps its session
				defer s.mu.Unlock()
				for _, k := range old {
					if _, ok := s.sessions[string(k)]; ok {
						continue
					}
					if !expired(touched.Get(k)) {
						continue
					}
					if err := b.Delete(k); err != nil {
						return err
					}
					if err := touched.Delete(k); err != nil {
						return err
					}
					removed++
				}
				return nil
			})
		}
		if err != nil {
			return n, fmt.Errorf("store: pruning sessions: %w", err)
		}
		n += removed
		if next == nil {
			return n, nil
		}
		from = next
	}
}

// scanOld reads bucket from key from on, in a read transaction, and returns the keys of at
// most pruneBatch entries whose value is old, and the key to go on from (nil at the end).
func (s *Store) scanOld(bucket, from []byte, old func(v []byte) bool) (keys [][]byte, next []byte, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucket).Cursor()
		k, v := c.First()
		if from != nil {
			k, v = c.Seek(from)
		}
		for ; k != nil; k, v = c.Next() {
			if len(keys) == pruneBatch {
				next = append([]byte(nil), k...)
				break
			}
			if old(v) {
				keys = append(keys, append([]byte(nil), k...))
			}
		}
		return nil
	})
	return keys, next, err
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
			n, err = s.PruneSessions(context.Background())
			if err != nil {
				slog.Warn("store: pruning sessions", "err", err)
			} else if n > 0 {
				slog.Info("store: pruned idle sessions", "removed", n)
			}
		}
	}
}

// Sessions counts stored sessions.
func (s *Store) Sessions() (int, error) {
	if err := s.apply(); err != nil {
		return 0, err
	}
	n := 0
	err := s.db.View(func(tx *bolt.Tx) error { n = tx.Bucket(bucketSessions).Stats().KeyN; return nil })
	return n, err
}
