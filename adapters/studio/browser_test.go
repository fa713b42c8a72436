package studio

import (
	"context"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/weiyin-bank/weiyin/adapters/web"
	"github.com/weiyin-bank/weiyin/dialogs"
	"github.com/weiyin-bank/weiyin/engine"
	"github.com/weiyin-bank/weiyin/engine/enginetest"
	"github.com/weiyin-bank/weiyin/intents"
)

var screenshots = flag.String("screenshots", "", "the browser test writes a PNG of each studio page into `DIR` (docs/img)")

// chromiumPath finds a Chromium the browser tests can drive, or skips the test.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	t.Skip("browser test skipped: no chromium on PATH (Debian: apt-get install chromium)")
	return ""
}

// browser starts a headless Chromium for the test; its tabs close with the test.
func browser(t *testing.T) context.Context {
	t.Helper()
	exe := chromiumPath(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox,
		chromedp.WindowSize(1440, 960), chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("lang", "zh-CN"))
	actx, cancelAlloc := chromedp.NewExecAllocator(t.Context(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Skipf("browser test skipped: %s does not start: %v", exe, err)
	}
	return ctx
}

// stepLimit ends a browser step that waits for something that never comes (a selector the
// page does not reach), so the test fails naming the step instead of hanging until go test's
// -timeout. It is not a performance assertion: steps take well under a second.
const stepLimit = 90 * time.Second

// typeIME types text as a Chinese input method does: a composition of pinyin, then the
// committed characters.
func typeIME(pinyin, text string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if pinyin != "" {
			n := int64(len(pinyin))
			if _, err := cdp.Call(ctx, t, input.ImeSetComposition, input.ImeSetCompositionParams{Text: pinyin, SelectionStart: n, SelectionEnd: n}); err != nil {
				return err
			}
		}
		_, err := cdp.Call(ctx, t, input.InsertText, input.InsertTextParams{Text: text})
		return err
	})
}

// inEditor waits for an element CodeMirror draws (its view is redrawn outside the DOM
// events chromedp's selectors follow, so this polls the page instead).
func inEditor(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Poll[bool](fmt.Sprintf(`document.querySelector(%q) !== null`, sel), chromedp.WithPollingTimeout(0))(ctx, t)
		return err
	})
}

// shot saves a screenshot of the page as DIR/studio-NAME.png when -screenshots is set.
func shot(name string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if *screenshots == "" {
			return nil
		}
		png, err := chromedp.CaptureScreenshot()(ctx, t)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(*screenshots, "studio-"+name+".png"), png, 0o644)
	})
}

// newIntent is an intent a staff member started: two examples, one fewer than the checker
// wants.
const newIntent = `weiyin 1

intent card_replace_fee "换卡费用" {
  examples {
    "换新卡要钱吗"
    "换卡收不收费"
  }
}

reply card_replace_fee "借记卡到期换卡免费;损坏或挂失补卡按柜台公告收取工本费。"
`

// reviewMessages are what customers said to a live bot, with how often: the review log is
// written by ReviewTurner over a real bot, as serve --review-log does.
var reviewMessages = []struct {
	text  string
	times int
}{
	{"账上还有银子没", 3},
	{"账上还有银子没啊", 1},
	{"钱包还鼓不鼓", 2},
	{"我的余额", 2}, // understood: not logged
}

