package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weiyin-bank/weiyin/engine"
)

var update = flag.Bool("update", false, "rewrite golden files")

// scripted answers from a table keyed by text and records what it saw.
type scripted struct {
	got []engine.Message
}

func (s *scripted) Turn(_ context.Context, user string, m engine.Message) (engine.Reply, error) {
	s.got = append(s.got, m)
	switch m.Text {
	case "boom":
		return engine.Reply{}, errors.New("bank down 6222021234567890")
	case "flood":
		return engine.Reply{}, fmt.Errorf("turn: %w", engine.ErrBusy)
	case "转账500给张三":
		return engine.Reply{Texts: []string{"向张三转账 500.00 元，确认吗？"}, Buttons: []string{"确认", "取消"},
			Intent: "transfer", Confidence: 0.93, Flow: "transfer", Step: "confirm",
			Entities: []engine.ReplyEntity{{Type: "money", Value: "500.00", Text: "500"}, {Type: "contact", Value: "张三", Text: "张三"}}}, nil
	case "天气":
		return engine.Reply{Texts: []string{"抱歉，我没听懂。"}, Intent: "none"}, nil
	}
	return engine.Reply{Texts: []string{"您好，" + user}, Intent: "greet", Confidence: 1}, nil
}

// Ensure POST /api/chat follows DESIGN.md's contract, errors included.
func TestChat(t *testing.T) {
	tests := []struct {
		name    string
		sandbox bool
		method  string
		body    string
		status  int
		golden  string // compare the body with testdata/NAME.json
		code    string // or the error code
	}{
		// A full reply: texts, buttons, intent, entities, state.
		{"transfer", false, "POST", `{"user":"o_demo_1","text":"转账500给张三","id":"m1"}`, 200, "chat_transfer", ""},
		// Empty lists are [] (Botium reads them), not null.
		{"greet", false, "POST", `{"user":"o_demo_1","text":"你好"}`, 200, "chat_greet", ""},
		// "as" without sandbox login: 403.
		{"as refused", false, "POST", `{"user":"u","text":"余额","as":"C001"}`, 403, "", "as_forbidden"},
		// "as" with sandbox login is passed on.
		{"as allowed", true, "POST", `{"user":"u","text":"你好","as":"C001"}`, 200, "", ""},
		// Missing user or text: 400.
		{"no user", false, "POST", `{"text":"你好"}`, 400, "", "invalid"},
		{"no text", false, "POST", `{"user":"u","text":"  "}`, 400, "", "invalid"},
		// Unknown fields and malformed JSON: 400.
		{"unknown field", false, "POST", `{"user":"u","text":"x","usr":"y"}`, 400, "", "bad_json"},
		{"malformed", false, "POST", `{"user":`, 400, "", "bad_json"},
		// Over the size cap: 413.
		{"oversize", false, "POST", `{"user":"u","text":"` + strings.Repeat("长", 30000) + `"}`, 413, "", "too_large"},
		// Wrong method: 405.
		{"get", false, "GET", ``, 405, "", "method_not_allowed"},
		// A failing turn: 500 with a JSON error, nothing leaked.
		{"turn error", false, "POST", `{"user":"u","text":"boom"}`, 500, "", "turn_failed"},
		// A user with too many turns in progress: 429, retry later.
		{"busy", false, "POST", `{"user":"u","text":"flood"}`, 429, "", "busy"},
	}
	for _, tt := range tests {
		s := &scripted{}
		h := NewChat(ChatOptions{Turner: s, SandboxLogin: tt.sandbox, Sandbox: true})
		req := httptest.NewRequest(tt.method, "/api/chat", strings.NewReader(tt.body))
		req.RemoteAddr = "127.0.0.1:40000"
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		body, _ := io.ReadAll(w.Result().Body)
		if w.Code != tt.status {
			t.Errorf("%s: status %d %s, want %d", tt.name, w.Code, body, tt.status)
			continue
		}
		if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s: Content-Type %q", tt.name, ct)
		}
		if tt.code != "" {
			var e Error
			if err := json.Unmarshal(body, &e); err != nil || e.Code != tt.code || strings.Contains(e.Message, "6222") {
				t.Errorf("%s: error body %s, want code %s", tt.name, body, tt.code)
			}
		}
		if tt.golden != "" {
			golden(t, tt.golden, body)
		}
		if tt.name == "as allowed" && (len(s.got) != 1 || s.got[0].As != "C001") {
			t.Errorf("as not passed: %+v", s.got)
		}
		if tt.name == "transfer" && (s.got[0].ID != "api:m1" || s.got[0].Kind != "text") {
			t.Errorf("message: %+v", s.got[0])
		}
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, got, "", "  "); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	path := filepath.Join("testdata", name+".json")
	if *update {
		if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if !bytes.Equal(pretty.Bytes(), want) {
		t.Errorf("%s: got\n%s\nwant\n%s", name, pretty.Bytes(), want)
	}
}

