package engine

import "testing"

// Ensure money reads as customers expect and yuan strings parse to exact fen.
func TestMoneyFormat(t *testing.T) {
	tests := []struct {
		fen  Money
		want string
	}{
		{0, "¥0.00"},            // zero has two decimals
		{123450, "¥1,234.50"},   // thousands separator
		{-650000, "-¥6,500.00"}, // the sign goes before the currency
		{99, "¥0.99"},           // under one yuan
		{100000000, "¥1,000,000.00"},
	}
	for _, tt := range tests {
		if got := tt.fen.String(); got != tt.want {
			t.Errorf("Money(%d) = %q, want %q", tt.fen, got, tt.want)
		}
	}
}

// Ensure ParseYuan is exact and refuses what is not an amount.
func TestParseYuan(t *testing.T) {
	tests := []struct {
		in   string
		want Money
		ok   bool
	}{
		{"1234.5", 123450, true},     // one decimal
		{"500", 50000, true},         // no decimals
		{"-3.25", -325, true},        // negative
		{"0.01", 1, true},            // one fen
		{"1.234", 0, false},          // more than two decimals
		{"12a", 0, false},            // not a number
		{"", 0, false},               // empty
		{"99999999999999", 0, false}, // beyond 10^13 yuan
		{"1.", 0, false},             // dangling point
	}
	for _, tt := range tests {
		got, err := ParseYuan(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseYuan(%q) = %d, %v; want %d ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// Ensure card numbers, phones and names are masked in replies and logs.
func TestMasking(t *testing.T) {
	if got := MaskNumber("6217880100001234"); got != "6217 **** **** 1234" {
		t.Errorf("MaskNumber = %q", got)
	}
	if got := MaskPhone("13812345678"); got != "138****5678" {
		t.Errorf("MaskPhone = %q", got)
	}
	if got := MaskName("张三丰"); got != "张**" {
		t.Errorf("MaskName = %q", got)
	}
	if got := maskValue(Value{V: "6217880100001234"}); got != "6217 **** **** 1234" {
		t.Errorf("maskValue(card) = %q", got)
	}
}
