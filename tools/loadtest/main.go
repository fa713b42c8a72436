// Command loadtest fires WeChat message pushes, signed and (in safe mode) encrypted exactly as
// WeChat's servers send them, at a /wechat endpoint with N simulated users, for a bounded
// count and time, and prints throughput, latency percentiles and errors.
//
// Every request is built before the timed phase (a load generator must not spend the CPU it
// measures on its own crypto): each is a distinct MsgId from one of the users, with its own
// random nonce and AES prefix, signed and sealed; the server still verifies, decrypts and turns
// every one. The -n messages are shared evenly among the users. Prebuilt requests carry the
// time they were built, and WeChat endpoints refuse timestamps older than 5 minutes, so
// -duration is capped at 4 minutes.
//
// Each simulated user sends a message and waits for the reply before the next (with -rate,
// when a token of the offered load comes), over a keep-alive connection of its own, or with
// -conns over one of a set the users share (WeChat's servers, not its users, connect to an
// endpoint). Every reply is checked, after the timed phase: HTTP 200, and either "success" or
// a reply addressed to that user with a text; in safe mode its MsgSignature must verify and it
// must decrypt for the account. Anything else (timeouts, 403, 5xx, malformed or wrongly signed
// replies) is counted as an error. -fixture writes a sandbox fixture that binds the users to
// bank customers.
//
// Two lines say what the machine did meanwhile: a cpu check (a fixed piece of one core's work,
// timed before and after the timed phase: shared virtual machines have slow spells) and, from
// a weiyin server's /metrics, how many of its session log's group commits took over 50 ms (a
// slow disk holds every turn of the group).
//
//	loadtest -url http://127.0.0.1:8080/wechat -token T -appid A -aeskey K -users 1000 -n 30000 -duration 30s
//
// With -fake, it first starts an in-process endpoint with an instant scripted bot on
// 127.0.0.1 and targets that, to measure the channel alone.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"sort"
	"strconv"
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
	sticky                    bool
	users, n                  int
	rate                      float64
	duration, timeout, ramp   time.Duration
	texts                     string
	fake                      bool
	listen                    string
	cpuProfile                string
	timeline                  bool
	procs                     int
	fixture                   string
	conns                     int
	wait                      time.Duration
}

