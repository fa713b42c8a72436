package store

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

// Ensure a damaged session database is refused with ErrCorrupt and a message saying what to
// do (move it aside, or restore it), never with bbolt's panic.
func TestOpenCorruptDatabase(t *testing.T) {
	tests := []struct {
		name   string
		damage func(b []byte) []byte
	}{
		// Not a bbolt file at all.
		{"garbage", func(b []byte) []byte { return []byte(strings.Repeat("not a database ", 1000)) }},
		// Both meta pages' checksums broken.
		{"metas", func(b []byte) []byte {
			for _, page := range []int{0, 1} {
				b[page*pageSize(b)+40] ^= 0xff
			}
			return b
		}},
		// Intact metas pointing at pages that are not what they say (bbolt panics on these).
		{"pages", func(b []byte) []byte {
			ps := pageSize(b)
			for i := 2 * ps; i < len(b); i++ {
				b[i] = 0xa5
			}
			return b
		}},
	}
	for _, tt := range tests {
		s, path := open(t)
		for i := range 50 {
			mustCommit(t, s, fmt.Sprint("u", i), strings.Repeat("s", 100), fmt.Sprint("m", i), []byte("r"))
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		os.Remove(path + ".wal0")
		os.Remove(path + ".wal1")
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, tt.damage(b), 0o600); err != nil {
			t.Fatal(err)
		}
		var got error
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("%s: Open panicked: %v", tt.name, r)
				}
			}()
			s, got = Open(path)
		}()
		if got == nil {
			s.Close()
			t.Errorf("%s: Open accepted a damaged database", tt.name)
			continue
		}
		if !errors.Is(got, ErrCorrupt) || !strings.Contains(got.Error(), "mv "+path) {
			t.Errorf("%s: %v, want ErrCorrupt with the way out", tt.name, got)
		}
	}
}

// pageSize reads bbolt's page size from the first meta page.
func pageSize(b []byte) int {
	return int(uint32(b[24]) | uint32(b[25])<<8 | uint32(b[26])<<16 | uint32(b[27])<<24)
}

// Ensure a damaged group in the middle of the log, with acknowledged groups after it, stops
// Open with an error naming the file and the offset, instead of replaying up to the damage and
// dropping the later turns without a word.
func TestLogCorruptMiddle(t *testing.T) {
	holdApplies(t)
	s, path := open(t)
	defer s.Close()
	for i := range 6 {
		mustCommit(t, s, "u", fmt.Sprint(i), fmt.Sprint("m", i), nil)
	}
	active := s.log.active
	cp := crashCopy(t, path)
	file := cp + fmt.Sprintf(".wal%d", active)
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	// The offset of the third group of the file.
	off := 0
	for range 2 {
		_, payload, why := frameAt(data, off)
		if why != "" {
			t.Fatalf("frame at %d: %s", off, why)
		}
		off += frameHead + len(payload)
	}
	data[off+frameHead+9] ^= 0xff // inside its records: the checksum fails
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Open(cp)
	if err == nil {
		defer c.Close()
		got, _ := c.Load(t.Context(), "u")
		t.Fatalf("Open replayed a log damaged in the middle; the session is %q, the last acknowledged was %q", got, "5")
	}
	var ce *CorruptError
	if !errors.As(err, &ce) || !errors.Is(err, ErrCorrupt) || ce.File != file || ce.Offset != int64(off) ||
		!strings.Contains(err.Error(), fmt.Sprintf("offset %d", off)) {
		t.Errorf("Open: %v, want a CorruptError for %s at offset %d", err, file, off)
	}
}
