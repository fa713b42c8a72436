package intents

import (
	"sort"
	"unicode/utf8"

	"github.com/weiyin-bank/weiyin/dialogs"
	"github.com/weiyin-bank/weiyin/intents/internal/runeset"
	"github.com/weiyin-bank/weiyin/intents/normalize"
)

// enumMatcher finds the names and synonyms of the bundle's enum entities in normalised text,
// longest first.
type enumMatcher struct {
	names  map[string]enumHit // normalised name -> value
	first  *runeset.Set       // first runes of the names: other positions are skipped
	maxLen int                // runes
}

type enumHit struct {
	entity, value string
}

func newEnumMatcher(b *dialogs.Bundle) enumMatcher {
	m := enumMatcher{names: map[string]enumHit{}, first: new(runeset.Set)}
	ents := make([]string, 0, len(b.Entities))
	for n := range b.Entities {
		ents = append(ents, n)
	}
	sort.Strings(ents) // a name shared by two entities goes to the first by name
	for _, n := range ents {
		e := b.Entities[n]
		if e.Kind != dialogs.EntityEnum {
			continue
		}
		for _, v := range e.Values {
			for _, name := range v.Names {
				key := normalize.Normalize(name).Norm
				if key == "" {
					continue
				}
				m.add(key, enumHit{e.Name, v.Value})
			}
		}
	}
	return m
}

// knownValues indexes the values of bank-listed entities marked in the examples ([张三](contact)):
// a message naming one of them is matched as if the customer's list held it. A value marked
// as two entities (陆家嘴支行 as a branch and as a booking) is the first intent's, in
// declaration order.
func knownValues(b *dialogs.Bundle) enumMatcher {
	m := enumMatcher{names: map[string]enumHit{}, first: new(runeset.Set)}
	for _, name := range intentOrder(b) {
		in := b.Intents[name]
		if in == nil {
			continue
		}
		for _, ex := range in.Examples {
			rs := []rune(ex.Text)
			for _, mk := range ex.Marks {
				e := b.Entities[mk.Entity]
				if e == nil || e.Kind != dialogs.EntityBank || mk.Start < 0 || mk.End > len(rs) || mk.Start >= mk.End {
					continue
				}
				key := normalize.Normalize(string(rs[mk.Start:mk.End])).Norm
				if utf8.RuneCountInString(key) < 2 {
					continue
				}
				m.add(key, enumHit{e.Name, key})
			}
		}
	}
	return m
}

// add indexes a normalised name; the first value given a name keeps it.
func (m *enumMatcher) add(key string, h enumHit) {
	if _, dup := m.names[key]; dup || key == "" {
		return
	}
	m.names[key] = h
	r, _ := utf8.DecodeRuneInString(key)
	m.first.Add(r)
	m.maxLen = max(m.maxLen, utf8.RuneCountInString(key))
}

// find returns the enum values named in t, leftmost-longest, without overlaps; offs holds
// the byte offset of each rune of t.Norm, and len(t.Norm) last (runeOffsets).
func (m enumMatcher) find(t normalize.Text, offs []int) []Entity {
	if len(m.names) == 0 {
		return nil
	}
	s := t.Norm
	n := len(offs) - 1
	var out []Entity
	for i := 0; i < n; {
		if r, _ := utf8.DecodeRuneInString(s[offs[i]:]); !m.first.Has(r) {
			i++
			continue
		}
		hit := 0
		var h enumHit
		// A one-rune name (水, 电) counts only as the whole message: inside text it is too often
		// part of another word (流水, 电话).
		for l := min(m.maxLen, n-i); l >= 2 || (l == 1 && n == 1); l-- {
			if v, ok := m.names[s[offs[i]:offs[i+l]]]; ok {
				hit, h = l, v
				break
			}
		}
		if hit == 0 {
			i++
			continue
		}
		st, en := t.Map[i], t.OrigEnd[i+hit-1]
		out = append(out, Entity{Type: h.entity, Value: h.value, Text: t.OriginalSlice(st, en), Start: st, End: en})
		i += hit
	}
	return out
}
