package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// holdApplies keeps the applier from copying the log to bbolt during a test, so that the
// files show the state a crash at that moment leaves.
func holdApplies(t *testing.T) {
	t.Helper()
	old := applyEvery
	applyEvery = time.Hour
	t.Cleanup(func() { applyEvery = old })
}

// crashCopy copies the database and its log as they are on disk now (what kill -9 would
// leave) to a new directory and returns the copy's database path.
func crashCopy(t *testing.T, path string) string {
	t.Helper()
	dir := t.TempDir()
	for _, suffix := range []string{"", ".wal0", ".wal1"} {
		src, err := os.Open(path + suffix)
		if err != nil {
			t.Fatal(err)
		}
		dst, err := os.Create(filepath.Join(dir, "sessions.db"+suffix))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(dst, src); err != nil {
			t.Fatal(err)
		}
		src.Close()
		dst.Close()
	}
	return filepath.Join(dir, "sessions.db")
}

func mustOpen(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func wantSession(t *testing.T, s *Store, user, want string) {
	t.Helper()
	got, err := s.Load(context.Background(), user)
	if err != nil || string(got) != want {
		t.Errorf("session of %s = %q, %v; want %q", user, got, err, want)
	}
}

// mustCommit commits a turn or fails the test.
func mustCommit(t *testing.T, s *Store, user, session, msgID string, reply []byte) {
	t.Helper()
	if err := s.Commit(context.Background(), user, []byte(session), msgID, reply); err != nil {
		t.Fatal(err)
	}
}

// Ensure turns that reached the log but not bbolt before a crash are there after it: the
// sessions, the deletions and the replies, and a retried message is still refused.
func TestLogReplayAfterCrash(t *testing.T) {
	holdApplies(t)
	ctx := context.Background()
	s, path := open(t)
	defer s.Close()
	for i := range 20 {
		mustCommit(t, s, fmt.Sprintf("u%d", i), fmt.Sprintf("s%d", i), "m1", []byte("r1"))
	}
	mustCommit(t, s, "u3", "s3b", "m2", []byte("r2"))
	if err := s.Delete(ctx, "u4"); err != nil {
		t.Fatal(err)
	}
	wantSession(t, s, "u3", "s3b") // read from the log's side
	wantSession(t, s, "u4", "")

	c := mustOpen(t, crashCopy(t, path))
	wantSession(t, c, "u0", "s0")
	wantSession(t, c, "u3", "s3b")
	wantSession(t, c, "u4", "")
	if r, ok, _ := c.Reply(ctx, "u3", "m2"); !ok || string(r) != "r2" {
		t.Errorf("reply to m2 after replay: %q %v", r, ok)
	}
	if err := c.Commit(ctx, "u3", []byte("again"), "m2", nil); !errors.Is(err, ErrCommitted) {
		t.Errorf("retry after replay: %v, want ErrCommitted", err)
	}
	if n, _ := c.Sessions(); n != 19 {
		t.Errorf("%d sessions after replay, want 19", n)
	}
}

// Ensure a torn last group (the crash came during its write, so nobody was told it was
// committed) is dropped and everything before it kept.
func TestLogTornTail(t *testing.T) {
	holdApplies(t)
	ctx := context.Background()
	s, path := open(t)
	defer s.Close()
	for i := range 5 {
		mustCommit(t, s, "u", fmt.Sprint(i), fmt.Sprint("m", i), nil)
	}
	off := s.log.files[s.log.active].off
	cp := crashCopy(t, path)
	f, err := os.OpenFile(cp+fmt.Sprintf(".wal%d", s.log.active), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte{0xff}, off-3); err != nil { // inside the last group's records
		t.Fatal(err)
	}
	f.Close()
	c := mustOpen(t, cp)
	wantSession(t, c, "u", "3")
	if _, ok, _ := c.Reply(ctx, "u", "m4"); ok {
		t.Error("the torn group's reply was replayed")
	}
}

// Ensure the two files take turns, a file starts over only once applied, and the older
// groups left in a file that started over are never replayed over newer ones.
func TestLogFilesTakeTurns(t *testing.T) {
	holdApplies(t)
	old := walSwitch
	walSwitch = 200
	t.Cleanup(func() { walSwitch = old })
	ctx := context.Background()
	s, path := open(t)
	defer s.Close()
	commit := func(v string) {
		t.Helper()
		for _, u := range []string{"a", "b"} {
			mustCommit(t, s, u, v+"-"+u+"-0123456789012345678901234567890123456789", "", nil)
		}
	}
	switches, prev := 0, s.log.active
	for round := range 30 {
		commit(fmt.Sprint("v", round))
		if s.log.active != prev {
			switches++
			prev = s.log.active
		}
		if round%4 == 3 {
			if err := s.apply(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if switches < 4 {
		t.Fatalf("the log switched files %d times, want the files to take turns", switches)
	}
	c := mustOpen(t, crashCopy(t, path))
	wantSession(t, c, "a", "v29-a-0123456789012345678901234567890123456789")
	wantSession(t, c, "b", "v29-b-0123456789012345678901234567890123456789")

	// Without applies, the active file keeps growing: the other still holds unapplied groups.
	s2, _ := open(t)
	defer s2.Close()
	for i := range 20 {
		if err := s2.Commit(ctx, "x", []byte(fmt.Sprintf("%0100d", i)), "", nil); err != nil {
			t.Fatal(err)
		}
	}
	if s2.log.files[1].last != 0 && s2.log.files[0].last != 0 {
		if err := s2.apply(); err != nil {
			t.Fatal(err)
		}
	}
	wantSession(t, s2, "x", fmt.Sprintf("%0100d", 19))
}

// Ensure a replayed log is applied and the next open has nothing to replay, and that new
// groups after a replay are numbered after every group the files held.
func TestLogReplayThenContinue(t *testing.T) {
	holdApplies(t)
	s, path := open(t)
	defer s.Close()
	for i := range 3 {
		mustCommit(t, s, "u", fmt.Sprint(i), "", nil)
	}
	cp := crashCopy(t, path)
	c, err := Open(cp)
	if err != nil {
		t.Fatal(err)
	}
	if c.appliedSeq() != 3 || c.log.seq != 3 {
		t.Fatalf("after replay: applied %d, log at %d; want 3 and 3", c.appliedSeq(), c.log.seq)
	}
	mustCommit(t, c, "u", "after", "", nil)
	if c.log.seq != 4 {
		t.Fatalf("first group after replay numbered %d, want 4", c.log.seq)
	}
	cp2 := crashCopy(t, cp)
	c.Close()
	wantSession(t, mustOpen(t, cp2), "u", "after")
}

// Ensure oversized records are refused before they reach the log.
func TestCommitRefusesHugeRecords(t *testing.T) {
	s, _ := open(t)
	defer s.Close()
	if err := s.Commit(context.Background(), "u", make([]byte, MaxValue+1), "m", nil); err == nil {
		t.Fatal("a record over MaxValue was committed")
	}
}

// Ensure no log content makes Open panic: raw bytes (torn or stale frames) are skipped, and a
// frame with a valid checksum but undecodable records, or an intact group after damage, is a
// clear error.
func FuzzLogFrames(f *testing.F) {
	f.Add([]byte{0, 0, 0, 9, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 1, 1}, false)
	f.Add([]byte{1, 1, 'u', 1, 's', 0, 0, 2, 1, 'v', 0, 0, 0}, true)
	f.Fuzz(func(t *testing.T, data []byte, framed bool) {
		if framed { // data is a group's records: give it a valid header
			p := binary.BigEndian.AppendUint64(nil, 1)
			p = append(p, data...)
			h := binary.BigEndian.AppendUint32(nil, uint32(len(p)))
			data = append(binary.BigEndian.AppendUint32(h, crc32.Checksum(p, crcTable)), p...)
		}
		path := filepath.Join(t.TempDir(), "s.db")
		if err := os.WriteFile(path+".wal0", data, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Open(path)
		if err != nil {
			// A frame after damage (ErrCorrupt) or undecodable records stop Open, with a message.
			if !errors.Is(err, ErrCorrupt) && (!framed || !strings.Contains(err.Error(), "replaying")) {
				t.Fatalf("Open: %v", err)
			}
			return
		}
		s.Close()
	})
}

// Ensure a log file grows in zero-filled chunks as groups arrive, and everything written
// across the growths replays.
func TestLogGrows(t *testing.T) {
	holdApplies(t)
	ctx := context.Background()
	s, path := open(t)
	defer s.Close()
	val := strings.Repeat("x", 1000)
	for i := range 600 {
		mustCommit(t, s, fmt.Sprint("u", i%50), fmt.Sprint(i, val), fmt.Sprint("m", i), nil)
	}
	wf := s.log.files[s.log.active]
	if wf.size < wf.off || wf.size < 512<<10 || wf.size > 2<<20 {
		t.Errorf("log file of %d bytes for %d written", wf.size, wf.off)
	}
	c := mustOpen(t, crashCopy(t, path))
	wantSession(t, c, "u49", fmt.Sprint(599, val))
	if _, ok, _ := c.Reply(ctx, "u0", "m0"); !ok {
		t.Error("the first reply did not replay")
	}
}

// Ensure groups are cut to the frame limit: many records queued at once all commit, none
// fails the log.
func TestGroupsFitFrames(t *testing.T) {
	holdApplies(t)
	old := maxFrame
	maxFrame = 4 << 10
	t.Cleanup(func() { maxFrame = old })
	ctx := context.Background()
	s, path := open(t)
	defer s.Close()
	val := strings.Repeat("y", 1500)
	errs := make(chan error, 40)
	for i := range 40 {
		go func() { errs <- s.Commit(ctx, fmt.Sprint("u", i), []byte(val), fmt.Sprint("m", i), []byte("r")) }()
	}
	for range 40 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	c := mustOpen(t, crashCopy(t, path))
	wantSession(t, c, "u39", val)
}
