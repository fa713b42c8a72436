package web

import (
	"context"
	"net/http"
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
		DedupeHits: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "weiyin_wechat_dedupe_hits_total", Help: "WeChat retries of a message already seen.",
		}),
	}
	m.reg.MustRegister(m.turns, m.errors, m.latency, m.intents, m.fallbacks, m.requests, m.DedupeHits,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// QueueDepth exports depth() as weiyin_notify_queue_depth.
func (m *Metrics) QueueDepth(depth func() int) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "weiyin_notify_queue_depth", Help: "Notifications waiting for delivery.",
	}, func() float64 { return float64(depth()) }))
}

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Instrument wraps t so its turns are counted and timed under channel.
func (m *Metrics) Instrument(channel string, t Turner) Turner {
	return instrumented{m: m, channel: channel, next: t}
}

type instrumented struct {
	m       *Metrics
	channel string
	next    Turner
}

func (i instrumented) Turn(ctx context.Context, user string, msg engine.Message) (engine.Reply, error) {
	start := time.Now()
	r, err := i.next.Turn(ctx, user, msg)
	i.m.latency.WithLabelValues(i.channel).Observe(time.Since(start).Seconds())
	i.m.turns.WithLabelValues(i.channel).Inc()
	if err != nil {
		i.m.errors.WithLabelValues(i.channel).Inc()
		return r, err
	}
	if r.Intent != "" {
		i.m.intents.WithLabelValues(i.channel, r.Intent).Inc()
	}
	if r.Intent == "none" {
		i.m.fallbacks.WithLabelValues(i.channel).Inc()
	}
	return r, nil
}
