package sandbox

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/weiyin-bank/weiyin/adapters/bank/yuan"
	"github.com/weiyin-bank/weiyin/engine"
)

// Shanghai is the sandbox's time zone (UTC+8, no daylight saving since 1991).
var Shanghai = time.FixedZone("Asia/Shanghai", 8*3600)

// Options configure a sandbox Bank. Every field is optional.
type Options struct {
	// Clock tells the time of postings, bookings and code expiry; default the system clock.
	Clock engine.Clock
	// Logger receives one-time codes (info) and operational messages; default slog.Default().
	Logger *slog.Logger
	// Rand is the source of one-time codes; default crypto/rand.Reader.
	Rand io.Reader
	// Fixture seeds an empty database; nil means the embedded demo (Demo). When the database
	// was seeded from another fixture, Open fails with ErrFixtureMismatch unless Fixture is nil.
	Fixture *Fixture
	// Batch groups concurrent money movements into shared bbolt commits (DB.Batch): more
	// throughput under many concurrent callers, up to 10 ms more latency for a lone one.
	Batch bool
	// NoSync skips fsync on commit. For benchmarks that measure everything but the disk;
	// never with data that matters.
	NoSync bool
	// OTPSink, when set, receives every text message carrying a one-time code, with the full
	// phone number, after the code is stored: a terminal or web console shows it. The
	// structured log gets the text with the code masked, so without a sink (and without the
	// fixture's otp) nobody can read the codes.
	OTPSink func(phone, text string)
	// OTPPolicy limits sending and guessing codes; zero means engine.DefaultOTPPolicy.
	OTPPolicy engine.OTPPolicy
	// LockTimeout is how long Open waits for another process holding the file; default 2s.
	LockTimeout time.Duration
}

// Bank is the sandbox bank. It implements engine.Bank and is safe for concurrent use.
type Bank struct {
	db     *bolt.DB
	clock  engine.Clock
	log    *slog.Logger
	rand   io.Reader
	batch  bool
	otp    string // fixed one-time code from the fixture, "" for random codes
	sink   func(phone, text string)
	policy engine.OTPPolicy
	ref    atomic.Pointer[refData] // branches, products, billers, advisors (index.go)
}

var _ engine.Bank = (*Bank)(nil)

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// bucket names
var (
	bMeta      = []byte("meta")
	bCustomers = []byte("customers")
	bOpenIDs   = []byte("openids")
	bAccounts  = []byte("accounts")
	bNumbers   = []byte("numbers")
	bPostings  = []byte("postings")
	bContacts  = []byte("contacts")
	bCards     = []byte("credit_cards")
	bOBCards   = []byte("other_bank_cards")
	bBranches  = []byte("branches")
	bAdvisors  = []byte("advisors")
	bProducts  = []byte("products")
	bBillers   = []byte("billers")
	bHoldings  = []byte("holdings")
	bBookings  = []byte("bookings")
	bSlots     = []byte("slots")
	bIdem      = []byte("idempotency")
	bOTP       = []byte("otp")
	bApps      = []byte("applications")
	allBuckets = [][]byte{bMeta, bCustomers, bOpenIDs, bAccounts, bNumbers, bPostings, bContacts, bCards,
		bOBCards, bBranches, bAdvisors, bProducts, bBillers, bHoldings, bBookings, bSlots, bIdem, bOTP, bApps, bIndex, bOTPGuard}
)

// meta keys
var (
	kSeeded = []byte("seeded") // fixture hash
	kTotal  = []byte("total")  // sum of all ledger balances at seeding, 8 bytes
	kOTP    = []byte("otp")    // the fixture's fixed code
)

// Open opens (creating if needed) the sandbox database at path and seeds it when empty.
func Open(path string, opts Options) (*Bank, error) {
	if opts.LockTimeout == 0 {
		opts.LockTimeout = 2 * time.Second
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.LockTimeout, NoSync: opts.NoSync})
	if err != nil {
		return nil, fmt.Errorf("sandbox: open %s: %w", path, err)
	}
	db.MaxBatchDelay = 2 * time.Millisecond
	b := &Bank{db: db, clock: opts.Clock, log: opts.Logger, rand: opts.Rand, batch: opts.Batch, sink: opts.OTPSink, policy: opts.OTPPolicy}
	if b.policy.TTL == 0 {
		b.policy = engine.DefaultOTPPolicy
	}
	if b.clock == nil {
		b.clock = systemClock{}
	}
	if b.log == nil {
		b.log = slog.Default()
	}
	if b.rand == nil {
		b.rand = rand.Reader
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		f := opts.Fixture
		explicit := f != nil
		if f == nil {
			f = Demo()
		}
		err = b.Seed(f)
		if errors.Is(err, ErrFixtureMismatch) && !explicit {
			err = nil
		}
	}
	if err == nil { // a file seeded before the customer index existed gets it now
		err = db.Update(func(tx *bolt.Tx) error { return (&rtx{tx: tx, now: b.now()}).ensureIndex() })
	}
	if err == nil {
		err = db.View(func(tx *bolt.Tx) error {
			b.otp = string(tx.Bucket(bMeta).Get(kOTP))
			return nil
		})
	}
	if err == nil {
		err = b.loadRef()
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return b, nil
}

// Close closes the database.
func (b *Bank) Close() error { return b.db.Close() }

// now is the clock's time in Shanghai.
func (b *Bank) now() time.Time { return b.clock.Now().In(Shanghai) }

// view runs a read-only transaction.
func (b *Bank) view(ctx context.Context, fn func(r *rtx) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%w: %w", engine.ErrUnavailable, err)
	}
	return b.db.View(func(tx *bolt.Tx) error { return fn(&rtx{tx: tx}) })
}

