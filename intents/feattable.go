package intents

import "math/bits"

// featTable maps feature hashes to feature ids: an open-addressing table with linear
// probing, built once at New and only read afterwards. Every feature of every message is
// looked up in it; a Go map spent longer hashing and probing its groups than the table does
// mixing the hash (already a hash) and comparing one slot or two.
type featTable struct {
	slots []featSlot // a power of two of them, at most half full
	shift uint8      // 64 - log2(len(slots))
}

type featSlot struct {
	h  uint64
	id int32 // -1: empty
}

// newFeatTable returns a table of the ids 0 to len(hashes)-1 of hashes, which must be
// distinct.
func newFeatTable(hashes []uint64) featTable {
	size := 8
	for size < 2*len(hashes) {
		size *= 2
	}
	t := featTable{slots: make([]featSlot, size), shift: uint8(64 - bits.TrailingZeros(uint(size)))}
	for i := range t.slots {
		t.slots[i].id = -1
	}
	for id, h := range hashes {
		i := t.home(h)
		for t.slots[i].id >= 0 {
			i = (i + 1) & (len(t.slots) - 1)
		}
		t.slots[i] = featSlot{h, int32(id)}
	}
	return t
}

// home is the slot where the search for h starts: the top bits of h times a large odd
// constant (Fibonacci hashing), which depend on all of h's bits.
func (t featTable) home(h uint64) int { return int((h * 0x9E3779B97F4A7C15) >> t.shift) }

// get returns the id of feature hash h, and whether it has one.
func (t featTable) get(h uint64) (int32, bool) {
	if len(t.slots) == 0 {
		return -1, false
	}
	mask := len(t.slots) - 1
	for i := t.home(h); ; i = (i + 1) & mask {
		s := t.slots[i]
		if s.id < 0 {
			return -1, false
		}
		if s.h == h {
			return s.id, true
		}
	}
}

// each calls f with every feature hash and its id, in no particular order.
func (t featTable) each(f func(h uint64, id int32)) {
	for _, s := range t.slots {
		if s.id >= 0 {
			f(s.h, s.id)
		}
	}
}
