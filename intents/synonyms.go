package intents

import (
	_ "embed"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/weiyin-bank/weiyin/intents/internal/runeset"
	"github.com/weiyin-bank/weiyin/intents/jiebadict"
)

// The synonym layer: banking terms the team wrote and reviewed (synonyms.txt), with the words
// that mean the same in a banking message, Taiwan and Hong Kong wording and English among
// them. Wherever a member occurs, in an example or in a message, the group's term is added as
// a word feature: a message saying 解绑 meets an example saying 解除绑定, `查下balance` meets
// 余额, without an example written for each wording. The terms are also the targets of
// homophone correction.
//
// English is translated: an ASCII member of a group whose term is Chinese is replaced by the
// term in the text the matcher sees (`check my balance` is matched as `查询 余额`, `查下balance`
// as `查下余额`), and the English words that carry no meaning for matching (a line starting
// with "-": my, the, please ...) are left out, so that an English message is matched by the
// same examples as its Chinese wording. Entities are taken before, from the original text.

//go:embed synonyms.txt
var synonymText string

// phrase is an English member of several words and its term.
type phrase struct {
	words []string
	term  string
}

// synonymTable maps each member of a group to the group's term.
type synonymTable struct {
	han   map[string]string // members holding a Han rune: found anywhere in a text
	ascii map[string]string // ASCII members: found as whole words
	// phrases holds the ASCII members of several words (customer service, top up), by
	// their first word, longest first: found as whole words separated by spaces.
	phrases map[string][]phrase
	first   runeset.Set // first runes of han members
	maxLen  int         // runes of the longest han member
	terms   []string    // every Han word of the banking groups (homophone targets)
	// plain holds the terms of plain-language groups (lines starting with =): their
	// features are of kind plain, no evidence that a message is about the bank.
	plain  map[string]bool
	drop   map[string]bool // English words without meaning for matching
	single map[string]bool // terms of one Han rune (买, 找, 卡): glued to what follows
}

var (
	synOnce sync.Once
	synTab  *synonymTable
)

// theSynonyms parses synonyms.txt once per process.
func theSynonyms() *synonymTable {
	synOnce.Do(func() { synTab = parseSynonyms(synonymText) })
	return synTab
}

func parseSynonyms(text string) *synonymTable {
	t := &synonymTable{han: map[string]string{}, ascii: map[string]string{}, phrases: map[string][]phrase{}, drop: map[string]bool{}, single: map[string]bool{}, plain: map[string]bool{}}
	for _, line := range strings.Split(text, "\n") {
		line, _, _ = strings.Cut(line, "#")
		ws := strings.Fields(line)
		if len(ws) == 0 {
			continue
		}
		if ws[0] == "-" {
			for _, w := range ws[1:] {
				t.drop[w] = true
			}
			continue
		}
		plain := ws[0] == "="
		if plain {
			ws = ws[1:]
			if len(ws) == 0 {
				continue
			}
			t.plain[ws[0]] = true
		}
		term := ws[0]
		for _, w := range ws {
			if strings.ContainsFunc(w, isHan) {
				if !plain && !strings.ContainsFunc(w, func(r rune) bool { return !isHan(r) }) {
					t.terms = append(t.terms, w)
				}
				n := utf8.RuneCountInString(w)
				if n == 1 && w == term {
					t.single[w] = true
				}
				if n < 2 {
					continue // one Han rune occurs inside too many words
				}
				t.han[w] = term
				r, _ := utf8.DecodeRuneInString(w)
				t.first.Add(r)
				t.maxLen = max(t.maxLen, n)
			} else if words := strings.Split(w, "_"); len(words) > 1 {
				t.phrases[words[0]] = append(t.phrases[words[0]], phrase{words, term})
			} else {
				t.ascii[w] = term
			}
		}
	}
	for _, ps := range t.phrases {
		slices.SortStableFunc(ps, func(a, b phrase) int { return len(b.words) - len(a.words) })
	}
	return t
}

// kindOf is the feature kind of a group's term: plain for plain-language groups.
func (t *synonymTable) kindOf(term string) byte {
	if t.plain[term] {
		return kindPlain
	}
	return kindSynonym
}

// asciiAt returns the end of the English member (a phrase or a word) that starts at s[i],
// and its term; ok is false when none starts there. j is the end of the word at i (i when no
// word starts there).
func (t *synonymTable) asciiAt(s string, i int) (end int, term string, j int, ok bool) {
	j = asciiWordEnd(s, i)
	if j == i {
		return i, "", j, false
	}
	for _, p := range t.phrases[s[i:j]] {
		if e, ok := wordsAt(s, j, p.words[1:], !t.plain[p.term]); ok {
			return e, p.term, j, true
		}
	}
	term, ok = t.ascii[s[i:j]]
	return j, term, j, ok
}

// gapWords are the English words that may come between two words of a banking phrase, one
// at a time: the article, possessive or pronoun of a verb's object (pay my bills, call it
// off, send some money, cancel the card). Any other word breaks the phrase: this is not the
// right amount is no 不对, I forget to do it is no 取消, I will pay you back is no 还款.
var gapWords = map[string]bool{"a": true, "an": true, "the": true, "my": true, "your": true, "our": true,
	"it": true, "this": true, "these": true, "some": true}

