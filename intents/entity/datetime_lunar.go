package entity

import (
	"strings"
	"unicode/utf8"
)

// lunarInfo is the standard compact table of the Chinese lunisolar calendar for the lunar
// years 1900-2100 (Hong Kong Observatory / Purple Mountain Observatory data, as published in
// many calendar libraries): bits 0-3 the leap month (0 none), bit 16 whether the leap month
// has 30 days, bits 15..4 whether months 1..12 have 30 days (bit 15 = month 1).
var lunarInfo = [...]uint32{
	0x04bd8, 0x04ae0, 0x0a570, 0x054d5, 0x0d260, 0x0d950, 0x16554, 0x056a0, 0x09ad0, 0x055d2,
	0x04ae0, 0x0a5b6, 0x0a4d0, 0x0d250, 0x1d255, 0x0b540, 0x0d6a0, 0x0ada2, 0x095b0, 0x14977,
	0x04970, 0x0a4b0, 0x0b4b5, 0x06a50, 0x06d40, 0x1ab54, 0x02b60, 0x09570, 0x052f2, 0x04970,
	0x06566, 0x0d4a0, 0x0ea50, 0x16a95, 0x05ad0, 0x02b60, 0x186e3, 0x092e0, 0x1c8d7, 0x0c950,
	0x0d4a0, 0x1d8a6, 0x0b550, 0x056a0, 0x1a5b4, 0x025d0, 0x092d0, 0x0d2b2, 0x0a950, 0x0b557,
	0x06ca0, 0x0b550, 0x15355, 0x04da0, 0x0a5b0, 0x14573, 0x052b0, 0x0a9a8, 0x0e950, 0x06aa0,
	0x0aea6, 0x0ab50, 0x04b60, 0x0aae4, 0x0a570, 0x05260, 0x0f263, 0x0d950, 0x05b57, 0x056a0,
	0x096d0, 0x04dd5, 0x04ad0, 0x0a4d0, 0x0d4d4, 0x0d250, 0x0d558, 0x0b540, 0x0b6a0, 0x195a6,
	0x095b0, 0x049b0, 0x0a974, 0x0a4b0, 0x0b27a, 0x06a50, 0x06d40, 0x0af46, 0x0ab60, 0x09570,
	0x04af5, 0x04970, 0x064b0, 0x074a3, 0x0ea50, 0x06b58, 0x05ac0, 0x0ab60, 0x096d5, 0x092e0,
	0x0c960, 0x0d954, 0x0d4a0, 0x0da50, 0x07552, 0x056a0, 0x0abb7, 0x025d0, 0x092d0, 0x0cab5,
	0x0a950, 0x0b4a0, 0x0baa4, 0x0ad50, 0x055d9, 0x04ba0, 0x0a5b0, 0x15176, 0x052b0, 0x0a930,
	0x07954, 0x06aa0, 0x0ad50, 0x05b52, 0x04b60, 0x0a6e6, 0x0a4e0, 0x0d260, 0x0ea65, 0x0d530,
	0x05aa0, 0x076a3, 0x096d0, 0x04afb, 0x04ad0, 0x0a4d0, 0x1d0b6, 0x0d250, 0x0d520, 0x0dd45,
	0x0b5a0, 0x056d0, 0x055b2, 0x049b0, 0x0a577, 0x0a4b0, 0x0aa50, 0x1b255, 0x06d20, 0x0ada0,
	0x14b63, 0x09370, 0x049f8, 0x04970, 0x064b0, 0x168a6, 0x0ea50, 0x06aa0, 0x1a6c4, 0x0aae0,
	0x092e0, 0x0d2e3, 0x0c960, 0x0d557, 0x0d4a0, 0x0da50, 0x05d55, 0x056a0, 0x0a6d0, 0x055d4,
	0x052d0, 0x0a9b8, 0x0a950, 0x0b4a0, 0x0b6a6, 0x0ad50, 0x055a0, 0x0aba4, 0x0a5b0, 0x052b0,
	0x0b273, 0x06930, 0x07337, 0x06aa0, 0x0ad50, 0x14b55, 0x04b60, 0x0a570, 0x054e4, 0x0d160,
	0x0e968, 0x0d520, 0x0daa0, 0x16aa6, 0x056d0, 0x04ae0, 0x0a9d4, 0x0a4d0, 0x0d150, 0x0f252,
	0x0d520,
}

