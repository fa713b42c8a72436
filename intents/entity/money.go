package entity

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/weiyin-bank/weiyin/intents/normalize"
)

// Money is an amount in fen (1/100 yuan), the same unit as engine.Money: convert with
// engine.Money(m). It is declared here because engine imports intents, which imports entity.
type Money int64

// String formats m as yuan with two decimals: "500.00", "-0.05".
func (m Money) String() string {
	return dec{m: int64(m), s: 2}.fixed2()
}

// fixed2 formats d with exactly two decimals (d must have scale <= 2 after trim).
func (d dec) fixed2() string {
	v, ok := d.rescale(2)
	if !ok {
		return d.String()
	}
	neg := v.m < 0
	m := v.m
	if neg {
		m = -m
	}
	s := dec{m: m}.String()
	for len(s) < 3 {
		s = "0" + s
	}
	s = s[:len(s)-2] + "." + s[len(s)-2:]
	if neg {
		s = "-" + s
	}
	return s
}

// MaxYuan is the largest amount accepted as money: larger numbers are identifiers, not money.
const MaxYuan = 1_000_000_000_000

// CNY is the currency code of renminbi amounts.
const CNY = "CNY"

// Amount is a parsed amount of money in any currency. Min and Max are in hundredths of the
// currency (fen for CNY). Range is set for 三到五万 / 100-200元 / 三五百块 (Min < Max).
type Amount struct {
	Min, Max Money
	Currency string // ISO 4217 code: CNY, USD, HKD...; "BTC" for bitcoin
	Range    bool
}

// currency words after or before a number. Longer words are tried first.
type currencyWord struct {
	w     []rune
	code  string
	cents bool // 美分: the number counts hundredths
	// suffix marks slang that names a currency only after a number (100刀, 200欧): as a
	// prefix, or after a lone 一 (一刀切), it is a word.
	suffix bool
}

var currencyWords = func() []currencyWord {
	table := []struct{ code, words string }{
		{"USD", "美元 美金 美圆 usd us$ $"},
		{"HKD", "港元 港币 港纸 hkd hk$"},
		{"JPY", "日元 日币 日圆 jpy 円"},
		{"EUR", "欧元 eur €"},
		{"GBP", "英镑 gbp £"},
		{"TWD", "新台币 台币 twd nt$"},
		{"AUD", "澳元 澳币 aud"},
		{"CAD", "加元 加币 cad"},
		{"KRW", "韩元 韩币 krw"},
		{"THB", "泰铢 thb"},
		{"RUB", "卢布 rub"},
		{"CHF", "瑞士法郎 法郎 chf"},
		{"SGD", "新加坡元 新币 sgd"},
		{"NGN", "奈拉"},
		{"BTC", "比特币 btc"},
		{"MYR", "马来西亚令吉 令吉 马币"},
		{"INR", "卢比 inr"},
		{"MOP", "澳门元 澳门币 mop"},
		{"NZD", "新西兰元 纽元"},
		{CNY, "人民币 rmb cny ¥ 元人民币"},
	}
	var out []currencyWord
	for _, t := range table {
		for _, w := range strings.Fields(t.words) {
			out = append(out, currencyWord{w: []rune(w), code: t.code})
		}
	}
	out = append(out, currencyWord{w: []rune("美分"), code: "USD", cents: true})
	// English names of a currency after a number (500 yuan, 20 dollars); dollars alone
	// are the US dollar, as 刀.
	for _, w := range []struct{ w, code string }{{"刀", "USD"}, {"欧", "EUR"}, {"镑", "GBP"}, {"yuan", CNY}, {"kuai", CNY}, {"dollars", "USD"}, {"dollar", "USD"}, {"euros", "EUR"}, {"euro", "EUR"}} {
		out = append(out, currencyWord{w: []rune(w.w), code: w.code, suffix: true})
	}
	// longest first
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && len(out[j].w) > len(out[j-1].w); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}()

func hasAt(rs []rune, i int, w []rune) bool {
	if i < 0 || i+len(w) > len(rs) {
		return false
	}
	for k, r := range w {
		if rs[i+k] != r {
			return false
		}
	}
	return true
}

