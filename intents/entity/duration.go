package entity

import "unicode/utf8"

// durMatch is a length of time found at [start, end): val counts unit. numEnd is where the
// count's numeral ends (the unit word starts there), for scanNumeric: a numeral that runs
// into a duration's count (借五万三年) must stop where the count starts.
type durMatch struct {
	start, end int
	numStart   int
	numEnd     int
	val        dec
	unit       string
}

// durUnit is a unit word and the unit it counts. months is set for year words: 3年 is
// counted as 36 months, so that a term in years and one in months compare.
type durUnit struct {
	w      string
	unit   string
	months int64 // 12 for years, 0 otherwise
}

// durUnits are the unit words after a count, longest first. 月 needs 个 (十月 is October),
// 日 is never a duration (五日 is a day of the month), 分 alone is money (五分) and 期 counts
// monthly instalments (分12期).
var durUnits = []durUnit{
	{"个小时", UnitHour, 0}, {"个钟头", UnitHour, 0}, {"个星期", UnitWeek, 0}, {"个礼拜", UnitWeek, 0},
	{"个月", UnitMonth, 0}, {"个钟", UnitHour, 0},
	{"小时", UnitHour, 0}, {"钟头", UnitHour, 0}, {"分钟", UnitMinute, 0}, {"秒钟", UnitSecond, 0},
	{"星期", UnitWeek, 0}, {"礼拜", UnitWeek, 0}, {"年期", UnitMonth, 12},
	{"秒", UnitSecond, 0}, {"天", UnitDay, 0}, {"周", UnitWeek, 0}, {"年", UnitMonth, 12}, {"期", UnitMonth, 0},
}

// smaller is the next smaller unit and how many of it make one: a fractional count is
// rewritten in it when the result is whole (1.5小时 = 90 minute, 半天 = 12 hour).
var smaller = map[string]struct {
	unit string
	k    int64
}{
	UnitHour: {UnitMinute, 60}, UnitMinute: {UnitSecond, 60}, UnitDay: {UnitHour, 24}, UnitWeek: {UnitDay, 7},
}

// durUnitAt reads a unit word at q.
func durUnitAt(rs []rune, q int) (durUnit, int, bool) {
	for _, u := range durUnits {
		if hasStr(rs, q, u.w) {
			return u, q + utf8.RuneCountInString(u.w), true
		}
	}
	return durUnit{}, q, false
}

