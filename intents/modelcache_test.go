package intents

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// someDocs is a small training set: three classes, overlapping features.
func someDocs() []linearDoc {
	return []linearDoc{
		{class: 0, ids: []int32{0, 1}, xs: []float32{0.6, 0.8}},
		{class: 1, ids: []int32{1, 2, 3}, xs: []float32{0.5, 0.5, 0.707}},
		{class: 2, ids: []int32{3, 4}, xs: []float32{0.8, 0.6}},
		{class: 2, ids: []int32{0, 4}, xs: []float32{0.28, 0.96}},
	}
}

// Ensure a model read back from the cache is the model training gives, bit for bit, and
// that a file that does not hold this executable's model for these vectors is not used:
// other vectors, a truncated file, another build's header.
func TestCachedLinear(t *testing.T) {
	if buildID() == "" {
		t.Skip("no Go build ID in this executable: nothing is cached")
	}
	docs := someDocs()
	want := trainLinear(docs, 5, 3)
	dir := t.TempDir()
	if got := cachedLinear(dir, docs, 5, 3); !slices.Equal(got.w, want.w) {
		t.Fatalf("first call: weights differ from training's")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "model-*.bin"))
	if len(files) != 1 {
		t.Fatalf("cache files %v, want one", files)
	}
	key := modelKey(docs, 5, 3)
	header := append(append([]byte(modelMagic), key[:]...), buildID()...)
	if m := readModel(files[0], header, 5, 3); m == nil || !slices.Equal(m.w, want.w) {
		t.Fatalf("the file does not hold the trained model")
	}
	if got := cachedLinear(dir, docs, 5, 3); !slices.Equal(got.w, want.w) {
		t.Fatalf("second call: weights differ from training's")
	}

	other := someDocs()
	other[0].xs[0] = 0.61
	if modelKey(other, 5, 3) == key {
		t.Fatalf("other vectors, same key")
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		what string
		data []byte
	}{
		{"truncated", data[:len(data)-4]},
		{"another build", append(append(append([]byte(modelMagic), key[:]...), "other-build"...), data[len(header):]...)},
		{"empty", nil},
	} {
		if err := os.WriteFile(files[0], tc.data, 0o600); err != nil {
			t.Fatal(err)
		}
		if m := readModel(files[0], header, 5, 3); m != nil {
			t.Errorf("%s: a model was read", tc.what)
		}
		if got := cachedLinear(dir, docs, 5, 3); !slices.Equal(got.w, want.w) {
			t.Errorf("%s: weights differ from training's", tc.what)
		}
	}
	if m := readModel(files[0], header, 5, 3); m == nil {
		t.Errorf("the bad file was not replaced by the trained model")
	}
}

// Ensure a calibrated Understander keeps its model beside its calibration, and one without
// Calibrate writes nothing.
func TestModelCacheOnlyCalibrated(t *testing.T) {
	const tsv = "查余额\tbalance\n我的余额还有多少\tbalance\n转账\ttransfer\n给张三转账\ttransfer\n"
	for _, tc := range []struct {
		calibrate bool
		files     int
	}{{false, 0}, {true, 1}} {
		dir := t.TempDir()
		b, err := ReadExamples(strings.NewReader(tsv), "x.tsv")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := New(b, Options{Calibrate: tc.calibrate, CacheDir: dir}); err != nil {
			t.Fatal(err)
		}
		files, _ := filepath.Glob(filepath.Join(dir, "model-*.bin"))
		if buildID() != "" && len(files) != tc.files {
			t.Errorf("calibrate %v: model files %v, want %d", tc.calibrate, files, tc.files)
		}
	}
}
