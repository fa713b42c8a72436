package httpbank_test

import (
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/weiyin-bank/weiyin/adapters/bank/bankapi"
	"github.com/weiyin-bank/weiyin/adapters/bank/httpbank"
	"github.com/weiyin-bank/weiyin/adapters/bank/sandbox"
	"github.com/weiyin-bank/weiyin/adapters/bank/sandbox/sandboxtest"
	"github.com/weiyin-bank/weiyin/engine"
)

// servedTLS serves the REST API over a fresh test sandbox with mutual TLS on a loopback port,
// with the certificates bankapi.GenerateCerts wrote to dir.
func servedTLS(t *testing.T, dir string) (*sandbox.Bank, string) {
	t.Helper()
	b, _ := sandboxtest.Open(t, sandbox.Options{OTPPolicy: sandboxtest.ManyCodes})
	conf, err := bankapi.ServerTLS(filepath.Join(dir, bankapi.ServerCertFile), filepath.Join(dir, bankapi.ServerKeyFile), filepath.Join(dir, bankapi.CAFile))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: bankapi.NewHandler(b, bankapi.ServerOptions{Logger: quiet}), TLSConfig: conf,
		ErrorLog: log.New(io.Discard, "", 0), ReadHeaderTimeout: 10 * time.Second} // refused handshakes are the point
	go srv.ServeTLS(ln, "", "")
	t.Cleanup(func() { srv.Close() })
	return b, "https://" + ln.Addr().String()
}

func certs(t *testing.T, client string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "certs")
	if err := bankapi.GenerateCerts(dir, nil, client, time.Now(), time.Hour); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestMutualTLS ensures the bank REST API answers only callers presenting a client
// certificate its CA signed, and that over it money moves only with a verified challenge for
// exactly the request.
func TestMutualTLS(t *testing.T) {
	dir := certs(t, "weiyin-test")
	other := certs(t, "intruder") // another CA's certificates
	_, url := servedTLS(t, dir)
	f := func(d, name string) string { return filepath.Join(d, name) }
	tests := []struct {
		ensures   string
		ca        string // CA trusted for the server's certificate
		cert, key string // client certificate ("": none)
		ok        bool
	}{
		{"a caller with a certificate the bank's CA signed is served", f(dir, bankapi.CAFile), f(dir, bankapi.ClientCertFile), f(dir, bankapi.ClientKeyFile), true},
		{"a caller without a certificate is refused at the handshake", f(dir, bankapi.CAFile), "", "", false},
		{"a caller with another CA's certificate is refused", f(dir, bankapi.CAFile), f(other, bankapi.ClientCertFile), f(other, bankapi.ClientKeyFile), false},
		{"the server's own certificate is no client certificate", f(dir, bankapi.CAFile), f(dir, bankapi.ServerCertFile), f(dir, bankapi.ServerKeyFile), false},
		{"the caller refuses a server its CA did not sign", f(other, bankapi.CAFile), f(dir, bankapi.ClientCertFile), f(dir, bankapi.ClientKeyFile), false},
	}
	for _, tc := range tests {
		conf := &tls.Config{MinVersion: tls.VersionTLS12}
		if tc.cert != "" {
			var err error
			if conf, err = bankapi.ClientTLS(tc.ca, tc.cert, tc.key); err != nil {
				t.Fatal(err)
			}
		} else {
			pool, err := bankapi.ClientTLS(tc.ca, f(dir, bankapi.ClientCertFile), f(dir, bankapi.ClientKeyFile))
			if err != nil {
				t.Fatal(err)
			}
			conf.RootCAs = pool.RootCAs
		}
		c := client(t, url, httpbank.Options{TLS: conf, Retries: -1, BreakerFailures: -1})
		accts, err := c.Accounts(ctx, "C001")
		if tc.ok && (err != nil || len(accts) == 0) {
			t.Errorf("%s: accounts = %v, %v", tc.ensures, accts, err)
		}
		if !tc.ok && (err == nil || !errors.Is(err, engine.ErrUnavailable)) {
			t.Errorf("%s: accounts = %v, %v; want a refused connection", tc.ensures, accts, err)
		}
	}

	// Over mutual TLS, the challenge still rules: no code, no transfer; a verified code moves
	// exactly what it was sent for, once.
	conf, err := bankapi.ClientTLS(f(dir, bankapi.CAFile), f(dir, bankapi.ClientCertFile), f(dir, bankapi.ClientKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	c := client(t, url, httpbank.Options{TLS: conf})
	req := engine.TransferRequest{Customer: "C001", FromAccount: "A001", ToAccount: "6214830212345678", Amount: 1000_00}
	if _, err := c.Transfer(ctx, "mtls-0", req); !errors.Is(err, engine.ErrVerificationRequired) {
		t.Errorf("transfer without a challenge = %v, want verification_required", err)
	}
	req.Challenge = verify(t, c, "C001", req.Operation())
	if _, err := c.Transfer(ctx, "mtls-1", req); err != nil {
		t.Errorf("transfer with its verified challenge = %v", err)
	}
	if _, err := c.Transfer(ctx, "mtls-2", req); !errors.Is(err, engine.ErrVerificationRequired) {
		t.Errorf("the same challenge for a second transfer = %v, want verification_required", err)
	}
}

// TestGenerateCertsKeepsKeysPrivate ensures the private keys are written 0600 and that an
// existing set is never overwritten.
func TestGenerateCertsKeepsKeysPrivate(t *testing.T) {
	dir := certs(t, "weiyin")
	for _, name := range []string{bankapi.CAKeyFile, bankapi.ServerKeyFile, bankapi.ClientKeyFile} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, %v; want mode 0600", name, st.Mode(), err)
		}
	}
	if err := bankapi.GenerateCerts(dir, nil, "weiyin", time.Now(), time.Hour); err == nil {
		t.Error("GenerateCerts overwrote an existing set")
	}
}