// update runs a read-write transaction; it aborts (rolls back) when ctx ends before commit.
// With batch (and Options.Batch), concurrent calls share commits (DB.Batch); a call that
// fails before writing anything then lets the shared commit go on instead of making bbolt
// roll the whole batch back and re-run it.
func (b *Bank) update(ctx context.Context, batch bool, fn func(w *rtx) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%w: %w", engine.ErrUnavailable, err)
	}
	batch = batch && b.batch
	run := b.db.Update
	if batch {
		run = b.db.Batch
	}
	var verdict error
	err := run(func(tx *bolt.Tx) error {
		verdict = nil
		w := &rtx{tx: tx, now: b.now()}
		if err := fn(w); err != nil {
			if batch && w.writes == 0 {
				verdict = err // nothing to roll back
				return nil
			}
			return err
		}
		if err := ctx.Err(); err != nil { // cancelled mid-way: nothing is committed
			return fmt.Errorf("%w: %w", engine.ErrUnavailable, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return verdict
}

// idemRecord is what a money-moving call leaves under its key.
type idemRecord struct {
	Op     string          `json:"op"`
	Hash   string          `json:"hash"`
	Result json.RawMessage `json:"result"`
	Time   time.Time       `json:"time"`
}

// keyed runs fn once per idempotency key: the key's record is stored in the same transaction
// as fn's writes; a repeat returns the stored result.
func keyed[T any](ctx context.Context, b *Bank, op, key string, req any, fn func(w *rtx) (T, error)) (T, error) {
	var res T
	if key == "" || len(key) > 255 {
		return res, fmt.Errorf("%s: %w: idempotency key must have 1-255 bytes", op, engine.ErrInvalid)
	}
	reqJSON, err := json.Marshal(req)
	if err != nil {
		return res, fmt.Errorf("%s: %w", op, err)
	}
	sum := sha256.Sum256(append([]byte(op+"\x00"), reqJSON...))
	hash := hex.EncodeToString(sum[:])
	// A repeat needs no write transaction (and no fsync): look the key up first.
	var done bool
	err = b.view(ctx, func(r *rtx) error {
		v := r.tx.Bucket(bIdem).Get([]byte(key))
		if v == nil {
			return nil
		}
		done = true
		return replay(v, op, key, hash, &res)
	})
	if done || err != nil {
		return res, wrapOp(op, err)
	}
	err = b.update(ctx, true, func(w *rtx) error {
		var zero T
		res = zero
		if v := w.tx.Bucket(bIdem).Get([]byte(key)); v != nil { // a concurrent call won
			return replay(v, op, key, hash, &res)
		}
		r, err := fn(w)
		if err != nil {
			return err
		}
		out, err := json.Marshal(r)
		if err != nil {
			return err
		}
		rec, _ := json.Marshal(idemRecord{Op: op, Hash: hash, Result: out, Time: w.now})
		if err := w.tx.Bucket(bIdem).Put([]byte(key), rec); err != nil {
			return err
		}
		return json.Unmarshal(out, &res) // the first answer reads exactly like its repeats
	})
	if err != nil {
		var zero T
		return zero, wrapOp(op, err)
	}
	return res, nil
}

// replay answers a repeated key from its record: the first result, or ErrIdempotencyReuse
// when the request differs.
func replay[T any](v []byte, op, key, hash string, res *T) error {
	var rec idemRecord
	if err := json.Unmarshal(v, &rec); err != nil {
		return err
	}
	if rec.Op != op || rec.Hash != hash {
		return fmt.Errorf("key %q: %w", key, engine.ErrIdempotencyReuse)
	}
	return json.Unmarshal(rec.Result, res)
}

// wrapOp prefixes an error with the operation unless it already carries it.
func wrapOp(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("sandbox: %s: %w", op, err)
}

// rtx wraps a bbolt transaction with typed accessors. now is set for writes.
type rtx struct {
	tx     *bolt.Tx
	now    time.Time
	writes int // writes made through put, nextID and post
}

func (r *rtx) get(bucket []byte, key string, v any) error {
	data := r.tx.Bucket(bucket).Get([]byte(key))
	if data == nil {
		return engine.ErrNotFound
	}
	return json.Unmarshal(data, v)
}

// getOptional is get that leaves v alone when the key is absent.
func (r *rtx) getOptional(bucket []byte, key string, v any) error {
	if err := r.get(bucket, key, v); err != engine.ErrNotFound {
		return err
	}
	return nil
}

func (r *rtx) put(bucket []byte, key string, v any) error {
	r.writes++
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return r.tx.Bucket(bucket).Put([]byte(key), data)
}

// each decodes every value of a bucket in key order.
func each[T any](r *rtx, bucket []byte, fn func(k string, v T) error) error {
	return r.tx.Bucket(bucket).ForEach(func(k, data []byte) error {
		var v T
		if err := json.Unmarshal(data, &v); err != nil {
			return fmt.Errorf("%s/%s: %w", bucket, k, err)
		}
		return fn(string(k), v)
	})
}

// nextID draws a new id with a prefix from the meta sequence.
func (r *rtx) nextID(prefix string) (string, error) {
	r.writes++
	n, err := r.tx.Bucket(bMeta).NextSequence()
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s%s%06d", prefix, r.now.Format("20060102"), n), nil
}

func u64(v uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	return b[:]
}

func beUint(b []byte) uint64 { return binary.BigEndian.Uint64(b) }

// fmtMoney formats fen for messages.
func fmtMoney(m engine.Money) string { return yuan.Format(m) }
