package studio

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/weiyin-bank/weiyin/engine"
)

// call sends one request to h and decodes the JSON answer into out (when not nil).
func call(t *testing.T, h http.Handler, method, path, body string, out any, hdr ...string) int {
	t.Helper()
	var r *http.Request
	if body == "" {
		r = httptest.NewRequest(method, path, nil)
	} else {
		r = httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
	}
	r.Host = "127.0.0.1:8088"
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if out != nil {
		if err := json.Unmarshal(w.Body.Bytes(), out); err != nil {
			t.Fatalf("%s %s: %d %q: %v", method, path, w.Code, w.Body.String(), err)
		}
	}
	return w.Code
}

func jsonBody(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Ensure the studio answers only those it should: the token on every API call when set, the
// loopback host when not, and JSON bodies for writes.
func TestAuthorisation(t *testing.T) {
	dir := copyBank(t)
	o := testOptions(t, dir)
	o.Token = "s3cret"
	h := newTestServer(t, o).Handler()
	open := newTestServer(t, testOptions(t, dir)).Handler()
	cases := []struct {
		name   string
		h      http.Handler
		method string
		path   string
		body   string
		host   string
		hdr    []string
		want   int
	}{
		{"an API call without the token is refused", h, "GET", "/api/files", "", "", nil, 401},
		{"a wrong bearer token is refused", h, "GET", "/api/files", "", "", []string{"Authorization", "Bearer nope"}, 401},
		{"the bearer token is accepted", h, "GET", "/api/files", "", "", []string{"Authorization", "Bearer s3cret"}, 200},
		{"the session cookie is accepted", h, "GET", "/api/files", "", "", []string{"Cookie", cookieName + "=s3cret"}, 200},
		{"a write needs the token too", h, "POST", "/api/check", `{"file":"a.dlg","text":""}`, "", nil, 401},
		{"the page itself is public (it holds no data)", h, "GET", "/", "", "", nil, 200},
		{"a wrong login is refused", h, "POST", "/api/login", `{"token":"x"}`, "", nil, 401},
		{"with a token any host may call", h, "GET", "/api/files", "", "studio.bank.internal", []string{"Authorization", "Bearer s3cret"}, 200},
		{"without a token a non-loopback host is refused (DNS rebinding)", open, "GET", "/api/files", "", "evil.example:8088", nil, 403},
		{"without a token loopback may call", open, "GET", "/api/files", "", "localhost:8088", nil, 200},
		{"a write without a JSON body is refused (no cross-site forms)", open, "POST", "/api/sim/reset", "", "", []string{"Content-Type", "text/plain"}, 415},
		{"a file name with a folder is refused", open, "GET", "/api/files/..%2fetc.dlg", "", "", nil, 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var r *http.Request
			if c.body != "" {
				r = httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
				r.Header.Set("Content-Type", "application/json")
			} else {
				r = httptest.NewRequest(c.method, c.path, nil)
			}
			r.Host = "127.0.0.1:8088"
			if c.host != "" {
				r.Host = c.host
			}
			for i := 0; i+1 < len(c.hdr); i += 2 {
				r.Header.Set(c.hdr[i], c.hdr[i+1])
			}
			w := httptest.NewRecorder()
			c.h.ServeHTTP(w, r)
			if w.Code != c.want {
				t.Fatalf("got %d %s, want %d", w.Code, w.Body.String(), c.want)
			}
		})
	}
	// A good login sets an HttpOnly, same-site cookie that then works.
	r := httptest.NewRequest("POST", "/api/login", strings.NewReader(`{"token":"s3cret"}`))
	r.Header.Set("Content-Type", "application/json")
	r.Host = "127.0.0.1"
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	cs := w.Result().Cookies()
	if w.Code != 200 || len(cs) != 1 || !cs[0].HttpOnly || cs[0].SameSite != http.SameSiteStrictMode {
		t.Fatalf("login: %d %+v", w.Code, cs)
	}
}

func TestLoopbackHost(t *testing.T) {
	cases := []struct {
		host string
		want bool
	}{
		{"127.0.0.1:8088", true},
		{"localhost", true},
		{"[::1]:80", true},
		{"127.1.2.3", true},
		{"0.0.0.0:8088", false}, // every interface is not loopback
		{":8088", false},
		{"10.0.0.1:8088", false},
		{"localhost.evil.example", false},
	}
	for _, c := range cases {
		if got := LoopbackHost(c.host); got != c.want {
			t.Errorf("LoopbackHost(%q) = %v, want %v", c.host, got, c.want)
		}
	}
}

