package entity

import "strings"

// num is one numeral found in normalised text: Arabic (1,000.5), Chinese (一万二千),
// financial (壹仟贰佰), mixed (1.5万, 100万三千) or a digit-by-digit reading (一三八, 幺二三).
type num struct {
	start, end int // rune range in the scanned text
	val        dec
	chinese    bool   // holds a Chinese digit or unit
	arabic     bool   // holds an Arabic digit
	seq        bool   // digit-by-digit reading: every rune a digit, no unit
	digits     string // for seq and plain Arabic integers: the digits as written (keeps 0s)
	units      int    // unit characters read (十百千万亿)
	mult       int64  // the last multiplier applied (万 -> 10000, k -> 1000), 1 when none
	big        int64  // the trailing magnitude word (万, 亿, 千万, k), 0 when none
	frac       bool   // holds a decimal point
	financial  bool   // holds a financial numeral (壹贰叁...)
	neg        bool
}

// chineseDigit returns the value of a Chinese digit rune, or -1.
func chineseDigit(r rune) int {
	switch r {
	case '零', '〇', '洞':
		return 0
	case '一', '壹', '幺':
		return 1
	case '二', '两', '贰':
		return 2
	case '三', '叁', '参':
		return 3
	case '四', '肆':
		return 4
	case '五', '伍':
		return 5
	case '六', '陆':
		return 6
	case '七', '柒', '拐':
		return 7
	case '八', '捌':
		return 8
	case '九', '玖':
		return 9
	}
	return -1
}

func isFinancial(r rune) bool {
	switch r {
	case '壹', '贰', '叁', '参', '肆', '伍', '陆', '柒', '捌', '玖', '拾', '佰', '仟':
		return true
	}
	return false
}

// smallUnit returns 10, 100, 1000 for 十百千 (and financial forms), else 0.
func smallUnit(r rune) int64 {
	switch r {
	case '十', '拾':
		return 10
	case '百', '佰':
		return 100
	case '千', '仟':
		return 1000
	}
	return 0
}

// bigUnit returns 1e4, 1e8, 1e12 for 万亿兆, else 0.
func bigUnit(r rune) int64 {
	switch r {
	case '万':
		return 10000
	case '亿':
		return 100000000
	case '兆':
		return 1000000000000
	}
	return 0
}

func isASCIIDigit(r rune) bool { return r >= '0' && r <= '9' }

// scanArabic reads digits with optional 3-digit comma groups and a decimal part at i.
// It returns the end, the value, the raw integer digits and whether a point was read.
func scanArabic(rs []rune, i int) (end int, v dec, digits string, frac bool, ok bool) {
	j := i
	var b strings.Builder
	for j < len(rs) && isASCIIDigit(rs[j]) {
		b.WriteRune(rs[j])
		j++
	}
	if j == i {
		if j+1 < len(rs) && rs[j] == '.' && isASCIIDigit(rs[j+1]) && (i == 0 || !isASCIIDigit(rs[i-1])) {
			// ".77"
		} else {
			return i, dec{}, "", false, false
		}
	}
	// thousands groups: ,ddd
	for j+3 < len(rs) && rs[j] == ',' && isASCIIDigit(rs[j+1]) && isASCIIDigit(rs[j+2]) && isASCIIDigit(rs[j+3]) && (j+4 >= len(rs) || !isASCIIDigit(rs[j+4])) {
		b.WriteString(string(rs[j+1 : j+4]))
		j += 4
	}
	intDigits := b.String()
	if j+1 < len(rs) && rs[j] == '.' && isASCIIDigit(rs[j+1]) {
		b.WriteByte('.')
		j++
		for j < len(rs) && isASCIIDigit(rs[j]) {
			b.WriteRune(rs[j])
			j++
		}
		frac = true
	}
	v, ok = parseDecimal(b.String())
	if !ok {
		return i, dec{}, "", false, false
	}
	return j, v, intDigits, frac, true
}