// endsWith reports whether the runes of w end at rs[end] (exclusive): hasStr(rs,
// end-utf8.RuneCountInString(w), w), compared from the end, which most often differs at once.
func endsWith(rs []rune, end int, w string) bool {
	k := end
	for len(w) > 0 {
		r, n := utf8.DecodeLastRuneInString(w)
		k--
		if k < 0 || k >= len(rs) || rs[k] != r {
			return false
		}
		w = w[:len(w)-n]
	}
	return k >= 0
}

// hasStr reports whether rs holds the string w at i (hasAt without converting w).
//
// It compares bytes: each rune of rs, encoded, against w's next bytes. Decoding w instead
// was a runtime call for every Chinese rune of every cue tried at every position, the
// scanners' largest single cost. The two agree because UTF-8 is prefix-free and rs holds
// valid runes only (it comes from a string), w being a valid literal.
func hasStr(rs []rune, i int, w string) bool {
	if i < 0 {
		return false
	}
	k := i
	for j := 0; j < len(w); k++ {
		if k >= len(rs) {
			return false
		}
		r := rs[k]
		switch {
		case r < utf8.RuneSelf:
			if w[j] != byte(r) {
				return false
			}
			j++
		case r >= 0x800 && r <= 0xFFFF:
			// Three bytes, as every Han character of the BMP: 1110xxxx 10xxxxxx 10xxxxxx.
			if len(w)-j < 3 || w[j] != byte(0xE0|r>>12) || w[j+1] != byte(0x80|(r>>6)&0x3F) || w[j+2] != byte(0x80|r&0x3F) {
				return false
			}
			j += 3
		default:
			var b [utf8.UTFMax]byte
			n := utf8.EncodeRune(b[:], r)
			if len(w)-j < n || w[j:j+n] != string(b[:n]) {
				return false
			}
			j += n
		}
	}
	return true
}

func matchCurrency(rs []rune, i int) (currencyWord, bool) {
	if i >= len(rs) || i < 0 || !currencyFirst.Has(rs[i]) {
		return currencyWord{}, false
	}
	for _, c := range currencyWords {
		if hasAt(rs, i, c.w) {
			// ASCII codes must not run into more letters (usda, rmbx).
			last := c.w[len(c.w)-1]
			if last >= 'a' && last <= 'z' && i+len(c.w) < len(rs) {
				nx := rs[i+len(c.w)]
				if nx >= 'a' && nx <= 'z' {
					continue
				}
			}
			return c, true
		}
	}
	return currencyWord{}, false
}

// yuan units: 元 块 圆 蚊 (Cantonese).
func isYuanUnit(r rune) bool { return r == '元' || r == '块' || r == '圆' || r == '蚊' }
func isJiaoUnit(r rune) bool { return r == '角' || r == '毛' || r == '毫' }
func isFenUnit(r rune) bool  { return r == '分' || r == '仙' }

// moneyMatch is an amount found at [start, end) of normalised runes.
type moneyMatch struct {
	start, end int
	amt        Amount
	minor      bool // only 角/分, no yuan part: risky in free text
}

// singleDigitAt reads one digit (Chinese or Arabic) at p that is not followed by another
// digit or a unit; it returns the digit and true.
func singleDigitAt(rs []rune, p int) (int, bool) {
	if p >= len(rs) {
		return 0, false
	}
	d := chineseDigit(rs[p])
	if isASCIIDigit(rs[p]) {
		d = int(rs[p] - '0')
	}
	if d < 0 || rs[p] == '洞' || rs[p] == '拐' || rs[p] == '幺' {
		return 0, false
	}
	if p+1 < len(rs) && (isASCIIDigit(rs[p+1]) || chineseDigit(rs[p+1]) >= 0 || smallUnit(rs[p+1]) != 0 || bigUnit(rs[p+1]) != 0 || rs[p+1] == '.' || rs[p+1] == '点') {
		return 0, false
	}
	return d, true
}

