package dialogs

import (
	"os"
	"testing"
)

// TestParseGolden pins the semantic content (with positions) of each testdata/parse file.
func TestParseGolden(t *testing.T) {
	for _, path := range testFiles(t, "testdata/parse/*.dlg") {
		t.Run(path, func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f, ds := ParseFile(path, src)
			if ds.HasErrors() || f == nil {
				t.Fatalf("unexpected diagnostics: %v", ds)
			}
			golden(t, trimExt(path)+".golden", dump(t, f, true))
		})
	}
}