// writeReviewLog runs reviewMessages through a sandbox bot wrapped in a ReviewTurner.
func writeReviewLog(t *testing.T, dialogDir, path string) {
	t.Helper()
	b, ds := dialogs.LoadFS(os.DirFS(dialogDir), ".")
	if b == nil {
		t.Fatal(ds.Err())
	}
	u, err := intents.New(b, intents.Options{})
	if err != nil {
		t.Fatal(err)
	}
	bot, closeBot, err := sandboxBot(t.Context(), t, &engine.Program{Bundle: b, NLU: u, Version: "live"}, enginetest.NewClock(testNow), "")
	if err != nil {
		t.Fatal(err)
	}
	defer closeBot()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rt := NewReviewTurner(bot, f, "wechat", 0, func() time.Time { return testNow }, func(err error) { t.Error(err) })
	n := 0
	for _, m := range reviewMessages {
		for range m.times {
			n++
			if _, err := rt.Turn(t.Context(), fmt.Sprintf("o_customer_%d", n), engine.Message{ID: strconv.Itoa(n), Text: m.text}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// liveServer is a serve's /healthz whose last reload was refused: dialogDir with a broken
// edit, as watchDialogs reports it.
func liveServer(t *testing.T, dialogDir string) *httptest.Server {
	t.Helper()
	broken := t.TempDir()
	for _, n := range []string{"00-common.dlg", "account.dlg"} {
		src := mustRead(t, filepath.Join(dialogDir, n))
		if n == "account.dlg" { // an intent left open
			src += "\nintent balance_more {\n  examples {\n    \"还有多少钱\"\n"
		}
		if err := os.WriteFile(filepath.Join(broken, n), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, ds := dialogs.LoadFS(os.DirFS(broken), ".")
	if !ds.HasErrors() {
		t.Fatal("the broken edit checks clean")
	}
	st := &web.ReloadStatus{}
	st.Loaded("3f2a9c1d0b7e", testNow)
	st.Refused(ds.Err(), testNow.Add(time.Minute))
	srv := httptest.NewServer(web.HealthzReload(nil, st))
	t.Cleanup(srv.Close)
	return srv
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Ensure staff can do in a real browser what the studio is for: type a Chinese example and
// see the checker's warning go, save through the formatter; chat and see the intent and the
// flow's current step; open a flow diagram with coverage; turn a reviewed message into an
// example and see eval improve; see a live server's refused edit.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped with -short")
	}
	ctx := browser(t)
	dir := copyBank(t)
	if err := os.WriteFile(filepath.Join(dir, "zz-new.dlg"), []byte(newIntent), 0o644); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	reviewLog := filepath.Join(tmp, "review.jsonl")
	writeReviewLog(t, dir, reviewLog)
	evalFile := filepath.Join(tmp, "eval.tsv")
	os.WriteFile(evalFile, []byte("账上还有银子没\tbalance\n账上还有银子吗\tbalance\n我的余额\tbalance\n我要转账\ttransfer\n今天天气怎么样\tnone\n"), 0o644)
	o := testOptions(t, dir)
	o.EvalFile, o.ReviewLog, o.Replay, o.Server = evalFile, reviewLog, replaySuite(t, "transfer_"), liveServer(t, dir).URL
	srv := httptest.NewServer(newTestServer(t, o).Handler())
	defer srv.Close()

	do := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		t.Log(step)
		sctx, cancel := context.WithTimeout(ctx, stepLimit)
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(sel))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return v
	}
	attr := func(sel, name string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.AttributeValue(sel, name))
		if err != nil || !v.Exists {
			t.Fatalf("attribute %s of %s: %v", name, sel, err)
		}
		return v.Value
	}
	const tooFew = `#problems [data-code="too-few-examples"]`
	do("open the studio", chromedp.Navigate(srv.URL), chromedp.WaitVisible(`body[data-ready="1"]`))

	// Edit: the new intent has one example too few; typing a third, in Chinese through the IME,
	// clears the warning; saving formats and writes the file.
	do("open the new file",
		chromedp.SetValue(`#file-list`, "zz-new.dlg"),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`document.querySelector("#file-list").dispatchEvent(new Event("change"))`)(ctx, tg)
			return err
		}),
		chromedp.WaitVisible(tooFew), inEditor(`.cm-lintRange-warning`), inEditor(`.cm-lint-marker-warning`), shot("edit-warning"))
	cursor, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const v = window.studioEditor, s = v.state.doc.toString();
		const line = '"换卡收不收费"', at = s.indexOf(line);
		v.dispatch({ selection: { anchor: at + line.length } }); v.focus(); return at > 0; })()`))
	if err != nil || !cursor {
		t.Fatalf("the example line is not in the editor (%v)", err)
	}
	do("type a third example",
		typeIME("", "\n"), chromedp.KeyEvent(`"`), typeIME("huanka", "换卡手续费多少"), chromedp.KeyEvent(`"`),
		chromedp.WaitNotPresent(tooFew))
	do("save", chromedp.Click(`#save`), chromedp.WaitVisible(`#save-status.saved`), shot("edit"))
	if disk := mustRead(t, filepath.Join(dir, "zz-new.dlg")); !strings.Contains(disk, "    \"换卡手续费多少\"\n") {
		t.Fatalf("the example is not saved formatted; the file is\n%s", disk)
	}
	if status := text(`#save-status`); !strings.Contains(status, "试聊已用新版本") {
		t.Fatalf("save status %q: the simulator did not load the saved files", status)
	}

	// Try: each message shows its intent; a flow's message shows the flow's diagram with the
	// current step.
	for _, c := range []struct{ text, intent, flow string }{
		{"我的余额", "balance", ""},
		{"换卡手续费多少", "card_replace_fee", ""}, // the intent saved above
		{"我要转账", "transfer", "transfer"},
	} {
		sel := fmt.Sprintf(`#dbg-intent[data-text=%q]`, c.text)
		do("chat "+c.text, chromedp.Focus(`#chat-input`), typeIME("", c.text), chromedp.Click(`#chat-form button`), chromedp.WaitVisible(sel))
		if got := text(sel); got != c.intent {
			t.Errorf("%s: the debug panel shows intent %q, want %q", c.text, got, c.intent)
		}
		if c.flow != "" {
			do("the simulator's diagram", chromedp.WaitVisible(`#sim-flow svg g.current`))
		}
	}
	do("screenshot", shot("try"))

	// See: the diagram tab opens on the simulator's flow, marks its current step and, asked
	// for, the transcript suite's coverage.
	do("open the diagram", chromedp.Click(`#tabs button[data-tab="see"]`), chromedp.WaitVisible(`#diagram svg g.current`))
	flow, err := chromedp.Run(ctx, chromedp.Value(`#flow-list`))
	if err != nil || flow != "transfer" {
		t.Errorf("the diagram tab shows flow %q (%v), want transfer", flow, err)
	}
	do("coverage", chromedp.Click(`#show-coverage`), chromedp.WaitVisible(`#diagram svg g.covered`), shot("see"))
	if cov := text(`#coverage-summary`); !strings.Contains(cov, "等待步骤覆盖") {
		t.Errorf("coverage summary %q", cov)
	}

	// Review: the grouped messages; one becomes an example of balance, and eval improves.
	const row = `#review-table tr[data-text="账上还有银子没"]`
	do("review", chromedp.Click(`#tabs button[data-tab="review"]`), chromedp.WaitVisible(row))
	if n := text(row + ` td:nth-child(2)`); n != "4" {
		t.Errorf("the group of 账上还有银子没 counts %s messages, want 4 (3 + its variant)", n)
	}
	do("add the example", chromedp.SetValue(row+` select`, "balance"), chromedp.Click(row+` .add-example`), chromedp.WaitVisible(`#eval-delta`), shot("review"))
	before := attr(`#eval-side > div:nth-child(1) .eval-accuracy`, "data-correct")
	after := attr(`#eval-side > div:nth-child(2) .eval-accuracy`, "data-correct")
	if atoi(before) >= atoi(after) {
		t.Errorf("eval correct before %s, after %s: adding the example did not improve eval", before, after)
	}
	if !strings.Contains(mustRead(t, filepath.Join(dir, "account.dlg")), "\"账上还有银子没\"") {
		t.Error("the example is not in account.dlg")
	}

	// Ship: the live server's refused edit with its diagnostics.
	do("ship", chromedp.Click(`#tabs button[data-tab="ship"]`), chromedp.WaitVisible(`#ship-status.degraded`),
		chromedp.WaitVisible(`#ship .problems .error`), shot("ship"))
	if ship := text(`#ship`); !strings.Contains(ship, "account.dlg") {
		t.Errorf("the refused edit's diagnostics do not name the file: %q", ship)
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// Ensure a studio with a token asks for it in the page and opens once it is given.
func TestBrowserLogin(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped with -short")
	}
	ctx := browser(t)
	o := testOptions(t, copyBank(t))
	o.Token = "s3cret-token"
	srv := httptest.NewServer(newTestServer(t, o).Handler())
	defer srv.Close()
	for _, st := range []struct {
		name string
		do   []chromedp.Action[chromedp.Void]
	}{
		{"the page asks for the token", []chromedp.Action[chromedp.Void]{chromedp.Navigate(srv.URL), chromedp.WaitVisible(`#login-token`), shot("login")}},
		{"a wrong token is refused", []chromedp.Action[chromedp.Void]{chromedp.SendKeys(`#login-token`, "wrong"), chromedp.Click(`#login-form button`), chromedp.WaitVisible(`#login-error:not(:empty)`)}},
		{"the right token opens the studio", []chromedp.Action[chromedp.Void]{chromedp.SetValue(`#login-token`, o.Token), chromedp.Click(`#login-form button`), chromedp.WaitVisible(`body[data-ready="1"]`)}},
	} {
		t.Log(st.name)
		sctx, cancel := context.WithTimeout(ctx, stepLimit)
		err := chromedp.Do(sctx, st.do...)
		cancel()
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
	}
}