func main() {
	var o options
	// A flag set of its own: the global one also holds a -dir flag that the OpenCC library
	// registers, which is not the load tool's.
	fs := flag.NewFlagSet("loadtest", flag.ExitOnError)
	fs.StringVar(&o.url, "url", "http://127.0.0.1:8080/wechat", "the /wechat endpoint; several, comma-separated, with the same path, to spread every user's messages over instances at random")
	fs.BoolVar(&o.sticky, "sticky", false, "with several -url, send each user's messages to one instance (as a balancer hashing the openid does) instead of at random")
	fs.StringVar(&o.token, "token", os.Getenv("WEIYIN_WECHAT_TOKEN"), "WeChat token (default $WEIYIN_WECHAT_TOKEN)")
	fs.StringVar(&o.appID, "appid", os.Getenv("WEIYIN_WECHAT_APPID"), "AppID (default $WEIYIN_WECHAT_APPID)")
	fs.StringVar(&o.aesKey, "aeskey", os.Getenv("WEIYIN_WECHAT_AESKEY"), "EncodingAESKey; empty = plaintext mode (default $WEIYIN_WECHAT_AESKEY)")
	fs.IntVar(&o.users, "users", 1000, "simulated users (openids o_load_0000...)")
	fs.Float64Var(&o.rate, "rate", 0, "offered load in messages/s, spread over the users (0: every user sends as fast as its replies come back)")
	fs.IntVar(&o.n, "n", 30000, "messages to send in all (bound)")
	fs.DurationVar(&o.duration, "duration", 30*time.Second, "stop sending after this long (bound; at most 4m, as requests are prebuilt)")
	fs.DurationVar(&o.ramp, "ramp", time.Second, "start the users evenly over this long (connections are opened gradually)")
	fs.DurationVar(&o.wait, "wait", 30*time.Second, "wait this long for the target to accept connections (a server just started), then give up")
	fs.DurationVar(&o.timeout, "timeout", 5*time.Second, "per-request timeout (WeChat's is 5s)")
	fs.StringVar(&o.texts, "texts", "你好|我的余额|最近的明细|附近的网点|信用卡账单|积分还有多少|谢谢", "message texts, |-separated, sent in turn")
	fs.BoolVar(&o.fake, "fake", false, "serve an in-process endpoint with an instant fake bot and target it")
	fs.StringVar(&o.listen, "listen", "", "only serve the fake endpoint on this address (to load it from another process)")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write the load tool's own CPU profile of the timed phase to this file")
	fs.BoolVar(&o.timeline, "timeline", false, "also print, for every second of the run, the messages sent and their latency percentiles")
	fs.IntVar(&o.procs, "procs", 1, "GOMAXPROCS of the load tool: one P spares the server the CPU that idle Ps spend spinning and waking each other (0: Go's default)")
	fs.IntVar(&o.conns, "conns", 0, "keep-alive connections the users share, as WeChat's servers connect for them (0: one per user)")
	fs.StringVar(&o.fixture, "fixture", "", "only write a sandbox fixture binding the -users simulated users to bank customers (for weiyin serve --fixture) and exit")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `usage: loadtest [flags]

Sends WeChat pushes as WeChat does, from -users simulated users, -n in all, all built (signed
and, in safe mode, encrypted) before the timed phase. Every reply is checked: HTTP 200, then
"success" or a text addressed to its user whose MsgSignature verifies and which decrypts for
the account. Timeouts, transport errors, non-200 statuses (403, 5xx...) and malformed or
wrongly signed replies count as errors.

`)
		fs.PrintDefaults()
	}
	_ = fs.Parse(os.Args[1:])
	if o.procs > 0 {
		runtime.GOMAXPROCS(o.procs)
	}
	if o.fixture != "" {
		if err := writeFixture(o.fixture, o.users); err != nil {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
			os.Exit(1)
		}
		return
	}
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
	sentAt          []time.Duration // when each request of lat was sent, from the start
	elapsed         time.Duration
	// speedBefore and speedAfter are speedCheck's figures (0 when not taken).
	speedBefore, speedAfter time.Duration
	// commits and slowCommits are the server's groups of turns logged during the run and those
	// over 50 ms (0 when it is not a weiyin server).
	commits, slowCommits float64
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
	if o.duration > MaxDuration {
		return fmt.Errorf("-duration %s: at most %s (prebuilt requests would carry stale timestamps)", o.duration, MaxDuration)
	}
	signer, err := wechattest.NewSigner(o.token, o.appID, o.aesKey)
	if err != nil {
		return err
	}
	per, err := prepare(o, signer)
	if err != nil {
		return err
	}
	targets := strings.Split(o.url, ",")
	for _, t := range targets {
		if err := awaitTarget(t, o.wait); err != nil {
			return err
		}
	}
	before, err := speedCheck()
	if err != nil {
		return err
	}
	groups0, slow0, haveCommits := commitCounts(targets)
	stopProfile, err := startProfile(o.cpuProfile)
	if err != nil {
		return err
	}
	res := load(o, signer, targets, per)
	stopProfile()
	if groups1, slow1, ok := commitCounts(targets); ok && haveCommits {
		res.commits, res.slowCommits = groups1-groups0, slow1-slow0
	}
	if res.speedAfter, err = speedCheck(); err != nil {
		return err
	}
	res.speedBefore = before
	report(out, o, res)
	if len(res.errs) > 0 {
		return fmt.Errorf("%d errors", sum(res.errs))
	}
	return nil
}

