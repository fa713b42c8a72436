package studio

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/weiyin-bank/weiyin/adapters/bank/sandbox"
	"github.com/weiyin-bank/weiyin/adapters/store"
	"github.com/weiyin-bank/weiyin/dialogs/bank"
	"github.com/weiyin-bank/weiyin/engine"
	"github.com/weiyin-bank/weiyin/engine/enginetest"
	"github.com/weiyin-bank/weiyin/engine/transcript"
)

// testNow is the simulator's clock in the tests.
var testNow = time.Date(2026, 11, 25, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

// copyBank copies the shipped bank dialogs into a temporary directory the test may edit.
func copyBank(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, bank.Files); err != nil {
		t.Fatal(err)
	}
	return dir
}

// sandboxBot is a bot on a fresh sandbox bank with the fixture's data ("" = the demo data), as
// cmd/weiyin wires it.
func sandboxBot(ctx context.Context, t testing.TB, prog *engine.Program, clock engine.Clock, fixture string) (*engine.Bot, func(), error) {
	var fix *sandbox.Fixture
	if fixture != "" {
		f, err := sandbox.LoadFixtureFile(fixture)
		if err != nil {
			return nil, nil, err
		}
		fix = f
	}
	dir, err := os.MkdirTemp("", "studio-bot-")
	if err != nil {
		return nil, nil, err
	}
	sb, err := sandbox.Open(filepath.Join(dir, "bank.db"), sandbox.Options{Clock: clock, Fixture: fix})
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	st, err := store.Open(filepath.Join(dir, "sessions.db"))
	if err != nil {
		sb.Close()
		os.RemoveAll(dir)
		return nil, nil, err
	}
	bot, err := engine.New(prog, engine.Config{Bank: sb, Store: st, Clock: clock})
	closeAll := func() { st.Close(); sb.Close(); os.RemoveAll(dir) }
	if err != nil {
		closeAll()
		return nil, nil, err
	}
	return bot, closeAll, nil
}

// testOptions are Options for a studio over dir on the sandbox's demo customers.
func testOptions(t testing.TB, dir string) Options {
	return Options{
		Dir:       dir,
		Customers: []Customer{{ID: "C001", Name: "张伟"}, {ID: "C002", Name: "张三"}},
		Now:       func() time.Time { return testNow },
		NewBot: func(ctx context.Context, prog *engine.Program) (Bot, func(), error) {
			return sandboxBot(ctx, t, prog, enginetest.NewClock(testNow), "")
		},
	}
}

// replaySuite replays the repository's transcripts whose file names start with prefix, for
// coverage (the whole suite takes minutes under -race).
func replaySuite(t testing.TB, prefix string) func(ctx context.Context, prog *engine.Program) (*transcript.Report, error) {
	return func(ctx context.Context, prog *engine.Program) (*transcript.Report, error) {
		suite, err := transcript.Load("../../testdata/transcripts")
		if err != nil {
			return nil, err
		}
		suite.Convos = slices.DeleteFunc(suite.Convos, func(c *transcript.Convo) bool {
			return !strings.HasPrefix(filepath.Base(c.File), prefix)
		})
		d := suite.Settings
		if d.User == "" {
			d.User = "o_demo_1"
		}
		return transcript.Replay(ctx, suite, transcript.Options{Defaults: d,
			Factory: func(ctx context.Context, s transcript.Settings) (transcript.Bot, func(), error) {
				return sandboxBot(ctx, t, prog, s.Clock, s.Fixture)
			}})
	}
}

func newTestServer(t testing.TB, o Options) *Server {
	t.Helper()
	s, err := New(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}
