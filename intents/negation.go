package intents

import (
	"strings"
	"unicode/utf8"
)

// Negation and contrast. A customer corrects a wrong guess or calls an operation off in one
// message: 不是查余额,我是要转账 wants a transfer (the part after the contrast), 我不是要转账
// and 不要预约了 or 理财先不买了 call off what they name (intent cancel). Matching alone would
// answer the operation named, since its words are all there; so before the result is
// returned, the normalised text is read for these forms:
//
//   - contrast: a negation cue (不是, 并不是, 不要, 不想, 不用, 不需要, 不必, 别) at the start of
//     the message (after at most three lead words: 我, 你, 那, 还是, 算了 ...), the negated
//     part X, then a separator (a punctuation mark or space, or 而是 or 是 directly) and the
//     wanted part Y: the result is Y's, when Y alone is understood as an intent;
//   - a clause that calls X off, then Y: 不转了,查余额 (the clause is read as below);
//   - Y first: Y, then 不是 (而不是, 并非) and X: 我要转账,不是查余额; both must be understood
//     as different intents (余额不是这么多 contrasts nothing);
//   - calling off: the cue and X with no Y (不是 only as 不是要 or 不是想: 不是我本人操作的
//     is a statement), 不V X了, or X ending in 不V了 (不买了, 不转了), where X
//     alone is understood as an operation (an intent other than cancel and FAQs): the result
//     is the bundle's cancel intent, when it has one. When Y only answers (谢谢, 好的: the
//     catalogue's conversation moves), X is called off all the same.
//
// 别 is a cue only as an imperative: 别人, 别的, 别墅 are words. Questions (吗, 呢 or a
// question mark at the end) and inabilities (不能, 不了, 不到, 不上: 卡不能用了 is a problem,
// not a change of mind) are never read as calling off. English has the same forms
// (negation_english.go), read on the original text, whose commas normalisation drops.

// negationCues open a negated part, longest first.
var negationCues = []string{"并不是", "不需要", "不是", "不要", "不想", "不用", "不必", "别"}

// midCues stand between the wanted part and the negated one: 转账,不是查余额.
var midCues = []string{"而不是", "并不是", "不是", "并非"}

// contrastMarks open the wanted part when no punctuation separates it.
var contrastMarks = []string{"而是", "我是", "是"}

// inability follows 不 in a complaint rather than a change of mind.
const inability = "能了到上见行够对动出进会知懂记清太"

// causative opens a wish about what others do or what happens (不想让别人看到余额, 不要被扣费):
// no operation of the customer's is called off.
const causative = "让被叫使令"

// notBie follows 别 in a word that is no imperative: 别人, 别的, 别处, 别墅, 别克, 别名.
const notBie = "人的处墅克名样致针扭"

// leadWords may come before the cue: 我不是要, 那就别转了, 算了,不预约了, 还是别买了.
var leadWords = []string{"算了", "还是", "其实", "那就", "我", "你", "并", "也", "可", "那", "就"}

// negationRunes: every Chinese form above holds one of them (each negation cue and middle
// cue does, TestNegationRunes, and the 不V了 forms hold 不). A message without any, as most
// are, is read no further.
const negationRunes = "不别非"

// separators end a clause.
const separators = ",，;；。 、!！"

// cancelIntent is the catalogue's intent for calling an operation off.
const cancelIntent = "cancel"

// conversationMoves are the catalogue's intents that answer rather than ask for something:
// after a calling off (不转了,谢谢) they do not replace it.
var conversationMoves = map[string]bool{"affirm": true, "deny": true, "thanks": true, "greet": true}

// contrast is what negation found in a message.
type contrast struct {
	wanted   int    // rune offset (normalised) of the wanted part Y; -1 when none
	until    int    // end of Y (normalised runes); 0 when Y runs to the end of the message
	negated  string // X, the part negated
	callsOff bool   // the message calls X off
	checkX   bool   // Y comes first (转账,不是查余额): X must be understood too
	orig     bool   // wanted and until are rune offsets of the original text (English)
	bare     bool   // an English cue without a wish (not, don't): X must be an operation
}

