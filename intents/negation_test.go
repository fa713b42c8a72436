package intents

import (
	"strings"
	"testing"

	"github.com/weiyin-bank/weiyin/intents/normalize"
)

func TestReadContrast(t *testing.T) {
	tests := []struct {
		in       string
		ok       bool
		wanted   int
		negated  string
		callsOff bool
		why      string
	}{
		{"不是查余额,我是要转账", true, 6, "查余额", false, "contrast after a comma"},
		{"不是查余额是转账", true, 5, "查余额", false, "contrast by 是"},
		{"我不是要转账", true, -1, "转账", true, "不是要 X calls X off"},
		{"不要预约了", true, -1, "预约", true, "不要X了"},
		{"理财先不买了", true, -1, "理财买", true, "X先不V了: X with the verb"},
		{"不申请贷款了", true, -1, "申请贷款", true, "不V X了"},
		{"不是我本人操作的", false, 0, "", false, "不是 without 要 is a statement"},
		{"卡不能用了", false, 0, "", false, "an inability"},
		{"登不上了", false, 0, "", false, "an inability (不上)"},
		{"不用预约吗", false, 0, "", false, "a question"},
		{"不是", false, 0, "", false, "the cue alone is an answer"},
		{"查余额", false, 0, "", false, "no negation"},
		{"", false, 0, "", false, "empty"},
	}
	for _, tt := range tests {
		k, ok := readContrast(tt.in, tt.in)
		if ok != tt.ok || ok && (k.wanted != tt.wanted || k.negated != tt.negated || k.callsOff != tt.callsOff) {
			t.Errorf("%s: readContrast(%q) = %+v, %v; want wanted %d negated %q callsOff %v, %v", tt.why, tt.in, k, ok, tt.wanted, tt.negated, tt.callsOff, tt.ok)
		}
	}
}

func TestReadContrastForms(t *testing.T) {
	tests := []struct {
		in   string
		ok   bool
		want contrast
		why  string
	}{
		{"别转了", true, contrast{wanted: -1, negated: "转", callsOff: true}, "别X了 calls X off"},
		{"你别帮我预约了", true, contrast{wanted: -1, negated: "帮我预约", callsOff: true}, "别 after a lead word, with 帮我"},
		{"还是别买理财了", true, contrast{wanted: -1, negated: "买理财", callsOff: true}, "还是 before the cue"},
		{"别查余额了 帮我转账", true, contrast{wanted: 6, negated: "查余额"}, "别X了, Y: Y is wanted and X keeps no 了"},
		{"别人给我转了钱", false, contrast{}, "别人 is a word, not an imperative"},
		{"不想让别人看到余额", false, contrast{}, "a wish about what others do calls nothing off"},
		{"不要被扣费", false, contrast{}, "a wish about what happens calls nothing off"},
		{"别墅贷款", false, contrast{}, "别墅 is a word"},
		{"不转了 查余额", true, contrast{wanted: 4, negated: "转"}, "a clause calling off, then what is wanted"},
		{"转账不用了 查一下余额", true, contrast{wanted: 6, negated: "转账用"}, "X不用了, then Y (X with the verb)"},
		{"我要转账 不是查余额", true, contrast{wanted: 1, until: 4, negated: "查余额", checkX: true}, "Y first (after the lead word), then 不是X"},
		{"转账不是查余额", true, contrast{wanted: 0, until: 2, negated: "查余额", checkX: true}, "Y不是X without punctuation"},
		{"是不是查余额", false, contrast{}, "是不是 asks"},
		{"转账不是要手续费吗", false, contrast{}, "a question is no contrast"},
		{"I don't want to transfer anymore", true, contrast{wanted: -1, negated: "transfer", callsOff: true, orig: true}, "English wish denied; anymore is not what"},
		{"no need to book an appointment", true, contrast{wanted: -1, negated: "book an appointment", callsOff: true, orig: true}, "no need to: no is then no filler"},
		{"don't transfer, just check my balance", true, contrast{wanted: 21, negated: "transfer", orig: true}, "English bare cue, a comma and Y"},
		{"I don't want to check balance I want to transfer", true, contrast{wanted: 30, negated: "check balance", orig: true}, "a new wish starting with I ends X"},
		{"check my balance, not transfer", true, contrast{wanted: 0, until: 16, negated: "transfer", checkX: true, orig: true}, "English Y first"},
		{"I don't know my balance", false, contrast{}, "a bare cue before no banking term is a statement"},
		{"don't you have a branch nearby", false, contrast{}, "don't you asks"},
		{"I don't want anyone to see my balance", false, contrast{}, "a wish about what others do calls nothing off"},
		{"why not transfer?", false, contrast{}, "a question"},
		{"I'm not sure", true, contrast{wanted: -1, negated: "sure", callsOff: true, orig: true, bare: true}, "not before an answer word is read, and marked bare"},
	}
	for _, tt := range tests {
		k, ok := readContrast(normalize.Normalize(tt.in).Norm, tt.in)
		if ok != tt.ok || ok && k != tt.want {
			t.Errorf("%s: readContrast(%q) = %+v, %v; want %+v, %v", tt.why, tt.in, k, ok, tt.want, tt.ok)
		}
	}
}

// TestNegationRunes ensures the precheck of readContrast is exact: every cue that opens a
// Chinese form holds one of negationRunes, so a message without them holds no form.
func TestNegationRunes(t *testing.T) {
	for _, cues := range [][]string{negationCues, midCues} {
		for _, c := range cues {
			if !strings.ContainsAny(c, negationRunes) {
				t.Errorf("cue %q holds none of %q: readContrast would skip messages it reads", c, negationRunes)
			}
		}
	}
}