// elidedStop lists runes that may follow an elided 角/分 digit (五块五, 两毛五): after other
// Han runes (五块5月) the digit belongs to something else.
func elidedOK(rs []rune, p int) bool {
	if p >= len(rs) {
		return true
	}
	r := rs[p]
	if r == ' ' || r == '-' || r == '~' || r == ',' {
		return true
	}
	return strings.ContainsRune("钱的了吗呢吧给到至和或左以多啦呀啊就还也都整", r)
}

// valueAt reads 一百三十五块六角七分钱 / 五块五 / 两毛五 / 3.14 at p. unit reports which unit
// closed the yuan part ("" when the number stands alone).
func valueAt(rs []rune, p int) (v dec, end int, unit string, n num, ok bool) {
	n, ok = scanNumber(rs, p, false)
	if !ok {
		return dec{}, p, "", n, false
	}
	q := n.end
	if q < len(rs) && isYuanUnit(rs[q]) {
		// a currency word ending in 元 (新加坡元) is not a yuan unit: checked by the caller
		// through matchCurrency at q first.
		v = n.val
		q++
		for q < len(rs) && (rs[q] == '钱' || rs[q] == '整' || rs[q] == '正') {
			q++
		}
		unit = "yuan"
		v, q = minorAfterYuan(rs, q, v)
		for q < len(rs) && rs[q] == '钱' {
			q++
		}
		return v, q, unit, n, true
	}
	if q < len(rs) && isJiaoUnit(rs[q]) {
		v, ok = n.val.mulTenth(1)
		if !ok {
			return dec{}, p, "", n, false
		}
		q++
		v, q = fenAfterJiao(rs, q, v, !n.arabic)
		for q < len(rs) && rs[q] == '钱' {
			q++
		}
		return v, q, "jiao", n, true
	}
	if q < len(rs) && isFenUnit(rs[q]) && !(q+1 < len(rs) && rs[q+1] == '钟') {
		v, ok = n.val.mulTenth(2)
		if !ok {
			return dec{}, p, "", n, false
		}
		q++
		for q < len(rs) && rs[q] == '钱' {
			q++
		}
		return v, q, "fen", n, true
	}
	return n.val, n.end, "", n, true
}

// mulTenth divides d by 10^k exactly.
func (d dec) mulTenth(k int8) (dec, bool) {
	if d.s+k > maxScale {
		return d, false
	}
	return dec{m: d.m, s: d.s + k}.trim(), true
}

// minorAfterYuan reads the 角/分 part after a yuan unit: 六角七分, 零四, 五 (elided 角).
func minorAfterYuan(rs []rune, q int, v dec) (dec, int) {
	p := q
	zero := false
	if p < len(rs) && (rs[p] == '零' || rs[p] == '0') {
		zero, p = true, p+1
	}
	d, ok := singleDigitAt(rs, p)
	if !ok {
		return v, q
	}
	if p+1 < len(rs) && isJiaoUnit(rs[p+1]) && !zero {
		nv, _ := v.add(dec{m: int64(d), s: 1})
		np := p + 2
		nv, np = fenAfterJiao(rs, np, nv, true)
		return nv, np
	}
	if p+1 < len(rs) && isFenUnit(rs[p+1]) && !(p+2 < len(rs) && rs[p+2] == '钟') {
		nv, _ := v.add(dec{m: int64(d), s: 2})
		return nv, p + 2
	}
	if !elidedOK(rs, p+1) || isASCIIDigit(rs[p]) && p+1 < len(rs) {
		return v, q
	}
	if zero {
		nv, _ := v.add(dec{m: int64(d), s: 2})
		return nv, p + 1
	}
	nv, _ := v.add(dec{m: int64(d), s: 1})
	return nv, p + 1
}

// fenAfterJiao reads 七分 or an elided 分 digit (两毛五) after a 角 unit.
func fenAfterJiao(rs []rune, q int, v dec, allowElided bool) (dec, int) {
	d, ok := singleDigitAt(rs, q)
	if !ok {
		return v, q
	}
	if q+1 < len(rs) && isFenUnit(rs[q+1]) {
		nv, _ := v.add(dec{m: int64(d), s: 2})
		return nv, q + 2
	}
	if allowElided && !isASCIIDigit(rs[q]) && elidedOK(rs, q+1) {
		nv, _ := v.add(dec{m: int64(d), s: 2})
		return nv, q + 1
	}
	return v, q
}