const lunarFirstYear, lunarLastYear = 1900, 2100

// lunarNewYear holds the Gregorian date of each lunar year's first day, as days after
// 1900-01-31 (lunar 1900-01-01).
var lunarNewYear = func() [len(lunarInfo) + 1]int {
	var out [len(lunarInfo) + 1]int
	for i := range lunarInfo {
		out[i+1] = out[i] + lunarYearDays(lunarFirstYear+i)
	}
	return out
}()

// lunarLeapMonth is the leap month of lunar year y (0 for none).
func lunarLeapMonth(y int) int { return int(lunarInfo[y-lunarFirstYear] & 0xf) }

// lunarMonthDays is the length of month m of lunar year y (its leap month when leap).
func lunarMonthDays(y, m int, leap bool) int {
	info := lunarInfo[y-lunarFirstYear]
	if leap {
		if info&0x10000 != 0 {
			return 30
		}
		return 29
	}
	if info&(0x10000>>uint(m)) != 0 {
		return 30
	}
	return 29
}

func lunarYearDays(y int) int {
	n := 0
	for m := 1; m <= 12; m++ {
		n += lunarMonthDays(y, m, false)
	}
	if lunarLeapMonth(y) != 0 {
		n += lunarMonthDays(y, 0, true)
	}
	return n
}

// lunarToSolar converts lunar year y, month m (leap for the leap month), day d to a
// Gregorian day. d may be 30 only in a long month; -1 means the month's last day.
func lunarToSolar(y, m, d int, leap bool) (day, bool) {
	if y < lunarFirstYear || y > lunarLastYear || m < 1 || m > 12 || (leap && lunarLeapMonth(y) != m) {
		return day{}, false
	}
	n := lunarMonthDays(y, m, leap)
	if d == -1 {
		d = n
	}
	if d < 1 || d > n {
		return day{}, false
	}
	off := lunarNewYear[y-lunarFirstYear]
	lm := lunarLeapMonth(y)
	for k := 1; k < m; k++ {
		off += lunarMonthDays(y, k, false)
		if k == lm {
			off += lunarMonthDays(y, k, true)
		}
	}
	if leap {
		off += lunarMonthDays(y, m, false)
	}
	return day{1900, 1, 31}.addDays(off + d - 1), true
}

// lunarMonthPeriod is the Gregorian range of lunar month m of year y.
func lunarMonthPeriod(y, m int, leap bool) (day, day, bool) {
	from, ok := lunarToSolar(y, m, 1, leap)
	if !ok {
		return day{}, day{}, false
	}
	to, _ := lunarToSolar(y, m, -1, leap)
	return from, to, true
}

// lunarMonthNames are the month names only the lunar calendar uses.
var lunarMonthNames = []struct {
	w string
	m int
}{{"正月", 1}, {"冬月", 11}, {"腊月", 12}, {"臘月", 12}}

// lunarMonthAt reads a lunar month: [闰]M月 or 正月/冬月/腊月. named reports a name only the
// lunar calendar uses (闰, 正月, 冬月, 腊月).
func lunarMonthAt(rs []rune, p int) (m int, leap, named bool, q int, ok bool) {
	q = p
	if q < len(rs) && (rs[q] == '闰' || rs[q] == '閏') {
		leap, named, q = true, true, q+1
	}
	for _, n := range lunarMonthNames {
		if hasStr(rs, q, n.w) {
			return n.m, leap, true, q + 2, true
		}
	}
	m, q2, ok := smallIntAt(rs, q, 12)
	if !ok || m < 1 || q2 >= len(rs) || rs[q2] != '月' {
		return 0, false, false, p, false
	}
	return m, leap, named, q2 + 1, true
}

