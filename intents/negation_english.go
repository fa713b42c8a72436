package intents

import (
	"strings"
	"unicode/utf8"
)

// English negation and contrast, read on the normalised message (lower case, an apostrophe
// made a space: don't is "don t"), in the same forms as the Chinese ones of negation.go:
//
//   - a cue at the start (after fillers: no, sorry, actually, I, I'm ...): a wish denied
//     (don't want to, do not need to, no need to, forget about) or a bare one (don't, do
//     not, not) whose next word is a banking term of the synonym layer (don't transfer; I
//     don't know my balance is a statement); then X, and after a separator (a comma, but,
//     instead, or I starting a new wish) Y: I don't want to check my balance, I want to
//     transfer. Without Y, X is called off (I don't want to transfer anymore);
//   - Y first: X's cue in the middle (check my balance, not transfer; pay the bill instead
//     of a transfer); both must be understood.
//
// A question (a question mark at the end, or don't you ...) is never read as a negation.

// englishWord is a word of the message with its rune and byte offsets.
type englishWord struct {
	w          string
	start, end int // runes
	byteStart  int
}

// englishCues are the cues at the start, longest first; want marks a wish denied.
var englishCues = []struct {
	words []string
	want  bool
}{
	{strings.Fields("don t want to"), true}, {strings.Fields("do not want to"), true}, {strings.Fields("dont want to"), true},
	{strings.Fields("don t need to"), true}, {strings.Fields("do not need to"), true}, {strings.Fields("dont need to"), true},
	{strings.Fields("no longer want to"), true}, {strings.Fields("not going to"), true},
	{strings.Fields("don t wanna"), true}, {strings.Fields("dont wanna"), true}, {strings.Fields("no need to"), true},
	{strings.Fields("don t want"), true}, {strings.Fields("do not want"), true}, {strings.Fields("dont want"), true},
	{strings.Fields("don t need"), true}, {strings.Fields("do not need"), true}, {strings.Fields("dont need"), true},
	{strings.Fields("forget about"), true},
	{strings.Fields("don t"), false}, {strings.Fields("do not"), false}, {strings.Fields("dont"), false}, {strings.Fields("not"), false},
}

// englishFillers may come before a cue.
var englishFillers = wordSet("no nope nah oh sorry actually wait well ok okay hmm um umm i m am we please just so then")

// englishSkip may follow a cue before X: don't want to do the transfer.
var englishSkip = wordSet("to the a an my any about do make go")

// englishBreaks end X: don't transfer, but check my balance.
var englishBreaks = wordSet("but instead rather just only")

// englishTail are words at the end of X that say when, not what: anymore, any more, now.
var englishTail = wordSet("anymore any more now please thanks thank you today after all for it")

// englishPronouns after a bare cue make a question (don't you have ...).
var englishPronouns = wordSet("you we they i he she it him her them anyone anybody someone somebody others people nobody")

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// englishWords splits s into ASCII words, Han runs and separators (each one word: ","), and
// reports whether s holds an ASCII letter at all.
func englishWords(s string) ([]englishWord, bool) {
	var ws []englishWord
	latin := false
	ri := 0
	cur := -1 // index in ws of the word being read
	kind := 0 // 1 ASCII, 2 Han
	for bi, r := range s {
		k := 0
		switch {
		case isASCIILetter(r) || r >= '0' && r <= '9':
			k = 1
			latin = latin || isASCIILetter(r)
		case isHan(r):
			k = 2
		}
		switch {
		case k != 0 && k == kind:
			ws[cur].w = s[ws[cur].byteStart : bi+utf8.RuneLen(r)] // a slice of s, not a copy a rune
			ws[cur].end = ri + 1
		case k != 0:
			ws = append(ws, englishWord{w: s[bi : bi+utf8.RuneLen(r)], start: ri, end: ri + 1, byteStart: bi})
			cur, kind = len(ws)-1, k
		case strings.ContainsRune(",，;；.。!！", r):
			ws = append(ws, englishWord{w: ",", start: ri, end: ri + 1, byteStart: bi})
			cur, kind = -1, 0
		default:
			cur, kind = -1, 0
		}
		ri++
	}
	return ws, latin
}

// hasWords reports whether ws starts with words.
func hasWords(ws []englishWord, words []string) bool {
	if len(ws) < len(words) {
		return false
	}
	for i, w := range words {
		if ws[i].w != w {
			return false
		}
	}
	return true
}

// readEnglishContrast reads the English forms in s, a normalised message.
func readEnglishContrast(s string) (contrast, bool) {
	ws, latin := englishWords(s)
	if !latin || strings.HasSuffix(strings.TrimRight(s, " "), "?") || strings.HasSuffix(strings.TrimRight(s, " "), "？") {
		return contrast{}, false
	}
	i := 0
	for i < len(ws) && !startsCue(ws[i:]) && (englishFillers[ws[i].w] || ws[i].w == ",") {
		i++
	}
	for _, c := range englishCues {
		if !hasWords(ws[i:], c.words) {
			continue
		}
		x := i + len(c.words)
		for x < len(ws) && englishSkip[ws[x].w] {
			x++
		}
		if x >= len(ws) || englishPronouns[ws[x].w] {
			return contrast{}, false
		}
		if !c.want {
			// A bare cue negates an action only when a banking term follows.
			if _, _, _, ok := theSynonyms().asciiAt(s, ws[x].byteStart); !ok && !isHan([]rune(ws[x].w)[0]) {
				return contrast{}, false
			}
		}
		e := x
		for e < len(ws) && ws[e].w != "," && !englishBreaks[ws[e].w] && !(e > x && (ws[e].w == "i" || ws[e].w == "we")) {
			e++
		}
		xe := e
		for xe > x && englishTail[ws[xe-1].w] {
			xe--
		}
		if xe == x {
			return contrast{}, false
		}
		negated := string([]rune(s)[ws[x].start:ws[xe-1].end])
		y := e
		for y < len(ws) && (ws[y].w == "," || englishBreaks[ws[y].w]) {
			y++
		}
		if y < len(ws) && !allTail(ws[y:]) {
			return contrast{wanted: ws[y].start, negated: negated}, true
		}
		return contrast{wanted: -1, negated: negated, callsOff: true, bare: !c.want}, true
	}
	// Y first: check my balance, not transfer / pay the bill instead of a transfer.
	for j := i + 1; j < len(ws); j++ {
		n := 0
		switch {
		case ws[j].w == "not" && !strings.Contains(" do don does doesn did didn m am is are was t ", " "+ws[j-1].w+" "):
			n = 1
		case hasWords(ws[j:], []string{"instead", "of"}), hasWords(ws[j:], []string{"rather", "than"}):
			n = 2
		}
		if n == 0 {
			continue
		}
		x := j + n
		for x < len(ws) && englishSkip[ws[x].w] {
			x++
		}
		y := j
		for y > i && ws[y-1].w == "," {
			y--
		}
		if x >= len(ws) || y == i || allTail(ws[x:]) {
			return contrast{}, false
		}
		return contrast{wanted: ws[i].start, until: ws[y-1].end, negated: string([]rune(s)[ws[x].start:]), checkX: true}, true
	}
	return contrast{}, false
}

// startsCue reports whether a cue starts ws (no need to: no is then no filler).
func startsCue(ws []englishWord) bool {
	for _, c := range englishCues {
		if hasWords(ws, c.words) {
			return true
		}
	}
	return false
}

// allTail reports whether ws holds only separators and tail words (please, thanks).
func allTail(ws []englishWord) bool {
	for _, w := range ws {
		if w.w != "," && !englishTail[w.w] {
			return false
		}
	}
	return true
}
