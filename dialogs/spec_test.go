package dialogs

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

// specPath is the normative specification whose examples must stay valid.
const specPath = "../docs/dsl-spec.md"

// specBlock is one fenced example of the specification.
type specBlock struct {
	lang string // dlg or dlg-expr
	line int    // 1-based line of the block's first source line in the spec
	src  string
}

// specBlocks extracts the fenced code blocks of a Markdown text. It fails on an indented code
// block, so that no example escapes the checks by its layout.
func specBlocks(t *testing.T, text string) []specBlock {
	t.Helper()
	var out []specBlock
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.HasPrefix(l, "    ") && i > 0 && strings.TrimSpace(lines[i-1]) == "" {
			t.Errorf("%s:%d: indented code block: write examples as fenced ```dlg blocks so that they are checked", specPath, i+1)
			continue
		}
		lang, ok := strings.CutPrefix(l, "```")
		if !ok {
			continue
		}
		b := specBlock{lang: strings.TrimSpace(lang), line: i + 2}
		var body []string
		for i++; i < len(lines) && !strings.HasPrefix(lines[i], "```"); i++ {
			body = append(body, lines[i])
		}
		if i == len(lines) {
			t.Fatalf("%s:%d: unterminated code block", specPath, b.line-1)
		}
		b.src = strings.Join(body, "\n") + "\n"
		out = append(out, b)
	}
	return out
}

// exprSep separates the expressions of a dlg-expr line (two spaces or more).
var exprSep = regexp.MustCompile(`\s{2,}`)

// TestSpecExamples ensures every example in docs/dsl-spec.md is valid dialog source: each
// `dlg` or `dlg-alone` block parses on its own (after the version marker, unless it is the
// marker), all `dlg` blocks together load as one bot without errors or warnings (names resolved, flows checked), and each
// expression of a `dlg-expr` block parses as the condition of an if.
func TestSpecExamples(t *testing.T) {
	text, err := os.ReadFile(specPath)
	if err != nil {
		t.Fatalf("the specification: %v", err)
	}
	blocks := specBlocks(t, string(text))
	if len(blocks) == 0 {
		t.Fatalf("%s: no example blocks found", specPath)
	}
	var bot strings.Builder
	bot.WriteString("weiyin 1\n")
	for _, b := range blocks {
		where := fmt.Sprintf("%s:%d", specPath, b.line)
		switch b.lang {
		case "dlg", "dlg-alone":
			src := b.src
			if !strings.HasPrefix(strings.TrimSpace(src), "weiyin ") {
				src = "weiyin 1\n" + src
				if b.lang == "dlg" { // dlg-alone: parsed, but kept out of the bot (a stub always warns)
					fmt.Fprintf(&bot, "# %s\n%s", where, b.src)
				}
			}
			if _, ds := ParseFile("spec.dlg", []byte(src)); len(ds) > 0 {
				t.Errorf("%s: the example does not parse:\n%s", where, diagText(ds))
			}
		case "dlg-expr":
			for n, line := range strings.Split(strings.TrimSpace(b.src), "\n") {
				for _, e := range exprSep.Split(strings.TrimSpace(line), -1) {
					src := "weiyin 1\nflow f {\n  if " + e + " { end }\n}\n"
					if _, ds := ParseFile("expr.dlg", []byte(src)); len(ds) > 0 {
						t.Errorf("%s:%d: expression %q does not parse:\n%s", specPath, b.line+n, e, diagText(ds))
					}
				}
			}
		default:
			t.Errorf("%s: code block of unknown kind %q (want dlg, dlg-alone or dlg-expr)", where, b.lang)
		}
	}
	fsys := fstest.MapFS{"spec/examples.dlg": {Data: []byte(bot.String())}}
	if _, ds := LoadFS(fsys, "spec"); len(ds) > 0 {
		t.Errorf("the spec's examples together do not load as one bot without findings:\n%s\nthe bot:\n%s", diagText(ds), bot.String())
	}
}

func diagText(ds Diagnostics) string {
	var sb strings.Builder
	_ = ds.WriteText(&sb, 0)
	return sb.String()
}

// TestSpecListsEveryCode ensures the specification's diagnostics table names every Code*
// constant of diag.go, and nothing else: a new code is documented when it is added.
func TestSpecListsEveryCode(t *testing.T) {
	text, err := os.ReadFile(specPath)
	if err != nil {
		t.Fatalf("the specification: %v", err)
	}
	_, table, ok := strings.Cut(string(text), "## Diagnostics (codes)")
	if !ok {
		t.Fatalf("%s: no section \"Diagnostics (codes)\"", specPath)
	}
	documented := map[string]bool{}
	for _, line := range strings.Split(table, "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		first := strings.Split(line, "|")[1]
		for _, m := range regexp.MustCompile("`([a-z-]+)`").FindAllStringSubmatch(first, -1) {
			documented[m[1]] = true
		}
	}
	src, err := os.ReadFile("diag.go")
	if err != nil {
		t.Fatal(err)
	}
	codes := regexp.MustCompile(`(?m)^\s*Code\w+\s*=\s*"([a-z-]+)"`).FindAllStringSubmatch(string(src), -1)
	if len(codes) == 0 {
		t.Fatal("diag.go: no Code* constants found")
	}
	declared := map[string]bool{}
	for _, m := range codes {
		declared[m[1]] = true
		if !documented[m[1]] {
			t.Errorf("code %q is not in the diagnostics table of %s", m[1], specPath)
		}
	}
	for c := range documented {
		if !declared[c] {
			t.Errorf("%s documents code %q, which diag.go does not declare", specPath, c)
		}
	}
}
