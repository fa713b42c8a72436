package dialogs

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"unicode"
)

// expectation is one `### code "regexp"` annotation: a diagnostic with that code on that line
// whose message matches.
type expectation struct {
	file string
	line int
	code string
	re   *regexp.Regexp
	raw  string
}

var annotation = regexp.MustCompile("###\\s+([a-z-]+)\\s+(\"(?:[^\"\\\\]|\\\\.)*\"|`[^`]*`)")

func expectations(t *testing.T, name string, src []byte) []expectation {
	t.Helper()
	var out []expectation
	for i, line := range strings.Split(string(src), "\n") {
		for _, m := range annotation.FindAllStringSubmatch(line, -1) {
			pat, err := strconv.Unquote(m[2])
			if err != nil {
				t.Fatalf("%s:%d: bad annotation %s: %v", name, i+1, m[0], err)
			}
			out = append(out, expectation{name, i + 1, m[1], regexp.MustCompile(pat), pat})
		}
	}
	return out
}

// TestErrorFixtures loads each annotated fixture (a file alone, or a directory as one bot) and
// ensures every annotated diagnostic is reported on its line and nothing else is. Annotations
// match the English messages; every diagnostic must also read in Chinese.
func TestErrorFixtures(t *testing.T) {
	entries, err := os.ReadDir("testdata/errors")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Run(e.Name(), func(t *testing.T) {
			fsys := fstest.MapFS{}
			var want []expectation
			var paths []string
			if e.IsDir() {
				m, _ := filepath.Glob(filepath.Join("testdata/errors", e.Name(), "*"))
				paths = slices.DeleteFunc(m, func(p string) bool { return !IsDialogFile(p) })
			} else {
				paths = []string{filepath.Join("testdata/errors", e.Name())}
			}
			for _, p := range paths {
				src, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				fsys["bot/"+filepath.Base(p)] = &fstest.MapFile{Data: src}
				want = append(want, expectations(t, "bot/"+filepath.Base(p), src)...)
			}
			if len(want) == 0 {
				t.Fatal("fixture has no ### annotations")
			}
			own := false
			for _, f := range fsys {
				own = own || strings.Contains(string(f.Data), "# no-common-replies")
			}
			if !own {
				addReplies(fsys, "bot")
			}
			b, zh := LoadFS(fsys, "bot")
			for _, d := range zh {
				if !hasHan(d.Message) || d.Hint != "" && !hasHan(d.Hint) {
					t.Errorf("%s: not in Chinese: %q (hint %q)", d.Pos, d.Message, d.Hint)
				}
			}
			ds := zh.In(EN)
			if ds.HasErrors() != (b == nil) {
				t.Errorf("Load returned a bundle (%v) with errors (%v)", b != nil, ds.HasErrors())
			}
			matched := make([]bool, len(ds))
			for _, w := range want {
				found := false
				for i, d := range ds {
					if !matched[i] && d.Pos.File == w.file && d.Pos.Line == w.line && d.Code == w.code && w.re.MatchString(d.Message+"\n= hint: "+d.Hint) {
						matched[i], found = true, true
						break
					}
				}
				if !found {
					t.Errorf("%s:%d: missing %s diagnostic matching %q", w.file, w.line, w.code, w.raw)
				}
			}
			for i, d := range ds {
				if !matched[i] {
					t.Errorf("unexpected diagnostic %s", d.Error())
				}
			}
			if t.Failed() {
				var sb strings.Builder
				_ = ds.WriteText(&sb, 0)
				fmt.Fprintln(os.Stderr, sb.String())
			}
		})
	}
}

// hasHan reports whether s holds a Chinese character.
func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
