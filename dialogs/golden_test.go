package dialogs

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares got with the file at path, or rewrites it with -update.
func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (go test -update rewrites it):\n%s", path, Diff(path, "got", want, []byte(got)))
	}
}

// dump is a stable JSON view of semantic values: positions become "line:col" (or are dropped
// when withPos is false), map keys sorted, unexported fields (the syntax tree) left out.
func dump(t *testing.T, v any, withPos bool) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var x any
	if err := json.Unmarshal(b, &x); err != nil {
		t.Fatal(err)
	}
	x = stripPos(x, withPos)
	out, err := json.MarshalIndent(x, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(out) + "\n"
}

func stripPos(x any, withPos bool) any {
	switch v := x.(type) {
	case map[string]any:
		if _, ok := v["Column"]; ok {
			if _, ok := v["Offset"]; ok {
				if !withPos {
					return nil
				}
				return fmt.Sprintf("%v:%v", v["Line"], v["Column"])
			}
		}
		out := map[string]any{}
		for k, e := range v {
			s := stripPos(e, withPos)
			if s == nil || k == "Comments" {
				continue
			}
			if arr, ok := s.([]any); ok && len(arr) == 0 {
				continue
			}
			if str, ok := s.(string); ok && str == "" {
				continue
			}
			if b, ok := s.(bool); ok && !b {
				continue
			}
			out[k] = s
		}
		return out
	case []any:
		out := make([]any, 0, len(v))
		for _, e := range v {
			out = append(out, stripPos(e, withPos))
		}
		return out
	}
	return x
}

// testFiles lists the files matching pattern, sorted.
func testFiles(t *testing.T, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(m)
	if len(m) == 0 {
		t.Fatalf("no test files match %s", pattern)
	}
	return m
}

func trimExt(p string) string { return strings.TrimSuffix(p, filepath.Ext(p)) }

// botFS is a one-file bot at bot/x.dlg with the required replies it lacks added (in
// bot/zz-replies.dlg), so that a test sees only the diagnostics of its own source.
func botFS(src []byte) fstest.MapFS {
	fsys := fstest.MapFS{"bot/x.dlg": {Data: src}}
	addReplies(fsys, "bot")
	return fsys
}

var declaredReply = regexp.MustCompile(`(?m)^\s*reply\s+([A-Za-z_][A-Za-z0-9_]*)`)

// addReplies adds DIR/zz-replies.dlg declaring the required replies no file of fsys declares.
func addReplies(fsys fstest.MapFS, dir string) {
	have := map[string]bool{}
	for _, f := range fsys {
		for _, m := range declaredReply.FindAllSubmatch(f.Data, -1) {
			have[string(m[1])] = true
		}
	}
	var b strings.Builder
	b.WriteString("weiyin 1\n\n# The required replies the test's own files lack.\n")
	for _, name := range RequiredReplies() {
		if !have[name] {
			fmt.Fprintf(&b, "reply %s \"%s 的话\"\n", name, name)
		}
	}
	fsys[path.Join(dir, "zz-replies.dlg")] = &fstest.MapFile{Data: []byte(b.String())}
}