type checkAnswer struct {
	Check struct {
		Diagnostics []struct {
			Severity, Code, File, Message string
			Line, Column                  int
		} `json:"diagnostics"`
		Errors int `json:"errors"`
	} `json:"check"`
	Saved, Formatted, Loaded bool
	Text                     string
}

// Ensure the buffer is checked with the rest of the directory, and a save formats, writes and
// reloads the simulator.
func TestCheckAndSave(t *testing.T) {
	dir := copyBank(t)
	h := newTestServer(t, testOptions(t, dir)).Handler()

	var a checkAnswer
	broken := "weiyin 1\n\nfaq faq_pension \"养老金\" {\n  examples {\n    \"养老金怎么领\"\n  }\n  answer \"请到社保网点办理。\"\n  start transfer\n}\n"
	call(t, h, "POST", "/api/check", jsonBody(bufferRequest{File: "pension.dlg", Text: broken}), &a)
	if a.Check.Errors == 0 || a.Check.Diagnostics[0].File != "pension.dlg" {
		t.Fatalf("a buffer with a syntax error checked clean or named another file: %+v", a.Check)
	}
	if _, err := os.Stat(filepath.Join(dir, "pension.dlg")); err == nil {
		t.Fatal("a check wrote the file")
	}

	messy := "weiyin 1\nfaq   faq_pension \"养老金\" {\nexamples {\n\"养老金怎么领\"\n\"养老金每个月几号发\"\n\"退休金什么时候到账\"\n\"怎么领取养老金\"\n\"养老金在哪里领\"\n}\nanswer \"请到社保网点办理。\"\n}\n"
	a = checkAnswer{}
	if code := call(t, h, "PUT", "/api/files/pension.dlg", jsonBody(map[string]string{"text": messy}), &a); code != 200 {
		t.Fatalf("save: %d", code)
	}
	if !a.Saved || !a.Formatted || !a.Loaded || a.Check.Errors != 0 {
		t.Fatalf("save answer %+v", a)
	}
	disk, _ := os.ReadFile(filepath.Join(dir, "pension.dlg"))
	if string(disk) != a.Text || !strings.Contains(string(disk), "\n  examples {\n    \"养老金怎么领\"") {
		t.Fatalf("the file on disk is not the formatted text:\n%s", disk)
	}
	var rep simReply
	call(t, h, "POST", "/api/sim", `{"text":"养老金每个月几号发","customer":"C001"}`, &rep)
	if rep.Intent != "faq_pension" {
		t.Fatalf("the simulator did not switch to the saved dialogs: %+v", rep.Reply)
	}

	// A save with a syntax error keeps the text as typed and the simulator on the last good bot.
	a = checkAnswer{}
	call(t, h, "PUT", "/api/files/pension.dlg", jsonBody(map[string]string{"text": broken}), &a)
	if !a.Saved || a.Formatted || a.Loaded || a.Check.Errors == 0 {
		t.Fatalf("broken save answer %+v", a)
	}
	if disk, _ := os.ReadFile(filepath.Join(dir, "pension.dlg")); string(disk) != broken {
		t.Fatal("a buffer that does not parse was not saved as typed")
	}
	rep = simReply{}
	call(t, h, "POST", "/api/sim", `{"text":"养老金每个月几号发","customer":"C001"}`, &rep)
	if rep.Intent != "faq_pension" {
		t.Fatalf("a broken save changed the simulator's bot: %+v", rep.Reply)
	}
}