// startProfile starts the load tool's CPU profile into path ("" for none) and returns what
// stops it: the profile covers the timed phase only.
func startProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("-cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("-cpuprofile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// awaitTarget waits up to d for the target's host to accept a TCP connection, so that a load
// started with the server it measures does not count the server's start-up as errors.
func awaitTarget(target string, d time.Duration) error {
	addr, err := hostPort(target)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(d)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			return conn.Close()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s does not accept connections after %s: %w", addr, d, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// hostPort is the address to dial for target.
func hostPort(target string) (string, error) {
	u, err := url.Parse(target)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("-url %q: want http://host:port/path", target)
	}
	if u.Port() == "" {
		return net.JoinHostPort(u.Hostname(), "80"), nil
	}
	return u.Host, nil
}

// MaxDuration bounds -duration: prebuilt requests carry the time they were built, and WeChat
// endpoints refuse timestamps older than 5 minutes.
const MaxDuration = 4 * time.Minute

// prepare builds every request of the run before it starts, as the raw HTTP/1.1 bytes to
// write: the n messages shared evenly among the users, each a distinct MsgId with its own
// random nonce and AES prefix. per[u] are user u's requests, in order.
// With several targets the requests name the first one's host: the instances behind them
// serve the same path and do not look at Host.
func prepare(o options, s *wechattest.Signer) (per [][][]byte, err error) {
	first, _, _ := strings.Cut(o.url, ",")
	u, err := url.Parse(first)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("-url %q: want http://host:port/path", first)
	}
	texts := strings.Split(o.texts, "|")
	now := time.Now()
	base := now.UnixNano() / 1000
	var rnd [24]byte // AES prefix and nonce
	per = make([][][]byte, o.users)
	for i := range per {
		user := userID(i)
		quota := o.n / o.users
		if i < o.n%o.users {
			quota++
		}
		per[i] = make([][]byte, quota)
		for k := range per[i] {
			if _, err := rand.Read(rnd[:]); err != nil {
				return nil, fmt.Errorf("random: %w", err)
			}
			// WeChat numbers messages in the order they arrive, across users: user i's k-th
			// message is sent after every user's (k-1)-th.
			id := base + int64(k*o.users+i) + 1
			m := wechattest.Msg{To: "gh_load", From: user, CreateTime: now.Unix(), Type: "text",
				Content: texts[(i+k)%len(texts)], MsgID: id}
			nonce := strconv.FormatUint(binary.LittleEndian.Uint64(rnd[16:])%1e10, 10)
			body, q := s.Body(m.XML(), rnd[:16], now.Unix(), nonce, user)
			target := *u
			if target.RawQuery != "" {
				target.RawQuery += "&"
			}
			target.RawQuery += q.Encode()
			per[i][k] = fmt.Appendf(nil, "POST %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: weiyin-loadtest\r\n"+
				"Content-Type: text/xml\r\nContent-Length: %d\r\n\r\n%s", target.RequestURI(), u.Host, len(body), body)
		}
	}
	return per, nil
}

// client is one simulated user's keep-alive HTTP/1.1 connection, driven by hand: the prebuilt
// request is written as it is and the response read with net/http's own parser
// (http.ReadResponse). net/http's Transport spends two goroutines and their hand-offs on every
// request, as much CPU as all the rest of the load tool.
type client struct {
	addr    string
	timeout time.Duration
	conn    net.Conn
	br      *bufio.Reader
	body    bytes.Buffer
}

// roundTrip sends one request and returns the status and body (valid until the next call).
// Any failure closes the connection, and the next request dials a new one; it is not retried.
func (c *client) roundTrip(raw []byte) (int, []byte, error) {
	if c.conn == nil {
		conn, err := net.DialTimeout("tcp", c.addr, c.timeout)
		if err != nil {
			return 0, nil, err
		}
		c.conn = conn
		if c.br == nil {
			c.br = bufio.NewReaderSize(conn, 4096)
		} else {
			c.br.Reset(conn)
		}
	}
	status, err := c.exchange(raw)
	if err != nil {
		c.close()
	}
	return status, c.body.Bytes(), err
}

func (c *client) exchange(raw []byte) (int, error) {
	if err := c.conn.SetDeadline(time.Now().Add(c.timeout)); err != nil {
		return 0, err
	}
	if _, err := c.conn.Write(raw); err != nil {
		return 0, err
	}
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		return 0, err
	}
	c.body.Reset()
	_, err = c.body.ReadFrom(resp.Body)
	resp.Body.Close()
	if err == nil && resp.Close {
		c.close()
	}
	return resp.StatusCode, err
}

