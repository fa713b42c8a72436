package entity

import (
	"strings"
	"unicode/utf8"
)

// Role cues, longest first within each list. A cue ends right before the entity, or before
// a few filler runes (我的, 这张, 是): 给我妈妈, 从我的建行卡, 收款人是张三.
var (
	toCues = []string{
		"收款账户", "收款账号", "收款人", "收款方", "收款卡", "转入账户", "转账给", "汇款给",
		"转给", "汇给", "打给", "付给", "还给", "交给", "充给", "转到", "转入", "转进", "汇到", "汇入", "打到", "打入",
		"存到", "存入", "存进", "充到", "充进", "转至", "给", "向", "到", "往",
	}
	fromCues = []string{
		"付款账户", "付款账号", "付款卡", "扣款账户", "扣款卡", "转出账户", "还款账户", "通过", "使用",
		"从", "用", "由", "拿",
	}
	// fromSuffixes after an entity say the money is in it: 建行卡里的5000, 工资卡上的钱.
	fromSuffixes = []string{"的卡里", "的卡中", "的卡上", "的账户里", "的账户中", "的账户上", "账户里", "卡里", "卡中的", "卡上的", "里", "中的", "上的", "账上"}
	// notToBefore are runes that make a following 到 mean "received" or "found", not "into":
	// 收到张三的钱, 查到, 找到.
	notToBefore = "收查找看想听遇接得拿等"
)

// longToCues are the to-cues ending in 到 that name a transfer (转到, 存到...).
var longToCues = []string{"转到", "汇到", "打到", "存到", "充到"}

// roleFillers may stand between a cue and the entity it marks.
const roleFillers = "我你他她们自己的这那张个位本人是为: "

// maxRoleFill is how many filler runes may stand between a cue and its entity.
const maxRoleFill = 4

// rolesFor are the builtin types a role applies to; every list type (contacts, accounts,
// other banks' cards...) takes one too.
var rolesFor = map[string]bool{TypeAccountType: true, TypeCardTail: true, TypeAccountNo: true, TypePhone: true}

// assignRoles sets the role of each chosen candidate. A party or an account takes RoleTo or
// RoleFrom from the cue words before it (or a 卡里-like word after it when no cue precedes).
// Any value the customer says is not the one (不是张三, 别转给张三, 500不对) takes RoleNot; the
// value put in its place (不是张三是李四, 是从招商卡,不是从建行卡) takes the role the negated
// one's cue gave it when it has none of its own.
func assignRoles(rs []rune, cs []cand, builtin func(string) bool) {
	cue := make([]string, len(cs)) // the role the cues give, before negation
	for k := range cs {
		c := &cs[k]
		if !builtin(c.typ) || rolesFor[c.typ] {
			c.role = roleBefore(rs, c.start)
			if c.role == "" && hasAnySuffix(rs, c.end) {
				c.role = RoleFrom
			}
		}
		cue[k] = c.role
		if negatedBefore(rs, c.start) || negatedAfter(rs, c.start, c.end) {
			c.role = RoleNot
		}
	}
	for k := range cs {
		if cs[k].role != RoleNot || cue[k] == "" {
			continue
		}
		if j := replacement(cs, k); j >= 0 {
			cs[j].role = cue[k]
		}
	}
}

// replacement is the value said in place of the negated cs[k]: the nearest one of the same
// type without a role, after it first (不是张三是李四), else before it (李四,不是张三); -1 if none.
func replacement(cs []cand, k int) int {
	for j := k + 1; j < len(cs); j++ {
		if cs[j].typ == cs[k].typ && cs[j].role == "" {
			return j
		}
	}
	for j := k - 1; j >= 0; j-- {
		if cs[j].typ == cs[k].typ && cs[j].role == "" {
			return j
		}
	}
	return -1
}

// negations say the value after them is not the one: 不是张三, 不要转给张三, 别从建行卡.
var negations = []string{"而不是", "不是", "不要", "不用", "并非", "而非", "别", "不给", "不从", "不向"}

// clauseBreaks end a clause in normalised text.
const clauseBreaks = " ,.!?;:。"

// negFillers may stand between a negation and its cue besides roleFillers: 不是要转给张三.
const negFillers = "要想再"

// negationsAfter say the value before them is wrong: 张三不对, 500块错了.
var negationsAfter = []string{"不对", "错了", "写错了", "说错了", "搞错了", "弄错了", "输错了"}