// Ensure the simulator shows the debug panel: intent, runner-ups, the explanation, flow, step
// and the step's diagram node; and that the diagram marks the current step and coverage.
func TestSimulatorAndGraph(t *testing.T) {
	dir := copyBank(t)
	o := testOptions(t, dir)
	o.Replay = replaySuite(t, "transfer_")
	h := newTestServer(t, o).Handler()
	var rep simReply
	call(t, h, "POST", "/api/sim", `{"text":"帮我查一下余额","customer":"C001"}`, &rep)
	if rep.Intent != "balance" || rep.Confidence <= 0 || !strings.Contains(rep.Why, "balance") || rep.Explain == nil {
		t.Fatalf("balance turn: %+v", rep)
	}
	if len(rep.Texts) == 0 || !strings.Contains(strings.Join(rep.Texts, ""), "¥") {
		t.Fatalf("C001 is not bound in the simulator: %q", rep.Texts)
	}
	rep = simReply{}
	call(t, h, "POST", "/api/sim", `{"text":"我要转账","customer":"C001"}`, &rep)
	if rep.Flow != "transfer" || rep.Step == "" || rep.Node == "" {
		t.Fatalf("transfer turn: flow %q step %q node %q", rep.Flow, rep.Step, rep.Node)
	}
	if code := call(t, h, "POST", "/api/sim", `{"text":"你好","customer":"C999"}`, nil); code != 400 {
		t.Fatalf("an unknown customer: %d", code)
	}

	var g graphAnswer
	call(t, h, "GET", "/api/graph?flow=transfer&coverage=1&current="+rep.Step, "", &g)
	if !strings.Contains(g.Mermaid, "class "+rep.Node+" current") {
		t.Fatalf("the current step %s (%s) is not marked:\n%s", rep.Step, rep.Node, g.Mermaid)
	}
	if g.Coverage == nil || len(g.Coverage.Hit) == 0 || g.Coverage.Suite.Runs == 0 || !strings.Contains(g.Mermaid, " covered\n") {
		t.Fatalf("no coverage on the diagram: %+v", g.Coverage)
	}
	if code := call(t, h, "GET", "/api/graph?flow=nosuch", "", nil); code != 404 {
		t.Fatalf("an unknown flow: %d", code)
	}
}

// Ensure the review log turner logs what needs review, masked, once per message id.
func TestReviewTurner(t *testing.T) {
	replies := map[string]engine.Reply{
		"今天天气怎么样":            {Intent: "none", Confidence: 0.9},
		"卡号6217000012345678": {Intent: "none", Confidence: 0.8},
		"我要转账":               {Intent: "transfer", Confidence: 1, Flow: "transfer", Step: "payee"},
		"五百":                 {Intent: "none", Confidence: 0.9, Flow: "transfer", Step: "amount"},
		"好像要查点东西":            {Intent: "balance", Confidence: 0.4},
	}
	next := turnerFunc(func(_ context.Context, _ string, m engine.Message) (engine.Reply, error) { return replies[m.Text], nil })
	var buf bytes.Buffer
	rt := NewReviewTurner(next, &buf, "web", 0.6, func() time.Time { return testNow }, nil)
	cases := []struct {
		text, id string
		logged   bool
		why      string
	}{
		{"今天天气怎么样", "", true, "a fallback outside a flow needs review"},
		{"卡号6217000012345678", "m1", true, "digits are masked"},
		{"卡号6217000012345678", "m1", false, "a retry of the same message id is logged once"},
		{"我要转账", "", false, "an intent understood with confidence is not logged"},
		{"五百", "", false, "an answer to a flow's question is not an intent"},
		{"好像要查点东西", "", true, "low confidence needs review"},
	}
	for _, c := range cases {
		before := buf.Len()
		if _, err := rt.Turn(context.Background(), "u1", engine.Message{Text: c.text, ID: c.id}); err != nil {
			t.Fatal(err)
		}
		if got := buf.Len() > before; got != c.logged {
			t.Errorf("%s: logged %v, want %v", c.why, got, c.logged)
		}
	}
	if strings.Contains(buf.String(), "6217") || !strings.Contains(buf.String(), `"text":"卡号****************"`) {
		t.Fatalf("the card number was not masked:\n%s", buf.String())
	}
	var e ReviewEntry
	if err := json.Unmarshal([]byte(strings.SplitN(buf.String(), "\n", 2)[0]), &e); err != nil || e.Channel != "web" || !e.Time.Equal(testNow) {
		t.Fatalf("entry %+v %v", e, err)
	}
}

type turnerFunc func(context.Context, string, engine.Message) (engine.Reply, error)

func (f turnerFunc) Turn(ctx context.Context, u string, m engine.Message) (engine.Reply, error) {
	return f(ctx, u, m)
}

