package intents

import "testing"

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
		k, ok := readContrast(tt.in)
		if ok != tt.ok || ok && (k.wanted != tt.wanted || k.negated != tt.negated || k.callsOff != tt.callsOff) {
			t.Errorf("%s: readContrast(%q) = %+v, %v; want wanted %d negated %q callsOff %v, %v", tt.why, tt.in, k, ok, tt.wanted, tt.negated, tt.callsOff, tt.ok)
		}
	}
}