// amountAt reads one amount (no range) at i: optional currency prefix, value with units,
// optional currency suffix. A number with neither unit nor currency is not an amount,
// except 5k / 3w.
func amountAt(rs []rune, i int) (moneyMatch, bool) {
	m := moneyMatch{start: i}
	p := i
	prefix := ""
	if c, ok := matchCurrency(rs, p); ok && !c.cents && !c.suffix {
		prefix = c.code
		p += len(c.w)
		if p < len(rs) && rs[p] == ' ' {
			p++
		}
	}
	v, end, unit, n, ok := valueAt(rs, p)
	if !ok {
		return m, false
	}
	if n.seq && len(n.digits) == 2 && (n.digits[1] == n.digits[0]+1 || n.digits == "35") {
		return m, false // 七八英镑 is an approximation: approxAmount reads it as a range
	}
	cur := ""
	if unit == "yuan" {
		cur = CNY
		// 三万元欧元, 9000元日币: a currency word after 元 names the currency.
		if c, ok := matchCurrency(rs, end); ok && c.code != CNY && !c.cents {
			cur, end = c.code, end+len(c.w)
		} else if c, ok := matchCurrency(rs, end); ok && c.code == CNY {
			end += len(c.w)
		}
	} else if unit == "" {
		q := n.end
		spaced := q < len(rs) && rs[q] == ' '
		if spaced {
			q++
		}
		if c, ok := matchCurrency(rs, q); ok && !(spaced && numeralAfter(rs, q+len(c.w))) && !(c.suffix && loneDigit(rs, n, '一')) {
			cur = c.code
			if c.cents {
				v, _ = v.mulTenth(2)
			}
			end = q + len(c.w)
			// 10日元5日本銭-style minor parts are not read.
		} else if k := rs[n.end-1]; k == 'k' || k == 'w' {
			cur = CNY
		}
	} else {
		cur = CNY
		m.minor = true
	}
	if unit == "yuan" && n.end < len(rs) {
		// 新加坡元 / 港元 / 美元 start at n.end: the 元 belongs to a foreign currency word.
		if c, ok := matchCurrency(rs, n.end); ok && c.code != CNY {
			cur, end, v, m.minor = c.code, n.end+len(c.w), n.val, false
			if c.cents {
				v, _ = v.mulTenth(2)
			}
		}
	}
	if prefix != "" {
		if cur == "" || cur == CNY && prefix != CNY && unit == "yuan" {
			cur = prefix
		} else if cur != prefix && prefix != CNY {
			cur = prefix
		}
	}
	if cur == "" {
		return m, false
	}
	if prefix != "" && unit == "" && end == n.end && loneDigit(rs, n, 0) && end < len(rs) && unicode.Is(unicode.Han, rs[end]) {
		return m, false // 日元一直贬值, 美元一路上涨: a lone Chinese digit running into a word
	}
	if v.m < 0 {
		return m, false
	}
	f, ok := v.fen()
	if !ok || f > MaxYuan*100 {
		return m, false
	}
	m.end = end
	m.amt = Amount{Min: Money(f), Max: Money(f), Currency: cur}
	return m, true
}

// loneDigit reports whether numeral n is one Chinese digit (d, or any digit when d is 0).
func loneDigit(rs []rune, n num, d rune) bool {
	if n.end-n.start != 1 || isASCIIDigit(rs[n.start]) {
		return false
	}
	return d == 0 || rs[n.start] == d
}

// numeralAfter reports whether a numeral starts at p, after an optional space: a currency
// word between a number and a space and another numeral prefixes the second (李四 新台币三千
// is TWD 3000, not TWD 4).
func numeralAfter(rs []rune, p int) bool {
	if p < len(rs) && rs[p] == ' ' {
		p++
	}
	_, ok := scanNumber(rs, p, false)
	return ok
}

