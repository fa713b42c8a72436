package engine

import (
	"context"
	"errors"
	"fmt"
)

// Leaser is implemented by a Store that several weiyin processes share (Redis). The Bot's own
// lock serialises a user's turns inside one process only; with a Leaser the Bot also holds the
// user's lease for the whole turn, so two instances never run turns of one customer at once,
// and it commits fenced by that lease, so an instance whose lease lapsed (it stalled, or the
// network cut it off while another instance went on) can never overwrite a newer session.
//
// With a Leaser each turn learns, with the lease and in the same round trip, the stored reply
// to a retried message, or else whether the session the Bot kept decoded from its last turn
// is still the current version (another instance may have committed since), and the stored
// record when it is not.
type Leaser interface {
	// Lease waits until the caller holds user's lease, or ctx ends. The lease lapses by itself
	// after the store's lease TTL, so a dead instance blocks its customers only that long.
	// When msgID ("" for none) has already been committed, Lease returns at once, without
	// taking the lease, a Lease whose Answered is set and Reply holds the stored reply.
	// have is the version of the session the caller holds decoded ("" for none): when it is
	// still the current one the Lease says so (Current) instead of carrying the record.
	Lease(ctx context.Context, user, msgID, have string) (*Lease, error)
	// CommitLeased is Store.Commit fenced by l: it applies only while l is still user's lease
	// and the session is still the one l read (l.Version); otherwise it returns an error
	// wrapping ErrStale and changes nothing. A commit that applies also gives the lease up.
	CommitLeased(ctx context.Context, l *Lease, session []byte, msgID string, reply []byte) error
	// Persist saves the session mid-turn (before a money-moving call), fenced by l like
	// CommitLeased, but keeps the lease (renewed for a whole lease TTL) and moves l.Version
	// to the version it wrote, so the turn's final commit still applies.
	Persist(ctx context.Context, l *Lease, session []byte) error
	// Release gives l up; a lease that lapsed or was committed is left alone.
	Release(ctx context.Context, l *Lease) error
}

// Lease is one holding of a user's lease.
type Lease struct {
	User string
	// Token is unique to this holding (the fencing token). A session committed under it is
	// stamped with it, so it is also the session's next Version.
	Token string
	// Version is the version of the user's session when the lease was taken, "" when the user
	// has none. Versions are never reused, so a version seen once names one session record.
	Version string
	// Session is the user's session record at Version, nil when none or when Current.
	Session []byte
	// Current says the session at Version is the one the caller said it has.
	Current bool
	// Answered says the message id given to Lease was committed already; Reply is its stored
	// reply. No lease is held then.
	Answered bool
	Reply    []byte

	committed bool // CommitLeased applied, which gave the lease up
}

// ErrStale is returned (wrapped) by a fenced commit refused because the lease lapsed or
// another instance committed the user's session since it was read. Nothing was applied: the
// turn is retried from the stored state, and its bank calls repeat with the same idempotency
// keys, so they move no money twice.
var ErrStale = errors.New("engine: lease lapsed or session changed by another instance")

// leaser returns the store's Leaser, or nil when the Bot is its store's only writer.
func (b *Bot) leaser() Leaser {
	l, _ := b.cfg.Store.(Leaser)
	return l
}

// takeLease takes user's lease when the store is shared, and returns it (nil otherwise) and
// the function that gives it up; a lease that is Answered holds nothing to give up.
func (b *Bot) takeLease(ctx context.Context, user, msgID, have string) (*Lease, func(), error) {
	lr := b.leaser()
	if lr == nil {
		return nil, func() {}, nil
	}
	l, err := lr.Lease(ctx, user, msgID, have)
	if err != nil {
		return nil, nil, fmt.Errorf("engine: taking the user's lease: %w", err)
	}
	return l, func() {
		if l.committed || l.Answered {
			return
		}
		if err := lr.Release(context.WithoutCancel(ctx), l); err != nil {
			b.log.Warn("releasing a lease (it lapses by itself)", "user", maskUser(user), "err", err)
		}
	}, nil
}

// commit commits a turn: fenced by l when the store is shared, else plainly.
func (b *Bot) commit(ctx context.Context, user string, l *Lease, session []byte, msgID string, reply []byte) error {
	if l == nil {
		return b.cfg.Store.Commit(ctx, user, session, msgID, reply)
	}
	err := b.leaser().CommitLeased(ctx, l, session, msgID, reply)
	l.committed = err == nil
	return err
}
