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

// assignRoles sets the role of each chosen candidate that names a party or an account,
// from the cue words before it (or a 卡里-like word after it when no cue precedes).
func assignRoles(rs []rune, cs []cand, builtin func(string) bool) {
	for k := range cs {
		c := &cs[k]
		if builtin(c.typ) && !rolesFor[c.typ] {
			continue
		}
		c.role = roleBefore(rs, c.start)
		if c.role == "" && hasAnySuffix(rs, c.end) {
			c.role = RoleFrom
		}
	}
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
	}
	return ""
}

func cueEndsAt(rs []rune, end int, cues []string) bool {
	for _, w := range cues {
		if hasStr(rs, end-utf8.RuneCountInString(w), w) {
			return true
		}
	}
	return false
}

func hasAnySuffix(rs []rune, p int) bool {
	for _, w := range fromSuffixes {
		if hasStr(rs, p, w) {
			return true
		}
	}
	return false
}
