package intents

import (
	"slices"
	"strings"
	"testing"
)

// Ensure explain shows, for a bundle of few examples, the calibrated threshold, whether a
// domain gate decides, and each synonym the message used with its group's term (English
// words too), flagging a term no example has.
func TestExplainThresholdGateSynonyms(t *testing.T) {
	const tsv = "怎么解除绑定\tunbind\n解绑银行卡\tunbind\nPOS机坏了\tpos\n境外刷卡\toverseas\n在国外能用吗\toverseas\n卡丢了\tlost\n"
	b, err := ReadExamples(strings.NewReader(tsv), "few.tsv")
	if err != nil {
		t.Fatal(err)
	}
	u, err := New(b, Options{Calibrate: true, CacheDir: "-"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		why, text string
		want      []SynonymUse // among the uses, in order
		line      string       // in the written explanation; "" for no synonyms line
	}{
		// Ensure English words show the term they are matched as.
		{"english", "how to unbind my card", []SynonymUse{{"how", "怎么", true}, {"unbind", "解绑", true}}, "synonyms:   how=怎么 unbind=解绑"},
		// Ensure a Chinese member shows its group's term, known from an example's member.
		{"member", "刷卡机坏了", []SynonymUse{{"刷卡机", "pos机", true}}, "synonyms:   刷卡机=pos机"},
		// Ensure a member of another word (海外 for 境外) meets the examples' term.
		{"other member", "海外汇款手续费", []SynonymUse{{"海外", "境外", true}}, "海外=境外"},
		// Ensure a term that is its own word is shown once, bare.
		{"term itself", "怎么解绑", []SynonymUse{{"怎么", "怎么", true}, {"解绑", "解绑", true}}, "synonyms:   怎么 解绑"},
		// Ensure an English word translated to a one-character term (card: 卡) is shown.
		{"english one character", "lost my card", []SynonymUse{{"card", "卡", true}}, "card=卡"},
		// Ensure a message without a synonym has an empty list and no line.
		{"none", "今天天气不错", nil, ""},
	} {
		t.Run(tc.why, func(t *testing.T) {
			x := u.Explain(tc.text, Context{})
			if x.Synonyms == nil {
				t.Fatal("Synonyms is nil: JSON would say null")
			}
			if tc.want == nil && len(x.Synonyms) > 0 {
				t.Errorf("synonyms %+v, want none", x.Synonyms)
			}
			i := 0
			for _, s := range x.Synonyms {
				if i < len(tc.want) && s == tc.want[i] {
					i++
				}
			}
			if i < len(tc.want) {
				t.Errorf("synonyms %+v, want %+v among them in order", x.Synonyms, tc.want)
			}
			var out strings.Builder
			if err := x.Write(&out); err != nil {
				t.Fatal(err)
			}
			w := out.String()
			if tc.line != "" && !strings.Contains(w, tc.line) || tc.line == "" && strings.Contains(w, "synonyms:") {
				t.Errorf("want %q in:\n%s", tc.line, w)
			}
			// Ensure the threshold and the gate are always shown, calibrated.
			if !strings.Contains(w, "threshold:  "+u.Calibration().String()) || !strings.Contains(w, "gate:       ") {
				t.Errorf("threshold or gate line missing:\n%s", w)
			}
		})
	}
	// Ensure a term no example has is flagged (no example of this bundle says 查询).
	x := u.Explain("查询一下", Context{})
	if i := slices.IndexFunc(x.Synonyms, func(s SynonymUse) bool { return s.Term == "查询" }); i < 0 || x.Synonyms[i].Known {
		t.Errorf("查询 is not flagged as unknown to the examples: %+v", x.Synonyms)
	}
}
