package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/weiyin-bank/weiyin/adapters/bank/bankapi"
	"github.com/weiyin-bank/weiyin/adapters/bank/httpbank"
	"github.com/weiyin-bank/weiyin/engine"
	"github.com/weiyin-bank/weiyin/engine/enginetest"
)

// startBank runs `weiyin bank serve` on 127.0.0.1:0 and returns its base URL and a stop
// function that cancels it and returns the exit code.
func startBank(t *testing.T, args ...string) (string, func() int, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errb := &syncBuffer{}
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, append([]string{"bank", "serve", "--addr", "127.0.0.1:0"}, args...), stdio{strings.NewReader(""), errb, errb})
	}()
	re := regexp.MustCompile(`addr=(127\.0\.0\.1:\d+)`)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(errb.String()); m != nil {
			return "http://" + m[1], func() int { cancel(); return <-code }, errb
		}
		select {
		case c := <-code:
			t.Fatalf("bank serve exited %d: %s", c, errb.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	t.Fatalf("bank serve did not start: %s", errb.String())
	return "", nil, nil
}

// TestBankServe runs the sandbox over the REST API from the command line, moves money with
// the HTTP client, stops it gracefully, and finds the movement after a restart on the same data.
func TestBankServe(t *testing.T) {
	data := t.TempDir()
	fixture := filepath.Join("..", "..", "testdata", "fixtures", "test.json")
	args := []string{"--data", data, "--fixture", fixture, "--now", "2026-11-25T10:00:00+08:00"}
	url, stop, logs := startBank(t, args...)
	c, err := httpbank.New(url, httpbank.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	req := engine.TransferRequest{Customer: "C001", FromAccount: "A001", ToAccount: "6214830212345678", Amount: 500_00}
	first, err := enginetest.AutoVerify(c, "123456").Transfer(ctx, "cli-1", req)
	if err != nil || first.Balance != 5238050-500_00 {
		t.Fatalf("transfer = %+v, %v", first, err)
	}
	if code := stop(); code != 0 {
		t.Fatalf("graceful stop exited %d", code)
	}
	// Ensure the code went to the sandbox's phone (a 0600 file), naming the transfer, and
	// never to the log.
	sms, err := os.ReadFile(filepath.Join(data, SandboxSMSFile))
	st, _ := os.Stat(filepath.Join(data, SandboxSMSFile))
	if err != nil || !strings.Contains(string(sms), "138****5678 【微银银行】您正在向王芳(尾号5678)转账¥500.00,验证码123456") || st.Mode().Perm() != 0o600 {
		t.Errorf("sandbox phone: %q, %v", sms, err)
	}
	if strings.Contains(logs.String(), "123456") {
		t.Errorf("a code reached the log: %s", logs.String())
	}
	url, stop, _ = startBank(t, args...)
	defer stop()
	c, _ = httpbank.New(url, httpbank.Options{})
	again, err := enginetest.AutoVerify(c, "123456").Transfer(ctx, "cli-1", req)
	if err != nil || again.ID != first.ID {
		t.Errorf("repeat after restart = %+v, %v; want %s", again, err, first.ID)
	}
	as, err := c.Accounts(ctx, "C001")
	if err != nil || as[0].Balance != 5238050-500_00 {
		t.Errorf("accounts after restart = %+v, %v", as, err)
	}
}

func TestBankServeUsage(t *testing.T) {
	tests := []struct {
		ensures string
		args    []string
		code    int
		stderr  string
	}{
		{"bank without a subcommand is a usage error", []string{"bank"}, 2, "usage: weiyin bank serve"},
		{"an unknown flag is a usage error", []string{"bank", "serve", "--colour"}, 2, "flag provided but not defined"},
		{"a bad --now is a usage error", []string{"bank", "serve", "--now", "today"}, 2, "want RFC 3339"},
		{"a missing fixture is an I/O error", []string{"bank", "serve", "--fixture", "/nonexistent.json"}, 2, "fixture"},
		{"without TLS the bank listens on loopback only", []string{"bank", "serve", "--addr", "0.0.0.0:0"}, 2, "not a loopback address"},
		{"nor on every interface", []string{"bank", "serve", "--addr", ":0"}, 2, "not a loopback address"},
		{"mutual TLS needs all three files", []string{"bank", "serve", "--tls-cert", "server.pem"}, 2, "all of --tls-cert, --tls-key and --client-ca"},
		{"certs needs a directory", []string{"bank", "certs"}, 2, "usage: weiyin bank serve"},
	}
	_, before := os.Stat("weiyin-data")
	for _, tc := range tests {
		errb := &syncBuffer{}
		code := run(context.Background(), tc.args, stdio{strings.NewReader(""), errb, errb})
		if code != tc.code || !strings.Contains(errb.String(), tc.stderr) {
			t.Errorf("%s: exit %d, stderr %q; want %d and %q", tc.ensures, code, errb.String(), tc.code, tc.stderr)
		}
	}
	// Ensure a refused start creates nothing (no default data directory).
	if _, after := os.Stat("weiyin-data"); before != nil && after == nil {
		os.RemoveAll("weiyin-data")
		t.Error("a refused bank serve created ./weiyin-data")
	}
}

// TestBankServeMutualTLS makes certificates with `weiyin bank certs`, serves the bank with
// them and checks that only a caller presenting the client certificate is answered, and that
// `serve --bank-url` needs that certificate for HTTPS and refuses plain HTTP beyond loopback.
func TestBankServeMutualTLS(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "certs")
	var out syncBuffer
	if code := run(context.Background(), []string{"bank", "certs", "--host", "bank.example", dir}, stdio{strings.NewReader(""), &out, &out}); code != 0 {
		t.Fatalf("bank certs exited %d: %s", code, out.String())
	}
	f := func(name string) string { return filepath.Join(dir, name) }
	url, stop, errb := startBank(t, "--data", t.TempDir(), "--fixture", filepath.Join("..", "..", "testdata", "fixtures", "test.json"),
		"--tls-cert", f(bankapi.ServerCertFile), "--tls-key", f(bankapi.ServerKeyFile), "--client-ca", f(bankapi.CAFile))
	defer stop()
	if !strings.Contains(errb.String(), "mutual_tls=true") {
		t.Errorf("log does not say mutual TLS: %s", errb.String())
	}
	url = "https" + strings.TrimPrefix(url, "http")
	ctx := context.Background()
	tests := []struct {
		ensures string
		tls     bankClientTLS
		ok      bool
	}{
		{"the client certificate from bank certs is accepted", bankClientTLS{CA: f(bankapi.CAFile), Cert: f(bankapi.ClientCertFile), Key: f(bankapi.ClientKeyFile)}, true},
		{"the server's certificate is not a client certificate", bankClientTLS{CA: f(bankapi.CAFile), Cert: f(bankapi.ServerCertFile), Key: f(bankapi.ServerKeyFile)}, false},
	}
	for _, tc := range tests {
		c, err := tc.tls.client(url)
		if err != nil {
			t.Fatalf("%s: %v", tc.ensures, err)
		}
		_, err = c.Accounts(ctx, "C001")
		if (err == nil) != tc.ok {
			t.Errorf("%s: accounts: %v", tc.ensures, err)
		}
	}
	bare, err := httpbank.New(url, httpbank.Options{Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bare.Accounts(ctx, "C001"); err == nil {
		t.Error("a caller without a client certificate was answered")
	}
	refused := []struct {
		ensures string
		url     string
		tls     bankClientTLS
		want    string
	}{
		{"https without a client certificate is refused at start", url, bankClientTLS{CA: f(bankapi.CAFile)}, "client certificate"},
		{"plain HTTP to a bank beyond loopback is refused", "http://10.1.2.3:8090", bankClientTLS{}, "plain HTTP only to a bank on loopback"},
		{"client certificates over plain HTTP are refused", "http://127.0.0.1:8090", bankClientTLS{Cert: "c.pem", Key: "k.pem"}, "need an https:// URL"},
	}
	for _, tc := range refused {
		if _, err := tc.tls.client(tc.url); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.ensures, err, tc.want)
		}
	}
}