// lunarDayAt reads a lunar day: 初一..初十, 十一..二十, 廿一..廿九, 三十/卅, or with
// allowPlain any 1-30 with an optional 日/号. named reports a form only lunar dates use
// (初X, 廿X, 卅).
func lunarDayAt(rs []rune, p int, allowPlain bool) (d int, named bool, q int, ok bool) {
	if p >= len(rs) {
		return 0, false, p, false
	}
	if rs[p] == '初' {
		d, q, ok := smallIntAt(rs, p+1, 10)
		if !ok || d < 1 {
			return 0, false, p, false
		}
		return d, true, q, true
	}
	if rs[p] == '廿' || rs[p] == '卅' {
		d, q, ok := smallIntAt(rs, p, 30)
		return d, ok, q, ok && d >= 1
	}
	if !allowPlain {
		return 0, false, p, false
	}
	d, q, ok = smallIntAt(rs, p, 30)
	if !ok || d < 1 {
		return 0, false, p, false
	}
	if q < len(rs) && (rs[q] == '日' || rs[q] == '号') {
		q++
	} else if q < len(rs) && isDateFollower(rs[q]) {
		return 0, false, p, false
	}
	return d, false, q, true
}

// lunarDateAt reads a lunar date or month at p: [农历|阴历][闰]M月[D], 正月十五, 腊月初八,
// 五月廿二, 闰四月. Without the 农历/阴历 prefix a lunar-only name (正月, 腊月, 闰, 初X, 廿X) must
// appear, so 三月十五 stays Gregorian. y is the lunar year (the year said, or the current
// Gregorian year, as M月D日 uses the current year).
func lunarDateAt(rs []rune, p, y int, marked bool) (dateMatch, bool) {
	q := p
	for _, w := range []string{"农历", "阴历", "農曆", "陰曆"} {
		if hasStr(rs, q, w) {
			marked, q = true, q+2
			break
		}
	}
	m, leap, named, q, ok := lunarMonthAt(rs, q)
	if !ok {
		return dateMatch{}, false
	}
	if d, dnamed, q2, ok := lunarDayAt(rs, q, marked || named); ok && (marked || named || dnamed) {
		if dd, ok := lunarToSolar(y, m, d, leap); ok {
			return dateMatch{start: p, end: q2, kind: kindDay, from: dd, to: dd}, true
		}
		return dateMatch{}, false
	}
	if !marked && !named {
		return dateMatch{}, false
	}
	from, to, ok := lunarMonthPeriod(y, m, leap)
	if !ok {
		return dateMatch{}, false
	}
	return dateMatch{start: p, end: q, kind: kindPeriod, from: from, to: to}, true
}

// lunarStarts holds the runes a lunar date, lunar festival or solar term may start with.
var lunarStarts = func() map[rune]bool {
	m := map[rune]bool{}
	for _, r := range "农阴農陰正冬腊臘闰閏" {
		m[r] = true
	}
	for r := range lunarFestivalFirst {
		m[r] = true
	}
	for _, t := range solarTerms {
		m[[]rune(t.name)[0]] = true
	}
	return m
}()

// init lets the scanner start dates at the runes of lunar dates, festivals and solar terms,
// of 差五分三点 and of 之后5分钟 / 以前3小时.
func init() {
	for r := range lunarStarts {
		dateStarts.Add(r)
	}
	for _, r := range "差之以" {
		dateStarts.Add(r)
	}
}

