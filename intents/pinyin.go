package intents

import (
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/mozillazg/go-pinyin"
	"github.com/weiyin-bank/weiyin/intents/internal/runeset"
)

// Toneless pinyin lets a voice transcript's homophones (鱼额 for 余额, 转帐 for 转账, 还宽
// for 还款) meet the examples: two texts that sound alike share pinyin features even when
// they share no character.

// phrasePinyin fixes the reading of polyphonic characters inside common banking words; the
// table's readings win over a character's own.
var phrasePinyin = map[string]string{
	"还款": "huan kuan", "还钱": "huan qian", "还清": "huan qing", "归还": "gui huan", "偿还": "chang huan",
	"还贷": "huan dai", "还信用卡": "huan xin yong ka", "退还": "tui huan", "还没": "hai mei", "还有": "hai you",
	"银行": "yin hang", "行长": "hang zhang", "分行": "fen hang", "支行": "zhi hang", "总行": "zong hang",
	"本行": "ben hang", "他行": "ta hang", "跨行": "kua hang", "同行": "tong hang", "行号": "hang hao",
	"工行": "gong hang", "建行": "jian hang", "农行": "nong hang", "中行": "zhong hang", "招行": "zhao hang",
	"交行": "jiao hang", "行业": "hang ye", "银行卡": "yin hang ka", "发行": "fa xing", "进行": "jin xing",
	"重置": "chong zhi", "重新": "chong xin", "重设": "chong she", "重复": "chong fu", "重办": "chong ban",
	"长期": "chang qi", "专长": "zhuan chang", "长时间": "chang shi jian", "多长": "duo chang", "期限长": "qi xian chang",
	"积分": "ji fen", "余额": "yu e", "转账": "zhuan zhang", "转帐": "zhuan zhang", "账单": "zhang dan",
	"调整": "tiao zheng", "调高": "tiao gao", "调额": "tiao e", "提额": "ti e", "单笔": "dan bi",
	"朝阳": "chao yang", "长安": "chang an", "长宁": "chang ning", "重庆": "chong qing",
	"还要": "hai yao", "还是": "hai shi", "还能": "hai neng", "还可以": "hai ke yi",
	"便宜": "pian yi", "方便": "fang bian", "利率": "li lv", "汇率": "hui lv", "收益率": "shou yi lv",
	"了解": "liao jie", "查询": "cha xun", "传真": "chuan zhen", "储蓄": "chu xu", "理财": "li cai",
}

// extraReadings are common second readings a voice transcript may intend, added beside a
// character's first reading when no phrase fixes it (还宽 may be 还款).
var extraReadings = map[rune]string{
	'还': "huan", '行': "hang", '长': "chang", '重': "chong", '调': "tiao", '朝': "chao",
	'乐': "yue", '便': "pian", '率': "lv", '传': "zhuan", '藏': "zang", '差': "cha", '给': "ji",
	'都': "du", '只': "zhi", '种': "zhong", '省': "xing", '数': "shu", '卡': "qia", '降': "xiang",
}

type pinyinTable struct {
	// first maps a rune to its first reading, an index into syllables: some 41,000 runes
	// share about 400 toneless syllables, and a map without pointers is one the garbage
	// collector never scans (map[rune]string held 22,000 strings it marked every cycle).
	// dense holds the same for the runes from denseFrom to denseTo (the CJK blocks of
	// everyday text), noReading where a rune has none: every rune of every message is read.
	first     map[rune]uint16
	dense     []uint16
	syllables []string
	two       map[rune][]string // the runes of extraReadings: their first reading, then the other
	phrases   map[string][]string
	// hasTwo and phraseFirst hold the runes of two and the first runes of phrases: most
	// runes are neither, and a set answers before a map is searched.
	hasTwo, phraseFirst runeset.Set
	maxLen              int // longest phrase in runes
}

const (
	denseFrom = 0x3000
	denseTo   = 0xA000 // exclusive
	noReading = 0xFFFF
)

// firstReading returns r's first toneless reading.
func (t *pinyinTable) firstReading(r rune) (string, bool) {
	i, ok := t.firstIndex(r)
	if !ok {
		return "", false
	}
	return t.syllables[i], true
}

// firstIndex returns the index in syllables of r's first reading.
func (t *pinyinTable) firstIndex(r rune) (uint16, bool) {
	if r >= denseFrom && r < denseTo {
		i := t.dense[r-denseFrom]
		return i, i != noReading
	}
	i, ok := t.first[r]
	return i, ok
}

