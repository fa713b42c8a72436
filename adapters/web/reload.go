package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/weiyin-bank/weiyin/dialogs"
)

// ReloadStatus is what serve knows of its dialog hot reloads: whether the files on disk are
// the ones running, and the last refused edit with its diagnostics. /healthz reports it
// (status "degraded" while a refused edit is pending: the last good dialogs keep serving) and
// Metrics.TrackReloads exports it. Safe for concurrent use; the zero value is ready.
type ReloadStatus struct {
	mu      sync.Mutex
	stale   bool
	refused int
	version string
	at      time.Time
	last    *RefusedReload
}

// RefusedReload is one edit the checker refused.
type RefusedReload struct {
	At    time.Time `json:"at"`
	Error string    `json:"error"`
	// Check is the checker's JSON output (`weiyin check --format json`) for the refused files.
	Check json.RawMessage `json:"check,omitempty"`
}

// Loaded records a reload that took effect.
func (s *ReloadStatus) Loaded(version string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stale, s.version, s.at = false, version, at
}

// Refused records a reload the checker refused; err is the loader's error, whose diagnostics
// (a *dialogs.DiagnosticsError inside) are kept in full.
func (s *ReloadStatus) Refused(err error, at time.Time) {
	r := &RefusedReload{At: at, Error: MaskPII(err.Error())}
	var de *dialogs.DiagnosticsError
	if errors.As(err, &de) {
		var b bytes.Buffer
		if de.Diags.WriteJSON(&b) == nil {
			// The snippets quote the dialog files, which may hold a test card or phone
			// number: masked as the logs are (only digits change, the JSON stays valid).
			r.Check = json.RawMessage(MaskPII(string(bytes.TrimSpace(b.Bytes()))))
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stale, s.last, s.at = true, r, at
	s.refused++
}

// reloadView is the reload part of /healthz.
type reloadView struct {
	// Stale is true when the files on disk were refused and older dialogs are serving.
	Stale       bool           `json:"stale"`
	Version     string         `json:"version,omitempty"` // of the last reload that took effect
	At          *time.Time     `json:"at,omitempty"`      // of the last reload, taken or refused
	Refused     int            `json:"refused"`           // refused reloads since start
	LastRefused *RefusedReload `json:"last_refused,omitempty"`
}

func (s *ReloadStatus) view() reloadView {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := reloadView{Stale: s.stale, Version: s.version, Refused: s.refused, LastRefused: s.last}
	if !s.at.IsZero() {
		at := s.at
		v.At = &at
	}
	return v
}

func (s *ReloadStatus) counts() (stale bool, refused int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stale, s.refused
}

// TrackReloads exports s as weiyin_dialogs_stale (a gauge: 1 while a refused edit is pending)
// and weiyin_dialog_reloads_refused_total (a counter).
func (m *Metrics) TrackReloads(s *ReloadStatus) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "weiyin_dialogs_stale", Help: "1 while the dialog files on disk were refused by the checker and the last good dialogs serve.",
		}, func() float64 {
			if stale, _ := s.counts(); stale {
				return 1
			}
			return 0
		}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "weiyin_dialog_reloads_refused_total", Help: "Dialog hot reloads refused by the checker.",
		}, func() float64 {
			_, n := s.counts()
			return float64(n)
		}))
}