// rangeConnector returns the length of a range connector at p (到 至 - ~ -- 至多...), or 0.
func rangeConnector(rs []rune, p int) int {
	if p >= len(rs) {
		return 0
	}
	q := p
	if rs[q] == ' ' {
		q++
	}
	if q >= len(rs) {
		return 0
	}
	switch rs[q] {
	case '到', '至':
		q++
	case '-', '~':
		for q < len(rs) && (rs[q] == '-' || rs[q] == '~') {
			q++
		}
	default:
		return 0
	}
	if q < len(rs) && rs[q] == ' ' {
		q++
	}
	return q - p
}

// moneyAt reads an amount or a range of amounts at i.
func moneyAt(rs []rune, i int) (moneyMatch, bool) {
	first, ok := amountAt(rs, i)
	var loVal dec
	var loNum num
	bare := false
	if !ok {
		// a bare number may open a range whose second bound carries the unit: 三到五万元.
		n, ok2 := scanNumber(rs, i, false)
		if !ok2 {
			return first, false
		}
		loVal, loNum, bare = n.val, n, true
		first = moneyMatch{start: i, end: n.end}
	}
	c := rangeConnector(rs, first.end)
	if c == 0 {
		if bare {
			return first, false
		}
		return approxSuffix(rs, first), true
	}
	second, ok := amountAt(rs, first.end+c)
	if !ok && bare {
		// 三到五万: two bare numerals are a renminbi range when the upper one has a magnitude.
		hn, ok2 := scanNumber(rs, first.end+c, false)
		if !ok2 || hn.big < 1000 {
			return first, false
		}
		f, ok3 := hn.val.fen()
		if !ok3 || f > MaxYuan*100 || f < 0 {
			return first, false
		}
		second, ok = moneyMatch{start: first.end + c, end: hn.end, amt: Amount{Min: Money(f), Max: Money(f), Currency: CNY}}, true
	}
	if !ok {
		if bare {
			return first, false
		}
		return first, true
	}
	if bare {
		// scale the bare lower bound by the upper bound's multiplier when that keeps it below
		// the upper bound (三到五万 -> 3万; 8500到3万 stays 8500).
		lo := loVal
		hn, _ := scanNumber(rs, first.end+c+prefixLen(rs, first.end+c), false)
		if hn.big > 1 && loNum.big == 0 {
			if scaled, ok := lo.mulInt(hn.big); ok {
				if f, ok := scaled.fen(); ok && Money(f) <= second.amt.Max {
					lo = scaled
				}
			}
		}
		f, ok := lo.fen()
		if !ok || f < 0 {
			return first, false
		}
		first.amt = Amount{Min: Money(f), Max: Money(f), Currency: second.amt.Currency}
	}
	if first.amt.Currency != second.amt.Currency || first.amt.Min > second.amt.Max {
		if bare {
			return first, false
		}
		return first, true
	}
	return moneyMatch{start: i, end: second.end, amt: Amount{Min: first.amt.Min, Max: second.amt.Max, Currency: second.amt.Currency, Range: first.amt.Min != second.amt.Max}}, true
}

func prefixLen(rs []rune, p int) int {
	if c, ok := matchCurrency(rs, p); ok {
		n := len(c.w)
		if p+n < len(rs) && rs[p+n] == ' ' {
			n++
		}
		return n
	}
	return 0
}

// approxSuffix leaves the amount as is; 多/左右 qualifiers are consumed by callers.
func approxSuffix(rs []rune, m moneyMatch) moneyMatch { return m }

// qualifiers around a whole-string amount that do not change its value.
var (
	amountPrefixes = []string{"大约", "大概", "约", "将近", "近", "至少", "最少", "最多", "不到", "不超过", "小于", "大于", "超过", "起码", "多于", "少于", "低于", "高于", "从", "共", "总共", "一共"}
	amountSuffixes = []string{"以上", "以下", "左右", "上下", "前后", "以内", "含"}
)

func stripQualifiers(s string) string {
	s = strings.TrimSpace(s)
	for changed := true; changed; {
		changed = false
		for _, p := range amountPrefixes {
			if strings.HasPrefix(s, p) && len(s) > len(p) {
				s, changed = strings.TrimSpace(s[len(p):]), true
			}
		}
		for _, p := range amountSuffixes {
			if strings.HasSuffix(s, p) && len(s) > len(p) {
				s, changed = strings.TrimSpace(s[:len(s)-len(p)]), true
			}
		}
	}
	return s
}