func TestGroupReview(t *testing.T) {
	at := func(m int) time.Time { return testNow.Add(time.Duration(m) * time.Minute) }
	es := []ReviewEntry{
		{Time: at(1), Text: "养老保险怎么交", Intent: "none"},
		{Time: at(2), Text: "养老保险怎么交", Intent: "none"},
		{Time: at(3), Text: "养老保险怎么交啊", Intent: "none"},
		{Time: at(4), Text: "今天天气怎么样", Intent: "none"},
		{Time: at(5), Text: "养老保险怎么交?", Intent: "faq_x"},
	}
	gs := groupReview(es)
	if len(gs) != 2 {
		t.Fatalf("want 2 groups (similar wordings together), got %d: %+v", len(gs), gs)
	}
	g := gs[0]
	if g.Text != "养老保险怎么交" || g.Count != 4 || len(g.Examples) != 3 || !g.Last.Equal(at(5)) {
		t.Fatalf("first group %+v", g)
	}
	if g.Intents[0] != (textCount{"none", 3}) {
		t.Fatalf("intents %+v", g.Intents)
	}
}

// Ensure a reviewed message becomes an example of the chosen intent through the formatter,
// with eval before and after, and that refusals change nothing.
func TestAddExample(t *testing.T) {
	dir := copyBank(t)
	evalFile := filepath.Join(t.TempDir(), "eval.tsv")
	os.WriteFile(evalFile, []byte("我想看看卡里还有几个钱剩下\tbalance\n我的余额\tbalance\n今天天气怎么样\tnone\n"), 0o644)
	o := testOptions(t, dir)
	o.EvalFile = evalFile
	h := newTestServer(t, o).Handler()
	orig, _ := os.ReadFile(filepath.Join(dir, "account.dlg"))

	cases := []struct {
		name string
		req  exampleRequest
		want int
	}{
		{"masked digits must be rewritten first", exampleRequest{Text: "转***块", Intent: "transfer"}, 400},
		{"an unknown intent is refused", exampleRequest{Text: "查钱", Intent: "nosuch"}, 400},
		{"an existing example is refused", exampleRequest{Text: "查余额", Intent: "balance"}, 409},
	}
	for _, c := range cases {
		if code := call(t, h, "POST", "/api/review/example", jsonBody(c.req), nil); code != c.want {
			t.Errorf("%s: %d, want %d", c.name, code, c.want)
		}
	}
	var ans exampleAnswer
	call(t, h, "POST", "/api/review/example", jsonBody(exampleRequest{Text: "我想看看卡里还有几个钱剩下", Intent: "balance", DryRun: true}), &ans)
	if ans.Saved || ans.File != "account.dlg" || !strings.Contains(ans.Diff, `+    "我想看看卡里还有几个钱剩下"`) {
		t.Fatalf("dry run: %+v", ans)
	}
	if now, _ := os.ReadFile(filepath.Join(dir, "account.dlg")); !bytes.Equal(now, orig) {
		t.Fatal("a dry run wrote the file")
	}
	ans = exampleAnswer{}
	call(t, h, "POST", "/api/review/example", jsonBody(exampleRequest{Text: "我想看看卡里还有几个钱剩下", Intent: "balance"}), &ans)
	if !ans.Saved || ans.Before == nil || ans.After == nil {
		t.Fatalf("apply: %+v", ans)
	}
	if ans.After.Correct < ans.Before.Correct {
		t.Fatalf("eval got worse: %d -> %d", ans.Before.Correct, ans.After.Correct)
	}
	now, _ := os.ReadFile(filepath.Join(dir, "account.dlg"))
	if !strings.Contains(string(now), "\n    \"我想看看卡里还有几个钱剩下\"\n") {
		t.Fatal("the example is not in the file")
	}
	if len(now) <= len(orig) {
		t.Fatal("the file did not grow")
	}
}

// Ensure the Ship tab relays the live server's /healthz.
func TestShip(t *testing.T) {
	live := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"status":"degraded","reload":{"stale":true,"refused":1}}`))
	}))
	defer live.Close()
	o := testOptions(t, copyBank(t))
	o.Server = live.URL
	h := newTestServer(t, o).Handler()
	var ans struct {
		Reachable bool
		Health    struct{ Status string }
	}
	call(t, h, "GET", "/api/ship", "", &ans)
	if !ans.Reachable || ans.Health.Status != "degraded" {
		t.Fatalf("%+v", ans)
	}
}