var (
	pyOnce  sync.Once
	pyTable *pinyinTable
)

// toneless maps a tone-marked vowel to its plain letter (ü becomes v, as typed on keyboards).
var toneless = strings.NewReplacer(
	"ā", "a", "á", "a", "ǎ", "a", "à", "a",
	"ē", "e", "é", "e", "ě", "e", "è", "e", "ê", "e", "ế", "e", "ề", "e",
	"ī", "i", "í", "i", "ǐ", "i", "ì", "i",
	"ō", "o", "ó", "o", "ǒ", "o", "ò", "o",
	"ū", "u", "ú", "u", "ǔ", "u", "ù", "u",
	"ǖ", "v", "ǘ", "v", "ǚ", "v", "ǜ", "v", "ü", "v",
	"ń", "n", "ň", "n", "ǹ", "n", "ḿ", "m",
)

// sharedPinyin builds the rune -> toneless first reading table once per process (~40,000
// characters, a few milliseconds).
func sharedPinyin() *pinyinTable {
	pyOnce.Do(func() {
		t := &pinyinTable{first: map[rune]uint16{}, dense: make([]uint16, denseTo-denseFrom), phrases: map[string][]string{}}
		for i := range t.dense {
			t.dense[i] = noReading
		}
		index := map[string]uint16{}
		for r, readings := range pinyin.PinyinDict {
			first, _, _ := strings.Cut(readings, ",")
			syl := toneless.Replace(first)
			i, ok := index[syl]
			if !ok {
				i = uint16(len(t.syllables))
				index[syl] = i
				t.syllables = append(t.syllables, syl)
			}
			if r >= denseFrom && r < denseTo {
				t.dense[r-denseFrom] = i
			} else {
				t.first[rune(r)] = i
			}
		}
		t.two = map[rune][]string{}
		for r, x := range extraReadings {
			if p, ok := t.firstReading(r); ok && p != x {
				t.two[r] = []string{p, x}
				t.hasTwo.Add(r)
			}
		}
		for p, py := range phrasePinyin {
			t.phrases[p] = strings.Fields(py)
			r, _ := utf8.DecodeRuneInString(p)
			t.phraseFirst.Add(r)
			if n := utf8.RuneCountInString(p); n > t.maxLen {
				t.maxLen = n
			}
		}
		pyTable = t
	})
	return pyTable
}

// readings returns, for each rune of rs, the toneless readings to use: the phrase table's
// where a phrase covers the rune, else the first reading plus a common second one. Runes
// without pinyin get nil. s is the text of rs and offs[i] the byte offset of rs[i] in s
// (offs[len(rs)] == len(s)), so phrases are looked up without allocating.
func (t *pinyinTable) readings(s string, rs []rune, offs []int) [][]string {
	return t.readingsInto(nil, s, rs, offs)
}

// readingsInto is readings written into out's memory (grown when short).
func (t *pinyinTable) readingsInto(out [][]string, s string, rs []rune, offs []int) [][]string {
	if cap(out) < len(rs) {
		out = make([][]string, len(rs))
	}
	out = out[:len(rs)]
	clear(out)
	for i := 0; i < len(rs); {
		if n := t.phraseAt(s, offs, i); n > 0 {
			syl := t.phrases[s[offs[i]:offs[i+n]]]
			for k := 0; k < n; k++ {
				out[i+k] = syl[k : k+1]
			}
			i += n
			continue
		}
		if t.hasTwo.Has(rs[i]) {
			out[i] = t.two[rs[i]]
		} else if k, ok := t.firstIndex(rs[i]); ok {
			out[i] = t.syllables[k : k+1 : k+1] // shared, not a slice a rune
		}
		i++
	}
	return out
}

// phraseAt returns the rune length of the longest phrase starting at rs[i], or 0.
func (t *pinyinTable) phraseAt(s string, offs []int, i int) int {
	if r, _ := utf8.DecodeRuneInString(s[offs[i]:]); !t.phraseFirst.Has(r) {
		return 0
	}
	for n := min(t.maxLen, len(offs)-1-i); n >= 2; n-- {
		if syl, ok := t.phrases[s[offs[i]:offs[i+n]]]; ok && len(syl) == n {
			return n
		}
	}
	return 0
}