func (c *client) close() {
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
}

// load sends every user's requests in turn, each to one of targets chosen at random (one
// keep-alive connection per user and target).
func load(o options, signer *wechattest.Signer, targets []string, per [][][]byte) result {
	addrs := make([]string, len(targets))
	for i, t := range targets {
		addrs[i], _ = hostPort(t) // checked by awaitTarget
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.duration)
	defer cancel()

	var mu sync.Mutex
	res := result{errs: map[string]int64{}}
	replies := make([]userReplies, len(per))
	var wg sync.WaitGroup
	tokens := pace(ctx, o.rate)
	// With -conns, the users' messages go over a shared set of connections; waiting for a free
	// one counts in a message's latency.
	var shared chan *client
	if o.conns > 0 {
		shared = make(chan *client, o.conns)
		for i := range o.conns {
			c := &client{addr: addrs[i%len(addrs)], timeout: o.timeout}
			defer c.close()
			shared <- c
		}
	}
	start := time.Now()
	for u, reqs := range per {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if o.ramp > 0 {
				time.Sleep(o.ramp * time.Duration(u) / time.Duration(o.users))
			}
			user := userID(u)
			var own []*client // the user's connection to each target, without -conns
			if shared == nil {
				own = make([]*client, len(addrs))
				for i, addr := range addrs {
					own[i] = &client{addr: addr, timeout: o.timeout}
					defer own[i].close()
				}
			}
			lat := make([]time.Duration, 0, len(reqs))
			sentAt := make([]time.Duration, 0, len(reqs))
			// The replies are kept as they came, bodies back to back, and checked at the end.
			var bodies []byte
			ends := make([]int, 0, len(reqs))
			errs := map[string]int64{}
			for _, p := range reqs {
				if tokens != nil {
					select {
					case <-tokens:
					case <-ctx.Done():
					}
				}
				if ctx.Err() != nil {
					break
				}
				t0 := time.Now()
				var conn *client
				switch {
				case shared != nil:
					conn = <-shared
				case len(own) == 1:
					conn = own[0]
				case o.sticky:
					conn = own[u%len(own)]
				default:
					conn = own[mrand.IntN(len(own))]
				}
				body, kind := push(conn, p)
				lat = append(lat, time.Since(t0))
				sentAt = append(sentAt, t0.Sub(start))
				if kind == "" { // body is conn's until its next request
					bodies = append(bodies, body...)
					ends = append(ends, len(bodies))
				} else {
					errs[kind]++
				}
				if shared != nil {
					shared <- conn
				}
			}
			mu.Lock()
			res.sent += int64(len(lat))
			res.lat = append(res.lat, lat...)
			res.sentAt = append(res.sentAt, sentAt...)
			for k, v := range errs {
				res.errs[k] += v
			}
			replies[u] = userReplies{user: user, bodies: bodies, ends: ends}
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	// Only now, with every user done, are the replies checked: verifying and decrypting them
	// is WeChat's CPU, and a user that finished early must not take the CPU that the others'
	// last requests are measured on.
	for _, r := range replies {
		from := 0
		for _, end := range r.ends {
			switch kind := check(signer, r.bodies[from:end], r.user); kind {
			case "":
				res.ok++
			case "success":
				res.ok++
				res.async++
			default:
				res.errs[kind]++
			}
			from = end
		}
	}
	return res
}

// userReplies are one user's reply bodies, back to back, ending at ends.
type userReplies struct {
	user   string
	bodies []byte
	ends   []int
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

// push sends one prepared request and returns the body of a 200 reply (valid until the next
// call on c), or the error kind.
func push(c *client, raw []byte) (body []byte, kind string) {
	status, body, err := c.roundTrip(raw)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return nil, "timeout"
		}
		sampleErr.CompareAndSwap(nil, err.Error())
		return nil, "transport"
	}
	if status != http.StatusOK {
		return nil, fmt.Sprintf("http-%d", status)
	}
	return body, ""
}

