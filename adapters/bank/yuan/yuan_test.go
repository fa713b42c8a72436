package yuan

import (
	"errors"
	"testing"

	"github.com/weiyin-bank/weiyin/engine"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want engine.Money
		err  error
		why  string
	}{
		{"1234.50", 123450, nil, "ensures two decimals parse"},
		{"1234.5", 123450, nil, "ensures one decimal means tenths"},
		{"0", 0, nil, "ensures zero parses"},
		{"-3", -300, nil, "ensures a leading minus is accepted by Parse"},
		{"0.01", 1, nil, "ensures the smallest unit parses"},
		{"100000000000", Max, nil, "ensures Max itself is accepted"},
		{"12.345", 0, ErrDecimals, "ensures a third decimal is rejected, not rounded"},
		{"100000000000.01", 0, ErrTooLarge, "ensures amounts past Max are rejected"},
		{"99999999999999", 0, ErrTooLarge, "ensures long numbers are rejected before overflow"},
		{"", 0, ErrSyntax, "ensures empty text is rejected"},
		{"1.", 0, ErrSyntax, "ensures a dangling dot is rejected"},
		{".5", 0, ErrSyntax, "ensures a missing whole part is rejected"},
		{"1e3", 0, ErrSyntax, "ensures exponents are rejected"},
		{"1,000", 0, ErrSyntax, "ensures grouping is rejected"},
		{" 1", 0, ErrSyntax, "ensures spaces are rejected"},
		{"+1", 0, ErrSyntax, "ensures a plus sign is rejected"},
		{"--1", 0, ErrSyntax, "ensures a double minus is rejected"},
		{"１２", 0, ErrSyntax, "ensures full-width digits are rejected"},
	}
	for _, tc := range tests {
		got, err := Parse(tc.in)
		if !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
			t.Errorf("Parse(%q) error = %v, want %v (%s)", tc.in, err, tc.err, tc.why)
			continue
		}
		if got != tc.want {
			t.Errorf("Parse(%q) = %d, want %d (%s)", tc.in, got, tc.want, tc.why)
		}
	}
}

func TestParseNonNegative(t *testing.T) {
	// Ensure negative amounts are refused where only non-negative ones make sense.
	if _, err := ParseNonNegative("-0.01"); !errors.Is(err, ErrNegative) {
		t.Fatalf("ParseNonNegative(-0.01) = %v, want ErrNegative", err)
	}
	if m, err := ParseNonNegative("5"); err != nil || m != 500 {
		t.Fatalf("ParseNonNegative(5) = %d, %v", m, err)
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		in   engine.Money
		want string
	}{
		{123450, "1234.50"}, {0, "0.00"}, {1, "0.01"}, {-205, "-2.05"}, {Max, "100000000000.00"},
	}
	for _, tc := range tests {
		if got := Format(tc.in); got != tc.want {
			t.Errorf("Format(%d) = %q, want %q", tc.in, got, tc.want)
		}
		// Ensure Format and Parse round-trip.
		if back, err := Parse(tc.want); err != nil || back != tc.in {
			t.Errorf("Parse(Format(%d)) = %d, %v", tc.in, back, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"1234.50", "-1", "0.1", "1e9", "99999999999999.99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := Parse(s)
		if err != nil {
			return
		}
		if m > Max || m < -Max {
			t.Fatalf("Parse(%q) = %d beyond Max", s, m)
		}
		back, err := Parse(Format(m))
		if err != nil || back != m {
			t.Fatalf("round trip of %q: %d -> %q -> %d, %v", s, m, Format(m), back, err)
		}
	})
}