// lunarAt reads, in the current year, a lunar date (农历八月十五, 腊月初八, 阴历2021年六月), a
// lunar festival (next occurrence) or a solar term.
func lunarAt(rs []rune, p int, now day) (dateMatch, bool) {
	if p >= len(rs) || !(lunarStarts[rs[p]] || isDigitLike(rs[p]) || smallUnit(rs[p]) == 10) {
		return dateMatch{}, false
	}
	if hasStr(rs, p, "农历") || hasStr(rs, p, "阴历") || hasStr(rs, p, "農曆") || hasStr(rs, p, "陰曆") {
		if y, q, ok := yearAt(rs, p+2, now); ok && q < len(rs) && rs[q] == '年' {
			if m, ok := lunarDateAt(rs, q+1, y, true); ok {
				m.start = p
				return m, true
			}
			return dateMatch{}, false
		}
		if m, ok := lunarFestivalAt(rs, p+2, now, 0); ok {
			m.start = p
			return m, true
		}
	}
	if m, ok := lunarFestivalAt(rs, p, now, 0); ok {
		return m, true
	}
	if m, ok := solarTermAt(rs, p, now, 0); ok {
		return m, true
	}
	return lunarDateAt(rs, p, now.y, false)
}

// lunarInYear reads, after a year (2012年, 去年), a lunar date, festival or solar term of it.
func lunarInYear(rs []rune, p, y int) (dateMatch, bool) {
	if p >= len(rs) || !(lunarStarts[rs[p]] || isDigitLike(rs[p]) || smallUnit(rs[p]) == 10) {
		return dateMatch{}, false
	}
	if m, ok := lunarDateAt(rs, p, y, false); ok {
		return m, true
	}
	if m, ok := lunarFestivalAt(rs, p, day{}, y); ok {
		return m, true
	}
	return solarTermAt(rs, p, day{}, y)
}

// lunarFestivals are the festivals of the lunar calendar: month, day (-1 the last day of the
// 12th month, 除夕). 大年初N is read by lunarFestivalAt itself.
var lunarFestivals = []struct {
	names string
	m, d  int
}{
	{"春节 春節 大年初一 新春", 1, 1}, {"元宵节 元宵節 元宵 上元节", 1, 15}, {"龙抬头 龍抬頭", 2, 2},
	{"端午节 端午節 端午 端阳节", 5, 5}, {"七夕节 七夕節 七夕", 7, 7}, {"中元节 中元節", 7, 15},
	{"中秋节 中秋節 中秋", 8, 15}, {"重阳节 重陽節 重阳 重陽", 9, 9}, {"腊八节 臘八節 腊八 臘八", 12, 8},
	{"除夕 大年三十 大年夜 年三十", 12, -1}, {"小年", 12, 23},
}

// lunarFestivalNames holds each lunar festival's names as runes; lunarFestivalFirst their
// first runes.
var lunarFestivalNames, lunarFestivalFirst = nameTable(len(lunarFestivals), func(i int) string { return lunarFestivals[i].names })

// lunarFestivalAt reads a lunar festival (春节, 除夕, 中秋, 大年初十...). With year 0 it is the
// next occurrence from now (today included); otherwise the one of that lunar year.
func lunarFestivalAt(rs []rune, p int, now day, year int) (dateMatch, bool) {
	if p >= len(rs) || !lunarFestivalFirst[rs[p]] {
		return dateMatch{}, false
	}
	m, d, end := 0, 0, 0
	if hasStr(rs, p, "大年初") {
		n, q, ok := smallIntAt(rs, p+3, 10)
		if ok && n >= 1 {
			m, d, end = 1, n, q
			if year == 0 {
				// 大年初十 is 正月初十, a lunar month-day: of the current year, as M月D日.
				year = now.y
			}
		}
	}
	for i := 0; m == 0 && i < len(lunarFestivals); i++ {
		for _, w := range lunarFestivalNames[i] {
			if hasAt(rs, p, w) && len(w) > end-p {
				m, d, end = lunarFestivals[i].m, lunarFestivals[i].d, p+len(w)
			}
		}
	}
	if m == 0 {
		return dateMatch{}, false
	}
	if end < len(rs) && rs[end] == '节' && !(end > 0 && rs[end-1] == '节') {
		end++
	}
	at := func(y int) (day, bool) { return lunarToSolar(y, m, d, false) }
	var dd day
	if year != 0 {
		x, ok := at(year)
		if !ok {
			return dateMatch{}, false
		}
		dd = x
	} else {
		// the lunar year that contains now starts in the Gregorian year now.y or the one before.
		found := false
		for y := now.y - 1; y <= now.y+1; y++ {
			if x, ok := at(y); ok && !x.time().Before(now.time()) {
				dd, found = x, true
				break
			}
		}
		if !found {
			return dateMatch{}, false
		}
	}
	return dateMatch{start: p, end: end, kind: kindDay, from: dd, to: dd}, true
}

