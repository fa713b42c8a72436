package intents

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestTokenCache ensures the token cache changes no answer: whatever is in the file (nothing,
// a sound cut, garbage, a cut that does not make up its line under a valid checksum), New
// answers as without a cache, and leaves a sound file behind; calibration folds write none.
func TestTokenCache(t *testing.T) {
	if buildID() == "" {
		t.Skip("the test binary has no Go build ID: the token cache is off")
	}
	b := smallBundle(t)
	texts := []string{"我的余额", "给王五转账", "今天天气怎么样", "check my balance"}
	answers := func(u *Understander) []Result {
		var out []Result
		for _, s := range texts {
			out = append(out, u.Understand(s, Context{}))
		}
		return out
	}
	calibrated, err := New(b, Options{Calibrate: true, CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	want := answers(calibrated) // from a cache directory of its own: the lines were cut
	soundFile := func(t *testing.T, dir string) string {
		t.Helper()
		files, _ := filepath.Glob(filepath.Join(dir, "tokens-*.bin"))
		if len(files) != 1 {
			t.Fatalf("token cache files %v, want one (folds write none)", files)
		}
		return files[0]
	}
	header := len(tokenMagic) + sha256.Size
	tests := []struct {
		name  string
		spoil func(path string) []byte // the file's new content; nil leaves it
		why   string
	}{
		{"sound", nil, "a sound file is read back"},
		{"flipped byte", func(p string) []byte {
			d, _ := os.ReadFile(p)
			d[len(d)/2] ^= 0xff
			return d
		}, "a changed byte fails the checksum"},
		{"truncated", func(p string) []byte { d, _ := os.ReadFile(p); return d[:len(d)-10] }, "a torn file is not read"},
		{"empty", func(string) []byte { return nil }, "an empty file is not read"},
		{"wrong cut", func(p string) []byte {
			// The first lesson's first token made of x's, its length kept, the checksum redone.
			d, _ := os.ReadFile(p)
			body := d[header : len(d)-sha256.Size]
			_, k := binary.Uvarint(body)
			m, k2 := binary.Uvarint(body[k:])
			for i := k + k2; i < k+k2+int(m); i++ {
				body[i] = 'x'
			}
			sum := sha256.Sum256(body)
			return append(d[:len(d)-sha256.Size], sum[:]...)
		}, "a cut that does not make up its line is refused even under a valid checksum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			opts := Options{Calibrate: true, CacheDir: dir}
			if _, err := New(b, opts); err != nil {
				t.Fatal(err)
			}
			path := soundFile(t, dir)
			sound, _ := os.ReadFile(path)
			if tt.spoil != nil {
				if err := os.WriteFile(path, tt.spoil(path), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			u, err := New(b, opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := answers(u); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: answers %+v, want %+v", tt.why, got, want)
			}
			if after, _ := os.ReadFile(soundFile(t, dir)); string(after) != string(sound) {
				t.Errorf("%s: the file was not left sound", tt.why)
			}
		})
	}
}

// TestCachePrune ensures a cache directory keeps, of each kind of file, the cacheKeep most
// recently written (the one just written always), so that builds deployed one after another
// do not fill it, and that other kinds are left alone.
func TestCachePrune(t *testing.T) {
	dir := t.TempDir()
	old := time.Now().Add(-time.Hour)
	for i := range 12 {
		p := filepath.Join(dir, fmt.Sprintf("model-%02d.bin", i))
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(p, old, old.Add(time.Duration(i)*time.Minute)) // model-11 the newest
	}
	other := filepath.Join(dir, "tokens-1.bin")
	os.WriteFile(other, []byte("x"), 0o600)
	os.Chtimes(other, old, old) // older than every model
	writeCacheFile(filepath.Join(dir, "model-new.bin"), []byte("y"))
	models, _ := filepath.Glob(filepath.Join(dir, "model-*.bin"))
	want := []string{"model-05.bin", "model-06.bin", "model-07.bin", "model-08.bin", "model-09.bin", "model-10.bin", "model-11.bin", "model-new.bin"}
	var got []string
	for _, m := range models {
		got = append(got, filepath.Base(m))
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("kept %v, want %v", got, want)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("a file of another kind was removed: %v", err)
	}
	if p := calibPath(dir, "k"); !strings.Contains(filepath.Base(p), buildTag()) {
		t.Errorf("calibration path %s does not name the build %s", p, buildTag())
	}
}
