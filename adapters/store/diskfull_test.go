package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// smallDisk mounts a tmpfs of size bytes for the test (root only; skips otherwise).
func smallDisk(t *testing.T, size int) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a small filesystem needs root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d", size), "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}

// fill writes a file until the filesystem is full and returns its path.
func fill(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	for {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			return path
		}
	}
}

// Ensure a full disk refuses commits with an error and makes Healthy fail, and that once
// space returns the store commits again and is healthy, with no restart; the turns refused
// meanwhile never come back on replay, and those acknowledged are all there.
func TestDiskFullRecovers(t *testing.T) {
	t.Run("log", func(t *testing.T) {
		holdApplies(t) // the log fills the disk; bbolt is not written meanwhile
		diskFullRecovers(t)
	})
	// The applier writes bbolt as the disk fills, too.
	t.Run("log and database", diskFullRecovers)
}

func diskFullRecovers(t *testing.T) {
	ctx := context.Background()
	dir := smallDisk(t, 8<<20)
	path := filepath.Join(dir, "sessions.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mustCommit(t, s, "u0", "before", "m0", nil)
	filler := fill(t, dir)

	val := strings.Repeat("x", 64<<10)
	refused := 0
	for i := range 200 { // more than the log has room for
		if err := s.Commit(ctx, fmt.Sprint("u", i+1), []byte(val), fmt.Sprint("m", i+1), nil); err != nil {
			refused = i + 1
			break
		}
	}
	if refused == 0 {
		t.Fatal("every commit succeeded on a full disk")
	}
	if err := s.Healthy(ctx); err == nil {
		t.Error("Healthy on a full disk")
	}
	os.Remove(filler)
	if err := s.Healthy(ctx); err != nil {
		t.Errorf("Healthy once space is back: %v", err)
	}
	mustCommit(t, s, "after", "after", "m-after", nil)
	wantSession(t, s, "after", "after")

	c := mustOpen(t, crashCopy(t, path))
	wantSession(t, c, "u0", "before")
	wantSession(t, c, "after", "after")
	if got, _ := c.Load(ctx, fmt.Sprint("u", refused)); got != nil {
		t.Errorf("the turn refused on the full disk came back on replay")
	}
	t.Logf("the disk filled at commit %d", refused)
}
