package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/weiyin-bank/weiyin/adapters/bank/sandbox"
	"github.com/weiyin-bank/weiyin/adapters/studio"
	"github.com/weiyin-bank/weiyin/adapters/web"
	"github.com/weiyin-bank/weiyin/engine"
	"github.com/weiyin-bank/weiyin/engine/transcript"
	"github.com/weiyin-bank/weiyin/intents"
)

// studioOptions are weiyin studio's flags.
type studioOptions struct {
	dialogs     string
	addr        string
	fixture     string
	transcripts string
	eval        string
	reviewLog   string
	server      string
	now         string
}

func studioCommand() command {
	return command{summary: "the staff console in the browser: edit, try, see flows, review", run: runStudio}
}

func runStudio(ctx context.Context, args []string, io stdio) int {
	return runStudioEnv(ctx, args, io, procEnv{getenv: os.Getenv})
}

func runStudioEnv(ctx context.Context, args []string, io stdio, env procEnv) int {
	var o studioOptions
	fs := flag.NewFlagSet("studio", flag.ContinueOnError)
	fs.SetOutput(io.err)
	fs.StringVar(&o.dialogs, "dialogs", "", "dialog directory to edit (required; the files are written in place)")
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8088", "listen address; beyond loopback only with WEIYIN_STUDIO_TOKEN set")
	fs.StringVar(&o.fixture, "fixture", "", "sandbox fixture JSON of the simulator (default: the embedded demo data)")
	fs.StringVar(&o.transcripts, "transcripts", "", "transcript suite for coverage on the flow diagrams (default: testdata/transcripts when present)")
	fs.StringVar(&o.eval, "eval", "", "text<TAB>intent file scored before and after an example is added (default: testdata/nlu/eval.tsv when present)")
	fs.StringVar(&o.reviewLog, "review-log", "", "the review log written by weiyin serve --review-log")
	fs.StringVar(&o.server, "server", "", "base URL of a live weiyin serve whose reload status to show, e.g. http://127.0.0.1:8080")
	fs.StringVar(&o.now, "now", "", "fixed clock of the simulator, RFC 3339")
	setUsage(fs, "usage: weiyin studio --dialogs DIR [--addr 127.0.0.1:8088] [flags]\n\nWEIYIN_STUDIO_TOKEN, when set, is the token staff sign in with; it is required to listen beyond loopback.")
	if code, ok := parseArgs(fs, args, io); !ok {
		return code
	}
	if fs.NArg() > 0 || o.dialogs == "" {
		fs.Usage()
		return 2
	}
	token := env.getenv("WEIYIN_STUDIO_TOKEN")
	if err := studioAddrAllowed(o.addr, token); err != nil {
		fmt.Fprintln(io.err, "weiyin studio:", err)
		return 2
	}
	now, err := parseNow(o.now)
	if err != nil {
		fmt.Fprintln(io.err, "weiyin studio:", err)
		return 2
	}
	log := slog.New(web.MaskingHandler(slog.NewTextHandler(io.err, nil)))
	go intents.Preload()
	st, err := startStudio(ctx, o, now, token, log)
	if err != nil {
		fmt.Fprintln(io.err, "weiyin studio:", err)
		return 1
	}
	fmt.Fprintf(io.err, "weiyin studio: http://%s/ (dialogs %s)\n", st.addr, o.dialogs)
	if env.ready != nil {
		env.ready(st.addr)
	}
	select {
	case err := <-st.done:
		st.stop()
		fmt.Fprintln(io.err, "weiyin studio:", err)
		return 1
	case <-ctx.Done():
	}
	if err := st.stop(); err != nil {
		fmt.Fprintln(io.err, "weiyin studio:", err)
		return 1
	}
	return 0
}

// studioAddrAllowed refuses a listen address beyond loopback when no token protects the studio.
func studioAddrAllowed(addr, token string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr %q: %v", addr, err)
	}
	if token == "" && !studio.LoopbackHost(host) {
		return fmt.Errorf("refusing to listen on %s without WEIYIN_STUDIO_TOKEN: set it, or listen on 127.0.0.1", addr)
	}
	return nil
}

// runningStudio is a studio listening: done reports a serve error, stop shuts it down.
type runningStudio struct {
	addr string
	done <-chan error
	stop func() error
}

