package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/weiyin-bank/weiyin/engine"
	"github.com/weiyin-bank/weiyin/engine/enginetest"
	"github.com/weiyin-bank/weiyin/engine/transcript"
)

// The `weiyin test` command lives in this file: cmd_test.go would be a Go test file.

type testOptions struct {
	dialogs  string
	fixture  string
	now      string
	user     string
	as       string
	junit    string
	json     bool
	coverage bool
	noise    string
	seed     uint64
	parallel int
	verbose  bool
	record   string
	otp      string
}

func testCommand() command {
	return command{summary: "replay .convo.txt transcripts against the bot (JUnit, JSON, coverage)", run: runTest}
}

func runTest(ctx context.Context, args []string, io stdio) int {
	var o testOptions
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.err)
	fs.StringVar(&o.dialogs, "dialogs", "", "dialog directory (default: the embedded bank bot)")
	fs.StringVar(&o.fixture, "fixture", "", "sandbox fixture JSON each convo starts from (default: FIXTURE of the suite's "+transcript.SettingsFile+", else the embedded demo data)")
	fs.StringVar(&o.now, "now", "", "clock of every convo unless it sets NOW, RFC 3339 (default 2026-11-25T10:00:00+08:00)")
	fs.StringVar(&o.user, "user", "o_demo_1", "WeChat openid convos speak from unless they set USER")
	fs.StringVar(&o.as, "as", "", "sandbox customer id convos speak as unless they set AS")
	fs.StringVar(&o.junit, "junit", "", "write a JUnit XML report to FILE")
	fs.BoolVar(&o.json, "json", false, "print the report as JSON instead of text")
	fs.BoolVar(&o.coverage, "coverage", false, "report which intents, flows, steps and transitions were exercised")
	fs.StringVar(&o.noise, "noise", "", "perturb customer lines: asr (speech-recognition errors)")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the noise model")
	fs.IntVar(&o.parallel, "parallel", 0, "convos replayed at once (default GOMAXPROCS)")
	fs.BoolVar(&o.verbose, "v", false, "list passing convos too")
	fs.StringVar(&o.record, "record", "", "also write what the bot actually said in each convo to DIR/NAME.convo.txt (snapshots to review)")
	fs.StringVar(&o.otp, "otp", "123456", "one-time code written for accepted codes in --record snapshots")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: weiyin test [flags] PATH...\n\nReplays every .convo.txt under PATH (BotiumScript), each on a fresh sandbox bank.\nExit 1 if a convo fails, 2 on usage or load errors.\n\nflags:")
		fs.PrintDefaults()
	}
	if code, ok := parseArgs(fs, args, io); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	now, err := parseNow(o.now)
	if err != nil {
		fmt.Fprintln(io.err, "weiyin test:", err)
		return 2
	}
	noise, err := transcript.ParseNoise(o.noise, o.seed)
	if err != nil {
		fmt.Fprintln(io.err, "weiyin test: --noise:", err)
		return 2
	}
	suite, err := transcript.Load(fs.Args()...)
	if err != nil {
		fmt.Fprintln(io.err, err)
		return 2
	}
	prog, err := loadProgram(o.dialogs)
	if err != nil {
		fmt.Fprintln(io.err, "weiyin test:", err)
		return 2
	}
	rep, err := transcript.Replay(ctx, suite, transcript.Options{
		Factory:  replayFactory(prog, "", nil),
		Defaults: testDefaults(fs, suite.Settings, o, now),
		Parallel: o.parallel,
		Noise:    noise,
	})
	if err != nil {
		fmt.Fprintln(io.err, err)
		return 2
	}
	return writeTestReports(io, rep, prog, o)
}

// testDefaults merges the run's default settings: the flags given on the command line win
// over the suite's settings file, which wins over the flags' defaults.
func testDefaults(fs *flag.FlagSet, file transcript.Settings, o testOptions, now time.Time) transcript.Settings {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	d := file
	if set["user"] || d.User == "" {
		d.User = o.user
	}
	if set["as"] || d.As == "" {
		d.As = o.as
	}
	if set["fixture"] || d.Fixture == "" {
		d.Fixture = o.fixture
	}
	if set["now"] || d.Now.IsZero() {
		d.Now = now
	}
	return d
}

