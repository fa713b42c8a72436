package intents

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/weiyin-bank/weiyin/intents/jiebadict"
)

// Voice transcripts and pinyin keyboards write a banking term with the wrong characters of
// the right sound: 鱼额 for 余额, 鸡分 for 积分, 挂湿 for 挂失, 月额 for 余额. Before matching,
// such a run is replaced by the term, under guards that keep correction from corrupting
// ordinary text (请教一下 must never become 请交易下, nor 给张三 几张三, nor 共同之处 共同支出):
//
//   - only inside the message's tokens: the run starts and ends at token boundaries and splits
//     no token (jieba's cut with the bundle's words applied);
//   - only when the original is not itself a word: every token of the run is a single rune
//     (a word of two runes or more, 建设 or 请教, is kept as written), no bundle word covers
//     it, no word of jieba's full dictionary overlaps it (之处, 记账: rare words the
//     tokeniser's cut dictionary lacks; jiebadict.IsWord), and its runes are not all common
//     words on their own (还会, 不像);
//   - never from a negation (不, 没, 别, 未): 不卡了 is not lagging, no 补卡;
//   - never a person's name: a common surname right after a cue naming a person (给于娥转账,
//     收款人是俞娥, nor 叫余 in 我叫余鹅: nameIn), whether or not the customer's contacts list it;
//   - only to a known banking term (homophones.terms: the bundle's keywords, titles and enum
//     names, the synonym layer, and the words at least minTermExamples examples use and the
//     everyday background does not), the only term of that sound, and no term whose sound
//     a much more frequent word shares (遗失 sounds like 意识, 止付 like 支付: drowned).
//
// An exact (toneless) homophone is corrected; a near one (fuzzy pinyin: zh/z, ch/c, sh/s, n/l,
// an/ang, en/eng, in/ing, yu/yue...) only when it keeps at least one rune of the term. The
// replacement has the same number of runes and is made on the text the matcher sees, after
// the entities were taken from the original: names and amounts keep the customer's
// characters. TestHomophonesKeepForeignText measures what is left: 4 of 3,040 sentences of
// the public corpora rewritten (one classical line, 柳成 as 流程), against 114 with the
// token guards alone.

const maxHomophoneRunes = 4

// homophones maps the sound of each banking term to the term; terms sharing a sound with
// another are left out (the transcript cannot tell which was meant).
type homophones struct {
	bySound map[uint64]string
	byFuzzy map[uint64]string
	vocab   map[string]bool // every bundle word: never corrected
}

// soundKey folds the hashes of toneless syllables.
func soundKey(h uint64, syllable string) uint64 {
	return fnvString(fnvByte(h, ' '), syllable)
}

// fuzzy folds a toneless syllable to the class of syllables a southern accent or a hurried
// pinyin keyboard confuses it with.
func fuzzy(s string) string {
	switch {
	case strings.HasPrefix(s, "zh"), strings.HasPrefix(s, "ch"), strings.HasPrefix(s, "sh"):
		s = s[:1] + s[2:]
	case strings.HasPrefix(s, "n") && s != "n" && s != "ng":
		s = "l" + s[1:]
	}
	switch {
	case strings.HasSuffix(s, "ang"), strings.HasSuffix(s, "eng"), strings.HasSuffix(s, "ing"):
		s = s[:len(s)-1]
	case len(s) >= 3 && strings.HasSuffix(s, "ue") && strings.ContainsAny(s[:1], "jqxy"):
		s = s[:len(s)-1] // yue -> yu, jue -> ju: ü and üe
	case strings.HasSuffix(s, "ve"):
		s = s[:len(s)-1]
	}
	return s
}

