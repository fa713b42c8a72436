package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/weiyin-bank/weiyin/intents"
)

// NLU understands one message. *intents.Understander implements it.
type NLU interface {
	Understand(text string, c intents.Context) intents.Result
}

// Config wires a Bot to the outside world.
type Config struct {
	Bank Bank
	// Store keeps the sessions. A Bot must be its only writer (bbolt's file lock gives one
	// process; one Bot a store in it): the Bot keeps the sessions it last committed. A store
	// that several processes share implements Leaser (lease.go).
	Store      Store
	Clock      Clock
	Logger     *slog.Logger
	SessionTTL time.Duration // idle time after which a session restarts; default 15m
	// Rand makes each new session's nonce, part of every idempotency key; default crypto/rand.
	Rand io.Reader
	// Observe, when set, is called after every turn (metrics).
	Observe func(TurnInfo)
	// SessionCache is how many committed sessions the Bot keeps decoded, so that a user's
	// next turn skips reading and decoding the record; 0 means DefaultSessionCache, negative
	// none.
	SessionCache int
	// AllowStubs lets the bot run stub operations declared in the dialogs (answered with
	// their example results): set it only with the sandbox bank. Without it a program with
	// stubs is refused (stub.go).
	AllowStubs bool
	// MaxQueued caps one user's turns running or waiting at once (0: DefaultMaxQueued); more
	// get ErrBusy at once, so a flood from one user id cannot push another turn of it, or the
	// memory of the process, beyond bounds.
	MaxQueued int
}

// DefaultMaxQueued is Config.MaxQueued's default: a customer types a few messages ahead at most.
const DefaultMaxQueued = 16

// ErrBusy is returned for a turn of a user who already has Config.MaxQueued turns running or
// waiting: nothing is done; the message may be sent again later.
var ErrBusy = errors.New("engine: too many turns of this user at once")

// DefaultSessionCache is Config.SessionCache's default: a few MB.
const DefaultSessionCache = 4096

// TurnInfo describes a finished turn for metrics.
type TurnInfo struct {
	Intent    string
	Fallback  bool
	Duplicate bool
	Duration  time.Duration
	Err       error
}

// MaxMessageRunes caps what one message may carry; longer text is cut before understanding.
const MaxMessageRunes = 2000

// ErrNoUser is returned for a turn without a user id.
var ErrNoUser = errors.New("engine: empty user id")

// Bot runs conversations. Safe for concurrent use: turns of one user are serialised, turns of
// different users run in parallel. Per-conversation state lives in Session values loaded from
// and committed to the Store each turn; the Bot itself holds only the programs and locks.
type Bot struct {
	cfg       Config
	log       *slog.Logger
	locks     userLocks
	lists     listCache
	customers customerCache
	sessions  sessionCache

	mu    sync.RWMutex
	prog  *Program
	progs map[string]*Program // versions still in use by running flows
	order []string
}

