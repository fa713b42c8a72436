package dialogs

import (
	"os"
	"path/filepath"
	"testing"
)

// TestFormatGolden ensures each testdata/format file formats to its golden file.
func TestFormatGolden(t *testing.T) {
	for _, path := range testFiles(t, "testdata/format/*.dlg") {
		t.Run(path, func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			out, err := Format(src)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, trimExt(path)+".golden", string(out))
		})
	}
}

// roundTripFiles are every dialog file the formatter must keep meaning and be idempotent on:
// the test data and, when present, the shipped bank bot.
func roundTripFiles(t *testing.T) []string {
	var files []string
	for _, pat := range []string{"testdata/format/*.dlg", "testdata/parse/*.dlg", "testdata/bot/*.dlg", "bank/*.dlg"} {
		m, _ := filepath.Glob(pat)
		files = append(files, m...)
	}
	return files
}

// TestFormatRoundTrip ensures formatting keeps the semantic content, keeps every comment, and
// that formatting twice changes nothing.
func TestFormatRoundTrip(t *testing.T) {
	for _, path := range roundTripFiles(t) {
		t.Run(path, func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f1, _ := ParseFile("x.dlg", src)
			if f1 == nil {
				t.Fatal("does not parse")
			}
			out, err := Format(src)
			if err != nil {
				t.Fatal(err)
			}
			f2, ds := ParseFile("x.dlg", out)
			if f2 == nil {
				t.Fatalf("formatted output does not parse: %v\n%s", ds, out)
			}
			if a, b := dump(t, f1, false), dump(t, f2, false); a != b {
				t.Errorf("formatting changed the content:\n%s", Diff("before", "after", []byte(a), []byte(b)))
			}
			if len(f1.Comments) != len(f2.Comments) {
				t.Errorf("formatting kept %d of %d comments", len(f2.Comments), len(f1.Comments))
			}
			for i := range min(len(f1.Comments), len(f2.Comments)) {
				if f1.Comments[i].Text != f2.Comments[i].Text || f1.Comments[i].Trailing != f2.Comments[i].Trailing {
					t.Errorf("comment %d changed: %+v -> %+v", i, f1.Comments[i], f2.Comments[i])
				}
			}
			again, err := Format(out)
			if err != nil {
				t.Fatal(err)
			}
			if string(again) != string(out) {
				t.Errorf("formatting twice changed the text:\n%s", Diff("once", "twice", out, again))
			}
		})
	}
}

// TestFormatRejectsSyntaxErrors ensures Format refuses text that does not parse, with a
// positioned diagnostic, rather than printing something else.
func TestFormatRejectsSyntaxErrors(t *testing.T) {
	_, err := Format([]byte("weiyin 1\nflow f {\n  say \"x\"\n"))
	de, ok := err.(*DiagnosticsError)
	if !ok {
		t.Fatalf("err = %v, want *DiagnosticsError", err)
	}
	if d := de.Diags[0]; d.Code != CodeSyntax || d.Pos.Line != 2 {
		t.Errorf("diagnostic = %v, want a syntax error on line 2, where the unclosed { opens", d)
	}
}
