package transcript

import (
	"math"
	"testing"
)

func TestMatchWildcard(t *testing.T) {
	tests := []struct {
		got, want string
		ok        bool
		ensures   string
	}{
		{"您的余额为¥1,000.00", "余额", true, "plain text matches when contained"},
		{"您的余额为¥1,000.00", "您的*为¥*.00", true, "* matches any run of characters"},
		{"您的余额为¥1,000.00", "余额*美元", false, "every literal part must occur, in order"},
		{"Hello WORLD", "hello world", true, "case is ignored"},
		{"第一行\n第二行", "第一行 第二行", true, "line breaks compare as spaces"},
		{"abc", "*", true, "a lone wildcard matches anything"},
		{"abc", "c*a", false, "parts must occur in order"},
		{"6222 **** **** 1234", "6222 **** **** 1234", true, "masked numbers match themselves"},
		{"", "x", false, "an empty message matches no text"},
	}
	for _, tc := range tests {
		if got := matchWildcard(tc.got, tc.want); got != tc.ok {
			t.Errorf("ensures %s: matchWildcard(%q, %q) = %v", tc.ensures, tc.got, tc.want, got)
		}
	}
}

func TestSimilarity(t *testing.T) {
	tests := []struct {
		a, b    string
		want    float64
		ensures string
	}{
		{"转账成功", "转账成功", 1, "equal texts are fully similar"},
		{"转账成功", "转账成功!", 1, "punctuation is ignored"},
		{"转账成功", "转帐成功", 0.75, "one character in four differs"},
		{"", "", 1, "two empty texts are equal"},
		{"abcd", "", 0, "nothing in common"},
	}
	for _, tc := range tests {
		if got := similarity(tc.a, tc.b); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("ensures %s: similarity(%q, %q) = %v, want %v", tc.ensures, tc.a, tc.b, got, tc.want)
		}
	}
}

func TestInlineDiff(t *testing.T) {
	tests := []struct{ want, got, diff, ensures string }{
		{"转账¥500.00", "转账¥5,000.00", "转账¥5{+,+}00{+0+}.00", "insertions are marked and Chinese stays readable"},
		{"确认吗", "确认", "确认[-吗-]", "deletions are marked"},
		{"同样", "同样", "同样", "equal texts show no marks"},
	}
	for _, tc := range tests {
		got := inlineDiff(tc.want, tc.got)
		if got != tc.diff {
			t.Errorf("ensures %s: inlineDiff(%q, %q) = %q, want %q", tc.ensures, tc.want, tc.got, got, tc.diff)
		}
	}
}

func TestMatchList(t *testing.T) {
	tests := []struct {
		want, got []string
		ok        bool
		ensures   string
	}{
		{[]string{"money"}, []string{"money"}, true, "exact lists match"},
		{[]string{"money"}, []string{"money", "contact"}, false, "extra entities fail without .."},
		{[]string{"money", ".."}, []string{"money", "contact"}, true, ".. allows extra entities"},
		{[]string{"money", "money"}, []string{"money"}, false, "counts matter"},
		{nil, nil, true, "no args expects no entities"},
	}
	for _, tc := range tests {
		if got := matchList(tc.want, tc.got); got != tc.ok {
			t.Errorf("ensures %s: matchList(%q, %q) = %v", tc.ensures, tc.want, tc.got, got)
		}
	}
}
