package entity

import (
	"bufio"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weiyin-bank/weiyin/intents/normalize"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestExtractGolden pins what Extract finds in realistic banking messages
// (testdata/extract.txt) against testdata/extract.golden; go test -update rewrites it.
func TestExtractGolden(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "extract.txt"))
	if err != nil {
		t.Fatal(err)
	}
	x := New()
	lists := map[string][]ListValue{
		"contact": {{Value: "c-mum", Names: []string{"妈妈"}}, {Value: "c-zhang", Names: []string{"张三"}}, {Value: "c-li", Names: []string{"李四"}}},
		"branch":  {{Value: "b-zgc", Names: []string{"中关村支行"}}},
		"account": {{Value: "a-ccb", Names: []string{"建行卡"}}, {Value: "a-cmb", Names: []string{"招商卡"}}, {Value: "a-wy", Names: []string{"微银账户"}}},
	}
	var b strings.Builder
	sc := bufio.NewScanner(strings.NewReader(string(in)))
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		n := normalize.Normalize(line)
		es := x.Extract(n, Context{Now: now, Lists: lists})
		js, err := json.Marshal(es)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(line + "\n  norm: " + n.Norm + "\n  " + string(js) + "\n")
	}
	path := filepath.Join("testdata", "extract.golden")
	if *update {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != b.String() {
		t.Errorf("Extract output differs from %s (go test -update rewrites it):\n%s", path, b.String())
	}
}