// Ensure instrumented turns show up in /metrics with their channel, intent and fallbacks.
func TestMetrics(t *testing.T) {
	m := NewMetrics()
	m.QueueDepth(func() int { return 7 })
	tr := m.Instrument("web", &scripted{})
	ctx := context.Background()
	tr.Turn(ctx, "u", engine.Message{Text: "转账500给张三"})
	tr.Turn(ctx, "u", engine.Message{Text: "天气"})
	tr.Turn(ctx, "u", engine.Message{Text: "boom"})
	m.DedupeHits.Inc()
	reload := m.DialogReloads()
	reload(true)
	reload(false)
	reload(false)
	h := LogRequests(slog.New(slog.DiscardHandler), m, "chat", NewChat(ChatOptions{Turner: tr, Sandbox: true}))
	req := httptest.NewRequest("POST", "/api/chat", strings.NewReader(`{"user":"u","text":"你好"}`))
	req.RemoteAddr = "[::1]:40000"
	h.ServeHTTP(httptest.NewRecorder(), req)
	w := httptest.NewRecorder()
	m.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	out := w.Body.String()
	for _, want := range []string{
		`weiyin_turns_total{channel="web"} 4`,
		`weiyin_turn_errors_total{channel="web"} 1`,
		`weiyin_intents_total{channel="web",intent="transfer"} 1`,
		`weiyin_intents_total{channel="web",intent="greet"} 1`,
		`weiyin_fallbacks_total{channel="web"} 1`,
		`weiyin_turn_duration_seconds_count{channel="web"} 4`,
		`weiyin_notify_queue_depth 7`,
		`weiyin_wechat_dedupe_hits_total 1`,
		`weiyin_dialog_reloads_total{result="ok"} 1`,
		`weiyin_dialog_reloads_total{result="refused"} 2`,
		`weiyin_http_requests_total{code="200",route="chat"} 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

type stringer struct{}

func (stringer) String() string { return "phone 13812345678" }

// Ensure the masking handler masks the message and string, error, Stringer and grouped
// attributes, including those added with With; user and message ids by name, openids by
// shape; and never writes a one-time code.
func TestMaskingHandler(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(MaskingHandler(slog.NewJSONHandler(&buf, nil))).With("card", "6222021234567890")
	log.Info("bind 6222021234567891", "phone", "13812345678", "err", errors.New("no match for 6222021234567892"),
		"s", stringer{}, slog.Group("g", "id", "11010519491231002X"), "n", 42,
		"user", "o_demo_1", "msg_id", "wx:ev:o_demo_2:1700000000:CLICK", "purpose", "o_demo_3:transfer",
		"code", "311533", "otp", 654321, "err2", errors.New("no session for oAbCdEfGhIjKlMnOpQrStUvWxYz1"))
	log.Warn("bank operation refused", "code", "insufficient_funds")
	out := buf.String()
	for _, leak := range []string{"6222021234567890", "6222021234567891", "13812345678", "6222021234567892", "11010519491231002X",
		"o_demo_1", "o_demo_2", "o_demo_3", "311533", "654321", "oAbCdEfGhIjKlMnOpQrStUvWxYz1"} {
		if strings.Contains(out, leak) {
			t.Errorf("log leaks %s: %s", leak, out)
		}
	}
	// Error codes, times and the menu key stay: they are what an operator searches for.
	for _, keep := range []string{"7890", "138****5678", `"n":42`, "insufficient_funds", "1700000000", "oAb"} {
		if !strings.Contains(out, keep) {
			t.Errorf("log lost %s: %s", keep, out)
		}
	}
}

// Ensure /healthz answers 503 while a check fails (a store that cannot commit, a bank down)
// and 200 again once it passes, without showing the error.
func TestHealthzChecks(t *testing.T) {
	var failing atomic.Bool
	h := Healthz(nil, Check{Name: "store", Probe: func(context.Context) error {
		if failing.Load() {
			return errors.New("no space left on device: /data/sessions.db.wal0")
		}
		return nil
	}})
	for i, fail := range []bool{false, true} {
		failing.Store(fail)
		time.Sleep(HealthCache) // a new round of probes
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/healthz", nil))
		want := map[bool]int{false: 200, true: 503}[fail]
		if w.Code != want || strings.Contains(w.Body.String(), "space") || !strings.Contains(w.Body.String(), `"store"`) {
			t.Errorf("round %d (failing %v): %d %s, want %d", i, fail, w.Code, w.Body, want)
		}
	}
}

// Ensure /healthz reports draining with 503.
func TestHealthz(t *testing.T) {
	draining := false
	h := Healthz(func() bool { return draining })
	for _, want := range []int{200, 503} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/healthz", nil))
		if w.Code != want {
			t.Errorf("draining=%v: %d, want %d", draining, w.Code, want)
		}
		draining = true
	}
}
