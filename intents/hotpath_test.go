package intents

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
	"unicode"
)

// TestFeatTable ensures the feature table finds every hash it was built with, under its id,
// and no other, whatever the hashes' bits (0, neighbours, the same low or high bits).
func TestFeatTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tests := []struct {
		hashes []uint64
		why    string
	}{
		{nil, "an empty table answers no"},
		{[]uint64{0}, "the hash 0 is a hash like any other"},
		{[]uint64{1, 2, 3, 4, 5, 6, 7, 8, 9}, "neighbouring hashes, more than the smallest table holds"},
		{[]uint64{1 << 60, 2 << 60, 3 << 60, 1<<60 | 1}, "hashes differing in their high bits only"},
		{func() []uint64 {
			hs := make([]uint64, 5000)
			for i := range hs {
				hs[i] = rng.Uint64()
			}
			slices.Sort(hs)
			return slices.Compact(hs)
		}(), "many random hashes, with collisions in their home slots"},
	}
	for _, tt := range tests {
		ft := newFeatTable(tt.hashes)
		for id, h := range tt.hashes {
			if got, ok := ft.get(h); !ok || got != int32(id) {
				t.Errorf("%s: get(%#x) = %d, %v, want %d, true", tt.why, h, got, ok, id)
			}
		}
		for range 1000 {
			h := rng.Uint64()
			if _, want := slices.BinarySearch(tt.hashes, h); !want {
				if id, ok := ft.get(h); ok {
					t.Errorf("%s: get(%#x) = %d, true for a hash not in the table", tt.why, h, id)
				}
			}
		}
		n := 0
		ft.each(func(h uint64, id int32) {
			n++
			if tt.hashes[id] != h {
				t.Errorf("%s: each gives %#x with id %d, which is %#x's", tt.why, h, id, tt.hashes[id])
			}
		})
		if n != len(tt.hashes) {
			t.Errorf("%s: each gives %d hashes, want %d", tt.why, n, len(tt.hashes))
		}
	}
}

// TestExampleRunsBest ensures score's pass over the examples gives each intent the largest
// dot product of its examples, as a loop over the examples one by one does, whether an
// intent's examples are side by side or not, and 0 to an intent without examples.
func TestExampleRunsBest(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	tests := []struct {
		exIntent []int32
		why      string
	}{
		{[]int32{1, 1, 1, 2, 2, 0, 0, 0, 0, 0, 0, 0}, "one run an intent, the background last"},
		{[]int32{1, 2, 1, 2, 1, 0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 1}, "an intent's examples apart"},
		{[]int32{2}, "one example; intents 0, 1 and 3 have none"},
	}
	for _, tt := range tests {
		runs := runsOf(tt.exIntent)
		for trial := range 50 {
			dot := make([]float32, len(tt.exIntent))
			for i := range dot {
				if rng.IntN(3) > 0 {
					dot[i] = rng.Float32() * 3
				}
			}
			want := make([]float32, 4)
			for i, in := range tt.exIntent {
				want[in] = max(want[in], dot[i])
			}
			got := runs.best(dot, []float32{9, 9, 9, 9})
			if !slices.Equal(got, want) {
				t.Fatalf("%s (trial %d): best(%v) = %v, want %v", tt.why, trial, dot, got, want)
			}
		}
	}
}

// TestIsHanFastPath ensures isHan's shortcuts agree with unicode.Han on every rune.
func TestIsHanFastPath(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if got, want := isHan(r), unicode.Is(unicode.Han, r); got != want {
			t.Fatalf("isHan(%U) = %v, unicode.Han says %v", r, got, want)
		}
	}
}

// TestSortFeats ensures sortFeats orders features by hash as a generic sort does, for short
// lists (insertion) and long ones, with repeated hashes.
func TestSortFeats(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 2, 17, 48, 49, 300} {
		fs := make([]feat, n)
		for i := range fs {
			fs[i] = feat{h: rng.Uint64N(uint64(n/2 + 1)), kind: kindWord}
		}
		want := slices.Clone(fs)
		slices.SortFunc(want, func(a, b feat) int { return cmp.Compare(a.h, b.h) })
		sortFeats(fs)
		if !slices.Equal(fs, want) {
			t.Errorf("%d features: sortFeats = %v, want %v", n, fs, want)
		}
	}
}
