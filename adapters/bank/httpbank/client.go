package httpbank

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/weiyin-bank/weiyin/adapters/bank/bankapi"
	"github.com/weiyin-bank/weiyin/engine"
)

// Options configure a Client; zero fields take the defaults in brackets.
type Options struct {
	// HTTPClient sends the requests [a client with its own transport, no overall timeout].
	HTTPClient *http.Client
	// Timeout bounds one attempt when the context allows more [10s].
	Timeout time.Duration
	// Retries is the number of retries after the first attempt of a repeatable call [3];
	// negative means none.
	Retries int
	// BackoffBase and BackoffMax shape the waits between attempts: a random time up to
	// min(BackoffMax, BackoffBase*2^attempt) [100ms, 2s].
	BackoffBase, BackoffMax time.Duration
	// BreakerFailures consecutive failures open the circuit breaker [5]; negative disables it.
	BreakerFailures int
	// BreakerCooldown is how long the breaker stays open before a probe [10s].
	BreakerCooldown time.Duration
	// Clock tells the breaker's time [the system clock].
	Clock engine.Clock
	// Header is added to every request (for example an API gateway's credentials).
	Header http.Header
	// TLS configures HTTPS to the bank when HTTPClient is nil: the server's CA and the client
	// certificate the bank API authenticates its caller by (bankapi.ClientTLS) [none].
	TLS *tls.Config
}

// Client is an engine.Bank over HTTP. Safe for concurrent use.
type Client struct {
	base *url.URL
	opt  Options
	hc   *http.Client
	br   breaker

	mu  sync.Mutex
	rnd *rand.Rand
}

var _ engine.Bank = (*Client)(nil)

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// New returns a client of the API at baseURL, e.g. "http://127.0.0.1:8090".
func New(baseURL string, opts Options) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("httpbank: base URL %q: want http(s)://host[:port]", baseURL)
	}
	if opts.HTTPClient == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		if opts.TLS != nil {
			tr.TLSClientConfig = opts.TLS.Clone()
		}
		opts.HTTPClient = &http.Client{Transport: tr}
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.Retries == 0 {
		opts.Retries = 3
	}
	if opts.BackoffBase <= 0 {
		opts.BackoffBase = 100 * time.Millisecond
	}
	if opts.BackoffMax <= 0 {
		opts.BackoffMax = 2 * time.Second
	}
	if opts.BreakerFailures == 0 {
		opts.BreakerFailures = 5
	}
	if opts.BreakerCooldown <= 0 {
		opts.BreakerCooldown = 10 * time.Second
	}
	if opts.Clock == nil {
		opts.Clock = systemClock{}
	}
	c := &Client{base: u, opt: opts, hc: opts.HTTPClient, rnd: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0x9e3779b97f4a7c15))}
	c.br = breaker{threshold: opts.BreakerFailures, cooldown: opts.BreakerCooldown, clock: opts.Clock}
	return c, nil
}

// call is one API request.
type call struct {
	method string
	path   string     // escaped path under the base URL
	query  url.Values // may be nil
	key    string     // idempotency key; makes a POST repeatable
	body   any        // JSON body or nil
}

func (c call) repeatable() bool {
	return c.method == http.MethodGet || c.method == http.MethodDelete || c.key != ""
}

// do runs a call with retries and the breaker and decodes the answer into out (may be nil).
func (c *Client) do(ctx context.Context, cl call, out any) error {
	var body []byte
	if cl.body != nil {
		var err error
		if body, err = bankapi.Marshal(cl.body); err != nil {
			return fmt.Errorf("httpbank: %s %s: encoding: %w", cl.method, cl.path, err)
		}
	}
	attempts := 1
	if cl.repeatable() && c.opt.Retries > 0 {
		attempts += c.opt.Retries
	}
	var last error
	for i := 0; i < attempts; i++ {
		if i > 0 {
			if err := c.sleep(ctx, i); err != nil {
				return fmt.Errorf("httpbank: %s %s: %w: %w (last error: %v)", cl.method, cl.path, engine.ErrUnavailable, err, last)
			}
		}
		if !c.br.allow() {
			return fmt.Errorf("httpbank: %s %s: circuit open: %w", cl.method, cl.path, engine.ErrUnavailable)
		}
		retry, err := c.once(ctx, cl, body, out)
		if ctx.Err() != nil && err != nil {
			c.br.release() // the caller gave up: says nothing about the bank
			return err
		}
		c.br.record(err == nil || !retry)
		if err == nil || !retry {
			return err
		}
		last = err
		if ctx.Err() != nil {
			break
		}
	}
	return last
}

