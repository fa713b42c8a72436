package web

import (
	"strings"
	"testing"
)

// Ensure MaskPII hides card, ID and phone numbers and leaves other text alone.
func TestMaskPII(t *testing.T) {
	tests := []struct{ in, want string }{
		// A 16-digit card keeps its last four.
		{"卡号6222021234567890", "卡号************7890"},
		// Grouped card numbers keep their grouping.
		{"card 6222 0212 3456 7890 ok", "card **** **** **** 7890 ok"},
		// 19-digit card.
		{"6217000010001234567", "***************4567"},
		// Mobile numbers keep 3 + 4 digits.
		{"手机13812345678。", "手机138****5678。"},
		{"+86 138-1234-5678", "+86 138-****-5678"},
		// ID-card number with X.
		{"身份证11010519491231002X", "身份证**************002X"},
		// Amounts, dates, short numbers stay.
		{"转账500元到尾号1234，2026-11-25", "转账500元到尾号1234，2026-11-25"},
		// A 12-digit number is not a card.
		{"订单123456789012", "订单123456789012"},
		// Two cards in one string.
		{"6222021234567890,6222021234567891", "************7890,************7891"},
		// No digits.
		{"您好", "您好"},
	}
	for _, tt := range tests {
		if got := MaskPII(tt.in); got != tt.want {
			t.Errorf("MaskPII(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzMaskPII ensures masking never panics, keeps the length, and leaves no 13+ digit run.
func FuzzMaskPII(f *testing.F) {
	f.Add("卡号6222021234567890 手机13812345678")
	f.Add("+8613812345678")
	f.Fuzz(func(t *testing.T, s string) {
		out := MaskPII(s)
		if len(out) != len(s) {
			t.Fatalf("length changed: %q -> %q", s, out)
		}
		run := 0
		for _, c := range out {
			if c >= '0' && c <= '9' {
				run++
				if run >= 13 && !strings.ContainsAny(s, " -") {
					t.Fatalf("13-digit run left in %q -> %q", s, out)
				}
			} else {
				run = 0
			}
		}
	})
}