// wordsAt reports whether s holds the words ws from i on, each after one or more spaces,
// the last ending a word; it returns the end of the last. When gaps is set (a phrase of a
// banking group), one of gapWords may come before each word (pay my bills holds pay bills);
// a plain-language phrase is a fixed expression (good morning, not right, how much) whose
// words come together.
func wordsAt(s string, i int, ws []string, gaps bool) (int, bool) {
	for _, w := range ws {
		k := skipSpaces(s, i)
		if e := asciiWordEnd(s, k); gaps && k > i && e > k && s[k:e] != w && gapWords[s[k:e]] {
			i, k = e, skipSpaces(s, e)
		}
		if k == i || !strings.HasPrefix(s[k:], w) || asciiWordEnd(s, k) != k+len(w) {
			return 0, false
		}
		i = k + len(w)
	}
	return i, true
}

// skipSpaces returns the index of the first rune at or after i that is not a space.
func skipSpaces(s string, i int) int {
	for i < len(s) && s[i] == ' ' {
		i++
	}
	return i
}

// find calls f with each member found in s (leftmost-longest for Han, whole ASCII words) and
// its term.
func (t *synonymTable) find(s string, f func(member, term string)) {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if end, term, _, ok := t.asciiAt(s, i); ok {
			f(s[i:end], term)
			i = end
			continue
		}
		if !t.first.Has(r) {
			i += n
			continue
		}
		end, j := 0, i
		for k := 0; k < t.maxLen && j < len(s); k++ {
			_, m := utf8.DecodeRuneInString(s[j:])
			j += m
			if k > 0 {
				if _, ok := t.han[s[i:j]]; ok {
					end = j
				}
			}
		}
		if end == 0 {
			i += n
			continue
		}
		f(s[i:end], t.han[s[i:end]])
		i = end
	}
}

// asciiWordEnd returns the end of the ASCII word (letters and digits) starting at s[i], or i
// when no word starts there (not a letter, or inside a word).
func asciiWordEnd(s string, i int) int {
	if i >= len(s) || !isASCIILetter(rune(s[i])) || i > 0 && isASCIILetter(rune(s[i-1])) {
		return i
	}
	j := i
	for j < len(s) && (isASCIILetter(rune(s[j])) || s[j] >= '0' && s[j] <= '9') {
		j++
	}
	return j
}

// translate returns s with each English member of a Chinese group replaced by its term and
// the English words without meaning left out (s itself when there are none).
func (t *synonymTable) translate(s string) string {
	var b strings.Builder
	done := 0
	for i := 0; i < len(s); i++ {
		end, term, j, ok := t.asciiAt(s, i)
		if j == i {
			continue
		}
		var to string
		switch {
		case ok && strings.HasPrefix(term, s[i:j]) && strings.HasPrefix(s[i:], term):
			// The member begins its own mixed term, which the text already says
			// (pos机坏了): translating it would say the term's tail twice.
			i = end - 1
			continue
		case ok && strings.ContainsFunc(term, isHan):
			to = term
		case t.drop[s[i:j]]:
			to, end = " ", j
		default:
			i = j - 1
			continue
		}
		b.WriteString(s[done:i])
		b.WriteString(to)
		done = end
		i = end - 1
	}
	if done == 0 {
		return s
	}
	b.WriteString(s[done:])
	return t.glueHan(b.String())
}

func hanOrValue(r rune) bool { return isHan(r) || isPlaceholder(r) }

// glueHan drops the spaces between two Han runs that together are one word, of the synonym
// layer or of the dictionary: the English words' spaces, once they are translated, would
// cut the word a Chinese wording has (wealth products is matched as 理财产品, account
// balance as 账户余额, as the Chinese say them). Other runs keep their space: gluing every
// one made bigrams no Chinese wording has (多少剩余账户).
func (t *synonymTable) glueHan(s string) string {
	rs := []rune(s)
	out := make([]rune, 0, len(rs))
	for i := 0; i < len(rs); i++ {
		if rs[i] == ' ' && len(out) > 0 && hanOrValue(out[len(out)-1]) {
			j := i
			for j < len(rs) && rs[j] == ' ' {
				j++
			}
			if j < len(rs) && hanOrValue(rs[j]) {
				a := len(out)
				for a > 0 && isHan(out[a-1]) {
					a--
				}
				if len(out)-a == 1 && t.single[string(out[a:])] {
					i = j - 1 // a term of one rune (买, 找) before its object: 买理财产品, 买<money>
					continue
				}
				e := j
				for e < len(rs) && isHan(rs[e]) {
					e++
				}
				w := string(out[a:]) + string(rs[j:e])
				if _, ok := t.han[w]; ok || jiebadict.IsWord(w) {
					i = j - 1
					continue
				}
			}
		}
		out = append(out, rs[i])
	}
	return string(out)
}
