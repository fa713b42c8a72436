package intents

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/weiyin-bank/weiyin/dialogs"
)

// smallBundle is a bundle of two intents that calibrates in well under a second.
func smallBundle(t *testing.T) *dialogs.Bundle {
	t.Helper()
	const tsv = "查余额\tbalance\n我的余额还有多少\tbalance\n卡里还剩多少钱\tbalance\n" +
		"转账\ttransfer\n给张三转账\ttransfer\n汇款给李四\ttransfer\n"
	b, err := ReadExamples(strings.NewReader(tsv), "small.tsv")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// calibOpts are the options New calibrates with for a CacheDir.
func calibOpts(dir string) Options {
	return Options{Calibrate: true, CacheDir: dir, MaxRunes: defaultMaxRunes, AmbiguityMargin: DefaultAmbiguityMargin}
}

// forget drops b's calibration from the process's memory, as a new process would start.
func forget(b *dialogs.Bundle, opts Options) {
	key, _ := calibKey(bundleHash(b), opts)
	calibCache.Delete(key)
}

// fresh is b's calibration from its folds, whatever the caches hold.
func fresh(t *testing.T, b *dialogs.Bundle) Calibration {
	t.Helper()
	c, err := calibrate(b, calibOpts("-"))
	if err != nil {
		t.Fatal(err)
	}
	c.Hash = bundleHash(b)
	return c
}

// uncached is c as a fresh calibration reports it.
func uncached(c Calibration) Calibration { c.Cached = false; return c }

// Ensure every kind of bad calibration file is recalibrated to what an empty cache gives and
// replaced by a good file, quietly; a good file of this build is used as it is.
func TestCalibrationCacheFiles(t *testing.T) {
	if buildID() == "" {
		t.Skip("no Go build ID in this executable: calibrations are not kept on disk")
	}
	b := smallBundle(t)
	want := fresh(t, b)
	hash := bundleHash(b)
	key, _ := calibKey(hash, calibOpts(""))
	good, _ := json.Marshal(calibFile{Key: key, Build: buildID(), Calibration: want})
	other := want
	other.Threshold = want.Threshold + 0.2
	stale, _ := json.Marshal(calibFile{Key: key, Build: "another-build", Calibration: other})
	sameBuildOther, _ := json.Marshal(calibFile{Key: key, Build: buildID(), Calibration: other})
	oldFormat, _ := json.Marshal(other) // what versions before the build ID wrote
	bad := func(edit func(c *Calibration)) []byte {
		c := want
		edit(&c)
		data, _ := json.Marshal(calibFile{Key: key, Build: buildID(), Calibration: c})
		return data
	}
	for _, tc := range []struct {
		why  string
		data []byte // the file's content; nil: no file
		// used: the file's calibration is taken as it is (it is this build's, and sound).
		used Calibration
	}{
		// Ensure an empty cache calibrates and keeps the result.
		{why: "no file", data: nil},
		// Ensure a zero-length file is recalibrated.
		{why: "zero-length", data: []byte{}},
		// Ensure a file cut short is recalibrated.
		{why: "truncated", data: good[:len(good)/2]},
		// Ensure bytes that are not JSON are recalibrated.
		{why: "corrupt", data: []byte("\x00\xff garbage \x7f")},
		// Ensure JSON of another shape (the previous format, no build ID) is recalibrated.
		{why: "old format", data: oldFormat},
		// Ensure a file another build wrote is not trusted: its scoring may differ.
		{why: "another build", data: stale},
		// Ensure a file for another key is not used.
		{why: "another key", data: []byte(strings.Replace(string(good), key, "000000000000000000000000", 1))},
		// Ensure figures no calibration gives are recalibrated: a zero threshold ...
		{why: "zero threshold", data: bad(func(c *Calibration) { c.Threshold = 0 })},
		// ... a threshold above 1 ...
		{why: "threshold above 1", data: bad(func(c *Calibration) { c.Threshold = 7 })},
		// ... a zero background scale (every message would beat intent none) ...
		{why: "zero scale", data: bad(func(c *Calibration) { c.BackgroundScale = 0 })},
		// ... an unknown source ...
		{why: "unknown source", data: bad(func(c *Calibration) { c.Source = "bogus" })},
		// ... and a negative domain gate.
		{why: "negative gate", data: bad(func(c *Calibration) { c.DomainGate = -1 })},
		// Ensure a sound file of this build is used as written (the cache works).
		{why: "this build's file", data: sameBuildOther, used: other},
	} {
		t.Run(tc.why, func(t *testing.T) {
			dir := t.TempDir()
			path := calibPath(dir, key)
			if tc.data != nil {
				if err := os.WriteFile(path, tc.data, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			forget(b, calibOpts(dir))
			defer forget(b, calibOpts(dir))
			u, err := New(b, Options{Calibrate: true, CacheDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			expect := want
			if tc.used.Source != "" {
				expect = tc.used
			}
			if got := uncached(u.Calibration()); got != expect {
				t.Fatalf("calibration %+v, want %+v", got, expect)
			}
			if c, ok := readCalibration(path, key, hash, buildID()); !ok || c != expect {
				t.Errorf("the file holds %+v (%v), want %+v", c, ok, expect)
			}
			if tmp, _ := filepath.Glob(filepath.Join(dir, ".*")); len(tmp) > 0 {
				t.Errorf("temporary files left: %v", tmp)
			}
		})
	}
}

// Ensure a cache directory that cannot hold files (a regular file, a file under a regular
// file, a directory where the file should be, a directory without write permission) costs
// only the folds: New answers as with an empty cache.
func TestCalibrationCacheDirUnusable(t *testing.T) {
	b := smallBundle(t)
	want := fresh(t, b)
	key, _ := calibKey(bundleHash(b), calibOpts(""))
	for _, tc := range []struct {
		why   string
		setup func(t *testing.T, root string) string // returns CacheDir
	}{
		// Ensure a CacheDir that is a regular file is no error.
		{"dir is a file", func(t *testing.T, root string) string {
			p := filepath.Join(root, "file")
			os.WriteFile(p, []byte("x"), 0o600)
			return p
		}},
		// Ensure a CacheDir below a regular file is no error.
		{"dir under a file", func(t *testing.T, root string) string {
			p := filepath.Join(root, "file")
			os.WriteFile(p, []byte("x"), 0o600)
			return filepath.Join(p, "weiyin")
		}},
		// Ensure a directory in the calibration file's place is no error.
		{"file is a directory", func(t *testing.T, root string) string {
			os.MkdirAll(calibPath(root, key), 0o700)
			os.MkdirAll(filepath.Join(root, "model-x.bin"), 0o700)
			return root
		}},
		// Ensure a directory without write permission is no error (root writes anyway).
		{"read-only dir", func(t *testing.T, root string) string {
			p := filepath.Join(root, "ro")
			os.Mkdir(p, 0o500)
			t.Cleanup(func() { os.Chmod(p, 0o700) })
			return p
		}},
	} {
		t.Run(tc.why, func(t *testing.T) {
			dir := tc.setup(t, t.TempDir())
			forget(b, calibOpts(dir))
			u, err := New(b, Options{Calibrate: true, CacheDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			if got := uncached(u.Calibration()); got != want {
				t.Errorf("calibration %+v, want %+v", got, want)
			}
			if r := u.Understand("我的余额", Context{}); r.Intent != "balance" {
				t.Errorf("我的余额 -> %s", r.Intent)
			}
		})
	}
}

// Ensure calibrations under options that change the folds are cached apart: a calibration
// without the background (default threshold) is never served to a bundle with it.
func TestCalibrationKeyOptions(t *testing.T) {
	b := smallBundle(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		why  string
		opts Options
	}{
		// Ensure no background gets its own key (and its default threshold stays its own).
		{"no background", Options{NoBackground: true}},
		// Ensure the HMM option gets its own key.
		{"hmm", Options{HMM: true}},
		// Ensure another MaxRunes gets its own key.
		{"max runes", Options{MaxRunes: 64}},
	} {
		t.Run(tc.why, func(t *testing.T) {
			o := tc.opts
			o.Calibrate, o.CacheDir = true, dir
			if o.MaxRunes == 0 {
				o.MaxRunes = defaultMaxRunes
			}
			k1, _ := calibKey(bundleHash(b), calibOpts(dir))
			k2, ok := calibKey(bundleHash(b), o)
			if !ok || k1 == k2 {
				t.Fatalf("keys %s and %s (cacheable %v)", k1, k2, ok)
			}
		})
	}
	// Ensure, end to end, that the order of the two does not matter.
	forget(b, calibOpts(dir))
	nobg, err := New(b, Options{Calibrate: true, CacheDir: dir, NoBackground: true})
	if err != nil {
		t.Fatal(err)
	}
	with, err := New(b, Options{Calibrate: true, CacheDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := uncached(with.Calibration()), fresh(t, b); got != want {
		t.Errorf("with background after without: %s, want %s (without: %s)", got, want, nobg.Calibration())
	}
	// Ensure a custom extractor's calibration is not cached at all.
	if _, ok := calibKey(bundleHash(b), Options{Extractor: DefaultExtractor()}); ok {
		t.Error("a custom extractor's calibration is cacheable")
	}
}

// Ensure several calibrations of one bundle at once into one directory (goroutines here; the
// CLI test runs processes) all answer the same, and leave one sound file and no temporary.
func TestCalibrationConcurrent(t *testing.T) {
	b := smallBundle(t)
	dir := t.TempDir()
	want := fresh(t, b)
	var wg sync.WaitGroup
	got := make([]Calibration, 6)
	for i := range got {
		wg.Go(func() {
			c, err := calibrate(b, calibOpts(dir))
			if err != nil {
				t.Error(err)
				return
			}
			c.Hash = bundleHash(b)
			key, _ := calibKey(c.Hash, calibOpts(dir))
			writeCalibration(calibPath(dir, key), key, "b", c)
			got[i] = c
		})
	}
	wg.Wait()
	for i, c := range got {
		if c != want {
			t.Errorf("calibration %d: %+v, want %+v", i, c, want)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	hidden, _ := filepath.Glob(filepath.Join(dir, ".*"))
	if len(files) != 1 || len(hidden) != 0 {
		t.Fatalf("files %v %v, want one calibration", files, hidden)
	}
	key, _ := calibKey(want.Hash, calibOpts(dir))
	if c, ok := readCalibration(files[0], key, want.Hash, "b"); !ok || c != want {
		t.Errorf("file holds %+v (%v)", c, ok)
	}
}

// Ensure a bundle so small that a fold holds out every example (one example, or two whose
// texts fall in one fold) still compiles with Calibrate and answers its intents: the folds
// that leave nothing to learn are skipped.
func TestCalibrateTinyBundles(t *testing.T) {
	// Two texts in the same fold.
	a, c := "查余额", ""
	for _, s := range []string{"转账", "汇款", "打钱", "转钱", "给张三转账", "转一笔钱"} {
		if calibFold(s) == calibFold(a) {
			c = s
			break
		}
	}
	if c == "" {
		t.Fatal("no text in 查余额's fold: extend the list")
	}
	for _, tc := range []struct {
		why, tsv, text, want string
	}{
		// Ensure one intent of one example loads and answers.
		{"one example", "余额\tbalance\n", "余额", "balance"},
		// Ensure two intents whose only examples share a fold load and answer.
		{"one fold", a + "\tbalance\n" + c + "\ttransfer\n", a, "balance"},
		// Ensure one intent of two examples in one fold loads.
		{"two in one fold", a + "\tbalance\n" + c + "\tbalance\n", a, "balance"},
	} {
		t.Run(tc.why, func(t *testing.T) {
			b, err := ReadExamples(strings.NewReader(tc.tsv), "tiny.tsv")
			if err != nil {
				t.Fatal(err)
			}
			u, err := New(b, Options{Calibrate: true, CacheDir: "-"})
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if r := u.Understand(tc.text, Context{}); r.Intent != tc.want {
				t.Errorf("%s -> %s, want %s (%s)", tc.text, r.Intent, tc.want, u.Calibration())
			}
		})
	}
}

// Ensure a model file that does not hold this build's model, bit for bit, is retrained and
// replaced: changed bytes of the same size, a non-finite weight with a matching checksum,
// a bad checksum, the previous format.
func TestModelCacheCorrupt(t *testing.T) {
	if buildID() == "" {
		t.Skip("no Go build ID in this executable: nothing is cached")
	}
	docs := someDocs()
	want := trainLinear(docs, 5, 3)
	key := modelKey(docs, 5, 3)
	header := append(append([]byte(modelMagic), key[:]...), buildID()...)
	dir := t.TempDir()
	cachedLinear(dir, docs, 5, 3)
	files, _ := filepath.Glob(filepath.Join(dir, "model-*.bin"))
	if len(files) != 1 {
		t.Fatalf("files %v", files)
	}
	good, _ := os.ReadFile(files[0])
	flip := func(i int) []byte { d := slices.Clone(good); d[i] ^= 0x40; return d }
	nan := func() []byte {
		d := slices.Clone(good[:len(good)-32])
		binary.LittleEndian.PutUint32(d[len(header):], math.Float32bits(float32(math.NaN())))
		sum := sha256Sum(d[len(header):])
		return append(d, sum...)
	}
	for _, tc := range []struct {
		why  string
		data []byte
	}{
		// Ensure a changed weight byte, same size, is caught by the checksum.
		{"flipped weight", flip(len(header) + 5)},
		// Ensure a changed checksum byte is caught.
		{"flipped checksum", flip(len(good) - 1)},
		// Ensure a NaN weight is refused even with its checksum right.
		{"nan weight", nan()},
		// Ensure a file of the previous format (no checksum) is refused.
		{"old format", append([]byte(strings.Replace(string(good[:len(good)-32]), modelMagic, "weiyin linear model 1\n", 1)), make([]byte, 32)...)},
		// Ensure a zero-length file is refused.
		{"zero-length", []byte{}},
	} {
		t.Run(tc.why, func(t *testing.T) {
			if err := os.WriteFile(files[0], tc.data, 0o600); err != nil {
				t.Fatal(err)
			}
			if m := readModel(files[0], header, 5, 3); m != nil {
				t.Fatal("a model was read")
			}
			if got := cachedLinear(dir, docs, 5, 3); !slices.Equal(got.w, want.w) {
				t.Fatal("weights differ from training's")
			}
			if m := readModel(files[0], header, 5, 3); m == nil || !slices.Equal(m.w, want.w) {
				t.Error("the bad file was not replaced by the trained model")
			}
		})
	}
}

func sha256Sum(b []byte) []byte { s := sha256.Sum256(b); return s[:] }
