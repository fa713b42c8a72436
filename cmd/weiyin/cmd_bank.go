package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/weiyin-bank/weiyin/adapters/bank/bankapi"
	"github.com/weiyin-bank/weiyin/adapters/bank/httpbank"
	"github.com/weiyin-bank/weiyin/adapters/bank/sandbox"
	"github.com/weiyin-bank/weiyin/engine"
)

func bankCommand() command {
	return command{summary: "the sandbox bank: 'bank serve' serves it over the bank REST API v1 (mutual TLS); 'bank certs DIR' makes test certificates", run: runBank}
}

// bankServeOptions are the flags of `weiyin bank serve`.
type bankServeOptions struct {
	Addr    string
	DataDir string
	Fixture string
	Now     time.Time
	// TLSCert, TLSKey and ClientCA turn on mutual TLS: all three or none. Without them the
	// server listens on loopback only.
	TLSCert, TLSKey, ClientCA string
}

const bankUsage = `usage: weiyin bank serve [--addr 127.0.0.1:8090] [--tls-cert F --tls-key F --client-ca F] [--data DIR] [--fixture F] [--now RFC3339]
       weiyin bank certs [--host NAME,...] [--client NAME] [--days N] DIR`

func runBank(ctx context.Context, args []string, io stdio) int {
	if len(args) > 0 && args[0] == "certs" {
		return runBankCerts(args[1:], io)
	}
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
	fs.StringVar(&o.Addr, "addr", "127.0.0.1:8090", "listen address (without TLS flags: loopback only)")
	fs.StringVar(&o.DataDir, "data", "./weiyin-data", "data directory (bank.db inside)")
	fs.StringVar(&o.Fixture, "fixture", "", "sandbox fixture JSON seeded into an empty bank (default: the embedded demo data)")
	fs.StringVar(&now, "now", "", "fixed clock, RFC 3339 (for replays)")
	fs.StringVar(&o.TLSCert, "tls-cert", "", "server certificate, PEM (with --tls-key and --client-ca: HTTPS with client certificates required)")
	fs.StringVar(&o.TLSKey, "tls-key", "", "server certificate's private key, PEM")
	fs.StringVar(&o.ClientCA, "client-ca", "", "CA certificate, PEM, that signs the certificates of the callers accepted")
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

// runBankCerts writes a test CA with a server and a client certificate for the bank API.
func runBankCerts(args []string, io stdio) int {
	fs := flag.NewFlagSet("bank certs", flag.ContinueOnError)
	fs.SetOutput(io.err)
	hosts := fs.String("host", "", "extra server names or IP addresses, comma-separated (localhost, 127.0.0.1 and ::1 are always in)")
	client := fs.String("client", "weiyin", "the client certificate's common name (the caller's name in the bank's logs)")
	days := fs.Int("days", 365, "validity in days")
	setUsage(fs, bankUsage+"\n\nbank certs writes a test CA, a server and a client certificate for the bank API's mutual TLS to DIR.")
	if code, ok := parseArgs(fs, args, io); !ok {
		return code
	}
	if fs.NArg() != 1 || *days <= 0 {
		fs.Usage()
		return 2
	}
	dir := fs.Arg(0)
	var hs []string
	for _, h := range strings.Split(*hosts, ",") {
		if h = strings.TrimSpace(h); h != "" {
			hs = append(hs, h)
		}
	}
	if err := bankapi.GenerateCerts(dir, hs, *client, time.Now(), time.Duration(*days)*24*time.Hour); err != nil {
		fmt.Fprintln(io.err, "weiyin bank certs:", err)
		return 1
	}
	j := func(f string) string { return filepath.Join(dir, f) }
	fmt.Fprintf(io.out, "wrote a test CA, a server and a client certificate to %s\n", dir)
	fmt.Fprintf(io.out, "  weiyin bank serve --tls-cert %s --tls-key %s --client-ca %s\n", j(bankapi.ServerCertFile), j(bankapi.ServerKeyFile), j(bankapi.CAFile))
	fmt.Fprintf(io.out, "  weiyin serve --bank-url https://127.0.0.1:8090 --bank-ca %s --bank-cert %s --bank-key %s\n", j(bankapi.CAFile), j(bankapi.ClientCertFile), j(bankapi.ClientKeyFile))
	return 0
}

// bankTLS is the server's mutual TLS configuration from the flags, or nil without TLS flags,
// in which case addr must be a loopback address.
func bankTLS(o bankServeOptions) (*tls.Config, error) {
	if o.TLSCert == "" && o.TLSKey == "" && o.ClientCA == "" {
		if loopbackAddr(o.Addr) != nil {
			return nil, fmt.Errorf("--addr %s is not a loopback address: the bank API authenticates its callers by mutual TLS; give --tls-cert, --tls-key and --client-ca (weiyin bank certs DIR makes test ones)", o.Addr)
		}
		return nil, nil
	}
	if o.TLSCert == "" || o.TLSKey == "" || o.ClientCA == "" {
		return nil, errors.New("mutual TLS needs all of --tls-cert, --tls-key and --client-ca")
	}
	return bankapi.ServerTLS(o.TLSCert, o.TLSKey, o.ClientCA)
}

// serveBank opens the sandbox and serves it until ctx ends, then shuts down gracefully.
func serveBank(ctx context.Context, o bankServeOptions, io stdio) error {
	log := slog.New(slog.NewTextHandler(io.err, logOptions(slog.LevelInfo)))
	tlsConf, err := bankTLS(o) // before anything is opened or created
	if err != nil {
		return err
	}
	var fix *sandbox.Fixture
	if o.Fixture != "" {
		if fix, err = sandbox.LoadFixtureFile(o.Fixture); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(o.DataDir, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	clock := clockFor(o.Now)
	sms, closeSMS, err := sandboxPhone(o.DataDir, clock)
	if err != nil {
		return err
	}
	defer closeSMS()
	bank, err := sandbox.Open(filepath.Join(o.DataDir, "bank.db"), sandbox.Options{Clock: clock, Logger: log, Fixture: fix, Batch: true, OTPSink: sms})
	if err != nil {
		return err
	}
	defer bank.Close()
	log.Info("sandbox text messages (one-time codes) go to the sandbox's phone", "file", filepath.Join(o.DataDir, SandboxSMSFile))
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		TLSConfig:         tlsConf,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn), // refused handshakes among others
		Handler:           bankapi.NewHandler(bank, bankapi.ServerOptions{Logger: log}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	log.Info("bank api listening", "addr", ln.Addr().String(), "data", o.DataDir, "mutual_tls", tlsConf != nil)
	errc := make(chan error, 1)
	go func() {
		if tlsConf != nil {
			errc <- srv.ServeTLS(ln, "", "") // the certificates are in TLSConfig
			return
		}
		errc <- srv.Serve(ln)
	}()
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

// bankClientTLS are serve's flags for the bank API's mutual TLS: the CA of the bank's server
// certificate and the client certificate weiyin authenticates with.
type bankClientTLS struct{ CA, Cert, Key string }

// Their environment variables (WEIYIN_BANK_CA ...) are read by flagsFromEnv, as for every
// serve flag.
func (b *bankClientTLS) flags(fs *flag.FlagSet) {
	fs.StringVar(&b.CA, "bank-ca", "", "CA certificate, PEM, of the bank API's server certificate (default: system roots)")
	fs.StringVar(&b.Cert, "bank-cert", "", "client certificate, PEM, presented to the bank API")
	fs.StringVar(&b.Key, "bank-key", "", "the client certificate's private key, PEM")
}

// client is the bank API client for url: over HTTPS with the client certificate, or over
// plain HTTP to a loopback bank only (`weiyin bank serve` without TLS flags, for tests).
func (b bankClientTLS) client(rawURL string) (*httpbank.Client, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("--bank-url: %w", err)
	}
	var opts httpbank.Options
	switch {
	case u.Scheme == "https":
		if opts.TLS, err = bankapi.ClientTLS(b.CA, b.Cert, b.Key); err != nil {
			return nil, fmt.Errorf("--bank-url %s: the bank API authenticates weiyin by its client certificate (--bank-cert, --bank-key, --bank-ca): %w", rawURL, err)
		}
	case b.CA != "" || b.Cert != "" || b.Key != "":
		return nil, fmt.Errorf("--bank-url %s: client certificates need an https:// URL", rawURL)
	case loopbackAddr(net.JoinHostPort(u.Hostname(), "0")) != nil:
		return nil, fmt.Errorf("--bank-url %s: plain HTTP only to a bank on loopback; use https:// with --bank-cert and --bank-key", rawURL)
	}
	return httpbank.New(rawURL, opts)
}

// SandboxSMSFile is the sandbox's phone: the file in the data directory that receives the
// sandbox bank's text messages when nobody else does (serve, bank serve). They carry one-time
// codes, so they never go to the log.
const SandboxSMSFile = "sandbox-sms.txt"

// sandboxPhone appends the sandbox's text messages to SandboxSMSFile in dir (0600), one line
// each: the time, the masked phone number and the text.
func sandboxPhone(dir string, clock engine.Clock) (sink func(phone, text string), closeFile func() error, err error) {
	f, err := os.OpenFile(filepath.Join(dir, SandboxSMSFile), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("sandbox text messages: %w", err)
	}
	var mu sync.Mutex
	return func(phone, text string) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(f, "%s %s %s\n", clock.Now().Format(time.RFC3339), engine.MaskPhone(phone), text)
	}, f.Close, nil
}
