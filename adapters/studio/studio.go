package studio

import (
	"context"
	"crypto/subtle"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/weiyin-bank/weiyin/engine"
	"github.com/weiyin-bank/weiyin/engine/transcript"
)

//go:embed static
var static embed.FS

// Bot is the simulator's bot: *engine.Bot on a sandbox bank.
type Bot interface {
	Turn(ctx context.Context, user string, m engine.Message) (engine.Reply, error)
	Swap(p *engine.Program)
}

// Customer is a sandbox customer staff may chat as.
type Customer struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Options configures a Server. Dir and NewBot are required.
type Options struct {
	// Dir is the dialog directory edited in place.
	Dir string
	// Token, when set, is required by every API call (WEIYIN_STUDIO_TOKEN).
	Token string
	// Customers are the sandbox customers offered in the simulator, in order.
	Customers []Customer
	// NewBot builds the simulator's bot running prog on a fresh sandbox bank; the func it
	// returns closes it.
	NewBot func(ctx context.Context, prog *engine.Program) (Bot, func(), error)
	// Replay, when set, replays the transcript suite against prog, for coverage on the diagrams.
	Replay func(ctx context.Context, prog *engine.Program) (*transcript.Report, error)
	// EvalFile is a text<TAB>intent file for `weiyin eval` before and after an added example;
	// "" disables the comparison.
	EvalFile string
	// ReviewLog is the JSON-lines file `weiyin serve --review-log` writes; "" = none.
	ReviewLog string
	// Server is the base URL of a live `weiyin serve` whose reload status the Ship tab shows.
	Server string
	// Now is the clock (relative dates in the NLU, review times); nil = time.Now.
	Now func() time.Time
	// Logger receives the studio's own log; nil discards it.
	Logger *slog.Logger
	// Client fetches the live server's status; nil = a client with a 5-second timeout.
	Client *http.Client
}

// Server is the studio: its state is the dialog directory on disk, the simulator's bot and
// the cached transcript coverage.
type Server struct {
	o   Options
	log *slog.Logger

	fileMu sync.Mutex // serialises writes to the dialog files

	simMu    sync.Mutex // one simulated turn at a time (the NLU trace is per turn)
	bot      Bot
	closeBot func()
	prog     *program
	trace    *tracingNLU
	sessions int // bumps the simulator's user id on reset

	covMu sync.Mutex
	cov   map[string]*covered // by program version
}

// New loads the dialog directory and starts the simulator's bot. It fails when the directory
// does not check clean: the studio needs one good bot to simulate (edits that break it are
// then shown, not loaded).
func New(ctx context.Context, o Options) (*Server, error) {
	if o.Dir == "" || o.NewBot == nil {
		return nil, errors.New("studio: Options.Dir and Options.NewBot are required")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 5 * time.Second}
	}
	s := &Server{o: o, log: o.Logger, trace: &tracingNLU{}, cov: map[string]*covered{}}
	p, ds, err := s.build(nil)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, fmt.Errorf("studio: %s: %w", o.Dir, ds.Err())
	}
	bot, closeBot, err := o.NewBot(ctx, p.engine)
	if err != nil {
		return nil, err
	}
	s.bot, s.closeBot, s.prog = bot, closeBot, p
	return s, nil
}

// Close stops the simulator's bot.
func (s *Server) Close() {
	s.simMu.Lock()
	defer s.simMu.Unlock()
	if s.closeBot != nil {
		s.closeBot()
		s.closeBot = nil
	}
}

// Handler serves the page and the API.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	sub, _ := fs.Sub(static, "static")
	files := http.FileServerFS(sub)
	mux.Handle("GET /", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
	}))
	mux.HandleFunc("POST /api/login", s.login)
	api := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, s.authorised(h)) }
	api("GET /api/session", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "dir": s.o.Dir, "customers": s.o.Customers,
			"eval": s.o.EvalFile != "", "review": s.o.ReviewLog != "", "server": s.o.Server, "coverage": s.o.Replay != nil})
	})
	api("GET /api/files", s.listFiles)
	api("GET /api/files/{name}", s.readFile)
	api("PUT /api/files/{name}", s.saveFile)
	api("POST /api/check", s.checkBuffer)
	api("POST /api/sim", s.simTurn)
	api("POST /api/sim/reset", s.simReset)
	api("GET /api/flows", s.listFlows)
	api("GET /api/graph", s.graph)
	api("GET /api/review", s.review)
	api("POST /api/review/example", s.addExample)
	api("GET /api/ship", s.ship)
	return s.guard(mux)
}

// guard refuses requests with a non-loopback Host when no token protects the studio, and sets
// the headers every answer carries.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'")
		if s.o.Token == "" && !LoopbackHost(r.Host) {
			writeError(w, http.StatusForbidden, "forbidden", "the studio has no token: it answers on localhost only (set WEIYIN_STUDIO_TOKEN to open it to others)")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// LoopbackHost reports whether a Host header or listen address names the loopback interface
// (localhost, 127.0.0.0/8, ::1).
func LoopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

const cookieName = "weiyin_studio"

// authorised lets a request through when the studio has no token or the request carries it.
func (s *Server) authorised(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.o.Token != "" && !s.hasToken(r) {
			writeError(w, http.StatusUnauthorized, "unauthorized", "sign in with the studio token (WEIYIN_STUDIO_TOKEN)")
			return
		}
		if r.Method != http.MethodGet {
			ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if ct != "application/json" {
				writeError(w, http.StatusUnsupportedMediaType, "bad_request", "send JSON (Content-Type: application/json)")
				return
			}
		}
		next(w, r)
	})
}

func (s *Server) hasToken(r *http.Request) bool {
	got := ""
	if a := r.Header.Get("Authorization"); strings.HasPrefix(a, "Bearer ") {
		got = strings.TrimPrefix(a, "Bearer ")
	} else if c, err := r.Cookie(cookieName); err == nil {
		got = c.Value
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.o.Token)) == 1
}

// login checks the token and sets it as an HttpOnly, same-site cookie.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Token string `json:"token"`
	}
	if !decode(w, r, &req) {
		return
	}
	if s.o.Token == "" {
		writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
		return
	}
	if subtle.ConstantTimeCompare([]byte(req.Token), []byte(s.o.Token)) != 1 {
		writeError(w, http.StatusUnauthorized, "unauthorized", "wrong token")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: s.o.Token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, MaxAge: 12 * 3600})
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

// apiError is every error answer: a stable code and a message for people.
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, apiError{Code: code, Message: msg})
}

// maxBody bounds a request: a dialog file may be large, but not larger than the loader takes.
const maxBody = 8 << 20

// decode reads a JSON body into v, refusing unknown fields; on failure it answers 400/413.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("the request is larger than %d MB", maxBody>>20))
		return false
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "bad_json", "the request is not the expected JSON: "+err.Error())
		return false
	}
	return true
}
