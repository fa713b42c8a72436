package intents

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Feature kinds. A feature is a 64-bit hash of its kind and its text; the kind also selects
// the feature's weight (see weights).
const (
	kindWord    byte = 'w' // a jieba token of two or more runes, or an ASCII word
	kindChar    byte = 'c' // one Han character
	kindBigram  byte = 'b' // two adjacent Han characters or slot placeholders
	kindPinyin  byte = 'p' // an ASCII word, in the role a syllable had (see asciiKinds)
	kindPinyin2 byte = 'q' // two adjacent toneless syllables
	kindEntity  byte = 'e' // an entity type found in the text
	kindSynonym byte = 's' // a banking term of the synonym layer, for any of its words
	kindPlain   byte = 'l' // a plain-language term of the synonym layer (怎么 for 如何)
	numKinds         = 8
)

var kindIndex = [256]int8{kindWord: 0, kindChar: 1, kindBigram: 2, kindPinyin: 3, kindPinyin2: 4, kindEntity: 5, kindSynonym: 6, kindPlain: 7}

// kindNames name the kinds in explanations.
var kindNames = [numKinds]string{"word", "char", "bigram", "pinyin", "pinyin2", "entity", "synonym", "plain"}

// feat is one feature of a text.
type feat struct {
	h    uint64
	kind byte
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnvByte(h uint64, b byte) uint64 { return (h ^ uint64(b)) * fnvPrime }

func fnvString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h = fnvByte(h, s[i])
	}
	return h
}

func fnvRune(h uint64, r rune) uint64 {
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	for _, b := range buf[:n] {
		h = fnvByte(h, b)
	}
	return h
}

func hashString(kind byte, s string) uint64 { return fnvString(fnvByte(fnvOffset, kind), s) }

func hashRunes(kind byte, a, b rune) uint64 {
	h := fnvRune(fnvByte(fnvOffset, kind), a)
	if b >= 0 {
		h = fnvRune(fnvByte(h, ' '), b)
	}
	return h
}

func hashPair(kind byte, a, b string) uint64 {
	return fnvString(fnvByte(fnvString(fnvByte(fnvOffset, kind), a), ' '), b)
}

// placeholderBase is the first of the private-use runes that stand for slot values in the
// text the matcher sees (one rune per entity type, see Understander.typeRune).
const placeholderBase = 0xE000

func isPlaceholder(r rune) bool { return r >= placeholderBase && r < placeholderBase+0x800 }

// isHan reports whether r is a Han character (unicode.Han), answering the common cases, the
// runes before the CJK radicals and the CJK Unified Ideographs block, without a search of
// the table (TestIsHanFastPath).
func isHan(r rune) bool {
	switch {
	case r < 0x2E80:
		return false
	case r >= 0x4E00 && r <= 0x9FFF:
		return true
	}
	return unicode.Is(unicode.Han, r)
}

// labeler records a readable label for each feature hash; only Explain and New use it.
type labeler func(h uint64, kind byte, label string)

// features computes the features of s, a normalised text in which slot values are already
// replaced by placeholders, and its jieba tokens, into fs (empty, nil or an array to reuse).
// typeName names placeholder runes. The result is sorted by hash and free of duplicates.
// content counts the Han characters and ASCII letters outside placeholders: a text without
// any is made of slot values only.
func features(fs []feat, s string, tokens []string, typeName func(rune) string, py *pinyinTable, label labeler) (_ []feat, content int) {
	buf := getTextBuf()
	defer putTextBuf(buf)
	rs, offs := buf.offsets(s)
	fs = slices.Grow(fs[:0], 3*len(rs)+len(tokens)) // a Han rune gives about 3: rune, bigram, syllable pair
	add := func(h uint64, kind byte, lab func() string) {
		fs = append(fs, feat{h, kind})
		if label != nil {
			label(h, kind, lab())
		}
	}
	readings := py.readingsInto(buf.rd, s, rs, offs)
	buf.rd = readings
	filler := fillerMask(s, tokens, len(rs), offs)
	for i, r := range rs {
		if filler != nil && filler[i] {
			continue
		}
		switch {
		case isPlaceholder(r):
			name := typeName(r)
			add(hashString(kindEntity, name), kindEntity, func() string { return "<" + name + ">" })
		case isHan(r):
			content++
			add(hashRunes(kindChar, r, -1), kindChar, func() string { return string(r) })
		case isASCIILetter(r):
			// An ASCII word is one word, whatever jieba made of it (it cuts unknown ASCII
			// into letters). It stands for as many features as a Chinese word gives (its
			// runes, bigram and syllables): an English word the synonym layer did not
			// translate (car in "buy a car") must weigh as much as the one it did (buy).
			content++
			if i == 0 || !isASCIILetter(rs[i-1]) {
				j := i + 1
				for j < len(rs) && isASCIILetter(rs[j]) {
					j++
				}
				w := s[offs[i]:offs[j]]
				for _, k := range asciiKinds {
					add(hashString(k, w), k, func() string { return w })
				}
			}
			continue
		default:
			continue
		}
		// A Han character gives no single-syllable feature: its syllable pairs carry the
		// sound (鱼额 meets 余额 as yu e), while one toneless syllable (yu, shi) matches
		// examples by the hundred. Without them the figures stayed or rose (docs/
		// nlu-evaluation.md, "Syllables") and Understand took 15% less time.
		if i+1 < len(rs) && (filler == nil || !filler[i+1]) {
			n := rs[i+1]
			if isHan(n) || isPlaceholder(n) {
				a, b := r, n
				add(hashRunes(kindBigram, a, b), kindBigram, func() string { return bigramLabel(a, b, typeName) })
				for _, p := range readings[i] {
					for _, q := range readings[i+1] {
						add(hashPair(kindPinyin2, p, q), kindPinyin2, func() string { return p + " " + q })
					}
				}
			}
		}
	}
	for _, tk := range tokens {
		if !wordToken(tk) || (filler != nil && fillers[tk]) {
			continue
		}
		add(hashString(kindWord, tk), kindWord, func() string { return tk })
	}
	sortFeats(fs)
	fs = slices.CompactFunc(fs, func(a, b feat) bool { return a.h == b.h })
	return fs, content
}

