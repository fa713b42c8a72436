package wechat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/silenceper/wechat/v2/officialaccount/message"
)

// DefaultAPI is WeChat's API base URL.
const DefaultAPI = "https://api.weixin.qq.com"

// APIError is an error answer of the WeChat API ({"errcode","errmsg"}).
type APIError struct {
	API  string // path called, e.g. /cgi-bin/message/custom/send
	Code int64
	Msg  string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("wechat %s: errcode %d: %s", e.API, e.Code, e.Msg)
}

// TokenExpired reports whether the error means the access token is no longer valid
// (40001 invalid credential, 40014 invalid token, 42001 expired).
func (e *APIError) TokenExpired() bool {
	return e.Code == 40001 || e.Code == 40014 || e.Code == 42001
}

// Temporary reports whether retrying later may succeed (-1 system busy, 45009 and 45047
// quota reached, 45011 frequency limit).
func (e *APIError) Temporary() bool {
	switch e.Code {
	case -1, 45009, 45011, 45047:
		return true
	}
	return e.TokenExpired()
}

// ClientConfig configures the outbound API client.
type ClientConfig struct {
	AppID, Secret string
	// BaseURL replaces https://api.weixin.qq.com (--wechat-api); tests point it at a fake.
	BaseURL string
	// HTTPClient defaults to NewHTTPClient().
	HTTPClient *http.Client
	// Now defaults to time.Now.
	Now func() time.Time
	// Shared, when set, keeps the access token where every instance of the account reads it
	// (Redis): one instance fetches it under the lock, the others wait for it and read it.
	Shared TokenShare
}

// TokenShare is an access token several instances share. WeChat keeps only the latest token
// valid (the one before for 5 minutes), so instances fetching their own invalidate each
// other's.
type TokenShare interface {
	// Token returns the shared token and how long it stays valid; "" when there is none.
	Token(ctx context.Context) (string, time.Duration, error)
	// Lock tries to become the instance that fetches a new token, for at most ttl.
	Lock(ctx context.Context, ttl time.Duration) (unlock func(), ok bool, err error)
	// Set stores a fetched token for ttl.
	Set(ctx context.Context, token string, ttl time.Duration) error
	// Drop forgets token if it is still the shared one.
	Drop(ctx context.Context, token string) error
}

// Shared tokens: each instance keeps the shared one at most localTokenTTL (another instance
// may have replaced it meanwhile, and WeChat honours the replaced one 5 minutes more); an
// instance that does not get the lock looks again every tokenPoll.
const (
	localTokenTTL = 30 * time.Second
	tokenPoll     = 50 * time.Millisecond
	tokenLockTTL  = 20 * time.Second // longer than one fetch (the HTTP client's 15 s)
)

// Client calls WeChat's outbound API: access token, customer-service and template messages.
// Safe for concurrent use. The access token is cached until shortly before it expires and is
// refreshed once, then the call retried once, when WeChat says it is invalid.
type Client struct {
	base   string
	appID  string
	secret string
	hc     *http.Client
	now    func() time.Time

	shared TokenShare

	mu      sync.Mutex // guards token, expires; held while fetching so one fetch runs at a time
	token   string
	expires time.Time
}

// NewHTTPClient returns an HTTP client with connect, TLS, header and overall timeouts (the
// SDK's default client has none).
func NewHTTPClient() *http.Client {
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: 10 * time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   32,
	}
	return &http.Client{Transport: tr, Timeout: 15 * time.Second}
}

// NewClient returns a client for cfg.
func NewClient(cfg ClientConfig) *Client {
	c := &Client{base: strings.TrimRight(cfg.BaseURL, "/"), appID: cfg.AppID, secret: cfg.Secret,
		hc: cfg.HTTPClient, now: cfg.Now, shared: cfg.Shared}
	if c.base == "" {
		c.base = DefaultAPI
	}
	if c.hc == nil {
		c.hc = NewHTTPClient()
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c
}

// AccessToken returns a valid access token, fetching one when the cached one is missing or
// within 5 minutes of expiry.
func (c *Client) AccessToken(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" && c.now().Before(c.expires) {
		return c.token, nil
	}
	if c.shared != nil {
		return c.sharedToken(ctx)
	}
	tok, ttl, err := c.fetchToken(ctx)
	if err != nil {
		return "", err
	}
	c.token, c.expires = tok, c.now().Add(ttl)
	return c.token, nil
}