// check classifies a 200 reply to user: "" for an answer, "success" for a deferred one, else
// the error.
func check(s *wechattest.Signer, body []byte, user string) string {
	rep, err := openReply(s, body)
	switch {
	case err != nil:
		return "bad-reply"
	case rep.Success:
		return "success"
	case rep.To != user || rep.Text == "":
		return "wrong-reply"
	case rep.Text == wechat.DefaultBusy:
		return "busy"
	}
	return ""
}

// openReply checks and decodes a reply as s.Open does, reading the flat XML weiyin writes
// with wechat.ScanXML (s.Open's two encoding/xml passes cost more than the rest of a
// request); anything the fast path cannot read or verify goes to s.Open, which decides.
func openReply(s *wechattest.Signer, body []byte) (wechattest.Reply, error) {
	b := bytes.TrimSpace(body)
	if len(b) == 0 || string(b) == "success" {
		return wechattest.Reply{Success: true}, nil
	}
	if s.Key != nil {
		var enc, sig, ts, nonce string
		flat := wechat.ScanXML(b, func(name, text []byte) {
			switch string(name) {
			case "Encrypt":
				enc = string(text)
			case "MsgSignature":
				sig = string(text)
			case "TimeStamp":
				ts = string(text)
			case "Nonce":
				nonce = string(text)
			}
		})
		if !flat || enc == "" || wechat.Signature(s.Token, ts, nonce, enc) != sig {
			return s.Open(body)
		}
		plain, err := wechat.Open(enc, s.Key, s.AppID)
		if err != nil {
			return wechattest.Reply{}, err
		}
		b = plain
	}
	var r wechattest.Reply
	flat := wechat.ScanXML(b, func(name, text []byte) {
		switch string(name) {
		case "ToUserName":
			r.To = string(text)
		case "MsgType":
			r.Type = string(text)
		case "Content":
			r.Text = string(text)
		}
	})
	if !flat {
		return s.Open(body)
	}
	return r, nil
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
	if o.timeline {
		timeline(w, r)
	}
	sort.Slice(r.lat, func(i, j int) bool { return r.lat[i] < r.lat[j] })
	mode := "plaintext"
	if o.aesKey != "" {
		mode = "safe (AES)"
	}
	conns := "a connection each"
	if o.conns > 0 {
		conns = fmt.Sprintf("sharing %d connections", o.conns)
	}
	fmt.Fprintf(w, "target      %s (%s mode), %d users, %s\n", o.url, mode, o.users, conns)
	fmt.Fprintf(w, "sent        %d in %.2fs\n", r.sent, r.elapsed.Seconds())
	fmt.Fprintf(w, "throughput  %.0f msg/s\n", float64(r.sent)/r.elapsed.Seconds())
	fmt.Fprintf(w, "replies     %d ok (%d answered \"success\", i.e. deferred)\n", r.ok, r.async)
	fmt.Fprintf(w, "latency     p50 %s  p90 %s  p99 %s  max %s\n", round(pct(r.lat, .5)), round(pct(r.lat, .9)),
		round(pct(r.lat, .99)), round(pct(r.lat, 1)))
	if r.speedBefore > 0 {
		fmt.Fprintln(w, speedLine(r.speedBefore, r.speedAfter))
	}
	if r.commits > 0 {
		fmt.Fprintln(w, commitLine(r.commits, r.slowCommits))
	}
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

// timeline prints, for each second of the run, the messages sent in it and their latencies.
func timeline(w io.Writer, r result) {
	var secs [][]time.Duration
	for i, at := range r.sentAt {
		s := int(at / time.Second)
		for len(secs) <= s {
			secs = append(secs, nil)
		}
		secs[s] = append(secs[s], r.lat[i])
	}
	fmt.Fprintln(w, "second      sent  p50       p99       max")
	for s, lat := range secs {
		slices.Sort(lat)
		fmt.Fprintf(w, "%6d  %8d  %-8s  %-8s  %s\n", s, len(lat), round(pct(lat, .5)), round(pct(lat, .99)), round(pct(lat, 1)))
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