// numScanner holds the state of the Chinese numeral grammar.
type bigPart struct {
	v    dec
	unit int64
}

// scanNumber reads the longest numeral starting at i. It accepts a leading 负 (and '-' when
// allowMinus). It returns ok=false when no numeral starts at i.
func scanNumber(rs []rune, i int, allowMinus bool) (num, bool) {
	n := num{start: i, mult: 1}
	p := i
	if p < len(rs) && (rs[p] == '负' || (allowMinus && rs[p] == '-')) {
		q := p + 1
		for q < len(rs) && rs[q] == ' ' {
			q++
		}
		if q < len(rs) && (isASCIIDigit(rs[q]) || chineseDigit(rs[q]) >= 0 || rs[q] == '.' || smallUnit(rs[q]) == 10) {
			n.neg = true
			p = q
		} else {
			return n, false
		}
	}
	res, ok := scanUnsigned(rs, p)
	if !ok {
		return n, false
	}
	res.start = i
	if n.neg {
		res.neg = true
		res.val.m = -res.val.m
		if res.digits != "" {
			res.digits = "-" + res.digits
		}
	}
	return res, true
}

// scanUnsigned is scanNumber without the sign.
func scanUnsigned(rs []rune, i int) (num, bool) {
	n := num{start: i, mult: 1}
	if i >= len(rs) {
		return n, false
	}
	// digit-by-digit readings and plain Arabic numbers first.
	if chineseDigit(rs[i]) >= 0 {
		j := i
		fin := false
		for j < len(rs) && chineseDigit(rs[j]) >= 0 {
			if isFinancial(rs[j]) {
				fin = true
			}
			j++
		}
		if j-i >= 2 && (j >= len(rs) || (smallUnit(rs[j]) == 0 && bigUnit(rs[j]) == 0)) {
			// 一二三 / 幺八九 / 二〇〇二: read digit by digit, with an optional point part. The
			// digits are spelt only here: most runs (一下, 十一) are not such readings, and
			// building the string for each cost allocations on every message.
			var b strings.Builder
			b.Grow(j - i)
			for _, r := range rs[i:j] {
				b.WriteByte(byte('0' + chineseDigit(r)))
			}
			n.seq, n.chinese, n.financial = true, true, fin
			n.digits = b.String()
			s := n.digits
			if j+1 < len(rs) && rs[j] == '点' && chineseDigit(rs[j+1]) >= 0 {
				var f strings.Builder
				j++
				for j < len(rs) && chineseDigit(rs[j]) >= 0 {
					f.WriteByte(byte('0' + chineseDigit(rs[j])))
					j++
				}
				s += "." + f.String()
				n.frac = true
			}
			v, ok := parseDecimal(s)
			if !ok {
				return n, false
			}
			n.val, n.end = v, j
			return n, true
		}
	}
	return scanStructured(rs, i)
}