// newHomophones indexes the sound of every banking term of 2 to 4 Han runes; vocab lists
// every word of the bundle (never corrected as written).
func newHomophones(terms, vocab map[string]bool, py *pinyinTable) homophones {
	h := homophones{bySound: map[uint64]string{}, byFuzzy: map[uint64]string{}, vocab: vocab}
	index := func(m map[uint64]string, w string, fold func(string) string) map[uint64]bool {
		clash := map[uint64]bool{}
		rs, offs := runeOffsets(w)
		eachSound(py.readings(w, rs, offs), fold, func(k uint64) {
			if old, ok := m[k]; ok && old != w {
				clash[k] = true
			}
			m[k] = w
		})
		return clash
	}
	clash, fclash := map[uint64]bool{}, map[uint64]bool{}
	var han []string
	for w := range terms {
		n := utf8.RuneCountInString(w)
		if n >= 2 && n <= maxHomophoneRunes && !strings.ContainsFunc(w, func(r rune) bool { return !isHan(r) }) {
			han = append(han, w)
		}
	}
	slices.Sort(han)
	drown := drowned(han, py)
	for _, w := range han {
		if drown[w] {
			continue
		}
		for k := range index(h.bySound, w, nil) {
			clash[k] = true
		}
		for k := range index(h.byFuzzy, w, fuzzy) {
			fclash[k] = true
		}
	}
	for k := range clash {
		delete(h.bySound, k)
	}
	for k := range fclash {
		delete(h.byFuzzy, k)
	}
	return h
}

// eachSound calls f with the key of every combination of the readings (at most 2 per rune),
// each folded by fold when not nil.
func eachSound(readings [][]string, fold func(string) string, f func(uint64)) {
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
			if fold != nil {
				s = fold(s)
			}
			rec(i+1, soundKey(h, s))
		}
	}
	rec(0, fnvOffset)
}