// sortFeats sorts fs by hash. Two features of one hash are one feature (the hash covers the
// kind), so the order among equals does not matter. A message has a few dozen features,
// which an insertion sort orders faster than pdqsort's generic machinery.
func sortFeats(fs []feat) {
	if len(fs) > 48 {
		slices.SortFunc(fs, func(a, b feat) int { return cmp.Compare(a.h, b.h) })
		return
	}
	for i := 1; i < len(fs); i++ {
		f := fs[i]
		j := i
		for ; j > 0 && fs[j-1].h > f.h; j-- {
			fs[j] = fs[j-1]
		}
		fs[j] = f
	}
}

// asciiKinds are the kinds an ASCII word gives a feature of: as many as a two-rune Chinese
// word had when Han characters gave single-syllable features, so that an untranslated
// English word kept its weight against a translated one.
var asciiKinds = [...]byte{kindWord, kindChar, kindBigram, kindPinyin}

// fillers are spoken words that carry no intent (就是 我的卡丢了, 那个 帮我查下): when jieba
// makes one a token of its own, its runes give no feature. 嗯, 好 and the like are not
// listed: alone they answer a question.
var fillers = map[string]bool{
	"就是": true, "那个": true, "这个": true, "然后": true, "那么": true, "的话": true,
	"啊": true, "呀": true, "呢": true, "嘛": true, "哦": true, "啦": true, "诶": true, "哎": true, "吧": true,
}

// fillerMask marks the runes of filler tokens, or returns nil when there are none, or when
// the text is nothing but fillers (then they are all it says).
func fillerMask(s string, tokens []string, n int, offs []int) []bool {
	// Most texts have no filler token: a look at each token in the table says so without
	// finding the tokens in s.
	if !slices.ContainsFunc(tokens, func(tk string) bool { return fillers[tk] }) {
		return nil
	}
	var mask []bool
	all := true
	eachToken(s, tokens, func(start, end int, tk string) {
		if !fillers[tk] {
			if strings.TrimSpace(tk) != "" {
				all = false
			}
			return
		}
		if mask == nil {
			mask = make([]bool, n)
		}
		for i, o := range offs[:n] {
			if o >= start && o < end {
				mask[i] = true
			}
		}
	})
	if all {
		return nil
	}
	return mask
}

// eachToken calls f with each token of s and its byte range. Tokens are in order but need not
// cover s (domain words replace what they overlap); a token not found is skipped.
func eachToken(s string, tokens []string, f func(start, end int, tk string)) {
	pos := 0
	for _, tk := range tokens {
		at := strings.Index(s[pos:], tk)
		if at < 0 || tk == "" {
			continue
		}
		start := pos + at
		pos = start + len(tk)
		f(start, pos, tk)
	}
}

// runeOffsets returns the runes of s and the byte offset of each (offs[len(rs)] == len(s)),
// so that rune ranges can be sliced out of s without allocating.
func runeOffsets(s string) (rs []rune, offs []int) {
	n := utf8.RuneCountInString(s)
	return appendRuneOffsets(make([]rune, 0, n), make([]int, 0, n+1), s)
}

// appendRuneOffsets appends the runes of s to rs and their byte offsets, then len(s), to offs.
func appendRuneOffsets(rs []rune, offs []int, s string) ([]rune, []int) {
	for i, r := range s {
		rs = append(rs, r)
		offs = append(offs, i)
	}
	return rs, append(offs, len(s))
}

func bigramLabel(a, b rune, typeName func(rune) string) string {
	s := func(r rune) string {
		if isPlaceholder(r) {
			return "<" + typeName(r) + ">"
		}
		return string(r)
	}
	return s(a) + s(b)
}

func isASCIILetter(r rune) bool { return r < utf8.RuneSelf && unicode.IsLetter(r) }

// wordToken reports whether a jieba token becomes a word feature: two or more Han
// characters; never a token holding a placeholder, punctuation or ASCII (ASCII words are
// taken from the text directly).
func wordToken(tk string) bool {
	n := 0
	for _, r := range tk {
		if !isHan(r) {
			return false
		}
		n++
	}
	return n >= 2
}
