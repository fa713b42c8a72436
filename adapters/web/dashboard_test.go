package web

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/weiyin-bank/weiyin/engine"
)

// Ensure every series the Grafana dashboard (docs/grafana-dashboard.json) queries is one that
// /metrics exports, so that renaming a metric breaks this test rather than a panel.
func TestDashboardQueriesExportedMetrics(t *testing.T) {
	raw, err := os.ReadFile("../../docs/grafana-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatalf("the dashboard is not JSON: %v", err)
	}
	m := NewMetrics()
	m.QueueDepth(func() int { return 0 })
	m.DialogReloads()(false)
	m.ObserveCommit(1, time.Millisecond)
	tr := m.Instrument("web", &scripted{})
	tr.Turn(context.Background(), "u", engine.Message{Text: "天气"})
	tr.Turn(context.Background(), "u", engine.Message{Text: "boom"})
	m.DedupeHits.Inc()
	LogRequests(slog.New(slog.DiscardHandler), m, "chat", NewChat(ChatOptions{Turner: tr})).ServeHTTP(httptest.NewRecorder(),
		httptest.NewRequest("POST", "/api/chat", strings.NewReader(`{"user":"u","text":"你好"}`)))
	w := httptest.NewRecorder()
	m.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	exported := map[string]bool{}
	for _, line := range strings.Split(w.Body.String(), "\n") {
		if name, _, _ := strings.Cut(line, "{"); name != "" && !strings.HasPrefix(name, "#") {
			exported[strings.Fields(name)[0]] = true
		}
	}
	series := regexp.MustCompile(`\b((?:weiyin|go|process)_[a-z_]+)\b`)
	n := 0
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			for _, s := range series.FindAllString(tg.Expr, -1) {
				n++
				if !exported[s] {
					t.Errorf("panel %q queries %s, which /metrics does not export", p.Title, s)
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("the dashboard queries no series")
	}
}