// ParseAmount parses a whole string as an amount of money in any currency, or a range of
// amounts ("三到五万", "100-200元"). Qualifiers that leave the value as it is (约, 至少, 以上,
// 左右...) are accepted. Cantonese forms (五個半 = 5.5, 七蚊, 两毫) are read here only.
func ParseAmount(s string) (Amount, bool) {
	norm := normalize.Normalize(s).Norm
	norm = strings.ReplaceAll(norm, " 含 ", "")
	norm = strings.ReplaceAll(stripQualifiers(norm), " ", "")
	rs := []rune(norm)
	if len(rs) == 0 {
		return Amount{}, false
	}
	if c, ok := matchCurrency(rs, 0); ok && c.code == CNY {
		// 人民币数十亿元: approximations after a renminbi prefix
		if a, ok := approxAmount(rs, len(c.w)); ok && a.end == len(rs) {
			return a.amt, true
		}
	}
	if a, ok := cantoneseAmount(rs); ok {
		return a, true
	}
	m, ok := moneyAt(rs, 0)
	if !ok || m.end != len(rs) {
		if a, ok := approxAmount(rs, 0); ok && a.end == len(rs) {
			return a.amt, true
		}
		if ok && m.end < len(rs) {
			// a bare amount without unit: 三百万 / 15k are amounts when the whole string is one.
		}
		n, ok2 := scanNumber(rs, 0, false)
		if ok2 && n.end == len(rs) && n.units > 0 && !n.neg {
			if f, ok := n.val.fen(); ok && f <= MaxYuan*100 {
				return Amount{Min: Money(f), Max: Money(f), Currency: CNY}, true
			}
		}
		return Amount{}, false
	}
	return m.amt, true
}

// ParseMoney parses a whole string as one amount of renminbi ("500块钱", "1.5万", "壹仟贰佰元整",
// "五块五"). Ranges, foreign currencies, negative and absurd amounts (> MaxYuan) are rejected.
func ParseMoney(s string) (Money, bool) {
	a, ok := ParseAmount(s)
	if !ok || a.Range || a.Currency != CNY || a.Min < 0 {
		if !ok {
			if v, ok := ParseNumber(s); ok {
				return MoneyFromNumber(v)
			}
		}
		return 0, false
	}
	return a.Min, true
}

// MoneyFromNumber turns a number entity's value (a decimal string in yuan, as ParseNumber
// gives) into an amount, for when the dialog asked for an amount and the customer answered
// "500". Negative, absurd and sub-fen values are rejected.
func MoneyFromNumber(value string) (Money, bool) {
	d, ok := parseDecimal(value)
	if !ok || d.m <= 0 || d.s > 2 {
		return 0, false
	}
	f, ok := d.fen()
	if !ok || f > MaxYuan*100 {
		return 0, false
	}
	return Money(f), true
}

// cantoneseAmount reads 五個半 (5.5), 個半 (1.5), 個九 (1.9), 三個一毫四 forms: 个 as a dollar
// unit, only for whole strings (in free text 一个半 is usually an hour and a half).
func cantoneseAmount(rs []rune) (Amount, bool) {
	p := 0
	cur := CNY
	if c, ok := matchCurrency(rs, 0); ok {
		cur, p = c.code, len(c.w)
	}
	v := dec{m: 1}
	if n, ok := scanNumber(rs, p, false); ok {
		v, p = n.val, n.end
	}
	if p >= len(rs) || rs[p] != '个' {
		return Amount{}, false
	}
	p++
	if p < len(rs) && rs[p] == '半' {
		v, _ = v.add(dec{m: 5, s: 1})
		p++
	} else {
		v, p = minorAfterYuan(rs, p, v)
	}
	if p != len(rs) {
		return Amount{}, false
	}
	f, ok := v.fen()
	if !ok {
		return Amount{}, false
	}
	return Amount{Min: Money(f), Max: Money(f), Currency: cur}, true
}
