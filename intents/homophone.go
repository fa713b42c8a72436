package intents

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Voice transcripts write a word with the wrong characters of the right sound: 鱼额 for 余额,
// 鸡分 for 积分, 挂湿 for 挂失. Before matching, a run of 2 to 4 Han characters that is not a
// word of the bundle but sounds exactly (toneless) like one is replaced by that word. The
// replacement has the same number of runes, so entity offsets are unaffected.

const maxHomophoneRunes = 4

// homophones maps the sound of each bundle word to the word; words sharing a sound with
// another word are left out (the transcript cannot tell which was meant).
type homophones struct {
	bySound map[uint64]string
	vocab   map[string]bool // every bundle word: never corrected
}

// soundKey folds the hashes of toneless syllables.
func soundKey(h uint64, syllable string) uint64 {
	return fnvString(fnvByte(h, ' '), syllable)
}

// newHomophones indexes the sound of every word of 2 to 4 Han runes.
func newHomophones(words map[string]bool, py *pinyinTable) homophones {
	h := homophones{bySound: map[uint64]string{}, vocab: words}
	clash := map[uint64]bool{}
	for w := range words {
		n := utf8.RuneCountInString(w)
		if n < 2 || n > maxHomophoneRunes || strings.ContainsFunc(w, func(r rune) bool { return !isHan(r) }) {
			continue
		}
		rs, offs := runeOffsets(w)
		eachSound(py.readings(w, rs, offs), func(k uint64) {
			if old, ok := h.bySound[k]; ok && old != w {
				clash[k] = true
			}
			h.bySound[k] = w
		})
	}
	for k := range clash {
		delete(h.bySound, k)
	}
	return h
}

// eachSound calls f with the key of every combination of the readings (at most 2 per rune).
func eachSound(readings [][]string, f func(uint64)) {
	var rec func(i int, h uint64)
	rec = func(i int, h uint64) {
		if i == len(readings) {
			f(h)
			return
		}
		if len(readings[i]) == 0 {
			return
		}
		for _, s := range readings[i] {
			rec(i+1, soundKey(h, s))
		}
	}
	rec(0, fnvOffset)
}

// correct returns s with homophones of bundle words replaced, and whether it changed.
func (h homophones) correct(s string, py *pinyinTable) string {
	if len(h.bySound) == 0 {
		return s
	}
	rs, offs := runeOffsets(s)
	// Runes inside a bundle word as written are never corrected: 查一下余额 keeps 余额 even
	// though 下余 sounds like another word.
	covered := make([]bool, len(rs))
	for i := range rs {
		for n := min(maxHomophoneRunes, len(rs)-i); n >= 2; n-- {
			if h.vocab[s[offs[i]:offs[i+n]]] {
				for k := i; k < i+n; k++ {
					covered[k] = true
				}
				break
			}
		}
	}
	var b strings.Builder
	done := 0 // bytes of s copied to b
	for i := 0; i < len(rs); {
		n := h.at(s, rs, offs, covered, i, py)
		if n == 0 {
			i++
			continue
		}
		w := h.bySound[h.key(rs[i:i+n], py)]
		b.WriteString(s[done:offs[i]])
		b.WriteString(w)
		done = offs[i+n]
		i += n
	}
	if done == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

// at returns the length of the homophone starting at rs[i], or 0.
func (h homophones) at(s string, rs []rune, offs []int, covered []bool, i int, py *pinyinTable) int {
	for n := min(maxHomophoneRunes, len(rs)-i); n >= 2; n-- {
		if slices.Contains(covered[i:i+n], true) || !allHan(rs[i:i+n]) {
			continue
		}
		w := s[offs[i]:offs[i+n]]
		if k := h.key(rs[i:i+n], py); k != 0 {
			if word, ok := h.bySound[k]; ok && word != w {
				return n
			}
		}
	}
	return 0
}

// key returns the sound key of rs matching a bundle word, trying each rune's readings, or 0.
func (h homophones) key(rs []rune, py *pinyinTable) uint64 {
	var found uint64
	var rec func(i int, k uint64) bool
	rec = func(i int, k uint64) bool {
		if i == len(rs) {
			if _, ok := h.bySound[k]; ok {
				found = k
				return true
			}
			return false
		}
		first, ok := py.firstReading(rs[i])
		if !ok {
			return false
		}
		if rec(i+1, soundKey(k, first)) {
			return true
		}
		if x, ok := extraReadings[rs[i]]; ok && x != first {
			return rec(i+1, soundKey(k, x))
		}
		return false
	}
	rec(0, fnvOffset)
	return found
}

func allHan(rs []rune) bool {
	for _, r := range rs {
		if !isHan(r) {
			return false
		}
	}
	return true
}
