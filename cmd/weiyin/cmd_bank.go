package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/weiyin-bank/weiyin/adapters/bank/bankapi"
	"github.com/weiyin-bank/weiyin/adapters/bank/sandbox"
)

func bankCommand() command {
	return command{summary: "the sandbox bank: 'bank serve' serves it over the bank REST API v1", run: runBank}
}

// bankServeOptions are the flags of `weiyin bank serve`.
type bankServeOptions struct {
	Addr    string
	DataDir string
	Fixture string
	Now     time.Time
}

const bankUsage = "usage: weiyin bank serve [--addr :8090] [--data DIR] [--fixture F] [--now RFC3339]"

func runBank(ctx context.Context, args []string, io stdio) int {
	if len(args) == 0 || args[0] != "serve" {
		w, code := io.err, 2
		if len(args) > 0 && (wantsHelp(args[:1]) || args[0] == "help") {
			w, code = io.out, 0
		}
		if len(args) > 0 && code == 2 {
			fmt.Fprintf(w, "weiyin bank: unknown subcommand %q\n", args[0])
		}
		fmt.Fprintln(w, bankUsage)
		return code
	}
	fs := flag.NewFlagSet("bank serve", flag.ContinueOnError)
	fs.SetOutput(io.err)
	setUsage(fs, bankUsage+"\n\nServes the sandbox bank over the bank REST API v1.")
	var o bankServeOptions
	var now string
	fs.StringVar(&o.Addr, "addr", ":8090", "listen address")
	fs.StringVar(&o.DataDir, "data", "./weiyin-data", "data directory (bank.db inside)")
	fs.StringVar(&o.Fixture, "fixture", "", "sandbox fixture JSON seeded into an empty bank (default: the embedded demo data)")
	fs.StringVar(&now, "now", "", "fixed clock, RFC 3339 (for replays)")
	if code, ok := parseArgs(fs, args[1:], io); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(io.err, "weiyin bank serve: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	var err error
	if o.Now, err = parseNow(now); err != nil {
		fmt.Fprintln(io.err, "weiyin bank serve:", err)
		return 2
	}
	if err := serveBank(ctx, o, io); err != nil {
		fmt.Fprintln(io.err, "weiyin bank serve:", err)
		return 2
	}
	return 0
}

// serveBank opens the sandbox and serves it until ctx ends, then shuts down gracefully.
func serveBank(ctx context.Context, o bankServeOptions, io stdio) error {
	log := slog.New(slog.NewTextHandler(io.err, logOptions(slog.LevelInfo)))
	var fix *sandbox.Fixture
	if o.Fixture != "" {
		var err error
		if fix, err = sandbox.LoadFixtureFile(o.Fixture); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(o.DataDir, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	bank, err := sandbox.Open(filepath.Join(o.DataDir, "bank.db"), sandbox.Options{Clock: clockFor(o.Now), Logger: log, Fixture: fix, Batch: true})
	if err != nil {
		return err
	}
	defer bank.Close()
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           bankapi.NewHandler(bank, bankapi.ServerOptions{Logger: log}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	log.Info("bank api listening", "addr", ln.Addr().String(), "data", o.DataDir)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("bank api stopped")
	return nil
}