// scanStructured reads a numeral built with units: 一万二千三百, 3千万, 1.5万, 100万三千,
// 两千六 (elided 百), 十一, 廿二. Arabic integers may stand where a digit stands.
func scanStructured(rs []rune, i int) (num, bool) {
	n := num{start: i, mult: 1}
	var parts []bigPart
	var section dec
	var pending dec
	hasPending := false
	pendingArabic := false
	lastSmall := int64(0) // last small unit in this section
	lastUnit := int64(0)  // last unit of any kind, for elision
	afterZero := false
	prevUnit := false // previous token was a unit
	seenDigit := false
	p := i
	end := i // end of the last complete token
	add := func(a *dec, b dec) bool {
		v, ok := a.add(b)
		*a = v
		return ok
	}
	for p < len(rs) {
		r := rs[p]
		if isASCIIDigit(r) || (r == '.' && p+1 < len(rs) && isASCIIDigit(rs[p+1]) && p == i) {
			if hasPending {
				break
			}
			q, v, digits, frac, ok := scanArabic(rs, p)
			if !ok {
				break
			}
			n.arabic = true
			if frac {
				// a decimal may only be followed by one multiplier, and ends the numeral.
				if p != i {
					break
				}
				n.frac = true
				n.val = v
				n.end = q
				n.digits = ""
				return applyMultiplier(rs, n)
			}
			if p == i {
				n.digits = digits
			}
			pending, hasPending, pendingArabic = v, true, true
			seenDigit = true
			p = q
			end = p
			prevUnit = false
			continue
		}
		if d := chineseDigit(r); d >= 0 && r != '幺' && r != '洞' && r != '拐' {
			if hasPending {
				break
			}
			if isFinancial(r) {
				n.financial = true
			}
			n.chinese = true
			seenDigit = true
			p++
			if d == 0 && p-1 == i {
				pending, hasPending, pendingArabic = dec{}, true, false
				end = p
				continue
			}
			if d == 0 {
				afterZero = true
				end = p
				prevUnit = false
				continue
			}
			pending, hasPending, pendingArabic = dec{m: int64(d)}, true, false
			end = p
			prevUnit = false
			continue
		}
		if r == '廿' || r == '卅' || r == '卌' {
			if hasPending || (lastSmall != 0 && lastSmall <= 10) {
				break
			}
			v := map[rune]int64{'廿': 20, '卅': 30, '卌': 40}[r]
			if !add(&section, dec{m: v}) {
				return n, false
			}
			n.chinese, seenDigit = true, true
			lastSmall, lastUnit = 10, 10
			p++
			end = p
			prevUnit = true
			afterZero = false
			n.units++
			continue
		}
		if u := smallUnit(r); u != 0 {
			if !hasPending {
				if u == 10 && (p == i || prevUnit || afterZero) {
					pending, hasPending, seenDigit = dec{m: 1}, true, true
				} else if afterZero || prevUnit {
					pending, hasPending = dec{m: 1}, true
				} else {
					break
				}
			}
			if lastSmall != 0 && u >= lastSmall {
				break
			}
			if isFinancial(r) {
				n.financial = true
			}
			v, ok := pending.mulInt(u)
			if !ok || !add(&section, v) {
				return n, false
			}
			hasPending, pendingArabic = false, false
			lastSmall, lastUnit = u, u
			n.chinese = true
			n.units++
			afterZero = false
			prevUnit = true
			p++
			end = p
			continue
		}
		if u := bigUnit(r); u != 0 {
			if !seenDigit {
				break
			}
			if hasPending {
				if !add(&section, pending) {
					return n, false
				}
				hasPending = false
			}
			merged := section
			k := len(parts)
			for k > 0 && parts[k-1].unit < u {
				if !add(&merged, parts[k-1].v) {
					return n, false
				}
				k--
			}
			if k > 0 && parts[k-1].unit == u {
				break // 一万二万
			}
			if merged.isZero() && k == len(parts) {
				break
			}
			parts = parts[:k]
			v, ok := merged.mulInt(u)
			if !ok {
				return n, false
			}
			parts = append(parts, bigPart{v, u})
			section = dec{}
			lastSmall, lastUnit = 0, u
			n.chinese = true
			n.units++
			afterZero = false
			prevUnit = true
			n.mult = u
			n.big = u
			p++
			end = p
			continue
		}
		if r == '点' && p+1 < len(rs) && n.units == 0 && hasPending && len(parts) == 0 && section.isZero() {
			// 三点一四, 一百点123 is handled below when units exist.
			fs, q := fractionDigits(rs, p+1)
			if fs == "" {
				break
			}
			fv, ok := parseDecimal("0." + fs)
			if !ok {
				return n, false
			}
			v, ok := pending.add(fv)
			if !ok {
				return n, false
			}
			n.val, n.frac, n.end = v, true, q
			return applyMultiplier(rs, n)
		}
		if r == '点' && p+1 < len(rs) && n.units > 0 && len(parts) == 0 && (isASCIIDigit(rs[p+1]) || chineseDigit(rs[p+1]) >= 0) {
			// 一百点123, 三十四点五二一: a decimal part after a whole number with units
			fs, q := fractionDigits(rs, p+1)
			if q < len(rs) && (smallUnit(rs[q]) != 0 || bigUnit(rs[q]) != 0) {
				break // 十二点三十 is a time
			}
			fv, ok := parseDecimal("0." + fs)
			if !ok {
				break
			}
			whole := section
			if hasPending {
				if !add(&whole, pending) {
					return n, false
				}
			}
			v, ok := whole.add(fv)
			if !ok {
				return n, false
			}
			n.val, n.frac, n.end = v, true, q
			return n, true
		}
		break
	}
	if !seenDigit {
		return n, false
	}
	// elision: 三万五 -> 35000, 两千六 -> 2600, 一百二 -> 120 (a bare digit after a unit).
	if hasPending {
		if !pendingArabic && prevUnitBefore(rs, i, end) && !afterZero && lastUnit >= 100 {
			v, ok := pending.mulInt(lastUnit / 10)
			if !ok {
				return n, false
			}
			pending = v
		}
		if !add(&section, pending) {
			return n, false
		}
	}
	total := section
	for _, pt := range parts {
		if !add(&total, pt.v) {
			return n, false
		}
	}
	n.val = total
	n.end = end
	if n.units > 0 || !n.arabic {
		n.digits = ""
		if !n.arabic && n.units == 0 {
			// a lone Chinese digit (or 零): keep its digit for digit strings.
			n.digits = total.String()
		}
	}
	if n.units == 0 && n.arabic {
		return applyMultiplier(rs, n)
	}
	if n.mult == 1 && lastUnit > 1 {
		n.mult = lastUnit
	}
	return n, true
}

