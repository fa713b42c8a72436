// Command loadtest fires WeChat message pushes, signed and (in safe mode) encrypted exactly as
// WeChat's servers send them, at a /wechat endpoint with N simulated users, for a bounded
// count and time, and prints throughput, latency percentiles and errors.
//
// Each simulated user is a closed loop: it sends a message, waits for the reply, checks it
// (HTTP 200, the reply's MsgSignature verifies, it decrypts for the account and is addressed
// to that user, or is "success"), then sends the next.
//
//	loadtest -url http://127.0.0.1:8080/wechat -token T -appid A -aeskey K -users 1000 -n 30000 -duration 30s
//
// With -fake, it first starts an in-process endpoint with an instant scripted bot on
// 127.0.0.1 and targets that, to measure the channel alone.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/weiyin-bank/weiyin/adapters/wechat"
	"github.com/weiyin-bank/weiyin/adapters/wechat/wechattest"
	"github.com/weiyin-bank/weiyin/engine"
)

type options struct {
	url, token, appID, aesKey string
	users, n                  int
	rate                      float64
	duration, timeout, ramp   time.Duration
	texts                     string
	fake                      bool
	listen                    string
}

func main() {
	var o options
	flag.StringVar(&o.url, "url", "http://127.0.0.1:8080/wechat", "the /wechat endpoint")
	flag.StringVar(&o.token, "token", os.Getenv("WEIYIN_WECHAT_TOKEN"), "WeChat token (default $WEIYIN_WECHAT_TOKEN)")
	flag.StringVar(&o.appID, "appid", os.Getenv("WEIYIN_WECHAT_APPID"), "AppID (default $WEIYIN_WECHAT_APPID)")
	flag.StringVar(&o.aesKey, "aeskey", os.Getenv("WEIYIN_WECHAT_AESKEY"), "EncodingAESKey; empty = plaintext mode (default $WEIYIN_WECHAT_AESKEY)")
	flag.IntVar(&o.users, "users", 1000, "simulated users (openids o_load_0000...)")
	flag.Float64Var(&o.rate, "rate", 0, "offered load in messages/s, spread over the users (0: every user sends as fast as its replies come back)")
	flag.IntVar(&o.n, "n", 30000, "messages to send in all (bound)")
	flag.DurationVar(&o.duration, "duration", 30*time.Second, "stop sending after this long (bound)")
	flag.DurationVar(&o.ramp, "ramp", time.Second, "start the users evenly over this long (connections are opened gradually)")
	flag.DurationVar(&o.timeout, "timeout", 5*time.Second, "per-request timeout (WeChat's is 5s)")
	flag.StringVar(&o.texts, "texts", "你好|我的余额|最近的明细|附近的网点|信用卡账单|积分还有多少|谢谢", "message texts, |-separated, sent in turn")
	flag.BoolVar(&o.fake, "fake", false, "serve an in-process endpoint with an instant fake bot and target it")
	flag.StringVar(&o.listen, "listen", "", "only serve the fake endpoint on this address (to load it from another process)")
	flag.Parse()
	if o.listen != "" {
		if err := listenFake(o); err != nil {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

// result is the outcome of a run.
type result struct {
	sent, ok, async int64
	errs            map[string]int64
	lat             []time.Duration
	elapsed         time.Duration
}

func run(o options, out io.Writer) error {
	if o.fake {
		if o.token == "" {
			o.token, o.appID = "loadtoken", "wxload000000000001"
			if o.aesKey == "" {
				o.aesKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
			}
		}
		url, stop, err := serveFake(o)
		if err != nil {
			return err
		}
		defer stop()
		o.url = url
	}
	if o.token == "" || o.users <= 0 || o.n <= 0 {
		return errors.New("need -token, -users > 0 and -n > 0")
	}
	signer, err := wechattest.NewSigner(o.token, o.appID, o.aesKey)
	if err != nil {
		return err
	}
	res := load(o, signer)
	report(out, o, res)
	if len(res.errs) > 0 {
		return fmt.Errorf("%d errors", sum(res.errs))
	}
	return nil
}

func load(o options, signer *wechattest.Signer) result {
	tr := &http.Transport{MaxIdleConns: o.users + 16, MaxIdleConnsPerHost: o.users + 16, IdleConnTimeout: time.Minute,
		DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext}
	client := &http.Client{Transport: tr, Timeout: o.timeout}
	defer tr.CloseIdleConnections()
	texts := strings.Split(o.texts, "|")
	ctx, cancel := context.WithTimeout(context.Background(), o.duration)
	defer cancel()

	var budget atomic.Int64
	budget.Store(int64(o.n))
	base := time.Now().UnixNano() / 1000
	var seq atomic.Int64
	var mu sync.Mutex
	res := result{errs: map[string]int64{}}
	var wg sync.WaitGroup
	tokens := pace(ctx, o.rate)
	start := time.Now()
	for u := range o.users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if o.ramp > 0 {
				time.Sleep(o.ramp * time.Duration(u) / time.Duration(o.users))
			}
			user := fmt.Sprintf("o_load_%04d", u)
			var lat []time.Duration
			var ok, async, sent int64
			errs := map[string]int64{}
			for i := 0; ctx.Err() == nil && budget.Add(-1) >= 0; i++ {
				if tokens != nil {
					select {
					case <-tokens:
					case <-ctx.Done():
						continue
					}
				}
				id := base + seq.Add(1)
				m := wechattest.Msg{To: "gh_load", From: user, CreateTime: time.Now().Unix(), Type: "text",
					Content: texts[(u+i)%len(texts)], MsgID: id}
				t0 := time.Now()
				kind := push(client, signer, o.url, m)
				lat = append(lat, time.Since(t0))
				sent++
				switch kind {
				case "":
					ok++
				case "success":
					ok++
					async++
				default:
					errs[kind]++
				}
			}
			mu.Lock()
			res.sent += sent
			res.ok += ok
			res.async += async
			res.lat = append(res.lat, lat...)
			for k, v := range errs {
				res.errs[k] += v
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

// pace returns a channel that yields rate tokens a second (nil for no pacing): with a rate,
// the load is open: users send when a token comes, as many real users would, whatever the
// server's latency.
func pace(ctx context.Context, rate float64) <-chan struct{} {
	if rate <= 0 {
		return nil
	}
	ch := make(chan struct{}, int(rate)+1)
	go func() {
		const tick = time.Millisecond
		t := time.NewTicker(tick)
		defer t.Stop()
		start, sent := time.Now(), 0
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-t.C:
				due := int(rate * now.Sub(start).Seconds())
				for ; sent < due; sent++ {
					select {
					case ch <- struct{}{}:
					default: // every user is busy: the token is dropped, as a real user would wait
					}
				}
			}
		}
	}()
	return ch
}

// push sends one message and classifies the outcome: "" a text reply, "success", or an error
// kind.
func push(c *http.Client, s *wechattest.Signer, url string, m wechattest.Msg) string {
	req, err := s.Request(url, m.XML(), m.CreateTime, fmt.Sprint(m.MsgID%1000000007), m.From)
	if err != nil {
		return "request"
	}
	resp, err := c.Do(req)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return "timeout"
		}
		sampleErr.CompareAndSwap(nil, err.Error())
		return "transport"
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return "read"
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Sprintf("http-%d", resp.StatusCode)
	}
	rep, err := s.Open(body)
	switch {
	case err != nil:
		return "bad-reply"
	case rep.Success:
		return "success"
	case rep.To != m.From || rep.Text == "":
		return "wrong-reply"
	case rep.Text == wechat.DefaultBusy:
		return "busy"
	}
	return ""
}

// sampleErr keeps the first transport error's text for the report.
var sampleErr atomic.Value

func sum(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

func pct(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p)
	return sorted[i]
}

func report(w io.Writer, o options, r result) {
	sort.Slice(r.lat, func(i, j int) bool { return r.lat[i] < r.lat[j] })
	mode := "plaintext"
	if o.aesKey != "" {
		mode = "safe (AES)"
	}
	fmt.Fprintf(w, "target      %s (%s mode), %d users\n", o.url, mode, o.users)
	fmt.Fprintf(w, "sent        %d in %.2fs\n", r.sent, r.elapsed.Seconds())
	fmt.Fprintf(w, "throughput  %.0f msg/s\n", float64(r.sent)/r.elapsed.Seconds())
	fmt.Fprintf(w, "replies     %d ok (%d answered \"success\", i.e. deferred)\n", r.ok, r.async)
	fmt.Fprintf(w, "latency     p50 %s  p90 %s  p99 %s  max %s\n", round(pct(r.lat, .5)), round(pct(r.lat, .9)),
		round(pct(r.lat, .99)), round(pct(r.lat, 1)))
	if len(r.errs) == 0 {
		fmt.Fprintln(w, "errors      0")
		return
	}
	keys := make([]string, 0, len(r.errs))
	for k := range r.errs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%d", k, r.errs[k]))
	}
	fmt.Fprintf(w, "errors      %d (%s)\n", sum(r.errs), strings.Join(parts, " "))
	if e, ok := sampleErr.Load().(string); ok {
		fmt.Fprintf(w, "first transport error: %s\n", e)
	}
}

func round(d time.Duration) time.Duration {
	switch {
	case d > time.Second:
		return d.Round(time.Millisecond)
	case d > time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

// instant is a fake bot that answers at once.
type instant struct{}

func (instant) Turn(_ context.Context, user string, m engine.Message) (engine.Reply, error) {
	return engine.Reply{Texts: []string{"收到：" + m.Text}, Intent: "greet", Confidence: 1}, nil
}

// serveFake starts an in-process /wechat endpoint with the instant bot on 127.0.0.1.
func serveFake(o options) (string, func(), error) {
	return startFake(o, "127.0.0.1:0")
}

// listenFake serves the fake endpoint on o.listen until the process is stopped.
func listenFake(o options) error {
	url, _, err := startFake(o, o.listen)
	if err != nil {
		return err
	}
	fmt.Println("serving", url)
	select {}
}

func startFake(o options, addr string) (string, func(), error) {
	h, err := wechat.NewHandler(wechat.Options{Config: wechat.Config{AppID: o.appID, Token: o.token, AESKey: o.aesKey},
		Turner: instant{}})
	if err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String() + "/wechat", func() { srv.Close() }, nil
}
