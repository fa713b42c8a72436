package wechat

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/weiyin-bank/weiyin/intents/normalize/corpustest"
)

// vectors holds Tencent's published values from ../shared/corpora/wechat_vectors.md, each
// section's backquoted values in order of appearance.
type vectors struct {
	a, b  []string // section A (2024 documentation) and B (2014 sample code)
	bodyB string   // the compatible-mode XML body of section B
}

var tickRE = regexp.MustCompile("`([^`]*)`")

// loadVectors reads the corpus file beside the repository, or skips the test.
func loadVectors(t *testing.T) vectors {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(corpustest.Dir(t), "wechat_vectors.md"))
	if err != nil {
		t.Skipf("WeChat vectors not available (../shared/corpora/wechat_vectors.md beside the repository): %v", err)
	}
	text := string(data)
	ia, ib := strings.Index(text, "## A."), strings.Index(text, "## B.")
	if ia < 0 || ib < ia {
		t.Fatal("wechat_vectors.md: sections A and B not found")
	}
	var v vectors
	for _, m := range tickRE.FindAllStringSubmatch(text[ia:ib], -1) {
		v.a = append(v.a, m[1])
	}
	secB := text[ib:]
	for _, line := range strings.Split(secB, "\n") {
		if s := strings.TrimSpace(line); strings.HasPrefix(s, "<xml>") {
			v.bodyB = s
			continue
		}
		for _, m := range tickRE.FindAllStringSubmatch(line, -1) {
			v.b = append(v.b, m[1])
		}
	}
	if len(v.a) < 23 || len(v.b) < 13 || v.bodyB == "" {
		t.Fatalf("wechat_vectors.md: unexpected layout (%d values in A, %d in B)", len(v.a), len(v.b))
	}
	return v
}
