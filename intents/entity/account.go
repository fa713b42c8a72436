package entity

import (
	"strings"
	"unicode/utf8"

	"github.com/weiyin-bank/weiyin/intents/internal/runeset"
)

// accountCues are the words that make the digits after them an account, card or customer
// number (account_no), never an amount or a plain number: 户号123, 账号是6222..., 缴费号:
// 1002003001. Longest first, so that 缴费户号 wins over 户号.
var accountCues = []string{
	"快递单号", "缴费户号", "用户编号", "客户编号", "账户号码", "银行卡号", "身份证号", "缴费编号",
	"用户号", "客户号", "缴费号", "账户号", "证件号", "合同号", "保单号", "订单号", "运单号", "流水号", "交易号",
	"会员号", "社保号", "医保号", "批次号", "序列号", "户号", "账号", "帐号", "卡号", "编号", "单号", "工号",
}

// accountCueFirst holds the first runes of accountCues.
var accountCueFirst = func() *runeset.Set {
	var set runeset.Set
	for _, c := range accountCues {
		r, _ := utf8.DecodeRuneInString(c)
		set.Add(r)
	}
	return &set
}()

// minAccountDigits is the fewest digits an account number may have after its cue.
const minAccountDigits = 3

// scanAccountNo finds account numbers after a cue: the entity spans the cue and the digits
// (Arabic or spoken, 幺 and 洞 included, single spaces and dashes between groups), its value is
// the digits. A card-tail cue (卡号后四位) is left to scanCardTail.
func scanAccountNo(rs []rune, add addFunc) {
	for i := 0; i < len(rs); i++ {
		if !accountCueFirst.Has(rs[i]) {
			continue
		}
		for _, cue := range accountCues {
			if !hasStr(rs, i, cue) {
				continue
			}
			q := i + utf8.RuneCountInString(cue)
			if hasStr(rs, q, "码") {
				q++ // 卡号码
			}
			if hasStr(rs, q, "后") || hasStr(rs, q, "末") || hasStr(rs, q, "尾") {
				break // 卡号后四位1234: a card tail
			}
			for q < len(rs) && strings.ContainsRune(" 是为::的", rs[q]) {
				q++
			}
			digits, end := digitString(rs, q, 40)
			if len(digits) == 17 && end < len(rs) && rs[end] == 'x' {
				digits, end = digits+"X", end+1 // an identity card's check character
			}
			if len(digits) >= minAccountDigits && !runsOn(rs, end) {
				add(i, end, TypeAccountNo, digits, "", 0)
				i = end - 1
			}
			break
		}
	}
}

// runsOn reports whether the digits ending at e run into more of a number or an amount (a
// letter, 元, 万, a currency word): then they are no account number.
func runsOn(rs []rune, e int) bool {
	if e >= len(rs) {
		return false
	}
	r := rs[e]
	if isDigitLike(r) || r >= 'a' && r <= 'z' || isYuanUnit(r) || bigUnit(r) != 0 {
		return true
	}
	_, ok := matchCurrency(rs, e)
	return ok
}
