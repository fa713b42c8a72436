package entity

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// shanghai is the zone of every date the extractor resolves. Go embeds no zone data by
// default; when the system has none, a fixed UTC+8 zone (China has no daylight saving) is used.
var shanghai = func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*3600)
}()

// day is a civil date.
type day struct{ y, m, d int }

func dayOf(t time.Time) day { return day{t.Year(), int(t.Month()), t.Day()} }

func (d day) time() time.Time { return time.Date(d.y, time.Month(d.m), d.d, 0, 0, 0, 0, shanghai) }

func (d day) addDays(n int) day { return dayOf(d.time().AddDate(0, 0, n)) }

func (d day) String() string {
	b := make([]byte, 0, 10)
	b = appendPadded(b, d.y, 4)
	b = append(b, '-')
	b = appendPadded(b, d.m, 2)
	b = append(b, '-')
	b = appendPadded(b, d.d, 2)
	return string(b)
}

// appendPadded appends v in decimal, zero-padded to width digits.
func appendPadded(b []byte, v, width int) []byte {
	s := strconv.Itoa(v)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

func (d day) valid() bool {
	if d.m < 1 || d.m > 12 || d.d < 1 || d.y < 1 || d.y > 9999 {
		return false
	}
	return d.d <= daysIn(d.y, d.m)
}

func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// weekday index with Monday = 0.
func (d day) weekday() int { return (int(d.time().Weekday()) + 6) % 7 }

// dateKind says what a date expression denotes.
type dateKind int

const (
	kindDay    dateKind = iota + 1 // one day
	kindPeriod                     // a range of days
)

// dateMatch is a date or period found at [start, end).
type dateMatch struct {
	start, end int
	kind       dateKind
	from, to   day // to == from for kindDay
}

// clock is a time of day.
type clock struct {
	h, m, s int
	part    string // day part word that fixed am/pm ("" when none)
	ampm    bool   // am/pm given explicitly by a day part or a 24-hour value
}

// timeMatch is a time of day found at [start, end).
type timeMatch struct {
	start, end int
	c          clock
}

// smallIntAt reads a non-negative integer (Arabic or Chinese, at most maxv) at p.
func smallIntAt(rs []rune, p int, maxv int64) (int, int, bool) {
	if p >= len(rs) {
		return 0, p, false
	}
	if isASCIIDigit(rs[p]) {
		q := p
		v := 0
		for q < len(rs) && isASCIIDigit(rs[q]) && q-p < 4 {
			v = v*10 + int(rs[q]-'0')
			q++
		}
		if q < len(rs) && isASCIIDigit(rs[q]) {
			return 0, p, false
		}
		if int64(v) > maxv {
			return 0, p, false
		}
		return v, q, true
	}
	if chineseDigit(rs[p]) < 0 && smallUnit(rs[p]) != 10 && rs[p] != '廿' && rs[p] != '卅' {
		return 0, p, false
	}
	k := p
	for k < len(rs) && (chineseDigit(rs[k]) >= 0 || smallUnit(rs[k]) != 0 || rs[k] == '廿' || rs[k] == '卅') {
		k++
	}
	n, ok := scanNumber(rs[:k], p, false)
	if !ok || n.frac || n.seq || n.val.s != 0 || n.val.m < 0 || n.val.m > maxv || n.arabic {
		return 0, p, false
	}
	return int(n.val.m), n.end, true
}

// yearAt reads a year: 2026, 二零二六, 二〇〇六 (4 digits) or 26, 零七, 九零 (2 digits,
// resolved near now) followed by 年 (the caller checks the 年).
func yearAt(rs []rune, p int, now day) (int, int, bool) {
	q := p
	var b strings.Builder
	for q < len(rs) && q-p < 5 {
		r := rs[q]
		switch {
		case isASCIIDigit(r):
			b.WriteRune(r)
		case chineseDigit(r) >= 0 && r != '两':
			b.WriteByte(byte('0' + chineseDigit(r)))
		default:
			goto done
		}
		q++
	}
done:
	s := b.String()
	switch len(s) {
	case 4:
		y, _ := strconv.Atoi(s)
		return y, q, true
	case 2:
		y, _ := strconv.Atoi(s)
		if 2000+y <= now.y+10 {
			return 2000 + y, q, true
		}
		return 1900 + y, q, true
	}
	return 0, p, false
}

// relative day words, longest first.
var relDays = []struct {
	w string
	n int
}{
	{"大大后天", 4}, {"大后天", 3}, {"大后日", 3}, {"大前天", -3}, {"大前日", -3},
	{"后天", 2}, {"后日", 2}, {"明天", 1}, {"明日", 1}, {"明儿", 1}, {"翌日", 1}, {"次日", 1},
	{"今天", 0}, {"今日", 0}, {"今儿", 0}, {"本日", 0}, {"当天", 0}, {"当日", 0},
	{"昨天", -1}, {"昨日", -1}, {"昨儿", -1}, {"前天", -2}, {"前日", -2},
	{"寻日", -1}, {"琴日", -1}, {"听日", 1},
}

// relDayFirst holds the first runes of relDays.
const relDayFirst = "大后明翌次今本当昨前寻琴听"

// day-part prefixes that imply a day: 今晚 = 今天晚上.
var relDayParts = []struct {
	w    string
	n    int
	part string
}{
	{"今晚", 0, "晚上"}, {"今早", 0, "早上"}, {"明晚", 1, "晚上"}, {"明早", 1, "早上"}, {"昨晚", -1, "晚上"}, {"昨早", -1, "早上"}, {"当晚", 0, "晚上"}, {"今夜", 0, "晚上"},
}

var weekdayRunes = map[rune]int{'一': 0, '二': 1, '三': 2, '四': 3, '五': 4, '六': 5, '日': 6, '天': 6, '末': 7, '1': 0, '2': 1, '3': 2, '4': 3, '5': 4, '6': 5, '7': 6}

// weekAt reads [上上|上|这|本|今|下|下下][个][周|星期|礼拜][X]. It returns the week offset
// (0 this week, -1 last, +1 next), whether a qualifier was given, the weekday (0..6, 7 for
// 周末, -1 for the whole week) and the end.
func weekAt(rs []rune, p int) (off int, qualified bool, wd int, end int, ok bool) {
	q := p
	s := string(rs[p:min(len(rs), p+3)])
	switch {
	case strings.HasPrefix(s, "上上"):
		off, qualified, q = -2, true, q+2
	case strings.HasPrefix(s, "下下"):
		off, qualified, q = 2, true, q+2
	case strings.HasPrefix(s, "上"):
		off, qualified, q = -1, true, q+1
	case strings.HasPrefix(s, "下"):
		off, qualified, q = 1, true, q+1
	case strings.HasPrefix(s, "这"), strings.HasPrefix(s, "本"), strings.HasPrefix(s, "今"):
		off, qualified, q = 0, true, q+1
	}
	if qualified && q < len(rs) && (rs[q] == '个' || rs[q] == '一') {
		q++
	}
	switch {
	case hasStr(rs, q, "星期"), hasStr(rs, q, "礼拜"):
		q += 2
	case hasStr(rs, q, "周"):
		q++
	default:
		return 0, false, 0, p, false
	}
	// 下周周六
	if q < len(rs) && rs[q] == '周' && q+1 < len(rs) {
		if _, ok := weekdayRunes[rs[q+1]]; ok {
			q++
		}
	}
	if q < len(rs) {
		if w, ok := weekdayRunes[rs[q]]; ok {
			// 周一十 is not a weekday; 周3 must not run into more digits
			if q+1 < len(rs) && (isASCIIDigit(rs[q]) && isASCIIDigit(rs[q+1])) {
				return 0, false, 0, p, false
			}
			if rs[q] == '天' || rs[q] == '日' || rs[q] == '末' || q+1 >= len(rs) || (chineseDigit(rs[q+1]) < 0 && smallUnit(rs[q+1]) == 0) {
				return off, qualified, w, q + 1, true
			}
		}
	}
	if !qualified {
		return 0, false, 0, p, false
	}
	return off, qualified, -1, q, true
}

// monthOffsetAt reads 上个月 / 上月 / 下个月 / 这个月 / 本月 / 当月 / 同月 and returns the offset.
func monthOffsetAt(rs []rune, p int) (int, int, bool) {
	for _, w := range []struct {
		w string
		n int
	}{{"上上个月", -2}, {"上一个月", -1}, {"上个月", -1}, {"上月", -1}, {"下一个月", 1}, {"下个月", 1}, {"下月", 1}, {"这个月", 0}, {"这一个月", 0}, {"本月", 0}, {"当月", 0}, {"同月", 0}, {"该月", 0}} {
		if hasStr(rs, p, w.w) {
			return w.n, p + utf8.RuneCountInString(w.w), true
		}
	}
	return 0, p, false
}

// yearOffsetAt reads 今年 / 去年 / 明年 / 前年 / 后年 / 大前年 / 本年 / 当年.
func yearOffsetAt(rs []rune, p int) (int, int, bool) {
	for _, w := range []struct {
		w string
		n int
	}{{"大前年", -3}, {"大后年", 3}, {"今年", 0}, {"本年", 0}, {"当年", 0}, {"同年", 0}, {"去年", -1}, {"上一年", -1}, {"明年", 1}, {"下一年", 1}, {"前年", -2}, {"后年", 2}} {
		if hasStr(rs, p, w.w) {
			return w.n, p + utf8.RuneCountInString(w.w), true
		}
	}
	return 0, p, false
}

func monthPeriod(y, m int) (day, day) {
	return day{y, m, 1}, day{y, m, daysIn(y, m)}
}

func addMonths(y, m, n int) (int, int) {
	t := time.Date(y, time.Month(m)+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	return t.Year(), int(t.Month())
}

// dayNumAt reads D followed by 日/号 (or bare when allowBare), D in 1..31.
func dayNumAt(rs []rune, p int, allowBare bool) (int, int, bool) {
	d, q, ok := smallIntAt(rs, p, 31)
	if !ok || d < 1 {
		return 0, p, false
	}
	if q < len(rs) && (rs[q] == '日' || rs[q] == '号') {
		return d, q + 1, true
	}
	if allowBare && (q >= len(rs) || !isDateFollower(rs[q])) {
		return d, q, true
	}
	return 0, p, false
}

// isDateFollower reports runes that forbid a bare day number: more digits or a unit.
func isDateFollower(r rune) bool {
	return isASCIIDigit(r) || chineseDigit(r) >= 0 || smallUnit(r) != 0 || bigUnit(r) != 0 || isYuanUnit(r) || r == '个' || r == '.' || r == '%' || r == '岁' || r == '天' || r == '点' || r == ':' || r == '次' || r == '笔'
}

// monthDayAt reads M月[D日|号|D] or M月份 with the year given.
func monthDayAt(rs []rune, p int, y int) (dateMatch, bool) {
	m, q, ok := smallIntAt(rs, p, 12)
	if !ok || m < 1 || q >= len(rs) || rs[q] != '月' {
		return dateMatch{}, false
	}
	q++
	if q < len(rs) && rs[q] == '份' {
		from, to := monthPeriod(y, m)
		return dateMatch{start: p, end: q + 1, kind: kindPeriod, from: from, to: to}, true
	}
	return inMonth(rs, p, q, y, m, true), true
}

// inMonth reads what follows a month (M月, 上个月) at q: a day (D日/号, bare D when
// allowBare), 底/末 (its last day), 初 (its first five days), or nothing (the whole month).
func inMonth(rs []rune, start, q, y, m int, allowBare bool) dateMatch {
	if d, q2, ok := dayNumAt(rs, q, allowBare); ok {
		dd := day{y, m, d}
		if dd.valid() {
			return dateMatch{start: start, end: q2, kind: kindDay, from: dd, to: dd}
		}
	}
	if hasStr(rs, q, "底") || hasStr(rs, q, "末") {
		dd := day{y, m, daysIn(y, m)}
		return dateMatch{start: start, end: q + 1, kind: kindDay, from: dd, to: dd}
	}
	if hasStr(rs, q, "初") {
		return dateMatch{start: start, end: q + 1, kind: kindPeriod, from: day{y, m, 1}, to: day{y, m, 5}}
	}
	if m, ok := tenDaysAt(rs, start, q, y, m); ok {
		return m
	}
	// 前N天 / 最后N天: the first or last days of the month
	for _, w := range []struct {
		w     string
		first bool
	}{{"前", true}, {"最后", false}, {"后", false}} {
		if !hasStr(rs, q, w.w) {
			continue
		}
		k := q + utf8.RuneCountInString(w.w)
		if n, k2, ok := smallIntAt(rs, k, 31); ok && n >= 1 && n <= daysIn(y, m) && (hasStr(rs, k2, "天") || hasStr(rs, k2, "日")) {
			last := daysIn(y, m)
			if w.first {
				return dateMatch{start: start, end: k2 + 1, kind: kindPeriod, from: day{y, m, 1}, to: day{y, m, n}}
			}
			return dateMatch{start: start, end: k2 + 1, kind: kindPeriod, from: day{y, m, last - n + 1}, to: day{y, m, last}}
		}
	}
	from, to := monthPeriod(y, m)
	return dateMatch{start: start, end: q, kind: kindPeriod, from: from, to: to}
}

// numericDateAt reads 2026-12-01, 2026/12/1, 2026.12.01, 20261201, 2022 11 23, 12/1/2026,
// 3/3/15, 2/15, 09-01 and 11.30.
func numericDateAt(rs []rune, p int, now day) (dateMatch, bool) {
	if p >= len(rs) || !isASCIIDigit(rs[p]) || (p > 0 && (isASCIIDigit(rs[p-1]) || rs[p-1] == '.' || rs[p-1] == '-' || rs[p-1] == '/')) {
		return dateMatch{}, false
	}
	var groups []int
	var lens []int
	var seps []rune
	q := p
	for {
		s := q
		v := 0
		maxLen := 8
		if len(groups) == 2 && lens[0] == 4 && q+4 < len(rs) && isASCIIDigit(rs[q+2]) && isASCIIDigit(rs[q+3]) && rs[q+4] == ':' {
			maxLen = 2 // 2018-12-1209:03: a day glued to a time
		}
		for q < len(rs) && isASCIIDigit(rs[q]) && q-s < maxLen {
			v = v*10 + int(rs[q]-'0')
			q++
		}
		if q == s {
			break
		}
		groups = append(groups, v)
		lens = append(lens, q-s)
		if len(groups) == 3 || q+1 >= len(rs) {
			break
		}
		sep := rs[q]
		mixed := len(seps) == 1 && lens[0] == 4 && seps[0] == '.' && sep == '-' // 1994.01-19
		if (sep == '-' || sep == '/' || sep == '.' || sep == ' ' || sep == '·') && isASCIIDigit(rs[q+1]) && (len(seps) == 0 || seps[0] == sep || mixed) {
			seps = append(seps, sep)
			q++
			continue
		}
		break
	}
	if q < len(rs) && (isASCIIDigit(rs[q]) || rs[q] == '%' || isYuanUnit(rs[q]) || rs[q] == 'k' || rs[q] == 'w' || bigUnit(rs[q]) != 0 || smallUnit(rs[q]) != 0) {
		// 2018-12-1209:03 glues a time on: allow when the third group is exactly a day.
		if !(len(groups) == 3 && lens[2] == 2) {
			return dateMatch{}, false
		}
	}
	mk := func(y, m, d, end int) (dateMatch, bool) {
		dd := day{y, m, d}
		if !dd.valid() {
			return dateMatch{}, false
		}
		if q < len(rs) && (rs[q] == '日' || rs[q] == '号') {
			end++
		}
		return dateMatch{start: p, end: end, kind: kindDay, from: dd, to: dd}, true
	}
	switch len(groups) {
	case 1:
		if lens[0] == 8 && (groups[0]/10000000 == 1 || groups[0]/10000000 == 2) {
			return mk(groups[0]/10000, groups[0]/100%100, groups[0]%100, q)
		}
	case 2:
		if seps[0] == ' ' {
			return dateMatch{}, false
		}
		if lens[0] == 4 && seps[0] != '.' {
			// 2026-12: a month
			if groups[1] >= 1 && groups[1] <= 12 && lens[1] <= 2 {
				from, to := monthPeriod(groups[0], groups[1])
				return dateMatch{start: p, end: q, kind: kindPeriod, from: from, to: to}, true
			}
			return dateMatch{}, false
		}
		if lens[0] > 2 || lens[1] > 2 {
			return dateMatch{}, false
		}
		switch seps[0] {
		case '/', '·':
			return mk(now.y, groups[0], groups[1], q)
		case '-', '.':
			if lens[1] != 2 || (seps[0] == '-' && lens[0] != 2) {
				return dateMatch{}, false
			}
			return mk(now.y, groups[0], groups[1], q)
		}
	case 3:
		if lens[0] == 4 {
			return mk(groups[0], groups[1], groups[2], q)
		}
		if seps[0] == '/' && lens[0] <= 2 && lens[1] <= 2 {
			y := groups[2]
			if lens[2] == 2 {
				y += 1900
				if y+100 <= now.y+10 {
					y += 100
				}
			} else if lens[2] != 4 {
				return dateMatch{}, false
			}
			return mk(y, groups[0], groups[1], q)
		}
	}
	return dateMatch{}, false
}

// dateAt reads a date or a period at p.
func dateAt(rs []rune, p int, env *dateEnv) (dateMatch, bool) {
	now := env.today
	if m, ok := numericDateAt(rs, p, now); ok {
		return m, true
	}
	if p >= len(rs) {
		return dateMatch{}, false
	}
	if isLowerASCII(rs[p]) {
		return englishDateAt(rs, p, env)
	}
	if isASCIIDigit(rs[p]) {
		if m, ok := englishDateAt(rs, p, env); ok {
			return m, true // 3 days ago, 5th of may
		}
	}
	// relative days
	r0 := rs[p]
	for _, w := range relDays {
		if !strings.ContainsRune(relDayFirst, r0) {
			break
		}
		if hasStr(rs, p, w.w) {
			d := now.addDays(w.n)
			return dateMatch{start: p, end: p + utf8.RuneCountInString(w.w), kind: kindDay, from: d, to: d}, true
		}
	}
	if m, ok := lunarAt(rs, p, now); ok {
		return m, true
	}
	// 第N天: the Nth day counting today as the first
	if r0 == '第' {
		if n, q, ok := smallIntAt(rs, p+1, 1000); ok && n >= 1 && (hasStr(rs, q, "天") || hasStr(rs, q, "日")) {
			d := now.addDays(n - 1)
			return dateMatch{start: p, end: q + 1, kind: kindDay, from: d, to: d}, true
		}
		return dateMatch{}, false
	}
	// year: 2026年[M月[D日]], 今年[M月..], 去年
	if y, q, ok := yearAt(rs, p, now); ok && q < len(rs) && rs[q] == '年' {
		return afterYear(rs, p, q+1, y)
	}
	if !strings.ContainsRune("大今本当同去上明下前后", r0) {
		// fall through to the checks below without the relative-word tables
	} else if off, q, ok := yearOffsetAt(rs, p); ok {
		return afterYear(rs, p, q, now.y+off)
	}
	// months: 上个月[D号|底|初], 本月
	if !strings.ContainsRune("上下这本当同该", r0) {
	} else if off, q, ok := monthOffsetAt(rs, p); ok {
		y, m := addMonths(now.y, now.m, off)
		return inMonth(rs, p, q, y, m, false), true
	}
	isNum := isDigitLike(r0) || smallUnit(r0) == 10 || r0 == '廿' || r0 == '卅'
	if r0 != '月' {
	} else if hasStr(rs, p, "月底") || hasStr(rs, p, "月末") {
		dd := day{now.y, now.m, daysIn(now.y, now.m)}
		return dateMatch{start: p, end: p + 2, kind: kindDay, from: dd, to: dd}, true
	}
	if hasStr(rs, p, "月初") {
		return dateMatch{start: p, end: p + 2, kind: kindPeriod, from: day{now.y, now.m, 1}, to: day{now.y, now.m, 5}}, true
	}
	if r0 == '月' {
		if m, ok := tenDaysAt(rs, p, p+1, now.y, now.m); ok {
			return m, true
		}
	}
	// weeks
	if !strings.ContainsRune("上下这本今周星礼", r0) {
	} else if off, qualified, wd, q, ok := weekAt(rs, p); ok {
		return weekMatch(env, p, q, off, qualified, wd), true
	}
	if isNum {
		// M月第N个星期X
		if m, ok := nthWeekdayAt(rs, p, now.y); ok {
			return m, true
		}
		// M月D日 in the current year
		if m, ok := monthDayAt(rs, p, now.y); ok {
			return m, true
		}
	}
	if isNum || strings.ContainsRune("最近过前上后下未接", r0) {
		if m, ok := relativePeriodAt(rs, p, now); ok {
			return m, true
		}
	}
	if m, ok := festivalAt(rs, p, now, 0); ok {
		return m, true
	}
	// D号 / D日 of the current month
	if !isNum {
	} else if d, q, ok := dayNumAt(rs, p, false); ok && (p == 0 || !isDateFollower(rs[p-1])) {
		dd := day{now.y, now.m, d}
		if dd.valid() && !(q < len(rs) && (rs[q] == '元' || rs[q] == '线')) {
			return dateMatch{start: p, end: q, kind: kindDay, from: dd, to: dd}, true
		}
	}
	return relativePeriodAt(rs, p, now)
}

// weekMatch resolves a week expression at [p, q): week offset off (-1 上周, 0 这周, 1 下周),
// whether a qualifier was given, and weekday wd (0..6, 7 for the weekend, -1 for the whole
// week), as weekAt returns them.
func weekMatch(env *dateEnv, p, q, off int, qualified bool, wd int) dateMatch {
	now := env.today
	mon := now.addDays(-now.weekday() + 7*off)
	switch {
	case wd == -1:
		return dateMatch{start: p, end: q, kind: kindPeriod, from: mon, to: mon.addDays(6)}
	case wd == 7:
		return dateMatch{start: p, end: q, kind: kindPeriod, from: mon.addDays(5), to: mon.addDays(6)}
	case !qualified:
		// 周五: the next such day after today
		delta := (wd - now.weekday() + 7) % 7
		if delta == 0 {
			delta = 7
		}
		d := now.addDays(delta)
		return dateMatch{start: p, end: q, kind: kindDay, from: d, to: d}
	default:
		// 下周三: by the Calendar's week convention
		d := env.cal.weekday(now, off, wd)
		return dateMatch{start: p, end: q, kind: kindDay, from: d, to: d}
	}
}

// afterYear reads what follows a year: M月[D日], 上半年, or nothing (the year).
func afterYear(rs []rune, start, q, y int) (dateMatch, bool) {
	if q < len(rs) && rs[q] == '的' {
		q++
	}
	if m, ok := nthWeekdayAt(rs, q, y); ok {
		m.start = start
		return m, true
	}
	if m, ok := lunarInYear(rs, q, y); ok {
		m.start = start
		return m, true
	}
	// 第N天: the Nth day of the year
	if n, k, ok := smallIntAt(rs, q+1, 366); q < len(rs) && rs[q] == '第' && ok && n >= 1 && hasStr(rs, k, "天") {
		if d := (day{y, 1, 1}).addDays(n - 1); d.y == y {
			return dateMatch{start: start, end: k + 1, kind: kindDay, from: d, to: d}, true
		}
	}
	if m, ok := monthDayAt(rs, q, y); ok {
		m.start = start
		return m, true
	}
	if m, ok := festivalAt(rs, q, day{}, y); ok {
		m.start = start
		return m, true
	}
	if hasStr(rs, q, "上半年") {
		return dateMatch{start: start, end: q + 3, kind: kindPeriod, from: day{y, 1, 1}, to: day{y, 6, 30}}, true
	}
	if hasStr(rs, q, "下半年") {
		return dateMatch{start: start, end: q + 3, kind: kindPeriod, from: day{y, 7, 1}, to: day{y, 12, 31}}, true
	}
	if y < 1 || y > 9999 {
		return dateMatch{}, false
	}
	return dateMatch{start: start, end: q, kind: kindPeriod, from: day{y, 1, 1}, to: day{y, 12, 31}}, true
}

// tenDaysAt reads the parts of a month after M月 at q: 上旬 (1-10), 中旬 and 中 (11-20),
// 下旬 (21 to the end).
func tenDaysAt(rs []rune, start, q, y, m int) (dateMatch, bool) {
	from, to, n := 0, 0, 0
	switch {
	case hasStr(rs, q, "上旬"):
		from, to, n = 1, 10, 2
	case hasStr(rs, q, "中旬"):
		from, to, n = 11, 20, 2
	case hasStr(rs, q, "下旬"):
		from, to, n = 21, daysIn(y, m), 2
	case hasStr(rs, q, "中") && (q+1 >= len(rs) || !unicode.Is(unicode.Han, rs[q+1]) || strings.ContainsRune("的还前后左右到至和或吧吗呢了再我你他她之以把要会能就都也", rs[q+1])):
		// 月中 alone or before a particle; 3月中国 / 月中午 are other words.
		from, to, n = 11, 20, 1
	default:
		return dateMatch{}, false
	}
	return dateMatch{start: start, end: q + n, kind: kindPeriod, from: day{y, m, from}, to: day{y, m, to}}, true
}

// relativePeriodAt reads 近三个月 / 最近7天 / 过去一周 / 前两天 / 后三天 / N天后 / N天前.
func relativePeriodAt(rs []rune, p int, now day) (dateMatch, bool) {
	q := p
	mode := ""
	for _, w := range []string{"最近", "近", "过去", "过", "前", "上", "后", "下", "未来", "接下来"} {
		if !strings.ContainsRune("最近过前上后下未接", rs[q]) {
			break
		}
		if hasStr(rs, q, w) {
			mode, q = w, q+utf8.RuneCountInString(w)
			break
		}
	}
	n, q2, ok := smallIntAt(rs, q, 1000)
	if !ok || n < 1 {
		return dateMatch{}, false
	}
	q = q2
	unit := ""
	for _, w := range []struct{ w, u string }{{"个星期", "w"}, {"个礼拜", "w"}, {"星期", "w"}, {"礼拜", "w"}, {"周", "w"}, {"个月", "m"}, {"天", "d"}, {"日", "d"}, {"年", "y"}} {
		if hasStr(rs, q, w.w) {
			unit, q = w.u, q+utf8.RuneCountInString(w.w)
			break
		}
	}
	if unit == "" {
		return dateMatch{}, false
	}
	if mode != "" {
		return relPeriod(now, p, q, mode, n, unit, 0)
	}
	// N天后 / N天以后 / N天前
	for _, w := range []struct {
		w   string
		dir int
	}{{"以后", 1}, {"之后", 1}, {"后", 1}, {"以前", -1}, {"之前", -1}, {"前", -1}} {
		if hasStr(rs, q, w.w) {
			return relPeriod(now, p, q+utf8.RuneCountInString(w.w), "", n, unit, w.dir)
		}
	}
	return dateMatch{}, false
}

// relPeriod resolves a count n of unit (d, w, m or y) at [p, end) from today: after mode, the
// word before the count (最近, 近, 过去: back to today; 前, 上: back to yesterday; 过: one day
// on; 后, 下, 未来, 接下来: tomorrow on), or, with mode "", on (dir 1, N天后) or back (dir -1,
// N天前) to one day (a calendar week for weeks).
func relPeriod(now day, p, end int, mode string, n int, unit string, dir int) (dateMatch, bool) {
	q := end
	back := func() day {
		switch unit {
		case "w":
			return now.addDays(-7 * n)
		case "m":
			return dayOf(now.time().AddDate(0, -n, 0))
		case "y":
			return dayOf(now.time().AddDate(-n, 0, 0))
		}
		return now.addDays(-n)
	}
	fwd := func() day {
		switch unit {
		case "w":
			return now.addDays(7 * n)
		case "m":
			return dayOf(now.time().AddDate(0, n, 0))
		case "y":
			return dayOf(now.time().AddDate(n, 0, 0))
		}
		return now.addDays(n)
	}
	switch mode {
	case "最近", "近", "过去":
		from := back()
		if unit == "d" || unit == "w" {
			from = from.addDays(1)
		}
		return dateMatch{start: p, end: q, kind: kindPeriod, from: from, to: now}, true
	case "前", "上":
		return dateMatch{start: p, end: q, kind: kindPeriod, from: back(), to: now.addDays(-1)}, true
	case "过":
		// 过两天: in two days
		d := fwd()
		return dateMatch{start: p, end: q, kind: kindDay, from: d, to: d}, true
	case "后", "下", "未来", "接下来":
		return dateMatch{start: p, end: q, kind: kindPeriod, from: now.addDays(1), to: fwd()}, true
	}
	if dir == 0 {
		return dateMatch{}, false
	}
	d := back()
	if dir > 0 {
		d = fwd()
	}
	if unit == "w" {
		// 4周后: the calendar week four weeks on
		mon := d.addDays(-d.weekday())
		return dateMatch{start: p, end: q, kind: kindPeriod, from: mon, to: mon.addDays(6)}, true
	}
	return dateMatch{start: p, end: q, kind: kindDay, from: d, to: d}, true
}

// partKind is the am/pm kind of day part w (see dayParts).
func partKind(w string) int {
	for _, d := range dayParts {
		if d.w == w {
			return d.pm
		}
	}
	return 0
}

// applyPart moves clock c into day part kind pm (see dayParts); it fails when the hour
// cannot be in the part.
func applyPart(c clock, pm int) (clock, bool) {
	switch pm {
	case 1:
		if c.h < 12 {
			c.h += 12
		}
	case 2:
		if c.h >= 1 && c.h <= 5 {
			c.h += 12
		}
	case 3:
		if c.h == 12 {
			c.h = 24 // midnight: the caller moves to the next day
		} else if c.h >= 6 && c.h < 12 {
			c.h += 12
		}
	case 4:
		if c.h == 12 {
			c.h = 24
		}
	case 5:
		if c.h == 12 {
			c.h = 24 // 晚上12点 is midnight
		} else if c.h < 12 {
			c.h += 12
		}
	}
	c.ampm = true
	return c, c.h <= 24
}

// day parts and the hours they cover: pm parts add 12 to hours below 12.
var dayParts = []struct {
	w  string
	pm int // 0 am, 1 pm, 2 noon (11, 12 stay, 1-3 pm), 3 night (12 -> 0, 1-5 stay, 6-11 pm), 4 small hours (12 -> 0), 5 evening (12 -> 0 next day, else pm)
}{
	{"凌晨", 4}, {"清晨", 0}, {"早上", 0}, {"早晨", 0}, {"上午", 0}, {"早间", 0}, {"白天", 0}, {"黎明", 0},
	{"中午", 2}, {"正午", 2}, {"午间", 2},
	{"下午", 1}, {"午后", 1}, {"傍晚", 1}, {"晚上", 5}, {"晚间", 5}, {"夜间", 3}, {"夜里", 3}, {"夜晚", 5},
	{"半夜", 3}, {"深夜", 3}, {"午夜", 3}, {"后半夜", 4}, {"前半夜", 3}, {"晏昼", 1},
	{"早", 0}, {"晚", 5}, {"夜", 3},
}

func dayPartAt(rs []rune, p int) (int, string, int, bool) {
	if p >= len(rs) || !strings.ContainsRune("凌清早上白黎中正午下傍晚夜半深后前晏", rs[p]) {
		return 0, "", p, false
	}
	for _, d := range dayParts {
		if hasStr(rs, p, d.w) {
			return d.pm, d.w, p + utf8.RuneCountInString(d.w), true
		}
	}
	return 0, "", p, false
}

// clockAt reads 三点 / 3点半 / 15:30 / 三点一刻 / 两点四十 / 8时35分 / 3pm / 6:42:02.
func clockAt(rs []rune, p int) (clock, int, bool) {
	var c clock
	if p >= len(rs) {
		return c, p, false
	}
	// 差五分三点: five to three
	if rs[p] == '差' {
		n, q, ok := smallIntAt(rs, p+1, 30)
		if !ok || n < 1 || q >= len(rs) || rs[q] != '分' {
			return c, p, false
		}
		q++
		if q < len(rs) && rs[q] == '钟' {
			q++
		}
		h, q2, ok := smallIntAt(rs, q, 24)
		if !ok || h < 1 || q2 >= len(rs) || (rs[q2] != '点' && rs[q2] != '时') {
			return c, p, false
		}
		c = clock{h: h - 1, m: 60 - n, ampm: h > 13}
		return c, q2 + 1, true
	}
	// HH:MM[:SS][am|pm]
	if isASCIIDigit(rs[p]) {
		h, q, ok := smallIntAt(rs, p, 24)
		if ok && q+2 < len(rs) && rs[q] == ':' && isASCIIDigit(rs[q+1]) && isASCIIDigit(rs[q+2]) && (q+3 >= len(rs) || !isASCIIDigit(rs[q+3])) {
			m := int(rs[q+1]-'0')*10 + int(rs[q+2]-'0')
			q += 3
			s := 0
			if q+2 < len(rs) && rs[q] == ':' && isASCIIDigit(rs[q+1]) && isASCIIDigit(rs[q+2]) {
				s = int(rs[q+1]-'0')*10 + int(rs[q+2]-'0')
				q += 3
			}
			if m > 59 || s > 59 {
				return c, p, false
			}
			c = clock{h: h, m: m, s: s, ampm: h > 12 || h == 0}
			q = ampmSuffix(rs, q, &c)
			return c, q, true
		}
		if ok && h <= 12 {
			c = clock{h: h}
			if q2 := ampmSuffix(rs, q, &c); q2 > q {
				return c, q2, true
			}
			// 3 o'clock (normalised to 3 o clock)
			for _, w := range []string{" o clock", " oclock"} {
				if e := q + len(w); hasStr(rs, q, w) && (e >= len(rs) || !isASCIIAlnum(rs[e])) {
					return clock{h: h}, e, true
				}
			}
		}
	}
	h, q, ok := smallIntAt(rs, p, 24)
	if !ok || q >= len(rs) || (rs[q] != '点' && rs[q] != '时') {
		return c, p, false
	}
	q++
	c.h = h
	c.ampm = h > 12 || h == 0
	if q < len(rs) && rs[q] == '钟' {
		q++
	}
	switch {
	case hasStr(rs, q, "半"):
		c.m, q = 30, q+1
	case hasStr(rs, q, "一刻"), hasStr(rs, q, "1刻"):
		c.m, q = 15, q+2
	case hasStr(rs, q, "三刻"), hasStr(rs, q, "3刻"):
		c.m, q = 45, q+2
	case hasStr(rs, q, "整"):
		q++
	default:
		zero := false
		q0 := q
		if q < len(rs) && (rs[q] == '零' || rs[q] == '0') && q+1 < len(rs) && (isASCIIDigit(rs[q+1]) || chineseDigit(rs[q+1]) > 0) {
			zero = true
			q++
		}
		if m, q2, ok := smallIntAt(rs, q, 59); ok {
			withUnit := q2 < len(rs) && rs[q2] == '分'
			// 三点五 is a decimal, not 3:05: a bare minute needs two digits, 零 or 分.
			if withUnit || zero || m >= 10 || q2-q >= 2 {
				c.m = m
				q = q2
				if withUnit {
					q++
				}
				if s, q3, ok := smallIntAt(rs, q, 59); ok && q3 < len(rs) && rs[q3] == '秒' {
					c.s, q = s, q3+1
				}
			} else {
				q = q0
			}
		} else {
			q = q0
		}
		if q < len(rs) && rs[q] == '钟' {
			q++
		}
	}
	q = ampmSuffix(rs, q, &c)
	return c, q, true
}

func ampmSuffix(rs []rune, q int, c *clock) int {
	k := q
	if k+2 < len(rs) && rs[k] == ' ' && rs[k+2] == 'm' {
		k++ // 3:30 pm: one space before am or pm
	}
	if k < len(rs) && (rs[k] == 'p' || rs[k] == 'a') {
		pm := rs[k] == 'p'
		q2 := k + 1
		if q2 < len(rs) && rs[q2] == 'm' {
			q2++
		}
		if q2 < len(rs) && rs[q2] >= 'a' && rs[q2] <= 'z' {
			return q
		}
		if pm && c.h < 12 {
			c.h += 12
		}
		if !pm && c.h == 12 {
			c.h = 0
		}
		c.ampm = true
		return q2
	}
	return q
}

// timeAt reads [day part][clock]. A day part alone is returned with ok and hasClock=false.
func timeAt(rs []rune, p int) (timeMatch, bool, bool) {
	pm, part, q, hasPart := dayPartAt(rs, p)
	c, q2, ok := clockAt(rs, q)
	if !ok {
		if hasPart {
			return timeMatch{start: p, end: q, c: clock{part: part}}, true, false
		}
		return timeMatch{}, false, false
	}
	if hasPart {
		c.part = part
		if c, ok = applyPart(c, pm); !ok {
			return timeMatch{}, false, false
		}
	}
	// Cantonese: 三点踏三 / 三点三个字 are 3:15, and after 晏昼 a bare 三点三 too.
	q2 = cantoneseMinutes(rs, q2, &c, part == "晏昼")
	if c.h > 24 {
		return timeMatch{}, false, false
	}
	return timeMatch{start: p, end: q2, c: c}, true, true
}

func (c clock) String() string {
	b := make([]byte, 0, 8)
	b = appendPadded(b, c.h%24, 2)
	b = append(b, ':')
	b = appendPadded(b, c.m, 2)
	if c.s != 0 {
		b = append(b, ':')
		b = appendPadded(b, c.s, 2)
	}
	return string(b)
}

// resolveBare picks am or pm for a clock without day part or date: the next occurrence from
// now (三点 at 04:30 -> 15:00).
func (c clock) resolveBare(now time.Time) clock {
	if c.ampm || c.h > 12 {
		return c
	}
	cur := now.Hour()*60 + now.Minute()
	if c.h*60+c.m < cur && c.h < 12 && (c.h+12)*60+c.m >= cur {
		c.h += 12
	}
	return c
}

// resolveWithDate picks am or pm for a clock on a given day without day part: afternoon for
// 1-6 (明天三点 is 15:00 at a bank), else as written.
func (c clock) resolveWithDate() clock {
	if c.ampm || c.h > 12 {
		return c
	}
	if c.h >= 1 && c.h <= 6 {
		c.h += 12
	}
	return c
}

// dateTimeValue renders d at c as RFC 3339 in Asia/Shanghai.
func dateTimeValue(d day, c clock) string {
	t := time.Date(d.y, time.Month(d.m), d.d, c.h, c.m, c.s, 0, shanghai)
	return t.Format(time.RFC3339)
}

// nthWeekdayAt reads M月[份][的]第N个(星期|周|礼拜)X: 十月第一个星期一, 八月份的第一个周二.
func nthWeekdayAt(rs []rune, p int, y int) (dateMatch, bool) {
	m, q, ok := smallIntAt(rs, p, 12)
	if !ok || m < 1 || q >= len(rs) || rs[q] != '月' {
		return dateMatch{}, false
	}
	q++
	for q < len(rs) && (rs[q] == '份' || rs[q] == '的') {
		q++
	}
	if q >= len(rs) || rs[q] != '第' {
		return dateMatch{}, false
	}
	n, q2, ok := smallIntAt(rs, q+1, 5)
	if !ok || n < 1 {
		return dateMatch{}, false
	}
	q = q2
	if q < len(rs) && rs[q] == '个' {
		q++
	}
	off, qualified, wd, q3, ok := weekAt(rs, q)
	if !ok || qualified || off != 0 || wd < 0 || wd > 6 {
		return dateMatch{}, false
	}
	first := day{y, m, 1}
	d := first.addDays((wd-first.weekday()+7)%7 + 7*(n-1))
	if d.m != m {
		return dateMatch{}, false
	}
	return dateMatch{start: p, end: q3, kind: kindDay, from: d, to: d}, true
}

// festivals on fixed Gregorian dates (month, day) or on the nth weekday of a month
// (month, -n, weekday). Lunar festivals (春节, 中秋...) are in lunarFestivals.
var festivals = []struct {
	names   string
	m, d, w int
}{
	{"元旦节 元旦 阳历新年", 1, 1, 0}, {"情人节", 2, 14, 0}, {"妇女节 三八节", 3, 8, 0}, {"植树节", 3, 12, 0},
	{"消费者权益日 三一五", 3, 15, 0}, {"愚人节", 4, 1, 0}, {"劳动节 五一", 5, 1, 0}, {"青年节", 5, 4, 0},
	{"儿童节 六一", 6, 1, 0}, {"建党节 七一", 7, 1, 0}, {"建军节 八一", 8, 1, 0}, {"教师节", 9, 10, 0},
	{"国庆节 国庆", 10, 1, 0}, {"万圣节", 10, 31, 0}, {"平安夜", 12, 24, 0}, {"圣诞节 圣诞", 12, 25, 0},
	{"母亲节", 5, -2, 6}, {"父亲节", 6, -3, 6}, {"感恩节", 11, -4, 3},
}

// festivalNames holds each festival's names as runes; festivalFirst their first runes.
var festivalNames, festivalFirst = nameTable(len(festivals), func(i int) string { return festivals[i].names })

// nameTable splits n space-separated name lists (names(i)) into runes and collects their
// first runes.
func nameTable(n int, names func(int) string) ([][][]rune, map[rune]bool) {
	out := make([][][]rune, n)
	first := map[rune]bool{}
	for i := range n {
		for _, w := range strings.Fields(names(i)) {
			out[i] = append(out[i], []rune(w))
			first[[]rune(w)[0]] = true
		}
	}
	return out, first
}

// festivalsByFirst lists, for each first rune, the festivals with a name starting with it.
var festivalsByFirst = func() map[rune][]int {
	m := map[rune][]int{}
	for i, names := range festivalNames {
		seen := map[rune]bool{}
		for _, n := range names {
			if !seen[n[0]] {
				seen[n[0]] = true
				m[n[0]] = append(m[n[0]], i)
			}
		}
	}
	return m
}()

// festivalAt reads a festival name. With year 0 it is the next occurrence from now (today
// included); otherwise the one of that year.
func festivalAt(rs []rune, p int, now day, year int) (dateMatch, bool) {
	if p >= len(rs) || !festivalFirst[rs[p]] {
		return dateMatch{}, false
	}
	for _, fi := range festivalsByFirst[rs[p]] {
		f := festivals[fi]
		for _, w := range festivalNames[fi] {
			name := string(w)
			if !hasAt(rs, p, w) {
				continue
			}
			end := p + len(w)
			if end < len(rs) && rs[end] == '节' && !strings.HasSuffix(name, "节") {
				end++
			}
			// 五一 / 六一 / 八一 are festivals only when said as such (not 五一二).
			if len(w) == 2 && chineseDigit(w[0]) >= 0 && end < len(rs) && (isDigitLike(rs[end]) || smallUnit(rs[end]) != 0) {
				continue
			}
			at := func(y int) day {
				if f.d > 0 {
					return day{y, f.m, f.d}
				}
				first := day{y, f.m, 1}
				return first.addDays((f.w-first.weekday()+7)%7 + 7*(-f.d-1))
			}
			y := year
			if y == 0 {
				y = now.y
				if d := at(y); d.time().Before(now.time()) {
					y++
				}
			}
			d := at(y)
			return dateMatch{start: p, end: end, kind: kindDay, from: d, to: d}, true
		}
	}
	return dateMatch{}, false
}

// durationAt reads N小时 / N个小时 / N分钟 / N秒 / 半小时 / 一个半小时 / 一刻钟 / N钟头 and
// returns it.
func durationAt(rs []rune, p int) (time.Duration, int, bool) {
	q := p
	var d time.Duration
	switch {
	case hasStr(rs, q, "一刻钟"):
		return 15 * time.Minute, q + 3, true
	case hasStr(rs, q, "半"):
		q++
		for _, u := range []struct {
			w string
			d time.Duration
		}{{"个小时", time.Hour}, {"小时", time.Hour}, {"个钟头", time.Hour}, {"钟头", time.Hour}, {"分钟", time.Minute}} {
			if hasStr(rs, q, u.w) {
				return u.d / 2, q + utf8.RuneCountInString(u.w), true
			}
		}
		return 0, p, false
	}
	n, q2, ok := smallIntAt(rs, q, 100000)
	if !ok {
		return 0, p, false
	}
	q = q2
	half := false
	if q < len(rs) && rs[q] == '个' {
		q++
		if q < len(rs) && rs[q] == '半' {
			half, q = true, q+1
		}
	}
	for _, u := range []struct {
		w string
		d time.Duration
	}{{"小时", time.Hour}, {"钟头", time.Hour}, {"分钟", time.Minute}, {"分半钟", 0}, {"秒钟", time.Second}, {"秒", time.Second}} {
		if hasStr(rs, q, u.w) {
			if u.d == 0 {
				return time.Duration(n)*time.Minute + 30*time.Second, q + utf8.RuneCountInString(u.w), true
			}
			d = time.Duration(n) * u.d
			if half {
				d += u.d / 2
			}
			return d, q + utf8.RuneCountInString(u.w), true
		}
	}
	return 0, p, false
}

// relativeInstantAt reads 三小时后 / 半小时前 / 17分钟后 / 现在 and returns the instant.
func relativeInstantAt(rs []rune, p int, now time.Time) (time.Time, int, bool) {
	if p >= len(rs) || !(strings.ContainsRune("现此目一半", rs[p]) || isDigitLike(rs[p]) || smallUnit(rs[p]) != 0) {
		return time.Time{}, p, false
	}
	for _, w := range []string{"现在", "此刻", "此时", "目前"} {
		if hasStr(rs, p, w) {
			return now, p + utf8.RuneCountInString(w), true
		}
	}
	d, q, ok := durationAt(rs, p)
	if !ok {
		return time.Time{}, p, false
	}
	for _, w := range []struct {
		w   string
		dir int
	}{{"以后", 1}, {"之后", 1}, {"后", 1}, {"以前", -1}, {"之前", -1}, {"前", -1}} {
		if hasStr(rs, q, w.w) {
			return now.Add(time.Duration(w.dir) * d), q + utf8.RuneCountInString(w.w), true
		}
	}
	return time.Time{}, p, false
}
