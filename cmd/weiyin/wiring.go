package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/weiyin-bank/weiyin/adapters/bank/sandbox"
	"github.com/weiyin-bank/weiyin/adapters/store"
	"github.com/weiyin-bank/weiyin/dialogs"
	"github.com/weiyin-bank/weiyin/engine"
	"github.com/weiyin-bank/weiyin/engine/enginetest"
	"github.com/weiyin-bank/weiyin/intents"
)

// botOptions says how to build a bot on the sandbox bank.
type botOptions struct {
	Dialogs string    // dialog directory; "" = the embedded bank bot
	Fixture string    // sandbox fixture JSON; "" = the embedded demo data
	DataDir string    // where bank.db and sessions.db live; "" = a temporary directory
	Now     time.Time // zero = the real clock
	Logger  *slog.Logger
	// SessionTTL overrides the idle time after which a session restarts.
	SessionTTL time.Duration
	// Bank, when set, is used instead of opening the sandbox (serve --bank-url).
	Bank engine.Bank
	// OTPSink receives the sandbox's text messages carrying one-time codes (what a real bank
	// would send to the phone).
	OTPSink func(phone, text string)
	// OnCommit, when set, is told each group of turns the session store commits and how long
	// its log write and sync took.
	OnCommit func(turns int, took time.Duration)
	// Store, when set, keeps the sessions instead of DataDir/sessions.db (serve --store
	// redis://...); the caller closes it.
	Store engine.Store
}

// loadProgram loads and checks a dialog directory ("" = embedded) and builds its NLU. Draft
// files (*.dlg.draft) are left out: `weiyin check` checks them, a running bot never reads them.
func loadProgram(dir string) (*engine.Program, error) {
	fsys, root := defaultDialogs()
	var b *dialogs.Bundle
	var diags dialogs.Diagnostics
	opt := dialogs.Options{SkipDrafts: true}
	if dir != "" {
		// Load (not LoadFS) so diagnostics name files as dir/file.dlg.
		fsys, root = os.DirFS(dir), "."
		b, diags = opt.Load(dir)
	} else {
		b, diags = opt.LoadFS(fsys, root)
	}
	if diags.HasErrors() || b == nil {
		name := dir
		if name == "" {
			name = "embedded dialogs"
		}
		return nil, fmt.Errorf("%s: %w", name, diags.Err())
	}
	nlu, err := intents.New(b, intents.Calibrated())
	if err != nil {
		return nil, fmt.Errorf("building the NLU: %w", err)
	}
	return &engine.Program{Bundle: b, NLU: nlu, Version: dialogs.FilesVersion(fsys, root)}, nil
}

func clockFor(now time.Time) engine.Clock {
	if now.IsZero() {
		return engine.SystemClock{}
	}
	return enginetest.NewClock(now)
}

// newBot builds a bot on the sandbox bank with bbolt sessions. The returned func closes
// everything it opened.
func newBot(ctx context.Context, o botOptions) (*engine.Bot, func(), error) {
	prog, err := loadProgram(o.Dialogs)
	if err != nil {
		return nil, nil, err
	}
	return newBotWith(ctx, prog, o)
}

// newBotWith builds a bot running an already loaded program (replays share one program).
func newBotWith(ctx context.Context, prog *engine.Program, o botOptions) (*engine.Bot, func(), error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	var closers []func() error
	closeAll := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	dir := o.DataDir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "weiyin-")
		if err != nil {
			return nil, nil, err
		}
		dir = tmp
		closers = append(closers, func() error { return os.RemoveAll(tmp) })
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("data directory: %w", err)
	}
	clock := clockFor(o.Now)
	bank := o.Bank
	sandboxBank := bank == nil // stub operations run only on the sandbox
	if bank == nil {
		var fix *sandbox.Fixture
		if o.Fixture != "" {
			f, err := sandbox.LoadFixtureFile(o.Fixture)
			if err != nil {
				closeAll()
				return nil, nil, fmt.Errorf("fixture %s: %w", o.Fixture, err)
			}
			fix = f
		}
		sink := o.OTPSink
		if sink == nil { // nobody reads them (serve): the sandbox's phone, a file, never the log
			s, closeSMS, err := sandboxPhone(dir, clock)
			if err != nil {
				closeAll()
				return nil, nil, err
			}
			sink, closers = s, append(closers, closeSMS)
		}
		sb, err := sandbox.Open(filepath.Join(dir, "bank.db"), sandbox.Options{Clock: clock, Logger: o.Logger, Fixture: fix, Batch: true, OTPSink: sink})
		if err != nil {
			closeAll()
			if errors.Is(err, sandbox.ErrFixtureMismatch) {
				return nil, nil, fmt.Errorf("%w (the data directory %s was seeded from other data: use another --data directory or remove it)", err, dir)
			}
			return nil, nil, err
		}
		closers = append(closers, sb.Close)
		bank = sb
	}
	st := o.Store
	if st == nil {
		bst, err := store.Open(filepath.Join(dir, "sessions.db"))
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		closers = append(closers, bst.Close)
		if o.OnCommit != nil {
			bst.ObserveCommits(o.OnCommit)
		}
		st = bst
	}
	bot, err := engine.New(prog, engine.Config{Bank: bank, Store: st, Clock: clock, Logger: o.Logger, SessionTTL: o.SessionTTL,
		AllowStubs: sandboxBank})
	if err != nil {
		closeAll()
		return nil, nil, err
	}
	return bot, closeAll, nil
}

// parseNow reads a --now flag value ("" = real clock).
func parseNow(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--now %q: want RFC 3339, e.g. 2026-11-25T10:00:00+08:00", s)
	}
	return t, nil
}