// durationAtRunes reads a length of time at p: 5分钟, 两个小时, 三天, 两周, 3个月, 3年 (36 months),
// 3年期, 12期 (12 months), 半小时, 一个半小时, 1.5小时, 两年零三个月, 一小时三十分钟, 一刻钟, 一年半.
// The count is never negative. It does not read 三天后 (a date) or 近三个月 (a period): those
// are longer matches that win over it.
func durationAtRunes(rs []rune, p int) (durMatch, bool) {
	if p >= len(rs) {
		return durMatch{}, false
	}
	if p > 0 && rs[p-1] == '第' {
		return durMatch{}, false // 第3期 is an ordinal
	}
	m := durMatch{start: p, numStart: p}
	var val dec
	q := p
	switch {
	case rs[q] == '半':
		val, q = dec{m: 5, s: 1}, q+1
		m.numEnd = q
		if q < len(rs) && rs[q] == '个' && !hasStr(rs, q, "个钟") && !hasStr(rs, q, "个小时") && !hasStr(rs, q, "个月") && !hasStr(rs, q, "个星期") && !hasStr(rs, q, "个礼拜") {
			return durMatch{}, false
		}
		if hasStr(rs, q, "日") {
			m.end = q + 1 // 半日: half a day (五日 alone is a date)
			return finishDuration(rs, m, val, durUnit{"日", UnitDay, 0})
		}
	case rs[q] == '个' && q+1 < len(rs) && rs[q+1] == '半':
		// Cantonese 个半小时, 个半钟, 个半月: one and a half
		val, q = dec{m: 15, s: 1}, q+2
		m.numEnd = q
		if u, e, ok := halfUnitAt(rs, q); ok {
			m.end = e
			return finishDuration(rs, m, val, u)
		}
		return durMatch{}, false
	default:
		if !isDigitLike(rs[q]) && smallUnit(rs[q]) != 10 && rs[q] != '廿' && rs[q] != '卅' && rs[q] != '.' {
			return durMatch{}, false
		}
		if k, ok := quartersAt(rs, q); ok {
			return k, true
		}
		n, ok := scanNumber(rs, q, false)
		if !ok || n.neg || n.seq || n.end <= q {
			return durMatch{}, false
		}
		val, q = n.val, n.end
		m.numEnd = q
		if q < len(rs) && rs[q] == ' ' {
			q++ // 5 天
		}
		if hasStr(rs, q, "个半") {
			// 一个半小时 / 两个半月 / 一个半钟: the 个 of the unit comes before 半
			val, _ = val.add(dec{m: 5, s: 1})
			if u, e, ok := halfUnitAt(rs, q+2); ok {
				m.end = e
				return finishDuration(rs, m, val, u)
			}
			return durMatch{}, false
		}
		if hasStr(rs, q, "分半") || minutesAndSeconds(rs, q) {
			// 五分半[钟], 五分三十秒: 分 counts minutes here (五分 alone is five fen)
			m.end = q + 1
			if hasStr(rs, q, "分半") {
				val, _ = val.add(dec{m: 5, s: 1})
				m.end = q + 2
				if hasStr(rs, m.end, "钟") {
					m.end++
				}
			}
			return finishDuration(rs, m, val, durUnit{"分", UnitMinute, 0})
		}
	}
	u, e, ok := durUnitAt(rs, q)
	if !ok || e < len(rs) && badAfterUnit(u.w, rs[e]) {
		return durMatch{}, false
	}
	if val.m == 5 && val.s == 1 && (u.w == "期" || u.w == "年期") {
		return durMatch{}, false
	}
	m.end = e
	return finishDuration(rs, m, val, u)
}

// halfUnitAt reads the unit after 个半: any duration unit but instalments, or 钟 (hours) and
// 月 (months), which need no 个 there.
func halfUnitAt(rs []rune, q int) (durUnit, int, bool) {
	if u, e, ok := durUnitAt(rs, q); ok && u.w != "期" && u.w != "年期" {
		return u, e, true
	}
	switch {
	case hasStr(rs, q, "钟"):
		return durUnit{"钟", UnitHour, 0}, q + 1, true
	case hasStr(rs, q, "月"):
		return durUnit{"月", UnitMonth, 0}, q + 1, true
	}
	return durUnit{}, q, false
}

// minutesAndSeconds reports whether 分 at q is followed by a count of seconds (五分三十秒).
func minutesAndSeconds(rs []rune, q int) bool {
	if !hasStr(rs, q, "分") {
		return false
	}
	n, ok := scanNumber(rs, q+1, false)
	return ok && !n.neg && n.val.s == 0 && hasStr(rs, n.end, "秒")
}

// badAfterUnit reports words a unit word starts: 3周年 (an anniversary), 3年级 (a school
// year), 80年代 (a decade), 3期间.
func badAfterUnit(w string, next rune) bool {
	switch w {
	case "周", "年":
		return next == '年' || next == '级' || next == '代' || next == '纪' || next == '岁'
	case "期":
		return next == '间' || next == '号'
	}
	return false
}

// termCues are words before a count that make it a term (分30年还, 期限30年, 贷款30年): the
// duration then wins over a two-digit year (30年 is also 2030).
var termCues = []string{"分", "期限", "为期", "贷", "贷款", "借", "存", "还", "共", "一共", "定期"}

