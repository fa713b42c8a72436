package intents_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/weiyin-bank/weiyin/intents"
)

// Ensure bots of one and three examples an intent, of another business than the shipped
// bot's and written blind to the evaluation bots (testdata/faqdev*.tsv: a mainland bank's
// debit-card, deposit and mobile-banking FAQ, and a Taiwan bank's FAQ in traditional script),
// answer at least as many of their held-out lines right as nlp.js ranks first on the same
// splits while rejecting at least 90% of their out-of-scope lines (issue 18's bar, there on
// the shipped bot and the card centre). Half of these out-of-scope lines are near the
// business on purpose (健保卡遺失怎麼補辦, 支付宝余额怎么提现): before the rivals (rivals.txt)
// 1 to 5 of them a split were let through (75% to 87.5% rejected).
//
// nlpjsTop1 was measured with `weiyin eval --kshot K --examples BOT --split DIR EXTRA` and
// `node tools/nlpjs/compare.js DIR` (node-nlp 4.27.0, docs/nlu-evaluation.md).
func TestFewExampleDevBots(t *testing.T) {
	tests := []struct {
		name         string
		bot          string
		extra        []string
		k            int
		nlpjsTop1    float64
		minRejection float64
	}{
		{"mainland FAQ, one example", "faqdev.tsv", []string{"faqdev-oos.tsv", "faqdev-test.tsv"}, 1, 0.253, 0.90},
		{"mainland FAQ, three examples", "faqdev.tsv", []string{"faqdev-oos.tsv", "faqdev-test.tsv"}, 3, 0.496, 0.90},
		{"Taiwan FAQ, one example", "faqdev-tw.tsv", []string{"faqdev-tw-test.tsv"}, 1, 0.376, 0.90},
		{"Taiwan FAQ, three examples", "faqdev-tw.tsv", []string{"faqdev-tw-test.tsv"}, 3, 0.547, 0.90},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			few, lines := intents.KShot(readExamples(t, filepath.Join("testdata", tt.bot)), tt.k)
			for _, name := range tt.extra {
				lines = append(lines, readLabelled(t, filepath.Join("testdata", name))...)
			}
			u, err := intents.New(few, intents.Options{Calibrate: true, CacheDir: "-"})
			if err != nil {
				t.Fatal(err)
			}
			rep, err := intents.EvaluateLines(context.Background(), u, lines, intents.Context{Now: testNow})
			if err != nil {
				t.Fatal(err)
			}
			rejection := 1 - rep.FalseAcceptRate
			if rep.Accuracy < tt.nlpjsTop1 || rejection < tt.minRejection {
				t.Errorf("k=%d: accuracy %.1f%% (nlp.js ranks %.1f%% first), rejection %.1f%% (want >= %.0f%%); calibration %s",
					tt.k, 100*rep.Accuracy, 100*tt.nlpjsTop1, 100*rejection, 100*tt.minRejection, u.Calibration())
			}
			t.Logf("k=%d: accuracy %.1f%%, ranked first %.1f%%, rejection %.1f%%", tt.k, 100*rep.Accuracy, 100*rep.TopOne, 100*rejection)
		})
	}
}
