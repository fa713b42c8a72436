package intents_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/weiyin-bank/weiyin/intents"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// Ensure Explain's readable output stays as reviewed: normalised text, placeholders, tokens,
// entities, candidates with their nearest examples and shared features.
func TestExplainGolden(t *testing.T) {
	u := devUnderstander(t, intents.Options{})
	var out bytes.Buffer
	for _, text := range []string{"给李四转两百块", "查一下鱼额", "1", "今天天气怎么样"} {
		if err := u.Explain(text, intents.Context{Now: testNow}).Write(&out); err != nil {
			t.Fatal(err)
		}
		out.WriteString("\n")
	}
	golden := filepath.Join("testdata", "explain.golden")
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run TestExplainGolden -update)", err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("Explain output differs from %s (run with -update after review):\n%s", golden, out.String())
	}
}

// Ensure the explanation agrees with Understand.
func TestExplainAgrees(t *testing.T) {
	u := devUnderstander(t, intents.Options{})
	for _, text := range []string{"我的余额", "还宽", "2", "帮我订机票", "給張三轉五百元"} {
		r := u.Understand(text, intents.Context{Now: testNow})
		x := u.Explain(text, intents.Context{Now: testNow})
		if x.Result.Intent != r.Intent || x.Result.Confidence != r.Confidence {
			t.Errorf("%q: Explain says %s %.3f, Understand %s %.3f", text, x.Result.Intent, x.Result.Confidence, r.Intent, r.Confidence)
		}
		if r.Intent != intents.None && (len(x.Candidates) == 0 || x.Candidates[0].Intent != r.Intent || len(x.Candidates[0].Nearest) == 0) {
			t.Errorf("%q: candidates %+v do not lead with %s and its nearest example", text, x.Candidates, r.Intent)
		}
	}
}