// startStudio builds the studio of o (weiyin studio, or serve --studio-addr) and listens.
func startStudio(ctx context.Context, o studioOptions, now time.Time, token string, log *slog.Logger) (*runningStudio, error) {
	customers, err := fixtureCustomers(o.fixture)
	if err != nil {
		return nil, err
	}
	so := studio.Options{Dir: o.dialogs, Token: token, Customers: customers, ReviewLog: o.reviewLog,
		Server: o.server, Logger: log, EvalFile: defaultIfExists(o.eval, filepath.Join("testdata", "nlu", "eval.tsv")),
		NewBot: func(ctx context.Context, prog *engine.Program) (studio.Bot, func(), error) {
			return newBotWith(ctx, prog, botOptions{Fixture: o.fixture, Now: now, Logger: log})
		}}
	if !now.IsZero() {
		so.Now = func() time.Time { return now }
	}
	if dir := defaultIfExists(o.transcripts, filepath.Join("testdata", "transcripts")); dir != "" {
		so.Replay = func(ctx context.Context, prog *engine.Program) (*transcript.Report, error) {
			suite, err := transcript.Load(dir)
			if err != nil {
				return nil, err
			}
			d := suite.Settings
			if d.User == "" {
				d.User = "o_demo_1"
			}
			return transcript.Replay(ctx, suite, transcript.Options{Factory: replayFactory(prog, o.fixture, slog.New(slog.DiscardHandler)), Defaults: d})
		}
	}
	srv, err := studio.New(ctx, so)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		srv.Close()
		return nil, err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 2 * time.Minute,
		MaxHeaderBytes: 16 << 10, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	return &runningStudio{addr: ln.Addr().String(), done: done, stop: func() error {
		defer srv.Close()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}}, nil
}

// loopbackURL is a URL of addr (a listener's address) the studio can fetch: an unspecified
// host (":8080", "[::]:8080") is reached on 127.0.0.1.
func loopbackURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// fixtureCustomers lists the customers of a fixture file ("" = the embedded demo data), for
// the simulator's customer picker.
func fixtureCustomers(path string) ([]studio.Customer, error) {
	fix := sandbox.Demo()
	if path != "" {
		f, err := sandbox.LoadFixtureFile(path)
		if err != nil {
			return nil, fmt.Errorf("--fixture %s: %w", path, err)
		}
		fix = f
	}
	out := make([]studio.Customer, 0, len(fix.Customers))
	for _, c := range fix.Customers {
		out = append(out, studio.Customer{ID: c.ID, Name: c.Name})
	}
	return out, nil
}

// defaultIfExists is flagValue, or def when the flag is empty and def exists, else "".
func defaultIfExists(flagValue, def string) string {
	if flagValue != "" {
		return flagValue
	}
	if _, err := os.Stat(def); err == nil {
		return def
	}
	return ""
}

// serveStudioAllowed checks serve --studio-addr: it edits --dialogs, and needs a token beyond
// loopback.
func serveStudioAllowed(o serveOptions, getenv func(string) string) error {
	if o.bot.Dialogs == "" {
		return errors.New("--studio-addr edits the dialog files: set --dialogs DIR")
	}
	return studioAddrAllowed(o.studioAddr, getenv("WEIYIN_STUDIO_TOKEN"))
}

// serveStudio starts the studio of serve --studio-addr on its own listener: it edits the
// directory serve hot-reloads, simulates on its own sandbox, reads serve's --review-log and
// shows serve's own reload status.
func serveStudio(ctx context.Context, o serveOptions, serveAddr string, getenv func(string) string, log *slog.Logger) (*runningStudio, error) {
	st, err := startStudio(ctx, studioOptions{dialogs: o.bot.Dialogs, addr: o.studioAddr, fixture: o.bot.Fixture,
		reviewLog: o.reviewLog, server: loopbackURL(serveAddr)}, o.bot.Now, getenv("WEIYIN_STUDIO_TOKEN"), log.With("component", "studio"))
	if err != nil {
		return nil, err
	}
	log.Info("weiyin studio listening", "addr", st.addr)
	go func() {
		if err := <-st.done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("studio server", "err", err)
		}
	}()
	return st, nil
}