// readContrast looks for the forms above in s, a normalised message; English is read on
// the original text (orig), whose commas normalisation does not keep.
func readContrast(s, orig string) (contrast, bool) {
	// The English forms need an English word (and lower-casing a Chinese text copies it).
	if strings.ContainsFunc(orig, isASCIILetter) {
		if k, ok := readEnglishContrast(strings.ToLower(orig)); ok {
			k.orig = true
			return k, true
		}
	}
	if !strings.ContainsAny(s, negationRunes) {
		return contrast{}, false
	}
	rs := []rune(s)
	end := len(rs)
	for end > 0 && strings.ContainsRune(" 。.!！~了啦啊呀吧的", rs[end-1]) {
		end--
	}
	if end == 0 || strings.ContainsRune("吗呢?？", rs[end-1]) || end < len(rs) && strings.ContainsAny(string(rs[end:]), "?？") {
		return contrast{}, false
	}
	// A cue at the start, after at most a few lead words.
	start := 0
	for n := 0; n < 3 && start < end; n++ {
		w := ""
		for _, lw := range leadWords {
			if hasRunes(rs[start:end], lw) {
				w = lw
				break
			}
		}
		if w == "" {
			break
		}
		start += utf8.RuneCountInString(w)
		for start < end && strings.ContainsRune(separators, rs[start]) {
			start++
		}
	}
	for _, cue := range negationCues {
		if !hasRunes(rs[start:end], cue) {
			continue
		}
		x := start + utf8.RuneCountInString(cue)
		if x < end && strings.ContainsRune(inability, rs[x]) || cue == "别" && x < end && strings.ContainsRune(notBie, rs[x]) {
			return contrast{}, false
		}
		wants := false // 不是要 X: a wish denied, not a statement (不是我本人操作的)
		for x < end && strings.ContainsRune("要想去再", rs[x]) {
			x++
			wants = true
		}
		if x < end && strings.ContainsRune(causative, rs[x]) {
			return contrast{}, false
		}
		// The wanted part: after a separator, or after a contrast mark.
		for i := x + 1; i < end; i++ {
			if strings.ContainsRune(separators, rs[i]) {
				j := i
				for j < end && strings.ContainsRune(separators, rs[j]) {
					j++
				}
				if j < end {
					return contrast{wanted: j, negated: trimCallOff(rs[x:i])}, true
				}
				break
			}
			for _, m := range contrastMarks {
				if hasRunes(rs[i:end], m) && i+utf8.RuneCountInString(m) < end {
					return contrast{wanted: i, negated: string(rs[x:i])}, true
				}
			}
		}
		if x < end && (wants || !strings.HasSuffix(cue, "是")) {
			return contrast{wanted: -1, negated: string(rs[x:end]), callsOff: true}, true
		}
		return contrast{}, false
	}
	// A clause that calls off, then what is wanted: 不转了,查余额.
	for i := start + 1; i < end; i++ {
		if !strings.ContainsRune(separators, rs[i]) {
			continue
		}
		j := i
		for j < end && strings.ContainsRune(separators, rs[j]) {
			j++
		}
		if k, ok := readContrast(string(rs[:i]), ""); ok && k.callsOff && j < end {
			return contrast{wanted: j, negated: k.negated}, true
		}
		break
	}
	// Y first: 转账,不是查余额 / 我要转账不是查余额.
	for i := start + 1; i < end; i++ {
		for _, cue := range midCues {
			if !hasRunes(rs[i:end], cue) || strings.ContainsRune("是要", rs[i-1]) {
				continue
			}
			x := i + utf8.RuneCountInString(cue)
			for x < end && strings.ContainsRune("要想", rs[x]) {
				x++
			}
			y := i
			for y > start && strings.ContainsRune(separators, rs[y-1]) {
				y--
			}
			if x < end && y > start {
				return contrast{wanted: start, until: y, negated: string(rs[x:end]), checkX: true}, true
			}
		}
	}
	// 不V X了 and X 不V了: the message ends in 了, and 不 starts it or stands one to three
	// runes before the end.
	if end == len(rs) || rs[end] != '了' {
		return contrast{}, false
	}
	if rs[start] == '不' && start+1 < end && !strings.ContainsRune(inability, rs[start+1]) {
		return contrast{wanted: -1, negated: string(rs[start+1 : end]), callsOff: true}, true
	}
	for i := end - 2; i >= max(1, end-4); i-- {
		if rs[i] == '不' && !strings.ContainsRune(inability, rs[i+1]) {
			j := i
			for j > 0 && strings.ContainsRune("先就也还都暂", rs[j-1]) {
				j--
			}
			if j > 0 {
				return contrast{wanted: -1, negated: string(rs[:j]) + string(rs[i+1:end]), callsOff: true}, true
			}
		}
	}
	return contrast{}, false
}