// writeTestReports prints the report and coverage and writes the JUnit file; it returns the
// exit code.
func writeTestReports(std stdio, rep *transcript.Report, prog *engine.Program, o testOptions) int {
	var err error
	if o.json {
		err = rep.WriteJSON(std.out)
	} else {
		err = rep.WriteText(std.out, o.verbose)
	}
	if err == nil && o.coverage {
		cov := transcript.ComputeCoverage(prog.Bundle, rep)
		w := std.out
		if o.json {
			w = std.err // keep stdout one JSON document
		}
		err = cov.WriteText(w)
	}
	if err == nil && o.junit != "" {
		err = writeJUnitFile(o.junit, rep)
	}
	if err == nil && o.record != "" {
		err = writeSnapshots(o.record, o.otp, rep)
	}
	if err != nil {
		fmt.Fprintln(std.err, "weiyin test:", err)
		return 2
	}
	if !rep.OK() {
		return 1
	}
	return 0
}

func writeJUnitFile(path string, rep *transcript.Report) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("--junit: %w", err)
	}
	if err := rep.WriteJUnit(f, true); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeSnapshots writes every run as the bot played it to dir, one file per run.
func writeSnapshots(dir, otp string, rep *transcript.Report) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("--record: %w", err)
	}
	seen := map[string]int{}
	for _, res := range rep.Results {
		name := strings.TrimSuffix(filepath.Base(res.File), ".convo.txt")
		if seen[name]++; seen[name] > 1 {
			name = fmt.Sprintf("%s-%d", name, seen[name])
		}
		var b bytes.Buffer
		if err := transcript.RecordResult(&b, res, transcript.RecordOptions{OTP: otp, State: true, KeepInput: true}); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, name+".convo.txt"), b.Bytes(), 0o644); err != nil {
			return fmt.Errorf("--record: %w", err)
		}
	}
	return nil
}

// replayFactory makes one fresh bot per convo: its own data directory seeded from fixture,
// the shared (immutable) program, and the convo's clock; log (nil: none) gets the bots' logs.
func replayFactory(prog *engine.Program, fixture string, log *slog.Logger) transcript.Factory {
	base := replayTempBase()
	return func(ctx context.Context, s transcript.Settings) (transcript.Bot, func(), error) {
		dir, err := os.MkdirTemp(base, "weiyin-replay-")
		if err != nil {
			return nil, nil, fmt.Errorf("replay data directory: %w", err)
		}
		fix := fixture
		if s.Fixture != "" {
			fix = s.Fixture
		}
		rb := &replayBot{prog: prog, clock: s.Clock, o: botOptions{Fixture: fix, DataDir: dir, Logger: log}}
		if err := rb.open(ctx); err != nil {
			os.RemoveAll(dir)
			return nil, nil, err
		}
		return rb, func() { rb.close(); os.RemoveAll(dir) }, nil
	}
}

// replayTempBase is where replay data directories go: RAM-backed /dev/shm when there is one,
// as every convo seeds a throwaway sandbox and a replay is dominated by its disk syncs;
// otherwise the system temporary directory.
func replayTempBase() string {
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		if f, err := os.CreateTemp("/dev/shm", "weiyin-probe-"); err == nil {
			f.Close()
			os.Remove(f.Name())
			return "/dev/shm"
		}
	}
	return ""
}

// replayBot is a bot whose clock follows a transcript's clock. The bot reads a fixed clock, so
// when a WAIT hook moves the transcript's clock the bot is closed and reopened on the same
// data directory at the new time: sessions and the ledger persist, as after a restart.
type replayBot struct {
	mu       sync.Mutex
	prog     *engine.Program
	clock    *enginetest.Clock
	o        botOptions
	bot      *engine.Bot
	closeBot func()
	at       time.Time
}

func (r *replayBot) open(ctx context.Context) error {
	r.at = r.clock.Now()
	r.o.Now = r.at
	bot, closeBot, err := newBotWith(ctx, r.prog, r.o)
	if err != nil {
		return err
	}
	r.bot, r.closeBot = bot, closeBot
	return nil
}

func (r *replayBot) close() {
	if r.closeBot != nil {
		r.closeBot()
		r.closeBot = nil
	}
}

// Turn passes the message to the bot, first moving it to the transcript's time.
func (r *replayBot) Turn(ctx context.Context, user string, m engine.Message) (engine.Reply, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if now := r.clock.Now(); !now.Equal(r.at) {
		r.close()
		if err := r.open(ctx); err != nil {
			return engine.Reply{}, fmt.Errorf("moving the clock to %s: %w", now.Format(time.RFC3339), err)
		}
	}
	return r.bot.Turn(ctx, user, m)
}
