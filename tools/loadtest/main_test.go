package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// Ensure a bounded run against the in-process endpoint sends exactly -n messages in both
// modes, verifies every reply and reports the figures.
func TestFakeRun(t *testing.T) {
	for _, key := range []string{"", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"} {
		var out bytes.Buffer
		o := options{fake: true, token: "tok", appID: "wxapp", aesKey: key, users: 20, n: 300,
			duration: 20 * time.Second, timeout: 5 * time.Second, texts: "你好|余额"}
		if err := run(o, &out); err != nil {
			t.Fatalf("aeskey=%q: %v\n%s", key, err, out.String())
		}
		for _, want := range []string{"sent        300 in", "replies     300 ok (0", "errors      0", "p99"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("aeskey=%q: report lacks %q:\n%s", key, want, out.String())
			}
		}
	}
}

// Ensure a wrong token is reported as errors, not as successes.
func TestWrongToken(t *testing.T) {
	url, stop, err := serveFake(options{token: "right", appID: "wxapp"})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	var out bytes.Buffer
	err = run(options{url: url, token: "wrong", appID: "wxapp", users: 2, n: 10, duration: 10 * time.Second,
		timeout: 5 * time.Second, texts: "你好"}, &out)
	if err == nil || !strings.Contains(out.String(), "http-403=10") {
		t.Errorf("err %v, report:\n%s", err, out.String())
	}
}
