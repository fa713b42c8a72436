package entity

import (
	"strings"

	"github.com/weiyin-bank/weiyin/intents/normalize"
)

// ParseNumber parses a whole string as a number and returns it as a plain decimal string
// ("12000", "0.5", "-3.8"). It reads Arabic (1,040,000 / .77 / 1.2万 / 100k / 3M), Chinese
// (一百零五, 两千六, 廿二), financial (壹万贰仟), digit-by-digit (一七二零), fractions (二分之一)
// and counted forms (一个, 一对 = 2, 五打 = 60). Malformed numerals (百十一, 十一十二, 零点)
// are rejected.
func ParseNumber(s string) (string, bool) {
	norm := normalize.Normalize(s).Norm
	if strings.HasPrefix(norm, "- ") || strings.HasPrefix(norm, "负 ") {
		norm = strings.Replace(norm, " ", "", 1)
	}
	rs := []rune(norm)
	if len(rs) == 0 {
		return "", false
	}
	d, ok := parseWholeNumber(rs)
	if !ok {
		return "", false
	}
	return d.String(), true
}

func parseWholeNumber(rs []rune) (dec, bool) {
	// counted forms: 个 (one), 对/双 (pairs), 打 (dozens)
	mul := int64(1)
	switch rs[len(rs)-1] {
	case '个':
		rs = rs[:len(rs)-1]
	case '对', '双':
		rs, mul = rs[:len(rs)-1], 2
	case '打':
		rs, mul = rs[:len(rs)-1], 12
	}
	if len(rs) == 0 {
		return dec{}, false
	}
	if d, ok := parseFraction(rs); ok {
		return d, true
	}
	// M and G multipliers of whole Arabic strings: 3M, 1.04M, .0012G
	neg := false
	body := rs
	if body[0] == '-' || body[0] == '负' {
		neg, body = true, body[1:]
	}
	if len(body) > 1 && (body[len(body)-1] == 'm' || body[len(body)-1] == 'g') {
		if end, v, _, _, ok := scanArabic(body, 0); ok && end == len(body)-1 {
			k := int64(1000000)
			if body[len(body)-1] == 'g' {
				k = 1000000000
			}
			v, ok = v.mulInt(k)
			if !ok {
				return dec{}, false
			}
			if neg {
				v.m = -v.m
			}
			return v.mulInt(mul)
		}
	}
	n, ok := scanNumber(rs, 0, true)
	if ok && n.end == len(rs) {
		return n.val.mulInt(mul)
	}
	if ok && n.end == len(rs)-1 && rs[n.end] == '半' && !n.frac {
		if n.val.cmp(dec{m: 1}) == 0 {
			return dec{m: 5, s: 1}, true // 一半, 1半: a half
		}
		v, ok := n.val.add(dec{m: 5, s: 1})
		if n.val.isZero() || !ok {
			return dec{}, false
		}
		return v, true
	}
	switch string(rs) {
	case "一半", "半", "半个", "一半半":
		return dec{m: 5, s: 1}, true
	}
	return dec{}, false
}

// parseFraction reads 二分之一, 二份一, 十份十一, 一又十分一 and 百分之八 (= 0.08).
func parseFraction(rs []rune) (dec, bool) {
	s := string(rs)
	whole := dec{}
	if i := strings.Index(s, "又"); i > 0 {
		w, ok := parseWholeNumber([]rune(s[:i]))
		if !ok {
			return dec{}, false
		}
		whole, s = w, s[i+len("又"):]
	}
	var den, numr string
	switch {
	case strings.Contains(s, "分之"):
		parts := strings.SplitN(s, "分之", 2)
		den, numr = parts[0], parts[1]
	case strings.Contains(s, "份"):
		parts := strings.SplitN(s, "份", 2)
		den, numr = parts[0], parts[1]
	case strings.Contains(s, "分") && !whole.isZero():
		parts := strings.SplitN(s, "分", 2)
		den, numr = parts[0], parts[1]
	default:
		return dec{}, false
	}
	if den == "" || numr == "" {
		return dec{}, false
	}
	dn, ok1 := scanNumber([]rune(den), 0, false)
	nn, ok2 := scanNumber([]rune(numr), 0, true)
	if !ok1 || !ok2 || dn.end != len([]rune(den)) || nn.end != len([]rune(numr)) || dn.val.isZero() {
		return dec{}, false
	}
	q, ok := divide(nn.val, dn.val)
	if !ok {
		return dec{}, false
	}
	return whole.add(q)
}

