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

// studioEnv is what studio takes from the process; tests replace it.
type studioEnv struct {
	getenv func(string) string
	ready  func(addr string)
}

func runStudio(ctx context.Context, args []string, io stdio) int {
	return runStudioEnv(ctx, args, io, studioEnv{getenv: os.Getenv})
}

func runStudioEnv(ctx context.Context, args []string, io stdio, env studioEnv) int {
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
	fs.Usage = func() {
		fmt.Fprintln(io.err, "usage: weiyin studio --dialogs DIR [--addr 127.0.0.1:8088] [flags]\n\nWEIYIN_STUDIO_TOKEN, when set, is the token staff sign in with; it is required to listen beyond loopback.\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 || o.dialogs == "" {
		fs.Usage()
		return 2
	}
	token := env.getenv("WEIYIN_STUDIO_TOKEN")
	if host, _, err := net.SplitHostPort(o.addr); err != nil {
		fmt.Fprintf(io.err, "weiyin studio: --addr %q: %v\n", o.addr, err)
		return 2
	} else if token == "" && !studio.LoopbackHost(host) {
		fmt.Fprintf(io.err, "weiyin studio: refusing to listen on %s without WEIYIN_STUDIO_TOKEN: set it, or listen on 127.0.0.1\n", o.addr)
		return 2
	}
	now, err := parseNow(o.now)
	if err != nil {
		fmt.Fprintln(io.err, "weiyin studio:", err)
		return 2
	}
	customers, err := fixtureCustomers(o.fixture)
	if err != nil {
		fmt.Fprintln(io.err, "weiyin studio:", err)
		return 2
	}
	log := slog.New(web.MaskingHandler(slog.NewTextHandler(io.err, nil)))
	go intents.Preload()
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
			return transcript.Replay(ctx, suite, transcript.Options{Factory: replayFactory(prog, o.fixture), Defaults: d})
		}
	}
	srv, err := studio.New(ctx, so)
	if err != nil {
		fmt.Fprintln(io.err, "weiyin studio:", err)
		return 1
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		fmt.Fprintln(io.err, "weiyin studio:", err)
		return 1
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 2 * time.Minute,
		MaxHeaderBytes: 16 << 10, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	fmt.Fprintf(io.err, "weiyin studio: http://%s/ (dialogs %s)\n", ln.Addr(), o.dialogs)
	if env.ready != nil {
		env.ready(ln.Addr().String())
	}
	select {
	case err := <-done:
		fmt.Fprintln(io.err, "weiyin studio:", err)
		return 1
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(io.err, "weiyin studio:", err)
		return 1
	}
	return 0
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
