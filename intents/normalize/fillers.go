package normalize

import (
	"strings"

	"github.com/weiyin-bank/weiyin/intents/internal/runeset"
)

// Filler rules. Each rule is conservative: a word is dropped only where it cannot belong to a
// longer word. "Boundary" means the start of the text, a space or punctuation, or a filler
// that was itself dropped.

// soloFillers are interjections dropped wherever they stand (they form no banking words).
const soloFillers = "嗯呃哦噢唉诶欸哎啊"

// finalParticles are dropped only before a boundary (吧 in 酒吧, 嘛 in 干嘛 stay).
var finalParticles = map[rune]string{
	'呢': "",
	'吧': "酒网贴氧",
	'嘛': "干啥",
	'呀': "",
}

// headFillers are words dropped only at the head of a clause and before a clause opener.
var headFillers = [][]rune{[]rune("那个"), []rune("这个"), []rune("就是"), []rune("然后"), []rune("额")}

// fillerFirst holds the runes a filler may start with (soloFillers, finalParticles and the
// first runes of headFillers): fillerAt passes over every other rune at once.
var fillerFirst = func() *runeset.Set {
	set := runeset.Of(soloFillers)
	for r := range finalParticles {
		set.Add(r)
	}
	for _, w := range headFillers {
		set.Add(w[0])
	}
	return &set
}()

// clauseOpeners may follow a head filler: a pronoun, a polite word or a verb that starts a
// request. 这个月 / 那个账户 / 就是这个 therefore stay.
const clauseOpeners = "我你您他她帮请麻能可想要给查办怎为有转"

// eFollowersKeep are runes after which 额 is part of a word (额度, 额外, 额头).
const eFollowersKeep = "度外头定"

func isBoundaryRune(r rune) bool {
	return r == ' ' || (r < 0x80 && r != '-' && r != '.' && r != '+' && r != '%' && r != '$' && r != '~' && r != ':' && r != '/' && !isAlnum(r))
}

func isAlnum(r rune) bool {
	return (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
}

// removeFillers drops filler words. It never empties a non-empty text: when everything would
// go, the text is kept as it was (a lone 嗯 is an answer the dialog may want to see).
func removeFillers(items []item) []item {
	drop := make([]bool, len(items))
	any := false
	// lastKept is the index of the last kept non-space item before the one being looked at
	// (-1 for none); keeping it as we go keeps the pass linear.
	lastKept := -1
	atHead := func(i int) bool {
		return lastKept < 0 || isBoundaryRune(items[lastKept].r)
	}
	keep := func(i int) {
		if !drop[i] && items[i].r != ' ' {
			lastKept = i
		}
	}
	boundaryAfter := func(j int) bool {
		return j >= len(items) || isBoundaryRune(items[j].r) || strings.ContainsRune(soloFillers, items[j].r) || isParticle(items[j].r)
	}
	for i := 0; i < len(items); i++ {
		i = fillerAt(items, drop, i, atHead, boundaryAfter, &any)
		keep(i)
	}
	return finishFillers(items, drop, any)
}

// fillerAt decides whether the filler rules drop items[i] (and the words it starts). It
// returns the index of the last item it decided on.
func fillerAt(items []item, drop []bool, i int, atHead func(int) bool, boundaryAfter func(int) bool, any *bool) int {
	r := items[i].r
	if !fillerFirst.Has(r) {
		return i
	}
	if strings.ContainsRune(soloFillers, r) {
		drop[i], *any = true, true
		return i
	}
	if keepAfter, ok := finalParticles[r]; ok {
		if i > 0 && strings.ContainsRune(keepAfter, items[i-1].r) {
			return i
		}
		if i > 0 && boundaryAfter(i+1) {
			drop[i], *any = true, true
		}
		return i
	}
	if !atHead(i) {
		return i
	}
	for _, w := range headFillers {
		if !hasRunes(items, i, w) {
			continue
		}
		j := i + len(w)
		if w[0] == '额' {
			if j >= len(items) || strings.ContainsRune(eFollowersKeep, items[j].r) {
				return i
			}
		} else {
			// the next meaningful rune must open a clause, after an optional space.
			k := j
			for k < len(items) && items[k].r == ' ' {
				k++
			}
			if k >= len(items) {
				return i
			}
			nr := items[k].r
			if !(k > j || strings.ContainsRune(clauseOpeners, nr) || strings.ContainsRune(soloFillers, nr)) {
				return i
			}
		}
		for k := i; k < j; k++ {
			drop[k] = true
		}
		*any = true
		return j - 1
	}
	return i
}

// finishFillers removes the dropped items, unless that would leave nothing but spaces.
func finishFillers(items []item, drop []bool, any bool) []item {
	if !any {
		return items
	}
	kept := 0
	for i, it := range items {
		if !drop[i] && it.r != ' ' {
			kept++
		}
	}
	if kept == 0 {
		return items
	}
	out := make([]item, 0, len(items))
	for i, it := range items {
		if !drop[i] {
			out = append(out, it)
		}
	}
	return out
}

func isParticle(r rune) bool {
	_, ok := finalParticles[r]
	return ok
}

func hasRunes(items []item, i int, w []rune) bool {
	if i+len(w) > len(items) {
		return false
	}
	for k, r := range w {
		if items[i+k].r != r {
			return false
		}
	}
	return true
}