// solarTerms are the 24 solar terms from 小寒 (early January) in calendar order with the C
// constants of the [Y*D+C]-L formula for the 20th and 21st centuries.
var solarTerms = []struct {
	name   string
	c20    float64
	c21    float64
	m      int
	leapJF bool // January/February terms use (Y-1)/4 for L
}{
	{"小寒", 6.11, 5.4055, 1, true}, {"大寒", 20.84, 20.12, 1, true}, {"立春", 4.6295, 3.87, 2, true},
	{"雨水", 19.4599, 18.73, 2, true}, {"惊蛰", 6.3826, 5.63, 3, false}, {"春分", 21.4155, 20.646, 3, false},
	{"清明", 5.59, 4.81, 4, false}, {"谷雨", 20.888, 20.1, 4, false}, {"立夏", 6.318, 5.52, 5, false},
	{"小满", 21.86, 21.04, 5, false}, {"芒种", 6.5, 5.678, 6, false}, {"夏至", 22.2, 21.37, 6, false},
	{"小暑", 7.928, 7.108, 7, false}, {"大暑", 23.65, 22.83, 7, false}, {"立秋", 8.35, 7.5, 8, false},
	{"处暑", 23.95, 23.13, 8, false}, {"白露", 8.44, 7.646, 9, false}, {"秋分", 23.822, 23.042, 9, false},
	{"寒露", 9.098, 8.318, 10, false}, {"霜降", 24.218, 23.438, 10, false}, {"立冬", 8.218, 7.438, 11, false},
	{"小雪", 23.08, 22.36, 11, false}, {"大雪", 7.9, 7.18, 12, false}, {"冬至", 22.6, 21.94, 12, false},
}

// solarTermDay is the day of term i in Gregorian year y (1901-2099), by the usual formula
// (exact to the day for almost every year of the range).
func solarTermDay(y, i int) (day, bool) {
	if y < 1901 || y > 2099 {
		return day{}, false
	}
	t := solarTerms[i]
	c, yy := t.c21, y-2000
	if y < 2000 {
		c, yy = t.c20, y-1900
	}
	l := yy / 4
	if t.leapJF {
		l = (yy - 1) / 4
		if yy == 0 {
			l = 0
		}
	}
	d := int(float64(yy)*0.2422+c) - l
	dd := day{y, t.m, d}
	return dd, dd.valid()
}

// solarTermAt reads a solar term name. With year 0 it is the next one from now (today
// included); otherwise that year's, where 小寒 and 大寒 close the year (the January after).
func solarTermAt(rs []rune, p int, now day, year int) (dateMatch, bool) {
	if p+1 >= len(rs) || !strings.ContainsRune("小大立雨惊春清谷芒夏处白秋寒霜冬", rs[p]) {
		return dateMatch{}, false
	}
	for i, t := range solarTerms {
		if !hasStr(rs, p, t.name) {
			continue
		}
		y := year
		if year != 0 && t.m == 1 {
			y++
		}
		if year == 0 {
			y = now.y
			if d, ok := solarTermDay(y, i); ok && d.time().Before(now.time()) {
				y++
			}
		}
		dd, ok := solarTermDay(y, i)
		if !ok {
			return dateMatch{}, false
		}
		end := p + utf8.RuneCountInString(t.name)
		if end < len(rs) && rs[end] == '节' {
			end++
		}
		return dateMatch{start: p, end: end, kind: kindDay, from: dd, to: dd}, true
	}
	return dateMatch{}, false
}
