package web

import (
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/weiyin-bank/weiyin/dialogs"
)

// refusedEdit is the loader's error for a dialog file with a string left open, on a line
// holding a card number.
func refusedEdit(t *testing.T) error {
	t.Helper()
	_, ds := dialogs.LoadFS(fstest.MapFS{"faq.dlg": {Data: []byte("weiyin 1\n\nfaq faq_x \"x\" {\n  examples {\n    \"卡号6217000012345678\n  }\n  answer \"好\"\n}\n")}}, ".")
	if !ds.HasErrors() {
		t.Fatal("the broken file checks clean")
	}
	return ds.Err()
}

// Ensure /healthz reports reloads: ok while the files on disk run, degraded (still 200: the
// last good dialogs answer) with the refused edit's diagnostics until an edit loads again,
// draining over all of it; and that /metrics carries the gauge and the counter.
func TestHealthzReload(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	refused := refusedEdit(t)
	cases := []struct {
		name     string
		events   func(s *ReloadStatus)
		draining bool
		code     int
		status   string
		stale    float64
		count    float64
	}{
		{"a server that loaded its files is ok", func(s *ReloadStatus) { s.Loaded("v1", t0) }, false, 200, "ok", 0, 0},
		{"a refused edit makes it degraded, still answering", func(s *ReloadStatus) { s.Loaded("v1", t0); s.Refused(refused, t0) }, false, 200, "degraded", 1, 1},
		{"a good edit after refused ones makes it ok and keeps the count", func(s *ReloadStatus) {
			s.Loaded("v1", t0)
			s.Refused(refused, t0)
			s.Refused(errors.New("read dialogs: permission denied"), t0)
			s.Loaded("v2", t0)
		}, false, 200, "ok", 0, 2},
		{"draining wins over degraded", func(s *ReloadStatus) { s.Refused(refused, t0) }, true, 503, "draining", 1, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := &ReloadStatus{}
			c.events(s)
			w := httptest.NewRecorder()
			HealthzReload(func() bool { return c.draining }, s).ServeHTTP(w, httptest.NewRequest("GET", "/healthz", nil))
			var got struct {
				Status string
				Reload reloadView
			}
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if w.Code != c.code || got.Status != c.status {
				t.Errorf("%d %q, want %d %q", w.Code, got.Status, c.code, c.status)
			}
			if c.stale == 1 {
				lr := got.Reload.LastRefused
				if lr == nil || !strings.Contains(string(lr.Check), `"code":"syntax"`) || !strings.Contains(string(lr.Check), `"file":"faq.dlg"`) {
					t.Errorf("the refused edit's diagnostics are missing: %+v", lr)
				}
			}
			if strings.Contains(w.Body.String(), "6217000012345678") {
				t.Error("/healthz shows a card number from the refused file")
			}
			m := NewMetrics()
			m.TrackReloads(s)
			mw := httptest.NewRecorder()
			m.Handler().ServeHTTP(mw, httptest.NewRequest("GET", "/metrics", nil))
			for name, want := range map[string]float64{"weiyin_dialogs_stale": c.stale, "weiyin_dialog_reloads_refused_total": c.count} {
				if line := name + " " + formatFloat(want); !strings.Contains(mw.Body.String(), "\n"+line+"\n") {
					t.Errorf("/metrics lacks %q", line)
				}
			}
		})
	}
}

func formatFloat(f float64) string {
	b, _ := json.Marshal(f)
	return string(b)
}

// Ensure Healthz without reloads keeps its old answer.
func TestHealthzWithoutReloads(t *testing.T) {
	w := httptest.NewRecorder()
	Healthz(nil).ServeHTTP(w, httptest.NewRequest("GET", "/healthz", nil))
	if w.Code != 200 || strings.TrimSpace(w.Body.String()) != `{"status":"ok"}` {
		t.Fatalf("%d %s", w.Code, w.Body.String())
	}
}
