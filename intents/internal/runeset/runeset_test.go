package runeset

import "testing"

// TestSet ensures a set holds exactly the runes added, in and beyond the Basic Multilingual
// Plane, and that the zero set is empty.
func TestSet(t *testing.T) {
	var zero Set
	var none *Set
	if zero.Has('a') || zero.Has(0x20000) || zero.Has(-1) || none.Has('a') {
		t.Error("the zero or nil set holds a rune")
	}
	s := Of("余额a\U00020000")
	s.Add(0xFFFF)
	tests := []struct {
		r    rune
		want bool
		why  string
	}{
		{'余', true, "a Han rune added"},
		{'a', true, "an ASCII rune added"},
		{0x20000, true, "a rune beyond the BMP added"},
		{0xFFFF, true, "the last rune of the BMP added"},
		{'b', false, "a neighbour of an added rune"},
		{'额' + 1, false, "a neighbour of an added Han rune"},
		{0x20001, false, "a rune beyond the BMP not added"},
		{0x10000, false, "the first rune beyond the BMP, not added"},
		{-1, false, "a negative rune"},
	}
	for _, tt := range tests {
		if got := s.Has(tt.r); got != tt.want {
			t.Errorf("%s: Has(%U) = %v, want %v", tt.why, tt.r, got, tt.want)
		}
	}
}
