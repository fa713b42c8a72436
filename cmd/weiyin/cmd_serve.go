package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/weiyin-bank/weiyin/adapters/notify"
	"github.com/weiyin-bank/weiyin/adapters/studio"
	"github.com/weiyin-bank/weiyin/adapters/web"
	"github.com/weiyin-bank/weiyin/adapters/wechat"
	"github.com/weiyin-bank/weiyin/engine"
)

// serveOptions are weiyin serve's flags.
type serveOptions struct {
	addr         string
	bot          botOptions
	now          string
	wechatAPI    string
	sandboxLogin bool
	bankURL      string
	bankTLS      bankClientTLS
	logLevel     string
	drain        time.Duration
	reloadEvery  time.Duration
	debugAddr    string
	metricsAddr  string
	sandbox      bool
	record       string
	reviewLog    string
	reviewBelow  float64
	studioAddr   string
	gogc         int
	procs        int
	store        string
}

// DefaultGOGC is serve's garbage-collector target when neither --gogc nor $GOGC says
// otherwise. The live heap of a server is small (tens of MB) and every turn allocates, so Go's
// default of 100 collects several times a second under load; 200 collects half as often. A
// larger target measured worse: a larger heap means more fresh pages, and page faults cost
// more than the collections saved (docs/benchmarks.md).
const DefaultGOGC = 200

// ProcsPerCPU is how many Ps (GOMAXPROCS) serve runs per CPU Go would use, when neither
// --procs nor $GOMAXPROCS says otherwise. Every group commit blocks in fdatasync twice, and a
// goroutine coming back from a blocking system call waits for a free P: with one P per CPU
// and the CPUs busy, the commit that every waiting turn depends on queues behind the turns
// it has just woken, which showed in the tail latency (docs/benchmarks.md). Spare Ps let it
// run at once and leave the sharing of the CPUs to the kernel.
const ProcsPerCPU = 2

// procEnv is what a serving command (serve, studio) takes from the process; tests replace it.
type procEnv struct {
	getenv func(string) string
	// ready is called with the listening address once the server accepts connections.
	ready func(addr string)
}

func serveCommand() command {
	return command{summary: "serve WeChat (/wechat), the chat API, notifications, /healthz and /metrics", run: runServe}
}

func runServe(ctx context.Context, args []string, io stdio) int {
	return runServeEnv(ctx, args, io, procEnv{getenv: os.Getenv})
}

