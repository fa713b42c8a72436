package web

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/weiyin-bank/weiyin/engine"
)

// Metrics holds weiyin's Prometheus collectors on their own registry.
type Metrics struct {
	reg       *prometheus.Registry
	turns     *prometheus.CounterVec
	errors    *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	intents   *prometheus.CounterVec
	fallbacks *prometheus.CounterVec
	requests  *prometheus.CounterVec
	// requestSeries caches requests' series by requestKey.
	requestSeries sync.Map
	commits       prometheus.Histogram
	commitTurns   prometheus.Counter
	// DedupeHits counts WeChat retries of a message already being (or already) handled.
	DedupeHits prometheus.Counter
}

// NewMetrics registers weiyin's metrics and the Go and process collectors.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		turns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "weiyin_turns_total", Help: "Turns processed, by channel.",
		}, []string{"channel"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "weiyin_turn_errors_total", Help: "Turns that returned an error, by channel.",
		}, []string{"channel"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "weiyin_turn_duration_seconds", Help: "Turn latency, by channel.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2, 4, 8},
		}, []string{"channel"}),
		intents: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "weiyin_intents_total", Help: "Understood intents, by channel and intent.",
		}, []string{"channel", "intent"}),
		fallbacks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "weiyin_fallbacks_total", Help: "Turns answered with the fallback (intent none), by channel.",
		}, []string{"channel"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "weiyin_http_requests_total", Help: "HTTP requests, by route and status code.",
		}, []string{"route", "code"}),
		commits: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "weiyin_store_commit_duration_seconds", Help: "Time to write and sync one group of turns to the session log.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}),
		commitTurns: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "weiyin_store_committed_turns_total", Help: "Turns written to the session log (divided by the commit count: turns a group).",
		}),
		DedupeHits: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "weiyin_wechat_dedupe_hits_total", Help: "WeChat retries of a message already seen.",
		}),
	}
	m.reg.MustRegister(m.turns, m.errors, m.latency, m.intents, m.fallbacks, m.requests, m.DedupeHits, m.commits, m.commitTurns,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// QueueDepth exports depth() as weiyin_notify_queue_depth.
func (m *Metrics) QueueDepth(depth func() int) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "weiyin_notify_queue_depth", Help: "Notifications waiting for delivery.",
	}, func() float64 { return float64(depth()) }))
}

// DialogReloads returns the callback of the dialog watcher: it counts hot reloads in
// weiyin_dialog_reloads_total by result, "ok" or "refused" (the files failed the check and
// the last good dialogs keep serving).
func (m *Metrics) DialogReloads() func(ok bool) {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "weiyin_dialog_reloads_total", Help: "Hot reloads of --dialogs, by result: ok or refused.",
	}, []string{"result"})
	m.reg.MustRegister(c)
	okC, refused := c.WithLabelValues("ok"), c.WithLabelValues("refused")
	return func(ok bool) {
		if ok {
			okC.Inc()
		} else {
			refused.Inc()
		}
	}
}

// ObserveCommit records one group of turns written to the session log and the time its
// write and sync took (store.Store.ObserveCommits).
func (m *Metrics) ObserveCommit(turns int, took time.Duration) {
	m.commits.Observe(took.Seconds())
	m.commitTurns.Add(float64(turns))
}

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Instrument wraps t so its turns are counted and timed under channel. The channel's series
// are looked up once here, and each intent's once on first use, not on every turn.
func (m *Metrics) Instrument(channel string, t Turner) Turner {
	return &instrumented{m: m, channel: channel, next: t,
		latency:   m.latency.WithLabelValues(channel),
		turns:     m.turns.WithLabelValues(channel),
		errors:    m.errors.WithLabelValues(channel),
		fallbacks: m.fallbacks.WithLabelValues(channel)}
}

type instrumented struct {
	m       *Metrics
	channel string
	next    Turner

	latency                  prometheus.Observer
	turns, errors, fallbacks prometheus.Counter
	intents                  sync.Map // intent name -> prometheus.Counter
}

func (i *instrumented) Turn(ctx context.Context, user string, msg engine.Message) (engine.Reply, error) {
	start := time.Now()
	r, err := i.next.Turn(ctx, user, msg)
	i.latency.Observe(time.Since(start).Seconds())
	i.turns.Inc()
	if err != nil {
		i.errors.Inc()
		return r, err
	}
	if r.Intent != "" {
		i.intent(r.Intent).Inc()
	}
	if r.Intent == "none" {
		i.fallbacks.Inc()
	}
	return r, nil
}

// intent returns the counter of one intent on this channel.
func (i *instrumented) intent(name string) prometheus.Counter {
	if c, ok := i.intents.Load(name); ok {
		return c.(prometheus.Counter)
	}
	c, _ := i.intents.LoadOrStore(name, i.m.intents.WithLabelValues(i.channel, name))
	return c.(prometheus.Counter)
}

// requestCounter returns the request counter of route and status code, looked up once per
// pair.
func (m *Metrics) requestCounter(route string, code int) prometheus.Counter {
	key := requestKey{route, code}
	if c, ok := m.requestSeries.Load(key); ok {
		return c.(prometheus.Counter)
	}
	c, _ := m.requestSeries.LoadOrStore(key, m.requests.WithLabelValues(route, strconv.Itoa(code)))
	return c.(prometheus.Counter)
}

type requestKey struct {
	route string
	code  int
}
