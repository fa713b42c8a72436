package redisstore

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
)

// Config is what a store URL says: how to reach Redis (exactly one of Standalone and Cluster
// is set) and the store's options.
type Config struct {
	Standalone *redis.Options
	Cluster    *redis.ClusterOptions
	Options    Options
}

// The store's own query parameters, taken out before go-redis reads the rest of the query
// (dial_timeout, read_timeout, pool_size, ...; an unknown one is an error).
var storeParams = map[string]func(o *Options, d time.Duration){
	"lease_ttl":   func(o *Options, d time.Duration) { o.LeaseTTL = d },
	"session_ttl": func(o *Options, d time.Duration) { o.SessionTTL = d },
	"reply_ttl":   func(o *Options, d time.Duration) { o.ReplyTTL = d },
}

// Timeouts a URL does not set: short, so that a turn meeting a Redis that is away fails in
// about a second (the customer gets the busy reply) instead of holding WeChat's 5 s.
// A command is resent once (a connection found broken, Redis restarted) and a refused dial
// tried twice, unless the URL says otherwise: go-redis's own defaults (3 resends of 5 dials,
// 100 ms apart) took 1.7 s, and 3.3 s with the autopipeliner, to report a Redis that is
// away, past the passive-reply deadline once the answer claim had waited as long.
const (
	defaultDialTimeout   = time.Second
	defaultIOTimeout     = time.Second
	defaultMaxRetries    = 1
	defaultDialerRetries = 2
	defaultDialerBackoff = 50 * time.Millisecond
)

// ParseURL reads a store URL:
//
//	redis://[user:password@]host:port[/db][?params]    one server
//	rediss://...                                       the same over TLS
//	redis-cluster://[user:password@]h1:7000,h2:7001[?params]   a Redis Cluster, from seed nodes
//	rediss-cluster://...                               the same over TLS
//
// params are go-redis's (dial_timeout=2s, read_timeout, pool_size, ...) and the store's:
// lease_ttl, session_ttl and reply_ttl, Go durations, and autopipeline (true by default:
// concurrent turns' store calls share pipelines; false gives each its own round trip).
func ParseURL(raw string) (Config, error) {
	var c Config
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return c, fmt.Errorf("%w %q: want redis://host:port/db, rediss://... or redis-cluster://h1:port,h2:port", ErrURL, redact(raw))
	}
	rest, query, _ := strings.Cut(rest, "?")
	q, err := url.ParseQuery(query)
	if err != nil {
		return c, fmt.Errorf("%w %q: %v", ErrURL, redact(raw), err)
	}
	if v := q.Get("autopipeline"); v != "" {
		on, err := strconv.ParseBool(v)
		if err != nil {
			return c, fmt.Errorf("%w: autopipeline=%q: want true or false", ErrURL, v)
		}
		c.Options.NoAutoPipeline = !on
		q.Del("autopipeline")
	}
	for name, set := range storeParams {
		if v := q.Get(name); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return c, fmt.Errorf("%w: %s=%q: want a positive duration such as 30s", ErrURL, name, v)
			}
			set(&c.Options, d)
		}
		q.Del(name)
	}
	left := unset{dial: !q.Has("dial_timeout"), io: !q.Has("read_timeout") && !q.Has("write_timeout"), retries: !q.Has("max_retries")}
	switch scheme {
	case "redis", "rediss":
		o, err := redis.ParseURL(scheme + "://" + rest + encode(q))
		if err != nil {
			return c, fmt.Errorf("%w %q: %v", ErrURL, redact(raw), err)
		}
		left.fill(&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.MaxRetries, &o.DialerRetries, &o.DialerRetryTimeout)
		c.Standalone = o
	case "redis-cluster", "rediss-cluster":
		user, hosts := "", rest
		if i := strings.LastIndex(rest, "@"); i >= 0 {
			user, hosts = rest[:i+1], rest[i+1:]
		}
		if h, path, _ := strings.Cut(hosts, "/"); path != "" {
			return c, fmt.Errorf("%w %q: a cluster has no database number (%q)", ErrURL, redact(raw), path)
		} else {
			hosts = h
		}
		addrs := strings.Split(hosts, ",")
		for _, a := range addrs {
			if a == "" {
				return c, fmt.Errorf("%w %q: an empty seed address", ErrURL, redact(raw))
			}
		}
		for _, a := range addrs[1:] {
			q.Add("addr", a)
		}
		o, err := redis.ParseClusterURL(strings.TrimSuffix(scheme, "-cluster") + "://" + user + addrs[0] + encode(q))
		if err != nil {
			return c, fmt.Errorf("%w %q: %v", ErrURL, redact(raw), err)
		}
		if o.TLSConfig != nil {
			o.TLSConfig.MinVersion = tls.VersionTLS12
		}
		left.fill(&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.MaxRetries, &o.DialerRetries, &o.DialerRetryTimeout)
		c.Cluster = o
	default:
		return c, fmt.Errorf("%w %q: unknown scheme %q (redis, rediss, redis-cluster, rediss-cluster)", ErrURL, redact(raw), scheme)
	}
	return c, nil
}

// unset says which of the settings the store gives defaults of a URL left to them.
type unset struct{ dial, io, retries bool }

// fill sets, in a standalone or cluster client's options, the store's defaults of what the
// URL did not set.
func (u unset) fill(dial, read, write *time.Duration, maxRetries, dialerRetries *int, dialerBackoff *time.Duration) {
	if u.dial {
		*dial = defaultDialTimeout
	}
	if u.io {
		*read, *write = defaultIOTimeout, defaultIOTimeout
	}
	if u.retries {
		*maxRetries = defaultMaxRetries
	}
	*dialerRetries, *dialerBackoff = defaultDialerRetries, defaultDialerBackoff
}

// Client connects as c says (no I/O yet). A cluster client learns a failover as soon as a
// command meets an unreachable node: it asks the cluster who serves the slots now instead of
// dialling the dead master until its periodic refresh (a minute by default) comes round.
func (c Config) Client() redis.UniversalClient {
	if c.Cluster != nil {
		cc := redis.NewClusterClient(c.Cluster)
		cc.AddHook(reloadOnNetError{cc})
		return cc
	}
	return redis.NewClient(c.Standalone)
}

// reloadOnNetError is a cluster client's hook that reloads the slot map (lazily: at most one
// reload at a time, then a short pause) after a command or pipeline failed for the network.
type reloadOnNetError struct{ cc *redis.ClusterClient }

func (h reloadOnNetError) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h reloadOnNetError) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		h.check(ctx, err)
		return err
	}
}

func (h reloadOnNetError) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		h.check(ctx, err)
		return err
	}
}

func (h reloadOnNetError) check(ctx context.Context, err error) {
	var ne net.Error
	if err != nil && (errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNREFUSED)) {
		h.cc.ReloadState(ctx)
	}
}

func encode(q url.Values) string {
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// redact hides the password of a URL for messages.
func redact(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return raw
	}
	user, _, _ := strings.Cut(rest[:at], ":")
	return scheme + "://" + user + ":xxxxx@" + rest[at+1:]
}