func runServeEnv(ctx context.Context, args []string, io stdio, env procEnv) int {
	var o serveOptions
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.err)
	setUsage(fs, "usage: weiyin serve [flags]\n\nServes WeChat (/wechat), the chat API, notifications, /healthz and /metrics.\nEvery flag may also be set in the environment as WEIYIN_NAME (--session-ttl:\nWEIYIN_SESSION_TTL); the command line wins. See docs/configuration.md.")
	fs.StringVar(&o.addr, "addr", DefaultServeAddr, "listen address (give a non-loopback address to serve beyond this host)")
	fs.StringVar(&o.bot.Dialogs, "dialogs", "", "dialog directory, hot-reloaded on change (default: the embedded bank bot)")
	fs.StringVar(&o.bot.Fixture, "fixture", "", "sandbox fixture JSON (default: embedded demo data)")
	fs.StringVar(&o.bot.DataDir, "data", "weiyin-data", "data directory (bank.db, sessions.db, notify.db)")
	fs.StringVar(&o.now, "now", "", "fixed clock for the conversations, RFC 3339 (WeChat freshness and notifications use the real clock)")
	fs.StringVar(&o.wechatAPI, "wechat-api", wechat.DefaultAPI, "base URL of the WeChat API (tests point it at a fake)")
	fs.BoolVar(&o.sandboxLogin, "sandbox-login", false, `honour "as" in /api/chat (sandbox bank only)`)
	fs.StringVar(&o.bankURL, "bank-url", "", "core-banking REST API base URL (default: the embedded sandbox bank)")
	o.bankTLS.flags(fs)
	fs.DurationVar(&o.bot.SessionTTL, "session-ttl", 15*time.Minute, "idle time after which a conversation restarts politely")
	fs.StringVar(&o.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.DurationVar(&o.drain, "drain", 30*time.Second, "on SIGTERM, how long to wait for in-flight turns")
	fs.DurationVar(&o.reloadEvery, "reload-every", 2*time.Second, "how often --dialogs is checked for changes")
	fs.StringVar(&o.record, "record", "", "write every conversation to DIR/USER.convo.txt (masked), to turn into regression tests")
	fs.StringVar(&o.debugAddr, "debug-addr", "", "serve net/http/pprof on this loopback address (others are refused); off by default")
	fs.StringVar(&o.metricsAddr, "metrics-addr", "", "serve /metrics on this address instead of --addr")
	fs.BoolVar(&o.sandbox, "sandbox", false, "run on the sandbox bank (demo customers) even with WeChat credentials set")
	fs.StringVar(&o.reviewLog, "review-log", "", "append the messages the bot did not understand (or understood below --review-below) to FILE as masked JSON lines, for weiyin studio")
	fs.Float64Var(&o.reviewBelow, "review-below", studio.DefaultReviewBelow, "confidence under which an understood message goes to --review-log")
	fs.StringVar(&o.studioAddr, "studio-addr", "", "also serve weiyin studio on this address over --dialogs (beyond loopback only with WEIYIN_STUDIO_TOKEN); off by default")
	fs.IntVar(&o.gogc, "gogc", 0, fmt.Sprintf("garbage-collector target percentage, as $GOGC (default: $GOGC if set, else %d); -1 turns the collector off", DefaultGOGC))
	fs.IntVar(&o.procs, "procs", 0, fmt.Sprintf("Go scheduler Ps, as $GOMAXPROCS (default: $GOMAXPROCS if set, else %d per CPU)", ProcsPerCPU))
	fs.StringVar(&o.store, "store", "", "where sessions, replies and WeChat state live: bbolt (in --data, one instance) or redis://[user:pass@]host:port/db, rediss://..., redis-cluster://h1:port,h2:port (several instances) (default: bbolt)")
	if code, ok := parseArgs(fs, args, io); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(io.err, "weiyin serve: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	// Every flag, including one added later, may also come from WEIYIN_NAME (docs/configuration.md).
	if err := flagsFromEnv(fs, env.getenv); err != nil {
		fmt.Fprintln(io.err, "weiyin serve:", err)
		return 2
	}
	now, err := parseNow(o.now)
	if err != nil {
		fmt.Fprintln(io.err, "weiyin serve:", err)
		return 2
	}
	o.bot.Now = now
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		fmt.Fprintf(io.err, "weiyin serve: --log-level %q: %v\n", o.logLevel, err)
		return 2
	}
	if err := checkStoreURL(o.store); err != nil {
		fmt.Fprintln(io.err, "weiyin serve:", err)
		return 2
	}
	if o.sandboxLogin && o.bankURL != "" {
		fmt.Fprintln(io.err, "weiyin serve: --sandbox-login needs the sandbox bank; drop --bank-url")
		return 2
	}
	if o.sandbox && o.bankURL != "" {
		fmt.Fprintln(io.err, "weiyin serve: --sandbox and --bank-url: choose one bank")
		return 2
	}
	if o.debugAddr != "" {
		if err := loopbackAddr(o.debugAddr); err != nil {
			fmt.Fprintf(io.err, "weiyin serve: --debug-addr %q: %v (the profiler shows memory and arguments: keep it on this host)\n", o.debugAddr, err)
			return 2
		}
	}
	if o.bankURL == "" && !o.sandbox && wechatConfigured(env.getenv) {
		fmt.Fprintln(io.err, "weiyin serve: WeChat credentials are set but no --bank-url: this would serve the sandbox bank's demo customers to real followers.\n"+
			"  Give --bank-url for the bank's REST API, or --sandbox to run on the sandbox on purpose (a test account).")
		return 2
	}
	if o.studioAddr != "" {
		if err := serveStudioAllowed(o, env.getenv); err != nil {
			fmt.Fprintln(io.err, "weiyin serve:", err)
			return 2
		}
	}
	log := slog.New(web.MaskingHandler(slog.NewJSONHandler(io.err, logOptions(level))))
	o.bot.Logger = log
	if gc := runtimeSetting(o.gogc, env.getenv("GOGC"), DefaultGOGC); gc != 0 {
		prev := debug.SetGCPercent(gc)
		defer debug.SetGCPercent(prev) // tests run serve in-process
	}
	if n := runtimeSetting(o.procs, env.getenv("GOMAXPROCS"), ProcsPerCPU*runtime.GOMAXPROCS(0)); n > 0 {
		prev := runtime.GOMAXPROCS(n)
		defer runtime.GOMAXPROCS(prev)
	}
	if o.bankURL == "" {
		fmt.Fprintln(io.err, "weiyin serve: WARNING: running the SANDBOX bank with DEMO customers (no --bank-url): no real accounts, for testing only")
		log.Warn("sandbox bank with demo customers: give --bank-url for a real bank")
	}
	if err := serve(ctx, o, env, log); err != nil {
		fmt.Fprintln(io.err, "weiyin serve:", err)
		return 1
	}
	return 0
}