// divide returns a/b rounded to 6 decimals when it does not terminate.
func divide(a, b dec) (dec, bool) {
	// scale a up so that the integer division keeps 6 extra decimals.
	s := a.s - b.s
	am, bm := a.m, b.m
	extra := int8(6)
	m, ok := mulOK(am, pow10[extra])
	if !ok {
		return dec{}, false
	}
	q := m / bm
	s += extra
	for s < 0 {
		q, ok = mulOK(q, 10)
		if !ok {
			return dec{}, false
		}
		s++
	}
	return dec{m: q, s: s}.trim(), true
}

// ParseChineseInt parses a whole string as an integer written in Chinese, Arabic or mixed
// digits (一万二千 = 12000, 三千五 = 3500, 两百 = 200, 3千 = 3000). Decimals are rejected.
func ParseChineseInt(s string) (int64, bool) {
	v, ok := ParseNumber(s)
	if !ok || strings.Contains(v, ".") {
		return 0, false
	}
	d, ok := parseDecimal(v)
	if !ok || d.s != 0 {
		return 0, false
	}
	return d.m, true
}

// approxAmount reads approximate amounts as ranges: 三五百块 (300-500), 四五千块钱, 十几块,
// 3000多欧元 (3000-4000), 几十万 (10万-100万), 十五六 (15-16). The currency follows the
// numeral (元/块 or a foreign word); without one the range is renminbi only for whole-string
// parsing (the caller decides).
func approxAmount(rs []rune, i int) (moneyMatch, bool) {
	m := moneyMatch{start: i}
	lo, hi, end, ok := approxNumber(rs, i)
	if !ok {
		return m, false
	}
	cur := CNY
	p := end
	if p < len(rs) && isYuanUnit(rs[p]) {
		p++
		if c, ok := matchCurrency(rs, p); ok {
			cur, p = c.code, p+len(c.w)
		}
		for p < len(rs) && (rs[p] == '钱' || rs[p] == '整') {
			p++
		}
	} else if c, ok := matchCurrency(rs, p); ok {
		cur, p = c.code, p+len(c.w)
	} else if p < len(rs) {
		return m, false
	}
	if c, ok := matchCurrency(rs, p); ok && c.code == CNY {
		p += len(c.w)
	}
	fl, ok1 := lo.fen()
	fh, ok2 := hi.fen()
	if !ok1 || !ok2 || fh > MaxYuan*100 {
		return m, false
	}
	m.end = p
	m.amt = Amount{Min: Money(fl), Max: Money(fh), Currency: cur, Range: fl != fh}
	return m, true
}