// sharedToken reads the shared token, or fetches it under the shared lock when there is none;
// while another instance holds the lock it waits for that one's token. c.mu is held.
func (c *Client) sharedToken(ctx context.Context) (string, error) {
	for {
		tok, ttl, err := c.shared.Token(ctx)
		if err != nil {
			return "", fmt.Errorf("wechat: shared access token: %w", err)
		}
		if tok == "" {
			unlock, ok, err := c.shared.Lock(ctx, tokenLockTTL)
			if err != nil {
				return "", fmt.Errorf("wechat: shared access token: %w", err)
			}
			if ok {
				tok, ttl, err = c.refreshShared(ctx)
				unlock()
				if err != nil {
					return "", err
				}
			}
		}
		if tok != "" {
			c.token, c.expires = tok, c.now().Add(min(ttl, localTokenTTL))
			return tok, nil
		}
		t := time.NewTimer(tokenPoll)
		select {
		case <-ctx.Done():
			t.Stop()
			return "", fmt.Errorf("wechat: waiting for another instance's access token: %w", ctx.Err())
		case <-t.C:
		}
	}
}

// refreshShared fetches a token and shares it, unless another instance shared one just before
// this one took the lock.
func (c *Client) refreshShared(ctx context.Context) (string, time.Duration, error) {
	if tok, ttl, err := c.shared.Token(ctx); err != nil || tok != "" {
		return tok, ttl, err
	}
	tok, ttl, err := c.fetchToken(ctx)
	if err != nil {
		return "", 0, err
	}
	if err := c.shared.Set(ctx, tok, ttl); err != nil {
		return "", 0, fmt.Errorf("wechat: sharing the access token: %w", err)
	}
	return tok, ttl, nil
}

// fetchToken gets a new access token from WeChat and how long to use it: until 5 minutes
// before it expires.
func (c *Client) fetchToken(ctx context.Context) (string, time.Duration, error) {
	q := url.Values{"grant_type": {"client_credential"}, "appid": {c.appID}, "secret": {c.secret}}
	var res struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	if err := c.do(ctx, http.MethodGet, "/cgi-bin/token?"+q.Encode(), nil, &res); err != nil {
		return "", 0, err
	}
	if res.AccessToken == "" {
		return "", 0, errors.New("wechat /cgi-bin/token: empty access_token")
	}
	ttl := time.Duration(res.ExpiresIn)*time.Second - 5*time.Minute
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return res.AccessToken, ttl, nil
}

// invalidate forgets token if it is still the cached one, here and where it is shared.
func (c *Client) invalidate(ctx context.Context, token string) error {
	c.mu.Lock()
	if c.token == token {
		c.token = ""
	}
	c.mu.Unlock()
	if c.shared != nil {
		if err := c.shared.Drop(ctx, token); err != nil {
			return fmt.Errorf("wechat: shared access token: %w", err)
		}
	}
	return nil
}

// SendText sends a customer-service text message to openid.
func (c *Client) SendText(ctx context.Context, openid, text string) error {
	return c.call(ctx, "/cgi-bin/message/custom/send", message.NewCustomerTextMessage(openid, text), nil)
}

// SendTemplate sends a template message and returns WeChat's msgid.
func (c *Client) SendTemplate(ctx context.Context, m *message.TemplateMessage) (int64, error) {
	var res struct {
		MsgID int64 `json:"msgid"`
	}
	if err := c.call(ctx, "/cgi-bin/message/template/send", m, &res); err != nil {
		return 0, err
	}
	return res.MsgID, nil
}

// call POSTs body to an access-token API, refreshing the token and retrying once when it has
// expired.
func (c *Client) call(ctx context.Context, path string, body, out any) error {
	for attempt := 0; ; attempt++ {
		tok, err := c.AccessToken(ctx)
		if err != nil {
			return err
		}
		err = c.do(ctx, http.MethodPost, path+"?access_token="+url.QueryEscape(tok), body, out)
		var ae *APIError
		if attempt == 0 && errors.As(err, &ae) && ae.TokenExpired() {
			if err := c.invalidate(ctx, tok); err != nil {
				return err
			}
			continue
		}
		return err
	}
}

// do sends one request and decodes the JSON answer into out, turning errcode != 0 into
// *APIError.
func (c *Client) do(ctx context.Context, method, pathQuery string, body, out any) error {
	api := pathQuery
	if i := strings.IndexByte(api, '?'); i >= 0 {
		api = api[:i]
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("wechat %s: encode: %w", api, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+pathQuery, rd)
	if err != nil {
		return fmt.Errorf("wechat %s: %w", api, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("wechat %s: %w", api, redact(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("wechat %s: read: %w", api, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("wechat %s: HTTP %d", api, resp.StatusCode)
	}
	var ce struct {
		ErrCode int64  `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if err := json.Unmarshal(data, &ce); err != nil {
		return fmt.Errorf("wechat %s: decode: %w", api, err)
	}
	if ce.ErrCode != 0 {
		return &APIError{API: api, Code: ce.ErrCode, Msg: ce.ErrMsg}
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("wechat %s: decode: %w", api, err)
		}
	}
	return nil
}

// redact drops the URL (it carries the access token or the secret) from a transport error.
func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
