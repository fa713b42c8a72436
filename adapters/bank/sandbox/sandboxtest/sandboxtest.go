package sandboxtest

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/weiyin-bank/weiyin/adapters/bank/sandbox"
	"github.com/weiyin-bank/weiyin/engine"
	"github.com/weiyin-bank/weiyin/engine/enginetest"
)

// Now is the time test banks start at: Wednesday 2026-11-25 10:00 in Shanghai.
var Now = time.Date(2026, 11, 25, 10, 0, 0, 0, sandbox.Shanghai)

// OTP is the test fixture's one-time code.
const OTP = "123456"

// FixturePath finds testdata/fixtures/test.json by walking up from the working directory to
// the directory holding go.mod.
func FixturePath(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "testdata", "fixtures", "test.json")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("sandboxtest: no go.mod above the working directory")
		}
		dir = parent
	}
}

// Fixture loads the test fixture.
func Fixture(t testing.TB) *sandbox.Fixture {
	t.Helper()
	f, err := sandbox.LoadFixtureFile(FixturePath(t))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// Open opens a new sandbox seeded with the test fixture in a temporary directory, with a
// fixed clock at Now, closed when the test ends. opts may set more options; its Clock and
// Fixture are replaced.
func Open(t testing.TB, opts sandbox.Options) (*sandbox.Bank, *enginetest.Clock) {
	t.Helper()
	clock := enginetest.NewClock(Now)
	opts.Clock = clock
	opts.Fixture = Fixture(t)
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	b, err := sandbox.Open(filepath.Join(t.TempDir(), "bank.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b, clock
}

// ManyCodes is a one-time code policy for tests that send many codes at one fixed time
// (enginetest.AutoVerify before every money movement): the default validity and locks, no
// practical send limit. Tests of the send limits keep the default policy.
var ManyCodes = engine.OTPPolicy{
	TTL:      engine.DefaultOTPPolicy.TTL,
	Attempts: engine.DefaultOTPPolicy.Attempts,
	Locks:    engine.DefaultOTPPolicy.Locks,
	Sends:    []engine.RateLimit{{N: 1 << 30, Per: time.Hour}},
}

// Verified wraps a test bank so that its money movements get a verified code first
// (enginetest.AutoVerify with OTP).
func Verified(b engine.Bank) engine.Bank { return enginetest.AutoVerify(b, OTP) }