// New returns a Bot running p.
func New(p *Program, cfg Config) (*Bot, error) {
	if p == nil || p.Bundle == nil || p.NLU == nil {
		return nil, errors.New("engine: program needs a bundle and an NLU")
	}
	if cfg.Bank == nil || cfg.Store == nil {
		return nil, errors.New("engine: config needs a Bank and a Store")
	}
	if err := acceptStubs(p, cfg.AllowStubs); err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	if cfg.Clock == nil {
		cfg.Clock = SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.SessionCache == 0 {
		cfg.SessionCache = DefaultSessionCache
	}
	if cfg.MaxQueued <= 0 {
		cfg.MaxQueued = DefaultMaxQueued
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 15 * time.Minute
	}
	b := &Bot{cfg: cfg, log: cfg.Logger, progs: map[string]*Program{}}
	b.Swap(p)
	return b, nil
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns the current time.
func (SystemClock) Now() time.Time { return time.Now() }

// Swap installs a new program (hot reload). New conversations use it at once; a flow already
// running finishes on the program it started with.
func (b *Bot) Swap(p *Program) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if p.Version == "" {
		p.Version = fmt.Sprintf("v%d", len(b.order)+1)
	}
	p.compile()
	b.prog = p
	if _, ok := b.progs[p.Version]; !ok {
		b.progs[p.Version] = p
		b.order = append(b.order, p.Version)
	}
	for len(b.order) > 8 {
		delete(b.progs, b.order[0])
		b.order = b.order[1:]
	}
}

// Bank returns the bank the bot talks to (operations endpoints look customers up through it).
func (b *Bot) Bank() Bank { return b.cfg.Bank }

// Store returns the session store (serve's /healthz asks it whether it can commit).
func (b *Bot) Store() Store { return b.cfg.Store }

// Program returns the current program.
func (b *Bot) Program() *Program {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.prog
}

// program returns the program of a version still loaded, or nil when it is gone.
func (b *Bot) program(version string) *Program {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.progs[version]
}

func (b *Bot) lock(user string) (func(), error) { return b.locks.lock(user, b.cfg.MaxQueued) }

// userLocks serialises the turns of each user, and only of that user: a turn holds its lock
// while its commit waits for the disk, so a lock shared by several users (striping) would make
// each wait for the others' fsyncs too. Entries live while some turn holds or awaits them.
type userLocks struct {
	mu    sync.Mutex
	users map[string]*userLock
}

type userLock struct {
	sync.Mutex
	refs int // turns holding or waiting for it; guarded by userLocks.mu
}

// lock locks user's turns and returns the unlock function, or ErrBusy when max turns of the
// user already hold or await the lock.
func (l *userLocks) lock(user string, max int) (func(), error) {
	l.mu.Lock()
	if l.users == nil {
		l.users = make(map[string]*userLock)
	}
	u := l.users[user]
	if u == nil {
		u = &userLock{}
		l.users[user] = u
	}
	if u.refs >= max {
		l.mu.Unlock()
		return nil, ErrBusy
	}
	u.refs++
	l.mu.Unlock()
	u.Lock()
	return func() {
		u.Unlock()
		l.mu.Lock()
		if u.refs--; u.refs == 0 {
			delete(l.users, user)
		}
		l.mu.Unlock()
	}, nil
}

// Turn processes one message from user and returns the reply. A message id already processed
// returns the stored reply without running the turn again. The session and the reply are
// committed together before Turn returns; on any error nothing is committed.
func (b *Bot) Turn(ctx context.Context, user string, m Message) (rep Reply, err error) {
	start := time.Now()
	info := TurnInfo{}
	defer func() {
		if r := recover(); r != nil {
			b.log.Error("turn panicked", "user", maskUser(user), "panic", fmt.Sprint(r))
			err = fmt.Errorf("engine: internal error")
		}
		if b.cfg.Observe != nil {
			info.Intent, info.Duration, info.Err = rep.Intent, time.Since(start), err
			info.Fallback = rep.Intent == intents.None
			b.cfg.Observe(info)
		}
	}()
	if user == "" {
		return Reply{}, ErrNoUser
	}
	m.Text = cleanText(m.Text)
	unlock, err := b.lock(user)
	if err != nil {
		return Reply{}, err
	}
	defer unlock()
	cached := b.sessions.take(user)
	lease, release, err := b.takeLease(ctx, user, m.ID, cached.version)
	if err != nil {
		return Reply{}, err
	}
	defer release()

	if raw, ok, err := b.storedReply(ctx, user, m.ID, lease); err != nil {
		return Reply{}, err
	} else if ok {
		info.Duplicate = true
		if cached.s != nil { // a retry changes no session
			b.sessions.put(user, cached.s, cached.version, b.cfg.SessionCache)
		}
		if err := json.Unmarshal(raw, &rep); err != nil {
			return Reply{}, fmt.Errorf("engine: stored reply: %w", err)
		}
		return rep, nil
	}
	s, err := b.loadSession(ctx, user, lease, cached)
	if err != nil {
		return Reply{}, err
	}
	if m.Kind == "event" && m.Event == "unsubscribe" {
		if err := b.cfg.Store.Delete(ctx, user); err != nil {
			return Reply{}, fmt.Errorf("engine: ending session: %w", err)
		}
		return Reply{Intent: "unsubscribe"}, nil
	}
	t := &turn{b: b, ctx: ctx, user: user, lease: lease, s: s, now: b.cfg.Clock.Now().In(Shanghai), prog: b.Program()}
	if err := t.resolveCustomer(m.As); err != nil {
		return Reply{}, err
	}
	t.handle(m)
	t.syncLabels()
	rep = t.result()
	s.LastActive = t.now
	s.Turns++
	sraw, err := encodeSession(s)
	if err != nil {
		return Reply{}, fmt.Errorf("engine: encoding session: %w", err)
	}
	rraw, err := encodeReply(&rep)
	if err != nil {
		return Reply{}, fmt.Errorf("engine: encoding reply: %w", err)
	}
	if err := b.commit(ctx, user, lease, sraw, m.ID, rraw); err != nil {
		return Reply{}, fmt.Errorf("engine: committing turn: %w", err)
	}
	version := ""
	if lease != nil {
		version = lease.Token // a committed session is stamped with its lease's token
	}
	b.sessions.put(user, s, version, b.cfg.SessionCache)
	b.log.Debug("turn", "user", maskUser(user), "intent", rep.Intent, "flow", rep.Flow, "step", rep.Step)
	return rep, nil
}

// storedReply returns the reply committed to msgID, if any: the one read with lease when the
// store is shared, else the store's.
func (b *Bot) storedReply(ctx context.Context, user, msgID string, lease *Lease) ([]byte, bool, error) {
	switch {
	case msgID == "":
		return nil, false, nil
	case lease != nil:
		return lease.Reply, lease.Answered, nil
	}
	raw, ok, err := b.cfg.Store.Reply(ctx, user, msgID)
	if err != nil {
		return nil, false, fmt.Errorf("engine: reading stored reply: %w", err)
	}
	return raw, ok, nil
}

// loadSession returns user's session: the cached one when the store is its (lease says the
// cached version is current), else the one read with lease when the store is shared, else
// the cached or stored one, or a new one.
func (b *Bot) loadSession(ctx context.Context, user string, lease *Lease, cached cachedSession) (*Session, error) {
	raw := []byte(nil)
	switch {
	case lease != nil && lease.Current && cached.s != nil:
		return cached.s, nil
	case lease != nil:
		raw = lease.Session
	case cached.s != nil:
		return cached.s, nil
	default:
		var err error
		if raw, err = b.cfg.Store.Load(ctx, user); err != nil {
			return nil, fmt.Errorf("engine: loading session: %w", err)
		}
	}
	if raw != nil {
		s, err := decodeSession(raw)
		if err == nil {
			return s, nil
		}
		// An unreadable record must not lock the customer out: start afresh and say so in the log.
		b.log.Warn("session record unreadable, starting afresh", "user", maskUser(user), "err", err)
	}
	now := b.cfg.Clock.Now()
	var nonce [8]byte
	if _, err := io.ReadFull(b.cfg.Rand, nonce[:]); err != nil {
		return nil, fmt.Errorf("engine: session nonce: %w", err)
	}
	return &Session{Schema: SessionSchema, User: user, Started: now, Nonce: hex.EncodeToString(nonce[:])}, nil
}

// cleanText makes a message safe to process: valid UTF-8, no control characters, bounded.
func cleanText(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n >= MaxMessageRunes {
			break
		}
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
			continue
		}
		b.WriteRune(r)
		n++
	}
	return strings.TrimSpace(b.String())
}

// maskUser shortens an openid for logs.
func maskUser(u string) string {
	if len(u) <= 6 {
		return u
	}
	return u[:3] + "***" + u[len(u)-3:]
}