// afterTermCue reports whether a term cue ends at p, or an amount does (贷款20万30年, 借5万3年:
// a count right after an amount is its term).
func afterTermCue(rs []rune, p int) bool {
	if q := p - 1; q >= 0 {
		if rs[q] == ' ' && q > 0 {
			q--
		}
		if r := rs[q]; isDigitLike(r) || bigUnit(r) != 0 || isYuanUnit(r) {
			return true
		}
	}
	for _, w := range termCues {
		if endsWith(rs, p, w) {
			return true
		}
	}
	return false
}

// quartersAt reads N刻钟 (N quarters of an hour).
func quartersAt(rs []rune, q int) (durMatch, bool) {
	k, q2, ok := smallIntAt(rs, q, 3)
	if !ok || k < 1 || !hasStr(rs, q2, "刻钟") {
		return durMatch{}, false
	}
	return durMatch{start: q, end: q2 + 2, numStart: q, numEnd: q2, val: dec{m: int64(15 * k)}, unit: UnitMinute}, true
}

// finishDuration converts years to months, reads a trailing 半 (一年半, 两天半) or a smaller
// part (两年零三个月, 一小时三十分[钟], 五分三十秒) and rewrites a fraction in a smaller unit.
func finishDuration(rs []rune, m durMatch, val dec, u durUnit) (durMatch, bool) {
	unit := u.unit
	if u.months > 0 {
		v, ok := val.mulInt(u.months)
		if !ok {
			return durMatch{}, false
		}
		val = v
		if m.end < len(rs) && rs[m.end] == '半' && u.w == "年" {
			val, _ = val.add(dec{m: 6})
			m.end++
		}
	} else if m.end < len(rs) && rs[m.end] == '半' && val.s == 0 && u.w != "期" {
		// 两天半, 一小时半, 三个月半
		val, _ = val.add(dec{m: 5, s: 1})
		m.end++
	}
	// a smaller part: 两年零三个月, 一小时三十分钟, 一小时零十五分, 五分钟三十秒
	q := m.end
	if q < len(rs) && (rs[q] == '零' || rs[q] == '又') {
		q++
	}
	if n, ok := scanNumber(rs, q, false); ok && !n.neg && !n.seq && n.val.s == 0 && val.s == 0 {
		next, small := "", int64(0)
		switch unit {
		case UnitMonth:
			if u.months > 0 && hasStr(rs, n.end, "个月") {
				next, small = UnitMonth, 1
				q = n.end + 2
			}
		case UnitHour:
			if hasStr(rs, n.end, "分钟") {
				next, small, q = UnitMinute, 60, n.end+2
			} else if hasStr(rs, n.end, "分") && !(n.end+1 < len(rs) && (rs[n.end+1] == '钱' || isDigitLike(rs[n.end+1]))) {
				next, small, q = UnitMinute, 60, n.end+1
			} else if hasStr(rs, n.end, "秒钟") {
				next, small, q = UnitSecond, 3600, n.end+2
			} else if hasStr(rs, n.end, "秒") {
				next, small, q = UnitSecond, 3600, n.end+1
			}
		case UnitMinute:
			if hasStr(rs, n.end, "秒钟") {
				next, small, q = UnitSecond, 60, n.end+2
			} else if hasStr(rs, n.end, "秒") {
				next, small, q = UnitSecond, 60, n.end+1
			}
		}
		if next != "" {
			if whole, ok := val.mulInt(small); ok {
				if sum, ok := whole.add(n.val); ok {
					val, unit, m.end = sum, next, q
				}
			}
		}
	}
	for val.trim().s > 0 {
		sm, ok := smaller[unit]
		if !ok {
			break
		}
		v, ok := val.mulInt(sm.k)
		if !ok {
			break
		}
		val, unit = v.trim(), sm.unit
	}
	if val.m <= 0 {
		return durMatch{}, false
	}
	m.val, m.unit = val.trim(), unit
	return m, true
}
