package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
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

// Store is a bbolt-backed engine.Store. Safe for concurrent use.
type Store struct {
	db    *bolt.DB
	now   func() time.Time
	loads atomic.Int64
}

// TrimEvery is how many session loads pass between two trims of the mapped file (see Trim).
const TrimEvery = 1000

// TrimAbove is the file size from which loads trim the mapping: a smaller file cannot take
// more resident memory than its size, and trimming costs the next reads their mappings.
const TrimAbove = 128 << 20

// Open opens (creating if needed) the session database at path.
func Open(path string) (*Store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("store: opening %s: %w", path, err)
	}
	db.MaxBatchDelay = 2 * time.Millisecond
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
	return &Store{db: db, now: time.Now}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

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

func replyKey(user, msgID string) []byte {
	k := make([]byte, 0, len(user)+len(msgID)+1)
	k = append(k, user...)
	k = append(k, 0)
	return append(k, msgID...)
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

// Commit saves the session and the reply to msgID in one transaction.
func (s *Store) Commit(ctx context.Context, user string, session []byte, msgID string, reply []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	stamp := make([]byte, 8, 8+len(reply))
	binary.BigEndian.PutUint64(stamp, uint64(s.now().Unix()))
	rec := append(stamp, reply...)
	return s.db.Batch(func(tx *bolt.Tx) error {
		if msgID != "" {
			rb := tx.Bucket(bucketReplies)
			if rb.Get(replyKey(user, msgID)) != nil {
				return errors.New("store: message already committed")
			}
			if err := rb.Put(replyKey(user, msgID), rec); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketSessions).Put([]byte(user), session)
	})
}

// Delete forgets a user's session.
func (s *Store) Delete(ctx context.Context, user string) error {
	return s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketSessions).Delete([]byte(user)) })
}

// Prune removes replies older than ReplyRetention. It returns how many it removed.
func (s *Store) Prune(ctx context.Context) (int, error) {
	cutoff := uint64(s.now().Add(-ReplyRetention).Unix())
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketReplies).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if len(v) >= 8 && binary.BigEndian.Uint64(v[:8]) < cutoff {
				if err := c.Delete(); err != nil {
					return err
				}
				n++
			}
		}
		return nil
	})
	return n, err
}

// Sessions counts stored sessions.
func (s *Store) Sessions() (int, error) {
	n := 0
	err := s.db.View(func(tx *bolt.Tx) error { n = tx.Bucket(bucketSessions).Stats().KeyN; return nil })
	return n, err
}
