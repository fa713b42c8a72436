package intents

import (
	"strings"
	"unicode/utf8"

	"github.com/weiyin-bank/weiyin/intents/normalize"
)

// A customer writing English names a Chinese contact in pinyin: Transfer RMB 1,200 to Li Si
// means the contact 李四, as lisi or LI SI do. romanizedNames finds the values of the
// customer's lists whose name (two to four Han runes) is written so: its toneless syllables
// as consecutive words, or run together in one word, each syllable in any of the readings
// the pinyin table gives the rune. The syllables must make whole words, so that no English
// word is read as a name it happens to contain.

// romanizedNames returns the list values written in pinyin in t that overlap none of found.
func romanizedNames(t normalize.Text, lists map[string][]ListValue, found []Entity) []Entity {
	if len(lists) == 0 || !strings.ContainsFunc(t.Norm, isASCIILetter) {
		return nil
	}
	words := latinWords(t.Norm)
	if len(words) == 0 {
		return nil
	}
	py := sharedPinyin()
	var out []Entity
	for typ, vals := range lists {
		for _, v := range vals {
			for _, name := range v.Names {
				n := utf8.RuneCountInString(name)
				if n < 2 || n > 4 || !allHan([]rune(name)) {
					continue
				}
				rs, offs := runeOffsets(name)
				rd := py.readings(name, rs, offs)
				for i := range words {
					k, ok := spelled(words[i:], rd)
					if !ok {
						continue
					}
					start, end, ok := t.Span(words[i].start, words[i+k-1].end)
					if !ok || overlaps(found, start, end) || overlaps(out, start, end) {
						continue
					}
					e := Entity{Type: typ, Value: v.Value, Text: t.OriginalSlice(start, end), Start: start, End: end}
					if i > 0 && words[i-1].end == words[i].start-1 {
						switch words[i-1].w {
						case "to", "into", "payee":
							e.Role = RoleTo
						case "from":
							e.Role = RoleFrom
						}
					}
					out = append(out, e)
				}
			}
		}
	}
	return out
}

// latinWord is a word of ASCII letters with its rune offsets in the normalised text.
type latinWord struct {
	w          string
	start, end int
}

func latinWords(s string) []latinWord {
	var ws []latinWord
	ri, start := 0, -1
	var b strings.Builder
	for _, r := range s {
		if isASCIILetter(r) {
			if start < 0 {
				start = ri
				b.Reset()
			}
			b.WriteRune(r)
		} else if start >= 0 {
			ws = append(ws, latinWord{b.String(), start, ri})
			start = -1
		}
		ri++
	}
	if start >= 0 {
		ws = append(ws, latinWord{b.String(), start, ri})
	}
	return ws
}

// spelled reports whether ws starts with the syllables of rd, one word each (li si) or all in
// the first word (lisi), and how many words they take.
func spelled(ws []latinWord, rd [][]string) (int, bool) {
	if len(ws) >= len(rd) {
		ok := true
		for i, r := range rd {
			if len(r) == 0 || !containsString(r, ws[i].w) {
				ok = false
				break
			}
		}
		if ok {
			return len(rd), true
		}
	}
	return 1, joins(ws[0].w, rd)
}

// joins reports whether w is the syllables of rd written together.
func joins(w string, rd [][]string) bool {
	if len(rd) == 0 {
		return w == ""
	}
	for _, s := range rd[0] {
		if strings.HasPrefix(w, s) && joins(w[len(s):], rd[1:]) {
			return true
		}
	}
	return false
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func overlaps(es []Entity, start, end int) bool {
	for _, e := range es {
		if start < e.End && e.Start < end {
			return true
		}
	}
	return false
}
