package entity

import (
	"strings"
	"time"
	"unicode/utf8"
)

// dateEnv is what resolving a date needs: today and now in Asia/Shanghai and the
// conventions.
type dateEnv struct {
	today day
	now   time.Time
	cal   Calendar
}

// scanDateTime adds the date, time, datetime or period starting at i.
func scanDateTime(rs []rune, i int, env *dateEnv, add addFunc) {
	today := env.today
	if (isLowerASCII(rs[i]) || isASCIIDigit(rs[i])) && scanEnglishTime(rs, i, env, add) {
		return
	}
	// 今晚 / 明早: a day with a day part
	if strings.ContainsRune("今明昨当", rs[i]) {
		for _, w := range relDayParts {
			if !hasStr(rs, i, w.w) {
				continue
			}
			q := i + utf8.RuneCountInString(w.w)
			if q < len(rs) && rs[q] == '上' {
				q++
			}
			addDayWithPart(rs, i, q, today.addDays(w.n), w.part, env, add)
			return
		}
	}
	dm, ok := dateAt(rs, i, env)
	if ok && dm.end > i {
		if dm.kind == kindPeriod {
			if dm.from.valid() && dm.to.valid() {
				add(i, dm.end, TypePeriod, dm.from.String(), dm.to.String(), 0)
			}
			// 2026年10月 may be followed by a day in other words; the period stands.
			return
		}
		if !dm.from.valid() {
			return
		}
		q := dm.end
		// a weekday repeated after a date (6月1日周六) or a date after a weekday (周日 二月十号)
		if q < len(rs) && (rs[q] == ' ' || rs[q] == '的' || rs[q] == ',') {
			if dm2, ok := dateAt(rs, q+1, env); ok && dm2.kind == kindDay && isWeekdayExpr(rs, i) {
				dm = dateMatch{start: i, end: dm2.end, kind: kindDay, from: dm2.from, to: dm2.to}
				q = dm.end
			}
		}
		if _, _, wd, q2, ok := weekAt(rs, skipSpace(rs, q)); ok && wd >= 0 && wd < 7 && q2 > q {
			q = q2
		}
		tq := skipSpace(rs, q)
		if tq < len(rs) && (rs[tq] == '的' || (tq == q && (rs[tq] == '-' || rs[tq] == 't') && tq+1 < len(rs) && isASCIIDigit(rs[tq+1]))) {
			tq++ // 明天的三点, 2021-09-12-11:23, 2026-12-01t10:00
		}
		if tm, ok, hasClock := timeAt(rs, tq); ok && hasClock {
			c := tm.c
			if c.part == "" {
				c = c.resolveWithDate()
			}
			addDateTime(i, tm.end, dm.from, c, add)
			return
		} else if ok && !hasClock {
			// 明天下午: the day's hours of the day part
			addPartRange(i, tm.end, dm.from, tm.c.part, env, add)
			return
		}
		// tomorrow at 3pm, 明天 at 3, tomorrow morning (at 10)
		if c, e, ok := enClockAfter(rs, q); ok {
			if c.part == "" {
				c = c.resolveWithDate()
			}
			addDateTime(i, e, dm.from, c, add)
			return
		}
		if part, e, ok := enPartAfter(rs, q); ok {
			addDayWithPart(rs, i, e, dm.from, part, env, add)
			return
		}
		add(i, dm.end, TypeDate, dm.from.String(), "", 0)
		return
	}
	if from, to, end, ok := relativeWindowAt(rs, i, env.now); ok {
		add(i, end, TypeDateTime, from.Format(time.RFC3339), to.Format(time.RFC3339), 0)
		return
	}
	if at, end, ok := relativeInstantAt(rs, i, env.now); ok {
		add(i, end, TypeDateTime, at.Truncate(time.Second).Format(time.RFC3339), "", 0)
		return
	}
	tm, ok, hasClock := timeAt(rs, i)
	if !ok && isASCIIDigit(rs[i]) {
		// 3 in the afternoon: a bare hour with an English day part after it
		if c, e, bok := enBareHourAt(rs, i); bok {
			if c2, e2 := enClockPart(rs, c, e); e2 > e {
				tm, ok, hasClock = timeMatch{start: i, end: e2, c: c2}, true, true
			}
		}
	}
	switch {
	case ok && hasClock:
		c, end := tm.c, tm.end
		if c.part == "" {
			c, end = enClockPart(rs, c, end)
		}
		// 3pm tomorrow, 10am on monday
		if addClockThenDate(rs, i, end, c, env, add) {
			return
		}
		tm.end = end
		if c.part == "" {
			c = c.resolveBare(env.now)
		}
		if c.h == 24 {
			addDateTime(i, tm.end, today, c, add)
			return
		}
		add(i, tm.end, TypeTime, c.String(), "", 0)
	case ok && tm.end-i >= 2 && !(tm.end < len(rs) && rs[tm.end] == '好') && tm.c.part != "黎明":
		// a day part alone (下午, 白天) is today's hours; 早 and 晚 alone are words,
		// 早上好 / 晚上好 are greetings and 黎明 alone is as often a name.
		addPartRange(i, tm.end, today, tm.c.part, env, add)
	}
}

// addDayWithPart adds day d in day part w, said at [s, q): with the clock that follows at q
// (今晚八点) a datetime, else the part's hours.
func addDayWithPart(rs []rune, s, q int, d day, w string, env *dateEnv, add addFunc) {
	c, q2, ok := clockAt(rs, q)
	if !ok {
		c, q2, ok = enClockAfter(rs, q) // tonight at 8, tomorrow morning 10am
	}
	if ok {
		c.part = w
		if c, ok := applyPart(c, partKind(w)); ok {
			addDateTime(s, q2, d, c, add)
			return
		}
	}
	addPartRange(s, q, d, w, env, add)
}