// approxNumber reads the approximate numerals of approxAmount and returns the bounds.
func approxNumber(rs []rune, i int) (lo, hi dec, end int, ok bool) {
	p := i
	if p < len(rs) && (rs[p] == '数' || rs[p] == '几') {
		// 几十万, 数十亿: [1*u, 10*u]
		u, q := unitChain(rs, p+1)
		if u <= 1 {
			return dec{}, dec{}, i, false
		}
		return dec{m: u}, dec{m: 10 * u}, q, true
	}
	// a structured prefix (十, 四十, 七百, 一万) then a digit pair, or 多/几
	n, ok := scanNumber(rs, p, false)
	if !ok {
		return dec{}, dec{}, i, false
	}
	q := n.end
	if q < len(rs) && (rs[q] == '多' || rs[q] == '几' || rs[q] == '余') {
		// 3000多 -> 3000..4000, 十几 -> 10..20, 一百多 -> 100..200
		step := lastMagnitude(n)
		if step == 0 {
			return dec{}, dec{}, i, false
		}
		u, q2 := unitChain(rs, q+1)
		hiV, ok := n.val.add(dec{m: step})
		if !ok {
			return dec{}, dec{}, i, false
		}
		lo, _ := n.val.mulInt(u)
		hi, _ := hiV.mulInt(u)
		return lo, hi, q2, true
	}
	// digit pair: 三五百, 七八, 十五六, 四十五六, 七百三四十, 一万六七
	a, b := -1, -1
	var prefix dec
	prefixUnit := int64(0)
	if n.seq && len(n.digits) == 2 {
		a, b = int(n.digits[0]-'0'), int(n.digits[1]-'0')
	} else if !n.seq && q < len(rs) && chineseDigit(rs[q]) > 0 && q-1 >= i && chineseDigit(rs[q-1]) > 0 {
		// 十五六: the scanner read 十五 and stopped before 六
		a, b = chineseDigit(rs[q-1]), chineseDigit(rs[q])
		prefix = n.val
		prefixUnit = 1
		// remove a from the prefix: it is the first of the pair
		if pv, ok := prefix.add(dec{m: -int64(a)}); ok {
			prefix = pv
		}
		if q-2 >= i {
			if u := smallUnit(rs[q-2]); u != 0 {
				prefixUnit = u / 10
			} else if u := bigUnit(rs[q-2]); u != 0 {
				prefixUnit = u / 10
				// 一万六七: prefix already holds 一万 (plus a*u/10 from elision)
				prefix = dec{m: prefix.m}
			}
		}
		// elision in the scanner multiplied a: recompute prefix as n without its last digit.
		if pn, ok := scanNumber(rs[:q-1], i, false); ok && pn.end == q-1 {
			prefix = pn.val
		}
		q++
	} else {
		return dec{}, dec{}, i, false
	}
	if b != a+1 && !(a == 3 && b == 5) {
		return dec{}, dec{}, i, false
	}
	u, q2 := unitChain(rs, q)
	if prefixUnit > 0 {
		// 七百三四十: the pair's unit is the one written after it, else one below the prefix's
		if u == 1 {
			u = prefixUnit
			q2 = q
		} else if su := smallUnit(rs[q]); su != 0 && bigUnit(rs[q]) == 0 {
			// 七百三四十万? keep simple: the small unit applies to the pair only
			big, q3 := unitChain(rs, q+1)
			lo, _ = prefix.add(dec{m: int64(a) * su})
			hi, _ = prefix.add(dec{m: int64(b) * su})
			lo, _ = lo.mulInt(big)
			hi, _ = hi.mulInt(big)
			return lo, hi, q3, true
		} else {
			// 十七八万 / 六十三四万: the big unit applies to the whole
			lo, _ = prefix.add(dec{m: int64(a)})
			hi, _ = prefix.add(dec{m: int64(b)})
			lo, _ = lo.mulInt(u)
			hi, _ = hi.mulInt(u)
			return lo, hi, q2, true
		}
		lo, _ = prefix.add(dec{m: int64(a) * u})
		hi, _ = prefix.add(dec{m: int64(b) * u})
		return lo, hi, q2, true
	}
	return dec{m: int64(a) * u}, dec{m: int64(b) * u}, q2, true
}

// unitChain reads 十/百/千 then 万/亿 multipliers at p and returns their product (1 if none).
func unitChain(rs []rune, p int) (int64, int) {
	u := int64(1)
	if p < len(rs) {
		if s := smallUnit(rs[p]); s != 0 {
			u *= s
			p++
		}
	}
	for p < len(rs) {
		b := bigUnit(rs[p])
		if b == 0 || b <= u && u >= 10000 {
			break
		}
		u *= b
		p++
	}
	return u, p
}

// lastMagnitude is the step of the lowest written digit: 3000 -> 1000, 十 -> 10, 一百 -> 100.
func lastMagnitude(n num) int64 {
	if n.frac {
		return 0
	}
	if n.arabic && n.units == 0 {
		v := n.val.m
		if v <= 0 {
			return 0
		}
		step := int64(1)
		for v%10 == 0 && v > 0 {
			v /= 10
			step *= 10
		}
		return step
	}
	if n.mult > 1 && n.units > 0 {
		// 十 -> 10, 一百 -> 100, 一万 -> 10000
		v := n.val.m
		step := int64(1)
		for v%10 == 0 && v > 0 {
			v /= 10
			step *= 10
		}
		return step
	}
	return 0
}