// correct returns s with homophones of banking terms replaced. tokens is the cut of s (in
// order, covering it); a run is corrected only where it splits no token and each of its
// tokens is a single rune.
func (h homophones) correct(s string, tokens []string, py *pinyinTable) string {
	if len(h.bySound) == 0 && len(h.byFuzzy) == 0 {
		return s
	}
	buf := getTextBuf()
	defer putTextBuf(buf)
	rs, offs := buf.offsets(s)
	// single[i]: rs[i] is a token of one rune; bound[i]: a token starts at rs[i]; covered[i]:
	// rs[i] is inside a bundle word as written.
	flags := buf.bools(3*len(rs) + 2)
	single := flags[: len(rs)+1 : len(rs)+1]
	bound := flags[len(rs)+1 : 2*len(rs)+2 : 2*len(rs)+2]
	covered := flags[2*len(rs)+2:]
	bound[len(rs)] = true
	ri := 0
	eachToken(s, tokens, func(start, _ int, tk string) {
		for ri < len(rs) && offs[ri] < start {
			ri++
		}
		if ri < len(rs) && offs[ri] == start {
			bound[ri] = true
			single[ri] = utf8.RuneCountInString(tk) == 1
		}
	})
	// A correction replaces two or more adjacent Han runes that are each a token: a text
	// without such a pair is left as it is before its substrings are looked up.
	pair := false
	for i := 0; i+1 < len(rs) && !pair; i++ {
		pair = single[i] && single[i+1] && isHan(rs[i]) && isHan(rs[i+1])
	}
	if !pair {
		return s
	}
	// Runes inside a bundle word as written are never corrected: 查一下余额 keeps 余额 even
	// though 下余 sounds like another word.
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
		w, n := h.at(s, rs, offs, covered, single, bound, i, py)
		if n == 0 {
			i++
			continue
		}
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

// at returns the term a homophone starting at rs[i] stands for, and its length, or 0.
func (h homophones) at(s string, rs []rune, offs []int, covered, single, bound []bool, i int, py *pinyinTable) (string, int) {
	if !bound[i] || isNegation(rs[i]) {
		return "", 0
	}
next:
	for n := min(maxHomophoneRunes, len(rs)-i); n >= 2; n-- {
		if !bound[i+n] {
			continue
		}
		for k := i; k < i+n; k++ {
			if covered[k] || !single[k] || !isHan(rs[k]) {
				continue next
			}
		}
		orig := s[offs[i]:offs[i+n]]
		w, ok := h.lookup(h.bySound, rs[i:i+n], nil, py)
		if !ok || w == orig {
			w, ok = h.lookup(h.byFuzzy, rs[i:i+n], fuzzy, py)
			ok = ok && w != orig && strings.ContainsFunc(orig, func(r rune) bool { return strings.ContainsRune(w, r) })
		}
		if ok && !inWord(s, rs, offs, i, i+n) && !ordinary(rs[i:i+n]) && !nameIn(rs, i, i+n) {
			return w, n
		}
	}
	return "", 0
}

// isNegation reports whether r negates: a negation starts no corrected run, since before a
// verb or adjective it is text as meant (网速不卡了 is not lagging, no 补卡), however the
// pair sounds.
func isNegation(r rune) bool {
	switch r {
	case '不', '没', '别', '未':
		return true
	}
	return false
}

// nameCues stand before a person's name: 给于娥转账, 收款人是俞娥, 我叫余鹅.
var nameCues = []string{"收款人是", "联系人是", "收款人", "联系人", "名字是", "名叫", "转给", "汇给", "打给", "付给", "还给",
	"叫做", "给", "向", "叫", "姓", "找", "替", "帮", "跟", "和", "与"}

// surnames are the common Chinese family names (of one rune).
const surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈" +
	"姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤俞喻虞柳欧" +
	"季纪齐康伍申樊祝左施葛牛洪殷温岳章鲁尚庞游华倪单骆明"

// nameIn reports whether a person's name starts in rs[i:j] (叫余鹅 is no 教育 either).
func nameIn(rs []rune, i, j int) bool {
	for k := i; k < j; k++ {
		if nameAt(rs, k) {
			return true
		}
	}
	return false
}

// nameAt reports whether rs[i] starts a person's name: a common surname right after a cue
// that names a person (给, 向, 叫, 收款人 ...). A name is never a misspelt term, though it may
// sound like one (给于娥转账 is no 余额), and the customer's contacts the extractor did
// not know are names all the same.
func nameAt(rs []rune, i int) bool {
	if i >= len(rs) || !strings.ContainsRune(surnames, rs[i]) {
		return false
	}
	for _, c := range nameCues {
		n := utf8.RuneCountInString(c)
		if i >= n && string(rs[i-n:i]) == c {
			return true
		}
	}
	return false
}

// inWord reports whether a word of jieba's full dictionary overlaps the runes rs[i:j] of s:
// then they are written as meant (之处, 记账, 疑是), though the cut, which knows only the
// frequent words, left them single runes.
func inWord(s string, rs []rune, offs []int, i, j int) bool {
	for a := max(0, i-maxHomophoneRunes+1); a < j; a++ {
		for b := max(a+2, i+1); b <= min(len(rs), a+maxHomophoneRunes); b++ {
			if !allHan(rs[a:b]) {
				break
			}
			if jiebadict.IsWord(s[offs[a]:offs[b]]) {
				return true
			}
		}
	}
	return false
}

func allHan(rs []rune) bool {
	for _, r := range rs {
		if !isHan(r) {
			return false
		}
	}
	return true
}

// lookup returns the term of m whose sound rs has, trying each rune's readings.
func (h homophones) lookup(m map[uint64]string, rs []rune, fold func(string) string, py *pinyinTable) (string, bool) {
	if len(m) == 0 {
		return "", false
	}
	return lookupFrom(m, rs, fold, py, fnvOffset)
}

// lookupFrom is lookup's search from rs[0], k holding the sound of the runes before: the
// first reading of each rune, then its common second one.
func lookupFrom(m map[uint64]string, rs []rune, fold func(string) string, py *pinyinTable, k uint64) (string, bool) {
	if len(rs) == 0 {
		w, ok := m[k]
		return w, ok
	}
	first, ok := py.firstReading(rs[0])
	if !ok {
		return "", false
	}
	r := first
	if fold != nil {
		r = fold(r)
	}
	if w, ok := lookupFrom(m, rs[1:], fold, py, soundKey(k, r)); ok {
		return w, true
	}
	if x, ok := extraReadings[rs[0]]; ok && x != first {
		if fold != nil {
			x = fold(x)
		}
		return lookupFrom(m, rs[1:], fold, py, soundKey(k, x))
	}
	return "", false
}

// frequentWords is the tokeniser's dictionary of frequent words, parsed once per process:
// the words of 2 to 4 Han runes with their frequency, and the frequency of each rune as a word
// on its own.
type frequentWords struct {
	words []soundWord
	runes map[rune]int32
}

type soundWord struct {
	w    string
	freq int
}

var (
	freqOnce sync.Once
	freqDict frequentWords
)

func theFrequentWords() frequentWords {
	freqOnce.Do(func() {
		freqDict.runes = map[rune]int32{}
		for _, line := range strings.Split(jiebadict.Frequent(), "\n") {
			w, rest, _ := strings.Cut(line, " ")
			fs, _, _ := strings.Cut(rest, " ")
			freq, err := strconv.Atoi(fs)
			n := utf8.RuneCountInString(w)
			if err != nil || n == 0 || n > maxHomophoneRunes || strings.ContainsFunc(w, func(r rune) bool { return !isHan(r) }) {
				continue
			}
			if n == 1 {
				r, _ := utf8.DecodeRuneInString(w)
				freqDict.runes[r] = int32(freq)
				continue
			}
			freqDict.words = append(freqDict.words, soundWord{w, freq})
		}
	})
	return freqDict
}

// drowned returns the terms that a word other than themselves, more than twice as frequent
// (and at least 100, jieba's frequencies), sounds exactly like: text that sounds like such a
// term is much more likely that other word or a phrase (疑是, 一十). 积分 (742) keeps its
// sound beside 几分 (1,103); 遗失 (99) loses it to 意识 (4,907), 止付 to 支付, 积点 to 几点.
func drowned(terms []string, py *pinyinTable) map[string]bool {
	fw := theFrequentWords()
	// The terms' own frequencies (0 when not in the dictionary): a map of every dictionary
	// word was 4 MB of garbage at each New.
	own := make(map[string]int, len(terms))
	for _, t := range terms {
		own[t] = 0
	}
	for _, w := range fw.words {
		if _, ok := own[w.w]; ok {
			own[w.w] = w.freq
		}
	}
	// The terms by sound; a dictionary word is only read out when its length and first rune's
	// syllable are a term's.
	bySound := map[uint64][]string{}
	type lenSyl struct {
		n   int
		syl string
	}
	firsts := map[lenSyl]bool{}
	for _, t := range terms {
		rs, offs := runeOffsets(t)
		rd := py.readings(t, rs, offs)
		for _, syl := range rd[0] {
			firsts[lenSyl{len(rs), syl}] = true
		}
		eachSound(rd, nil, func(k uint64) { bySound[k] = append(bySound[k], t) })
	}
	out := map[string]bool{}
	for _, w := range fw.words {
		r, _ := utf8.DecodeRuneInString(w.w)
		n := utf8.RuneCountInString(w.w)
		syl, ok := py.firstReading(r)
		x, hasX := extraReadings[r]
		if !ok || !firsts[lenSyl{n, syl}] && !(hasX && firsts[lenSyl{n, x}]) {
			continue
		}
		rs, offs := runeOffsets(w.w)
		eachSound(dictionaryReadings(py.readings(w.w, rs, offs)), nil, func(k uint64) {
			for _, t := range bySound[k] {
				if t != w.w && w.freq >= max(100, 2*own[t]) {
					out[t] = true
				}
			}
		})
	}
	return out
}

// dictionaryReadings keeps the first reading of each rune: a dictionary word is read as
// written (执行 zhi xing, 娱乐 yu le), while the second readings are those a transcript may
// intend (还宽 for 还款). With them, 执行 drowned 支行 and 娱乐 预约, so that 支航 and 玉约
// were never corrected.
func dictionaryReadings(rd [][]string) [][]string {
	for i, r := range rd {
		if len(r) > 1 {
			rd[i] = r[:1]
		}
	}
	return rd
}

// commonRune is the frequency (jieba's, as a word on its own) from which a character is a
// function word of ordinary text: 还, 会, 不, 像, 是, 之 are, 鱼, 额, 鸡, 湿, 财 are not.
const commonRune = 30000

// ordinary reports whether every rune of rs is a common word on its own: 还会 and 不像 are
// text as meant, whatever banking term (换汇, 不想) they sound like.
func ordinary(rs []rune) bool {
	fw := theFrequentWords()
	for _, r := range rs {
		if fw.runes[r] < commonRune {
			return false
		}
	}
	return true
}