// addPartRange adds day d's hours of day part w as a datetime range [Value, End2).
func addPartRange(s, e int, d day, w string, env *dateEnv, add addFunc) {
	h, ok := env.cal.partHours(w)
	if !ok {
		add(s, e, TypeDate, d.String(), "", 0)
		return
	}
	from := time.Date(d.y, time.Month(d.m), d.d, h[0], 0, 0, 0, shanghai)
	to := time.Date(d.y, time.Month(d.m), d.d, h[1], 0, 0, 0, shanghai)
	add(s, e, TypeDateTime, from.Format(time.RFC3339), to.Format(time.RFC3339), 0)
}

// relativeWindowAt reads a window of whole minutes or hours next to now: 上两小时 /
// 前两分钟 (the last whole units before the current one), 下三分钟 / 后三小时 (the next whole
// units after it), 最近两小时 / 过去30分钟 / 之前3小时 (back from now exactly), 之后5分钟 (on
// from now exactly). It returns [from, to).
func relativeWindowAt(rs []rune, p int, now time.Time) (time.Time, time.Time, int, bool) {
	if p >= len(rs) || !strings.ContainsRune("上前下后最近过未接之以", rs[p]) {
		return time.Time{}, time.Time{}, p, false
	}
	mode, q := 0, p
	for _, w := range []struct {
		w    string
		mode int // -1 whole units back, 1 whole units on, -2 back from now, 2 on from now
	}{{"最近", -2}, {"近", -2}, {"过去", -2}, {"之前", -2}, {"以前", -2}, {"之后", 2}, {"以后", 2},
		{"上", -1}, {"前", -1}, {"下", 1}, {"后", 1}, {"未来", 1}, {"接下来", 1}} {
		if hasStr(rs, p, w.w) {
			mode, q = w.mode, p+utf8.RuneCountInString(w.w)
			break
		}
	}
	if mode == 0 {
		return time.Time{}, time.Time{}, p, false
	}
	n, q2, ok := smallIntAt(rs, q, 1000)
	if !ok || n < 1 {
		return time.Time{}, time.Time{}, p, false
	}
	q = q2
	if q < len(rs) && rs[q] == '个' {
		q++
	}
	unit := time.Duration(0)
	for _, u := range []struct {
		w string
		d time.Duration
	}{{"小时", time.Hour}, {"钟头", time.Hour}, {"分钟", time.Minute}} {
		if hasStr(rs, q, u.w) {
			unit, q = u.d, q+utf8.RuneCountInString(u.w)
			break
		}
	}
	if unit == 0 {
		return time.Time{}, time.Time{}, p, false
	}
	// 上两小时前 is not a window: leave 前/后 after the unit to relativeInstantAt's readings.
	if q < len(rs) && (rs[q] == '前' || rs[q] == '后') {
		return time.Time{}, time.Time{}, p, false
	}
	from, to := relWindow(now, mode, n, unit)
	return from, to, q, true
}

// relWindow resolves a window of n units (time.Hour or time.Minute) next to now by mode: -1
// the whole units before the current one, 1 the whole units after it, -2 back from now
// exactly, 2 on from now exactly. It returns [from, to).
func relWindow(now time.Time, mode, n int, unit time.Duration) (time.Time, time.Time) {
	span := time.Duration(n) * unit
	cur := truncLocal(now, unit)
	at := now.Truncate(time.Second)
	switch mode {
	case -2:
		return at.Add(-span), at
	case 2:
		return at, at.Add(span)
	case -1:
		return cur.Add(-span), cur
	}
	return cur.Add(unit), cur.Add(unit + span)
}

// truncLocal truncates t to a whole minute or hour of its wall clock.
func truncLocal(t time.Time, unit time.Duration) time.Time {
	m := t.Minute()
	if unit == time.Hour {
		m = 0
	}
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), m, 0, 0, t.Location())
}

func isWeekdayExpr(rs []rune, i int) bool {
	_, _, wd, _, ok := weekAt(rs, i)
	return ok && wd >= 0 && wd < 7
}

func skipSpace(rs []rune, q int) int {
	if q < len(rs) && rs[q] == ' ' {
		return q + 1
	}
	return q
}

func addDateTime(s, e int, d day, c clock, add addFunc) {
	if c.h == 24 {
		d = d.addDays(1)
		c.h = 0
	}
	add(s, e, TypeDateTime, dateTimeValue(d, c), "", 0)
}

// cantoneseMinutes reads the Cantonese minutes after a whole hour at q: 踏三 / 搭三 / 三个字
// (three five-minute marks, :15), 踏半 (:30), and a bare 三 when bare (after a Cantonese day
// part). It returns where the clock ends.
func cantoneseMinutes(rs []rune, q int, c *clock, bare bool) int {
	if c.m != 0 || c.s != 0 || q >= len(rs) || q == 0 || (rs[q-1] != '点' && rs[q-1] != '时') {
		return q
	}
	k := q
	linked := rs[k] == '踏' || rs[k] == '搭'
	if linked {
		k++
	}
	if linked && k < len(rs) && rs[k] == '半' {
		c.m = 30
		return k + 1
	}
	n, k2, ok := smallIntAt(rs, k, 11)
	if !ok || n < 1 {
		return q
	}
	marks := hasStr(rs, k2, "个字")
	if marks {
		k2 += 2
	}
	if !linked && !marks && (!bare || (k2 < len(rs) && isDateFollower(rs[k2]))) {
		return q
	}
	c.m = 5 * n
	return k2
}
