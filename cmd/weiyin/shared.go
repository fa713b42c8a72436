package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/weiyin-bank/weiyin/adapters/notify"
	"github.com/weiyin-bank/weiyin/adapters/store/redisstore"
)

// checkStoreURL says what is wrong with a --store value, before anything is opened.
func checkStoreURL(url string) error {
	if url == "" || url == "bbolt" {
		return nil
	}
	if _, err := redisstore.ParseURL(url); err != nil {
		return fmt.Errorf("--store: %w (or bbolt, the default)", err)
	}
	return nil
}

// openSharedStore opens serve's --store: nil for "" or "bbolt" (the bbolt files in --data,
// one instance), else the Redis store that several instances share.
func openSharedStore(ctx context.Context, url string, log *slog.Logger) (*redisstore.Store, error) {
	if url == "" || url == "bbolt" {
		return nil, nil
	}
	redis.SetLogger(redisLog{log})
	rs, err := redisstore.Open(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("--store: %w", err)
	}
	log.Info("sessions, replies and WeChat state in Redis: instances sharing it serve the same customers")
	return rs, nil
}

// redisLog sends go-redis's own messages (each failed dial while Redis is away, ...) to the
// log at debug level: the turns that fail meanwhile are logged as errors already.
type redisLog struct{ log *slog.Logger }

func (l redisLog) Printf(ctx context.Context, format string, v ...any) {
	l.log.DebugContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}

// queue is serve's notification queue: notify.Queue (bbolt) or notify.StreamQueue (Redis).
type queue interface {
	notify.Jobs
	Depth() int
	Receipt(ctx context.Context, msgID int64, status string) error
	Run(ctx context.Context) error
	Close() error
}

// openQueue opens the notification queue: in Redis, as a consumer named after this process,
// when the store is shared; else the bbolt file o.Path.
// claim (WEIYIN_NOTIFY_CLAIM, 0 = the default) is how long a job another instance read stays
// unacknowledged before this one takes it over; a send times out within it.
func openQueue(ctx context.Context, o notify.Options, shared *redisstore.Store, claim time.Duration) (queue, error) {
	if shared == nil {
		return notify.Open(o)
	}
	if claim > 0 {
		o.SendTimeout = min(claim, 30*time.Second)
	}
	host, _ := os.Hostname()
	var b [4]byte
	rand.Read(b[:])
	consumer := fmt.Sprintf("%s-%d-%x", host, os.Getpid(), b)
	return notify.OpenStream(ctx, notify.StreamOptions{Options: o, Client: shared.Client(), Consumer: consumer, Claim: claim})
}