// serve runs the server until ctx ends, then shuts down gracefully: stop accepting, finish
// in-flight requests and turns, deliver pending customer-service answers, stop the
// notification worker, close the stores.
func serve(ctx context.Context, o serveOptions, env procEnv, log *slog.Logger) error {
	if err := os.MkdirAll(o.bot.DataDir, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	if o.bankURL != "" {
		hb, err := o.bankTLS.client(o.bankURL)
		if err != nil {
			return err
		}
		o.bot.Bank = hb
	}
	shared, err := openSharedStore(ctx, o.store, log)
	if err != nil {
		return err
	}
	if shared != nil {
		defer shared.Close()
		o.bot.Store = shared
		if o.bankURL == "" {
			log.Warn("--store is shared but the bank is the embedded sandbox in --data: each instance has its own ledger; run `weiyin bank serve` and give every instance --bank-url")
		}
	}
	metrics := web.NewMetrics()
	o.bot.OnCommit = metrics.ObserveCommit
	bot, closeBot, err := newBot(ctx, o.bot)
	if err != nil {
		return err
	}
	defer closeBot()
	var turner web.Turner = bot
	if o.record != "" {
		rt, err := newRecordingTurner(bot, o.record)
		if err != nil {
			return fmt.Errorf("--record: %w", err)
		}
		defer rt.Close()
		turner = rt
	}
	var review *studio.ReviewTurner
	if o.reviewLog != "" {
		f, err := os.OpenFile(o.reviewLog, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return fmt.Errorf("--review-log: %w", err)
		}
		defer f.Close()
		review = studio.NewReviewTurner(turner, f, "", o.reviewBelow, nil, func(err error) { log.Warn("review log", "err", err) })
	}
	reviewed := func(t web.Turner, channel string) web.Turner {
		if review == nil {
			return t
		}
		return review.WithChannel(t, channel)
	}

	var draining atomic.Bool
	getenv := env.getenv
	wcfg := wechat.Config{AppID: getenv("WEIYIN_WECHAT_APPID"), Token: getenv("WEIYIN_WECHAT_TOKEN"),
		AESKey: getenv("WEIYIN_WECHAT_AESKEY"), Secret: getenv("WEIYIN_WECHAT_SECRET")}
	ccfg := wechat.ClientConfig{AppID: wcfg.AppID, Secret: wcfg.Secret, BaseURL: o.wechatAPI}
	var claims wechat.Claims
	if shared != nil { // one access token for all instances; each answer sent by one
		ccfg.Shared, claims = shared.Tokens(wcfg.AppID), shared
	}
	client := wechat.NewClient(ccfg)

	// Notifications: their own bbolt file, or the Redis stream all instances share; customers
	// resolved through the bank when it can.
	rate, err := envFloat(getenv, "WEIYIN_NOTIFY_RATE", 10)
	if err != nil {
		return err
	}
	burst, err := envFloat(getenv, "WEIYIN_NOTIFY_BURST", 20)
	if err != nil {
		return err
	}
	nopt := notify.Options{Path: filepath.Join(o.bot.DataDir, "notify.db"), Sender: client,
		Resolver: bankOf(bot, o.bot.Bank), Logger: log, Rate: rate, Burst: int(burst)}
	claim, err := envDuration(getenv, "WEIYIN_NOTIFY_CLAIM")
	if err != nil {
		return err
	}
	queue, err := openQueue(ctx, nopt, shared, claim)
	if err != nil {
		return err
	}
	defer queue.Close()
	metrics.QueueDepth(queue.Depth)

	mux := http.NewServeMux()
	var wh *wechat.Handler
	if wcfg.Token != "" {
		wh, err = wechat.NewHandler(wechat.Options{Config: wcfg, Turner: metrics.Instrument("wechat", reviewed(turner, "wechat")),
			Sender: client, Claims: claims, Logger: log, OnDuplicate: metrics.DedupeHits.Inc,
			OnTemplateReceipt: func(ctx context.Context, msgID int64, status string) {
				if err := queue.Receipt(ctx, msgID, status); err != nil && !errors.Is(err, notify.ErrNotFound) {
					log.Warn("notification receipt", "msgid", msgID, "err", err)
				}
			}})
		if err != nil {
			return err
		}
		mux.Handle("/wechat", web.LogRequests(log, metrics, "wechat", wh))
	} else {
		log.Warn("WEIYIN_WECHAT_TOKEN is not set: /wechat answers 503")
		mux.Handle("/wechat", web.LogRequests(log, metrics, "wechat", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			web.WriteError(w, http.StatusServiceUnavailable, "disabled", "WeChat is not configured")
		})))
	}
	tokens, err := web.ParseTokens(getenv("WEIYIN_API_TOKENS"))
	if err != nil {
		return err
	}
	if len(tokens) == 0 {
		if o.bankURL != "" {
			log.Warn("WEIYIN_API_TOKENS is not set: /api/chat refuses every request (403) with a real bank")
		} else {
			log.Warn("WEIYIN_API_TOKENS is not set: /api/chat answers loopback clients only")
		}
	}
	mux.Handle("/api/chat", web.LogRequests(log, metrics, "chat",
		web.NewChat(web.ChatOptions{Turner: metrics.Instrument("web", reviewed(turner, "web")), Tokens: tokens, Sandbox: o.bankURL == "",
			SandboxLogin: o.sandboxLogin, Logger: log})))
	nh := web.LogRequests(log, metrics, "notify", notify.Handler(queue, getenv("WEIYIN_NOTIFY_TOKEN")))
	mux.Handle("/api/notify", nh)
	mux.Handle("/api/notify/", nh)
	var reloads *web.ReloadStatus
	if o.bot.Dialogs != "" {
		reloads = &web.ReloadStatus{}
		reloads.Loaded(bot.Program().Version, time.Now())
		metrics.TrackReloads(reloads)
	}
	mux.Handle("/healthz", web.HealthzReload(draining.Load, reloads, healthChecks(bot)...))
	if o.metricsAddr == "" {
		mux.Handle("/metrics", metrics.Handler())
	} else {
		mm := http.NewServeMux()
		mm.Handle("/metrics", metrics.Handler())
		msrv := &http.Server{Addr: o.metricsAddr, Handler: mm, ReadHeaderTimeout: 5 * time.Second}
		mln, err := net.Listen("tcp", o.metricsAddr)
		if err != nil {
			return fmt.Errorf("--metrics-addr: %w", err)
		}
		go func() {
			if err := msrv.Serve(mln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("metrics server", "err", err)
			}
		}()
		defer msrv.Close()
		log.Info("metrics listening", "addr", mln.Addr().String())
	}

	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 15 * time.Second,
		WriteTimeout: 75 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 16 << 10,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}

	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	notifyDone := make(chan error, 1)
	go func() { notifyDone <- queue.Run(workCtx) }()
	if o.bot.Dialogs != "" {
		onReload := metrics.DialogReloads()
		go watchDialogs(workCtx, o.bot.Dialogs, o.reloadEvery, bot, log, func(version string, err error) {
			onReload(err == nil)
			if err != nil {
				reloads.Refused(err, time.Now())
			} else {
				reloads.Loaded(version, time.Now())
			}
		})
	}
	if o.debugAddr != "" {
		dbg := &http.Server{Addr: o.debugAddr, Handler: pprofMux(), ReadHeaderTimeout: 5 * time.Second}
		go func() {
			if err := dbg.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("debug server", "err", err)
			}
		}()
		defer dbg.Close()
	}
	if o.studioAddr != "" {
		st, err := serveStudio(workCtx, o, ln.Addr().String(), env.getenv, log)
		if err != nil {
			return fmt.Errorf("--studio-addr: %w", err)
		}
		defer st.stop()
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	log.Info("weiyin serve listening", "addr", ln.Addr().String(), "wechat", wcfg.Token != "",
		"safe_mode", wh != nil && wh.SafeMode(), "dialogs", o.bot.Dialogs, "data", o.bot.DataDir)
	if env.ready != nil {
		env.ready(ln.Addr().String())
	}

	select {
	case err := <-serveErr:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight turns", "drain", o.drain)
	draining.Store(true)
	sctx, cancel := context.WithTimeout(context.Background(), o.drain)
	defer cancel()
	var errs []error
	if err := srv.Shutdown(sctx); err != nil {
		errs = append(errs, fmt.Errorf("http shutdown: %w", err))
	}
	if wh != nil {
		if err := wh.Close(sctx); err != nil {
			errs = append(errs, err)
		}
	}
	stopWork()
	if err := <-notifyDone; err != nil {
		errs = append(errs, err)
	}
	log.Info("shut down")
	return errors.Join(errs...)
}

// DefaultServeAddr is where serve listens unless --addr says otherwise: this host only.
const DefaultServeAddr = "127.0.0.1:8080"

// loopbackAddr checks that addr (host:port) names a loopback host: an IP that is loopback,
// or localhost. An empty host (":6060") listens everywhere and is refused.
func loopbackAddr(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return errors.New("not a loopback address (use 127.0.0.1:PORT)")
}

// wechatConfigured reports whether WeChat credentials are in the environment: serve would
// answer real followers.
func wechatConfigured(getenv func(string) string) bool {
	for _, k := range []string{"WEIYIN_WECHAT_TOKEN", "WEIYIN_WECHAT_APPID", "WEIYIN_WECHAT_SECRET", "WEIYIN_WECHAT_AESKEY"} {
		if getenv(k) != "" {
			return true
		}
	}
	return false
}

// healthChecks are /healthz's checks of the bot's store and bank.
func healthChecks(bot *engine.Bot) []web.Check {
	var checks []web.Check
	if h, ok := bot.Store().(interface{ Healthy(context.Context) error }); ok {
		checks = append(checks, web.Check{Name: "store", Probe: h.Healthy})
	}
	bank := bot.Bank()
	checks = append(checks, web.Check{Name: "bank", Probe: func(ctx context.Context) error {
		// The product catalogue: a read every bank answers, with no customer data.
		_, err := bank.Products(ctx)
		return err
	}})
	return checks
}

// runtimeSetting is the value serve gives a runtime setting (GOGC, GOMAXPROCS): the flag when
// given, else def unless the setting's environment variable is set (the runtime has applied
// it already); 0 means leave the runtime as it is.
func runtimeSetting(flagValue int, env string, def int) int {
	switch {
	case flagValue != 0:
		return flagValue
	case env != "":
		return 0
	}
	return def
}

// bankOf finds the bank to resolve notification customers: the --bank-url client, or the
// bot's own bank when the engine exposes it.
func bankOf(bot *engine.Bot, configured engine.Bank) notify.Resolver {
	if configured != nil {
		return configured
	}
	if b, ok := any(bot).(interface{ Bank() engine.Bank }); ok {
		return b.Bank()
	}
	return nil
}

// pprofMux serves the profiler (never on the public listener).
func pprofMux() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("/debug/pprof/", pprof.Index)
	m.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	m.HandleFunc("/debug/pprof/profile", pprof.Profile)
	m.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	m.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return m
}

// envDuration reads a positive duration from the environment; 0 when unset.
func envDuration(getenv func(string) string, key string) (time.Duration, error) {
	s := getenv(key)
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s=%q: want a positive duration such as 1m", key, s)
	}
	return d, nil
}

func envFloat(getenv func(string) string, key string, def float64) (float64, error) {
	s := getenv(key)
	if s == "" {
		return def, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("%s=%q: want a positive number", key, s)
	}
	return v, nil
}
