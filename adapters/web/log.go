package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
)

// statusWriter records the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// LogRequests logs one line a request (method, route, status, bytes, duration; never the query,
// which carries signatures and openids, nor the body) and counts it in m when m is not nil.
// route names the endpoint in logs and metrics.
func LogRequests(log *slog.Logger, m *Metrics, route string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		if m != nil {
			m.requestCounter(route, sw.status).Inc()
		}
		lvl := slog.LevelInfo
		if sw.status >= 500 {
			lvl = slog.LevelError
		} else if sw.status >= 400 {
			lvl = slog.LevelWarn
		}
		log.LogAttrs(r.Context(), lvl, "http", slog.String("route", route), slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.Int("status", sw.status), slog.Int("bytes", sw.bytes),
			slog.Duration("took", time.Since(start)), slog.String("remote", r.RemoteAddr))
	})
}

// MaskingHandler wraps h so that the message and every string, error and Stringer attribute of
// every record pass through MaskPII before h sees them. Besides, by the attribute's name: a
// user or message id (idKeys) is masked part by part, as an openid is not recognisable by its
// shape alone; a one-time code (codeKeys: a value of 4 to 8 digits) is never written.
func MaskingHandler(h slog.Handler) slog.Handler { return masking{h} }

type masking struct{ next slog.Handler }

func (m masking) Enabled(ctx context.Context, l slog.Level) bool { return m.next.Enabled(ctx, l) }

func (m masking) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, MaskPII(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(maskAttr(a))
		return true
	})
	return m.next.Handle(ctx, out)
}

func (m masking) WithAttrs(as []slog.Attr) slog.Handler {
	masked := make([]slog.Attr, len(as))
	for i, a := range as {
		masked[i] = maskAttr(a)
	}
	return masking{m.next.WithAttrs(masked)}
}

func (m masking) WithGroup(name string) slog.Handler { return masking{m.next.WithGroup(name)} }

// idKeys name the log attributes that carry a user id (an openid) or an id made with one.
var idKeys = map[string]bool{"user": true, "openid": true, "from": true, "to": true, "touser": true,
	"fromuser": true, "purpose": true, "msg_id": true, "msgid": true, "customer_openid": true}

// codeKeys name the log attributes that may carry a one-time code ("code" is also an error
// code: only digits are withheld).
var codeKeys = map[string]bool{"code": true, "otp": true, "sms_code": true, "verification_code": true}

func maskAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	key := strings.ToLower(a.Key)
	if codeKeys[key] && v.Kind() != slog.KindGroup && allDigits(strings.TrimSpace(v.String())) {
		return slog.String(a.Key, "[withheld]")
	}
	switch v.Kind() {
	case slog.KindString:
		if idKeys[key] {
			return slog.String(a.Key, maskIDParts(MaskPII(v.String())))
		}
		return slog.String(a.Key, MaskPII(v.String()))
	case slog.KindGroup:
		g := v.Group()
		out := make([]any, len(g))
		for i, x := range g {
			out[i] = maskAttr(x)
		}
		return slog.Group(a.Key, out...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			return slog.String(a.Key, MaskPII(x.Error()))
		case fmt.Stringer:
			return slog.String(a.Key, MaskPII(x.String()))
		case []byte:
			return slog.String(a.Key, MaskPII(string(x)))
		default:
			return slog.String(a.Key, MaskPII(fmt.Sprint(x)))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

// Check is one of /healthz's probes: Probe returns nil when Name can do its work.
type Check struct {
	Name  string
	Probe func(ctx context.Context) error
}

// HealthTimeout bounds one probe; HealthCache is how long a round of probes answers later
// requests (a load balancer polling every second does not become a load on the bank).
const (
	HealthTimeout = 2 * time.Second
	HealthCache   = 2 * time.Second
)

// Healthz answers 200 {"status":"ok","checks":{NAME:"ok"}}; 503 {"status":"draining"} once
// draining() is true (graceful shutdown: load balancers stop sending); 503
// {"status":"unhealthy","checks":{NAME:"failing"}} while a check fails (a store that cannot
// commit, a bank that does not answer): an instance that can only answer 系统繁忙 is taken out.
// Errors are not shown (the endpoint is public); the store and bank log their own.
func Healthz(draining func() bool, checks ...Check) http.Handler {
	return HealthzReload(draining, nil, checks...)
}

// HealthzReload is Healthz that also reports dialog reloads: {"status":"degraded", "reload":
// {...}} with 200 while a refused edit is pending (the server still answers, on its last good
// dialogs), with the refused edit's diagnostics. Who may call it: anyone who reaches the
// port, like /metrics; the diagnostics name dialog files and lines, never customer data.
func HealthzReload(draining func() bool, reload *ReloadStatus, checks ...Check) http.Handler {
	var (
		mu      sync.Mutex
		at      time.Time
		results map[string]string
		healthy bool
	)
	probe := func(ctx context.Context) (map[string]string, bool) {
		mu.Lock()
		defer mu.Unlock()
		if results != nil && time.Since(at) < HealthCache {
			return results, healthy
		}
		res, ok := make(map[string]string, len(checks)), true
		for _, c := range checks {
			cctx, cancel := context.WithTimeout(ctx, HealthTimeout)
			err := c.Probe(cctx)
			cancel()
			if err != nil {
				res[c.Name], ok = "failing", false
			} else {
				res[c.Name] = "ok"
			}
		}
		results, healthy, at = res, ok, time.Now()
		return res, ok
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out := map[string]any{"status": "ok"}
		code := http.StatusOK
		if reload != nil {
			v := reload.view()
			out["reload"] = v
			if v.Stale {
				out["status"] = "degraded"
			}
		}
		if draining != nil && draining() {
			out["status"] = "draining"
			WriteJSON(w, http.StatusServiceUnavailable, out)
			return
		}
		if len(checks) > 0 {
			res, ok := probe(r.Context())
			out["checks"] = res
			if !ok {
				out["status"], code = "unhealthy", http.StatusServiceUnavailable
			}
		}
		WriteJSON(w, code, out)
	})
}