// prevUnitBefore reports whether the rune before the last digit of rs[i:end] is a unit.
func prevUnitBefore(rs []rune, i, end int) bool {
	if end-2 < i {
		return false
	}
	r := rs[end-2]
	return smallUnit(r) != 0 || bigUnit(r) != 0
}

// applyMultiplier applies one trailing 千/百/万/亿 (or k/w) to an Arabic number or decimal:
// 1.5万, 3千, 5k, 30w.
func applyMultiplier(rs []rune, n num) (num, bool) {
	p := n.end
	if p >= len(rs) {
		return n, true
	}
	r := rs[p]
	var u int64
	switch {
	case bigUnit(r) != 0:
		u = bigUnit(r)
		// 3千万亿: chains of multipliers
	case smallUnit(r) >= 100:
		u = smallUnit(r)
	case r == 'k' || r == 'w':
		if p+1 < len(rs) && ((rs[p+1] >= 'a' && rs[p+1] <= 'z') || isASCIIDigit(rs[p+1])) {
			return n, true
		}
		u = 1000
		if r == 'w' {
			u = 10000
		}
	default:
		return n, true
	}
	total := u
	q := p + 1
	// 千万, 百万, 万亿 chains
	for q < len(rs) {
		b := bigUnit(rs[q])
		if b == 0 || b <= total && !(total < 10000) {
			break
		}
		if b <= total {
			break
		}
		total *= b
		q++
	}
	v, ok := n.val.mulInt(total)
	if !ok {
		return n, false
	}
	n.val, n.end, n.mult, n.big = v, q, total, total
	n.units++
	n.digits = ""
	return n, true
}

// fractionDigits reads the digits after a decimal point (Chinese or Arabic) at q.
func fractionDigits(rs []rune, q int) (string, int) {
	var f strings.Builder
	for q < len(rs) && (chineseDigit(rs[q]) >= 0 || isASCIIDigit(rs[q])) {
		if isASCIIDigit(rs[q]) {
			f.WriteRune(rs[q])
		} else {
			f.WriteByte(byte('0' + chineseDigit(rs[q])))
		}
		q++
	}
	return f.String(), q
}