// trimCallOff drops the 了 that ends a negated clause (不想转账了,帮我查余额).
func trimCallOff(rs []rune) string {
	return strings.TrimRight(string(rs), "了啦吧")
}

// hasRunes reports whether rs starts with w.
func hasRunes(rs []rune, w string) bool {
	i := 0
	for _, r := range w {
		if i >= len(rs) || rs[i] != r {
			return false
		}
		i++
	}
	return true
}

// applyContrast returns the result of a message that negates or contrasts, or r unchanged.
func (u *Understander) applyContrast(a *analysis, r Result, c Context) Result {
	k, ok := readContrast(a.norm.Norm, a.in)
	if !ok || r.Intent == cancelIntent && k.callsOff {
		return r
	}
	if !k.callsOff {
		y, ok := u.wantedPart(a, r, k, c)
		if !ok {
			return r
		}
		if !conversationMoves[y.Intent] {
			if k.checkX {
				if x := u.result(u.run(k.negated, c, nil)); x.Intent == None || x.Intent == y.Intent {
					return r
				}
			}
			return y
		}
		if k.checkX {
			return r
		}
		// 不转了,谢谢: the wanted part only answers; the negated part is called off.
	}
	if !u.hasIntent(cancelIntent) {
		return r
	}
	x := u.result(u.run(k.negated, c, nil))
	if x.Intent == None || x.Intent == cancelIntent || u.isFAQ(x.Intent) || x.Ambiguous || k.bare && conversationMoves[x.Intent] {
		return r
	}
	out := r
	out.Intent, out.Ambiguous = cancelIntent, false
	out.Confidence = x.Confidence
	out.Alternatives = []Candidate{{Intent: x.Intent, Confidence: x.Confidence}}
	return out
}

// wantedPart understands Y alone, from the text as analysed (entities keep the customer's
// characters and their offsets in the whole message); ok is false when Y is not understood.
func (u *Understander) wantedPart(a *analysis, r Result, k contrast, c Context) (Result, bool) {
	orig := []rune(a.in)
	from, to, ok := k.wanted, k.until, true
	if !k.orig {
		until := k.until
		if until <= 0 {
			until = len(a.norm.Map)
		}
		from, to, ok = a.norm.Span(k.wanted, until)
	} else if to <= 0 {
		to = len(orig)
	}
	if !ok || from < 0 || to > len(orig) || from == 0 && to == len(orig) {
		return r, false
	}
	y := u.result(u.run(string(orig[from:to]), c, nil))
	if y.Intent == None {
		return r, false
	}
	y.Text, y.Normalized = r.Text, r.Normalized
	for i := range y.Entities {
		y.Entities[i].Start += from
		y.Entities[i].End += from
	}
	return y, true
}

func (u *Understander) hasIntent(name string) bool {
	for _, n := range u.intents {
		if n == name {
			return true
		}
	}
	return false
}

func (u *Understander) isFAQ(name string) bool {
	for i, n := range u.intents {
		if n == name {
			return u.faq[i]
		}
	}
	return false
}