// once sends one attempt. retry says the failure was the bank's or the network's (5xx,
// transport error, timeout), so a repeatable call may try again.
func (c *Client) once(ctx context.Context, cl call, body []byte, out any) (retry bool, err error) {
	actx, cancel := context.WithTimeout(ctx, c.opt.Timeout)
	defer cancel()
	u := *c.base
	u.Path = c.base.Path + cl.path
	u.RawPath = ""
	if cl.query != nil {
		u.RawQuery = cl.query.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(actx, cl.method, u.String(), rd)
	if err != nil {
		return false, fmt.Errorf("httpbank: %w: %w", engine.ErrInvalid, err)
	}
	for k, vs := range c.opt.Header {
		req.Header[k] = vs
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if cl.key != "" {
		req.Header.Set(bankapi.KeyHeader, cl.key)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return true, fmt.Errorf("httpbank: %s %s: %w: %w", cl.method, cl.path, engine.ErrUnavailable, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return true, fmt.Errorf("httpbank: %s %s: reading answer: %w: %w", cl.method, cl.path, engine.ErrUnavailable, err)
	}
	if resp.StatusCode >= 400 {
		var e bankapi.Error
		if json.Unmarshal(data, &e) != nil || e.Code == "" {
			e = bankapi.Error{Code: codeForStatus(resp.StatusCode), Message: strings.TrimSpace(string(truncate(data, 200)))}
		}
		rerr := fmt.Errorf("httpbank: %s %s: %w", cl.method, cl.path, bankapi.ErrorFor(resp.StatusCode, e))
		// 429 too_many_codes is the bank's answer about codes, not overload: no retry.
		overloaded := resp.StatusCode == http.StatusTooManyRequests && e.Code != "too_many_codes"
		return resp.StatusCode >= 500 || overloaded, rerr
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return false, nil
	}
	if err := bankapi.UnmarshalAnswer(data, out); err != nil {
		return false, fmt.Errorf("httpbank: %s %s: bad answer: %w", cl.method, cl.path, err)
	}
	return false, nil
}

// codeForStatus guesses a code for an error answer without a JSON body (a proxy's page).
func codeForStatus(status int) string {
	switch {
	case status == http.StatusNotFound:
		return "not_found"
	case status == http.StatusBadRequest:
		return "invalid"
	case status >= 500 || status == http.StatusTooManyRequests:
		return "unavailable"
	default:
		return "rejected"
	}
}

func truncate(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// sleep waits before attempt i (1-based retry count): full jitter over an exponential cap.
func (c *Client) sleep(ctx context.Context, i int) error {
	cap := c.opt.BackoffBase << min(i-1, 20)
	if cap > c.opt.BackoffMax || cap <= 0 {
		cap = c.opt.BackoffMax
	}
	c.mu.Lock()
	d := time.Duration(c.rnd.Int64N(int64(cap) + 1))
	c.mu.Unlock()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// breaker is a consecutive-failure circuit breaker with a single half-open probe.
type breaker struct {
	threshold int
	cooldown  time.Duration
	clock     engine.Clock

	mu       sync.Mutex
	failures int
	openedAt time.Time // zero: closed
	probing  bool
}

// allow says whether a call may go out now. In the half-open state only one probe goes.
func (b *breaker) allow() bool {
	if b.threshold < 0 {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.openedAt.IsZero() {
		return true
	}
	if b.probing || b.clock.Now().Sub(b.openedAt) < b.cooldown {
		return false
	}
	b.probing = true
	return true
}

// record counts the outcome of an allowed call.
func (b *breaker) record(ok bool) {
	if b.threshold < 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if ok {
		b.failures, b.openedAt, b.probing = 0, time.Time{}, false
		return
	}
	b.failures++
	if b.probing || b.failures >= b.threshold {
		b.openedAt, b.probing = b.clock.Now(), false
	}
}

// release ends a probe without a verdict.
func (b *breaker) release() {
	b.mu.Lock()
	b.probing = false
	b.mu.Unlock()
}

// State names the breaker's state: "closed", "open" or "half-open".
func (c *Client) State() string {
	b := &c.br
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.openedAt.IsZero():
		return "closed"
	case b.probing || b.clock.Now().Sub(b.openedAt) >= b.cooldown:
		return "half-open"
	default:
		return "open"
	}
}

func seg(s string) string { return url.PathEscape(s) }
