package engine_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/weiyin-bank/weiyin/adapters/bank/sandbox"
	"github.com/weiyin-bank/weiyin/engine"
	"github.com/weiyin-bank/weiyin/engine/enginetest"
)

// failingStore fails the commits it is told to, and counts loads.
type failingStore struct {
	*enginetest.MemStore
	fail  bool
	loads int
}

func (f *failingStore) Load(ctx context.Context, user string) ([]byte, error) {
	f.loads++
	return f.MemStore.Load(ctx, user)
}

func (f *failingStore) Commit(ctx context.Context, user string, session []byte, msgID string, reply []byte) error {
	if f.fail {
		return errors.New("disk full")
	}
	return f.MemStore.Commit(ctx, user, session, msgID, reply)
}

// Ensure the Bot's session cache saves the store reads of a user's next turns, and that a
// turn whose commit failed leaves no trace: the next turn continues from the stored session,
// not from the failed turn's changes.
func TestSessionCacheAfterFailedCommit(t *testing.T) {
	ctx := context.Background()
	clock := enginetest.NewClock(start)
	fix := sandbox.Demo()
	sb, err := sandbox.Open(filepath.Join(t.TempDir(), "bank.db"), sandbox.Options{Clock: clock, Fixture: fix, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	st := &failingStore{MemStore: enginetest.NewMemStore()}
	bot, err := engine.New(shippedProgram(t), engine.Config{Bank: sb, Store: st, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	turn := func(text string) (engine.Reply, error) {
		return bot.Turn(ctx, demoUser, engine.Message{Text: text})
	}
	if rep, err := turn("给张三转账"); err != nil || rep.Flow != "transfer" {
		t.Fatalf("给张三转账 = %+v, %v; want the transfer flow", rep, err)
	}
	loads := st.loads
	if _, err := turn("你好"); err != nil {
		t.Fatal(err)
	}
	if st.loads != loads {
		t.Errorf("a turn after a committed one read the store %d times, want 0 (cached)", st.loads-loads)
	}
	st.fail = true
	if _, err := turn("取消"); err == nil {
		t.Fatal("取消 committed despite the failing store")
	}
	st.fail = false
	rep, err := turn("500")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Flow != "transfer" {
		t.Errorf("after a failed 取消 the flow is %q, want transfer still (the cancel was not committed)", rep.Flow)
	}
}
