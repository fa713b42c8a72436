// Package runeset holds sets of runes that are asked about once a rune of every message: the
// first runes of dictionary words, the runes a date may start with. A Go map answered each
// question by hashing; a set answers the runes of the Basic Multilingual Plane (all of
// Chinese text but rare characters) from a bit array.
package runeset

// Set is a set of runes. The zero value is empty; Add builds it, and once built it is only
// read, safely from any number of goroutines.
type Set struct {
	bmp   []uint64      // bit r of the runes below 0x10000, allocated at the first Add
	other map[rune]bool // the runes from 0x10000 on
}

const bmpRunes = 0x10000

// Of returns the set of the runes of s.
func Of(s string) Set {
	var set Set
	for _, r := range s {
		set.Add(r)
	}
	return set
}

// Add puts r in the set.
func (s *Set) Add(r rune) {
	if r >= 0 && r < bmpRunes {
		if s.bmp == nil {
			s.bmp = make([]uint64, bmpRunes/64)
		}
		s.bmp[r>>6] |= 1 << (r & 63)
		return
	}
	if s.other == nil {
		s.other = map[rune]bool{}
	}
	s.other[r] = true
}

// Has reports whether r is in the set (a nil set is empty).
func (s *Set) Has(r rune) bool {
	if s == nil {
		return false
	}
	if r >= 0 && r < bmpRunes {
		return s.bmp != nil && s.bmp[r>>6]&(1<<(r&63)) != 0
	}
	return s.other[r]
}
