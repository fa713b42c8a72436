package notify_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/weiyin-bank/weiyin/adapters/notify"
)

// Ensure the HTTP API authenticates, validates, queues idempotently and reports status.
func TestHTTP(t *testing.T) {
	e := newEnv(t, onBolt, nil)
	srv := httptest.NewServer(notify.Handler(e.queue, "s3cret"))
	defer srv.Close()
	off := httptest.NewServer(notify.Handler(e.queue, ""))
	defer off.Close()
	body := `{"id":"h1","openid":"o_u","template_id":"TPL","data":{"amount":"¥1.00","note":{"value":"x","color":"#000"}}}`
	tests := []struct {
		name, method, url, auth, body string
		status                        int
		code                          string // error code or job status
	}{
		// No token, wrong token: 401.
		{"no auth", "POST", srv.URL + "/api/notify", "", body, 401, "unauthorized"},
		{"wrong token", "POST", srv.URL + "/api/notify", "Bearer nope", body, 401, "unauthorized"},
		// Not configured: 503.
		{"disabled", "POST", off.URL + "/api/notify", "Bearer ", body, 503, "disabled"},
		// Accepted: 202 queued.
		{"accept", "POST", srv.URL + "/api/notify", "Bearer s3cret", body, 202, "queued"},
		// Same again: 200 with the existing job.
		{"repeat", "POST", srv.URL + "/api/notify", "Bearer s3cret", body, 200, "queued"},
		// Same id, other content: 409.
		{"conflict", "POST", srv.URL + "/api/notify", "Bearer s3cret", strings.Replace(body, "¥1.00", "¥2.00", 1), 409, "conflict"},
		// Missing template: 400.
		{"invalid", "POST", srv.URL + "/api/notify", "Bearer s3cret", `{"id":"h2","openid":"o","data":{"a":"b"}}`, 400, "invalid"},
		// Unknown fields: 400.
		{"unknown field", "POST", srv.URL + "/api/notify", "Bearer s3cret", `{"id":"h3","openid":"o","template_id":"T","data":{"a":"b"},"x":1}`, 400, "bad_json"},
		// Not JSON: 400.
		{"garbage", "POST", srv.URL + "/api/notify", "Bearer s3cret", `<xml>`, 400, "bad_json"},
		// Unknown customer: 422.
		{"unknown customer", "POST", srv.URL + "/api/notify", "Bearer s3cret", `{"id":"h4","customer":"C404","template_id":"T","data":{"a":"b"}}`, 422, "unknown_customer"},
		// Over 64 KB: 413.
		{"oversize", "POST", srv.URL + "/api/notify", "Bearer s3cret", `{"id":"` + strings.Repeat("x", 70000) + `"}`, 413, "too_large"},
		// Status by id.
		{"get", "GET", srv.URL + "/api/notify/h1", "Bearer s3cret", "", 200, "queued"},
		{"get unknown", "GET", srv.URL + "/api/notify/nope", "Bearer s3cret", "", 404, "not_found"},
		{"get no auth", "GET", srv.URL + "/api/notify/h1", "", "", 401, "unauthorized"},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, tt.url, strings.NewReader(tt.body))
		if tt.auth != "" {
			req.Header.Set("Authorization", tt.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		got, _ := out["code"].(string)
		if got == "" {
			got, _ = out["status"].(string)
		}
		if resp.StatusCode != tt.status || got != tt.code {
			t.Errorf("%s: %d %v, want %d %s", tt.name, resp.StatusCode, out, tt.status, tt.code)
		}
	}
	if d := e.queue.Depth(); d != 1 {
		t.Errorf("depth %d, want 1", d)
	}
}
