package dialogs

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestRenderGolden pins the text (Chinese, the default, and English) and JSON rendering of
// diagnostics, including the caret under
// text after Chinese characters (two cells each) and after a tab.
func TestRenderGolden(t *testing.T) {
	for _, path := range testFiles(t, "testdata/render/*.dlg") {
		t.Run(path, func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			_, ds := LoadFS(botFS(src), "bot")
			if len(ds) == 0 {
				t.Fatal("fixture gives no diagnostics")
			}
			var text, en, js strings.Builder
			if err := ds.WriteText(&text, 0); err != nil {
				t.Fatal(err)
			}
			if err := ds.WriteTextIn(&en, EN, 0); err != nil {
				t.Fatal(err)
			}
			if err := ds.WriteJSON(&js); err != nil {
				t.Fatal(err)
			}
			golden(t, trimExt(path)+".txt", text.String())
			golden(t, trimExt(path)+".en.txt", en.String())
			golden(t, trimExt(path)+".json", js.String())
		})
	}
}

func TestCaretLine(t *testing.T) {
	cases := []struct {
		name    string
		snippet string
		col     int
		endCol  int
		want    string
	}{
		// Ensure ASCII text pads one cell per rune.
		{"ascii", `  ask ammount "x"`, 7, 14, "      ^^^^^^^"},
		// Ensure each Chinese character before the span pads two cells.
		{"cjk before", `say "金额{amout}"`, 9, 14, "          ^^^^^"},
		// Ensure a Chinese span is underlined by its display width.
		{"cjk span", `reply x "您好"`, 9, 13, "        ^^^^^^"},
		// Ensure a tab in the prefix is copied so the terminal aligns both lines alike.
		{"tab", "\tsay x", 6, 7, "\t    ^"},
		// Ensure an empty span still shows one caret.
		{"empty span", "abc", 2, 2, " ^"},
		// Ensure a column past the end of the line does not panic.
		{"past end", "ab", 9, 10, "  ^"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := Diagnostic{Snippet: c.snippet, Pos: Pos{Line: 1, Column: c.col}, End: Pos{Line: 1, Column: c.endCol}}
			if got := caretLine(d); got != c.want {
				t.Errorf("caretLine = %q, want %q", got, c.want)
			}
		})
	}
}

// TestCap ensures the text renderer shows at most MaxShown diagnostics and says how many more.
func TestCap(t *testing.T) {
	var ds Diagnostics
	for i := range 60 {
		ds = append(ds, Diagnostic{Code: CodeSyntax, Message: fmt.Sprint(i), Pos: Pos{File: "f", Line: i + 1, Column: 1}})
	}
	var b strings.Builder
	if err := ds.WriteTextIn(&b, EN, 0); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, "... and 10 more\n60 errors\n") {
		t.Errorf("no cap line in:\n%s", out[len(out)-200:])
	}
	if strings.Contains(out, "f:51:1") {
		t.Error("the 51st diagnostic was printed")
	}
}

func TestSummary(t *testing.T) {
	w := Diagnostic{Severity: SeverityWarning}
	e := Diagnostic{Severity: SeverityError}
	cases := []struct {
		ds   Diagnostics
		want string
	}{
		{nil, "0 errors, 0 warnings"},                 // Ensure a clean run says so.
		{Diagnostics{e}, "1 error"},                   // Ensure STYLE.md's form when there are no warnings.
		{Diagnostics{e, e, w}, "2 errors, 1 warning"}, // Ensure plurals and both counts.
		{Diagnostics{w, w}, "0 errors, 2 warnings"},   // Ensure warnings alone are counted.
	}
	for _, c := range cases {
		if got := c.ds.Summary(); got != c.want {
			t.Errorf("Summary() = %q, want %q", got, c.want)
		}
	}
}
