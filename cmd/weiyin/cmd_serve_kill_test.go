package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weiyin-bank/weiyin/adapters/wechat/wechattest"
)

// startServeProcess runs `weiyin serve` as a child process (the test binary, which TestMain
// turns into weiyin when argv[0] is "weiyin") and waits until /healthz answers.
func startServeProcess(t *testing.T, data, api string, extra ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd, url := launchServeProcess(t, data, api, extra...)
	waitHealthy(t, url+"/healthz")
	return cmd, url
}

// launchServeProcess starts `weiyin serve` as a child process without waiting for it.
func launchServeProcess(t *testing.T, data, api string, extra ...string) (*exec.Cmd, string) {
	t.Helper()
	addr := freeAddr(t)
	args := []string{"serve", "--addr", addr, "--data", data, "--wechat-api", api, "--log-level", "error"}
	if !slices.Contains(extra, "--bank-url") {
		args = append(args, "--sandbox") // the demo customers, with WeChat credentials set
	}
	cmd := exec.Command(os.Args[0], append(args, extra...)...)
	cmd.Args[0] = "weiyin"
	cmd.Env = append(os.Environ(), "WEIYIN_WECHAT_APPID="+srvAppID, "WEIYIN_WECHAT_TOKEN="+srvToken,
		"WEIYIN_WECHAT_AESKEY="+srvAESKey, "WEIYIN_WECHAT_SECRET="+srvSecret, "WEIYIN_NOTIFY_TOKEN="+srvNotify,
		"WEIYIN_NOTIFY_RATE=2000", "WEIYIN_NOTIFY_BURST=2000")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, "http://" + addr
}

// freeAddr returns a loopback address nobody listens on at the moment.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// waitHealthy waits until url answers 200: a server started by the test is up. Under the
// race detector a serve process takes about 30 s to build its NLU on this machine's 2 cores,
// several at once longer.
func waitHealthy(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(4 * time.Minute)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never answered", url)
}

// Ensure that killing weiyin serve (SIGKILL) under load and restarting it loses no accepted
// notification and no committed turn: every 202 is delivered after the restart, and every chat
// turn that was answered is answered identically when retried with its id.
func TestServeKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two server processes")
	}
	api := wechattest.NewFakeAPI(srvAppID, srvSecret)
	defer api.Close()
	api.SetSendDelay(20 * time.Millisecond) // keep a backlog in the queue when the kill lands
	data := t.TempDir()
	cmd, url := startServeProcess(t, data, api.URL())

	var mu sync.Mutex
	accepted := map[string]bool{}
	answered := map[string]map[string]any{} // chat id -> reply
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				id := fmt.Sprintf("k%d-%d", w, i)
				if code, _ := tryJSON("POST", url+"/api/notify", srvNotify,
					`{"id":"`+id+`","openid":"o_demo_1","template_id":"TPL","data":{"n":"`+id+`"}}`); code == 202 {
					mu.Lock()
					accepted[id] = true
					mu.Unlock()
				}
				body := fmt.Sprintf(`{"user":"o_kill_%d","text":"我的余额","id":"%s"}`, w, id)
				if code, out := tryJSON("POST", url+"/api/chat", "", body); code == 200 {
					mu.Lock()
					answered[body] = out
					mu.Unlock()
				}
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	close(stop)
	wg.Wait()
	delivered := len(api.Templates())
	t.Logf("before the kill: %d notifications accepted, %d delivered; %d chat turns answered", len(accepted), delivered, len(answered))
	if len(accepted) == 0 || len(answered) == 0 {
		t.Fatal("no load reached the server before the kill")
	}

	api.SetSendDelay(0)
	_, url = startServeProcess(t, data, api.URL())
	got := func() map[string]bool {
		m := map[string]bool{}
		for _, tpl := range api.Templates() {
			m[tpl.ClientMsgID] = true
		}
		return m
	}
	if !api.WaitFor(30*time.Second, func() bool {
		g := got()
		for id := range accepted {
			if !g[id] {
				return false
			}
		}
		return true
	}) {
		g := got()
		var lost []string
		for id := range accepted {
			if !g[id] {
				lost = append(lost, id)
			}
		}
		t.Errorf("%d accepted notifications never delivered, e.g. %v", len(lost), lost[:min(5, len(lost))])
	}
	for body, want := range answered {
		code, again := tryJSON("POST", url+"/api/chat", "", body)
		if code != 200 || !reflect.DeepEqual(again, want) {
			t.Errorf("committed turn %s: after restart %d %v, want %v", body, code, again, want)
		}
	}
	t.Logf("after the restart: %d template sends in all for %d accepted", len(api.Templates()), len(accepted))
}

// tryJSON is doJSON without failing the test on transport errors (the server is being killed).
func tryJSON(method, url, auth, body string) (int, map[string]any) {
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return 0, nil // cut off mid-answer: not answered
	}
	return resp.StatusCode, out
}
