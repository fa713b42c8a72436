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
//   - contrast: a negation cue (不是, 并不是, 不要, 不想, 不用, 不需要) at the start of the
//     message (after at most 我, 并, 也, 可, 其实), the negated part X, then a separator
//     (a punctuation mark or space, or 而是 or 是 directly) and the wanted part Y: the result
//     is Y's, when Y alone is understood as an intent;
//   - calling off: the cue and X with no Y (不是 only as 不是要 or 不是想: 不是我本人操作的
//     is a statement), 不V X了, or X ending in 不V了 (不买了, 不转了), where X
//     alone is understood as an operation (a flow intent other than cancel): the result is
//     the bundle's cancel intent, when it has one.
//
// Questions (吗, 呢 or a question mark at the end) and inabilities (不能, 不了, 不到, 不上:
// 卡不能用了 is a problem, not a change of mind) are never read as calling off.

// negationCues open a negated part, longest first.
var negationCues = []string{"并不是", "不需要", "不是", "不要", "不想", "不用"}

// contrastMarks open the wanted part when no punctuation separates it.
var contrastMarks = []string{"而是", "我是", "是"}

// inability follows 不 in a complaint rather than a change of mind.
const inability = "能了到上见行够对动出进会知懂记清太"

// cancelIntent is the catalogue's intent for calling an operation off.
const cancelIntent = "cancel"

// contrast is what negation found in a message.
type contrast struct {
	wanted   int    // rune offset (normalised) of the wanted part Y; -1 when none
	negated  string // X, the part negated
	callsOff bool   // the message calls X off
}

// readContrast looks for the forms above in s, a normalised message.
func readContrast(s string) (contrast, bool) {
	rs := []rune(s)
	end := len(rs)
	for end > 0 && strings.ContainsRune(" 。.!！~了啦啊呀吧的", rs[end-1]) {
		end--
	}
	if end == 0 || strings.ContainsRune("吗呢?？", rs[end-1]) || end < len(rs) && strings.ContainsAny(string(rs[end:]), "?？") {
		return contrast{}, false
	}
	// A cue at the start, after at most a few function runes.
	start := 0
	for start < 3 && start < end && strings.ContainsRune("我并也可其实", rs[start]) {
		start++
	}
	for _, cue := range negationCues {
		if !strings.HasPrefix(string(rs[start:end]), cue) {
			continue
		}
		x := start + utf8.RuneCountInString(cue)
		if x < end && strings.ContainsRune(inability, rs[x]) {
			return contrast{}, false
		}
		wants := false // 不是要 X: a wish denied, not a statement (不是我本人操作的)
		for x < end && strings.ContainsRune("要想去", rs[x]) {
			x++
			wants = true
		}
		// The wanted part: after a separator, or after a contrast mark.
		for i := x + 1; i < end; i++ {
			if strings.ContainsRune(",，;；。 、", rs[i]) {
				j := i
				for j < end && strings.ContainsRune(",，;；。 、", rs[j]) {
					j++
				}
				if j < end {
					return contrast{wanted: j, negated: string(rs[x:i])}, true
				}
				break
			}
			for _, m := range contrastMarks {
				if strings.HasPrefix(string(rs[i:end]), m) && i+utf8.RuneCountInString(m) < end {
					return contrast{wanted: i, negated: string(rs[x:i])}, true
				}
			}
		}
		if x < end && (wants || !strings.HasSuffix(cue, "是")) {
			return contrast{wanted: -1, negated: string(rs[x:end]), callsOff: true}, true
		}
		return contrast{}, false
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

// applyContrast returns the result of a message that negates or contrasts, or r unchanged.
func (u *Understander) applyContrast(a *analysis, r Result, c Context) Result {
	if r.Intent == cancelIntent {
		return r
	}
	k, ok := readContrast(a.norm.Norm)
	if !ok {
		return r
	}
	if !k.callsOff {
		// Y alone, from the original text (entities keep the customer's characters).
		from := 0
		if k.wanted < len(a.norm.Map) {
			from = a.norm.Map[k.wanted]
		}
		orig := []rune(a.text)
		if from <= 0 || from >= len(orig) {
			return r
		}
		y := u.result(u.run(string(orig[from:]), c, nil))
		if y.Intent == None {
			return r
		}
		y.Text, y.Normalized = r.Text, r.Normalized
		for i := range y.Entities {
			y.Entities[i].Start += from
			y.Entities[i].End += from
		}
		return y
	}
	if !u.hasIntent(cancelIntent) {
		return r
	}
	x := u.result(u.run(k.negated, c, nil))
	if x.Intent == None || x.Intent == cancelIntent || u.isFAQ(x.Intent) || x.Ambiguous {
		return r
	}
	out := r
	out.Intent, out.Ambiguous = cancelIntent, false
	out.Confidence = x.Confidence
	out.Alternatives = []Candidate{{Intent: x.Intent, Confidence: x.Confidence}}
	return out
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
