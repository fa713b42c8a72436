package main

import (
	"context"
	"fmt"
	"log/slog"

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
	rs, err := redisstore.Open(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("--store: %w", err)
	}
	log.Info("sessions, replies and WeChat state in Redis: instances sharing it serve the same customers")
	return rs, nil
}