// notNegationBefore are runes that make a negation a question or another word: 是不是张三,
// 要不要, 特别, 区别, 分别, 告别.
const notNegationBefore = "是要用特区分告级类个性识辨差派离送"

// negatedBefore reports whether a negation ends right before p, or before fillers and a role
// cue (不是给张三, 别转给张三, 不要从建行卡转). A question (不是张三吗) negates nothing.
func negatedBefore(rs []rune, p int) bool {
	neg := negationBefore(rs, p)
	if !neg {
		for e := p; e >= 0 && p-e <= maxRoleFill; e-- {
			if e < p && !strings.ContainsRune(roleFillers, rs[e]) {
				break
			}
			w := cueEndingAt(rs, e, toCues)
			if w == "" {
				w = cueEndingAt(rs, e, fromCues)
			}
			if w != "" {
				neg = negationBefore(rs, e-utf8.RuneCountInString(w))
				break
			}
		}
	}
	return neg && !questionAfter(rs, p)
}

// negationBefore reports whether a negation ends at p or before at most maxRoleFill filler
// runes before p.
func negationBefore(rs []rune, p int) bool {
	for e := p; e >= 0 && p-e <= maxRoleFill; e-- {
		if e < p && !strings.ContainsRune(roleFillers, rs[e]) && !strings.ContainsRune(negFillers, rs[e]) {
			break
		}
		for _, w := range negations {
			if endsWith(rs, e, w) {
				if s := e - utf8.RuneCountInString(w); s > 0 && strings.ContainsRune(notNegationBefore, rs[s-1]) {
					return false // 是不是张三, 要不要
				}
				return true
			}
		}
	}
	return false
}

// questionAfter reports whether a question particle follows the value starting at p within
// a few runes (不是张三吗).
func questionAfter(rs []rune, p int) bool {
	for k := p; k < len(rs) && k < p+8; k++ {
		switch rs[k] {
		case '吗', '?':
			return true
		case ',', '。', ' ':
			return false
		}
	}
	return false
}

// negatedAfter reports whether a negation follows the value at [s, e) that starts a clause
// (张三不对, 500错了). In 给张三转500 不对 the negation is about the whole request, not 500.
func negatedAfter(rs []rune, s, e int) bool {
	if s > 0 && !strings.ContainsRune(clauseBreaks, rs[s-1]) {
		return false
	}
	if e < len(rs) && (rs[e] == '的' || rs[e] == ' ') {
		e++
	}
	for _, w := range negationsAfter {
		if hasStr(rs, e, w) {
			after := e + utf8.RuneCountInString(w)
			return after >= len(rs) || rs[after] != '吗' && rs[after] != '吧'
		}
	}
	return false
}

// cueEndingAt returns the longest cue of cues ending at end, or "".
func cueEndingAt(rs []rune, end int, cues []string) string {
	for _, w := range cues {
		if endsWith(rs, end, w) {
			return w
		}
	}
	return ""
}

// roleBefore reads a cue ending at p, or before at most maxRoleFill filler runes before p.
func roleBefore(rs []rune, p int) string {
	for skip := 0; skip <= maxRoleFill && p-skip >= 0; skip++ {
		if skip > 0 && !strings.ContainsRune(roleFillers, rs[p-skip]) {
			break
		}
		end := p - skip
		if cueEndsAt(rs, end, toCues) && !(end >= 2 && rs[end-1] == '到' && strings.ContainsRune(notToBefore, rs[end-2]) && !cueEndsAt(rs, end, longToCues)) {
			return RoleTo
		}
		if cueEndsAt(rs, end, fromCues) {
			return RoleFrom
		}
		if skip > 0 && rs[end] == ' ' {
			// English cues are whole words before a space: to 张三, from my 建行卡.
			switch w, _ := asciiWordBefore(rs, end+1); w {
			case "to", "into", "payee":
				return RoleTo
			case "from", "using":
				return RoleFrom
			}
		}
	}
	return ""
}

func cueEndsAt(rs []rune, end int, cues []string) bool { return cueEndingAt(rs, end, cues) != "" }

func hasAnySuffix(rs []rune, p int) bool {
	for _, w := range fromSuffixes {
		if hasStr(rs, p, w) {
			return true
		}
	}
	return false
}
