package entity

import (
	"strings"
	"time"
)

// English date and time words. They are read only as whole ASCII words of the normalised
// (lower-case) text, no ASCII letter or digit touching either side, and resolved through the
// functions the Chinese words use: tomorrow is 明天, next week 下周, last month 上个月, in 3
// days 3天后, tonight 今晚, morning 上午. See the package doc for the list.

// enKind says what an English word stands for.
type enKind uint8

const (
	enOther   enKind = iota // a function word (the, at, on, in, ago...): enTok.w says which
	enRelDay                // today, tomorrow, yesterday: n days on
	enQual                  // this (0), next (1), last and previous (-1): a week, month or year offset
	enWeekday               // n 0 (Monday) .. 6 (Sunday)
	enWeekend               // weekend
	enUnit                  // a unit of time: unit d, w, m, y (dates) or h, i (hours, minutes)
	enMonth                 // n 1..12
	enPart                  // a day part: part is the Chinese day part it stands for
	enCount                 // n: one..twelve, a, an
)

// enTok is what an English word stands for.
type enTok struct {
	kind enKind
	n    int
	w    string // the word
	unit string // enUnit: relPeriod's unit (d, w, m, y) or h, i
	part string // enPart: the Chinese day part (上午, 下午, 晚上...)
	// lead marks a word an expression may start with (not of, ago, on...).
	lead bool
	// weak marks a word that is as often another word: sat and sun (a weekday only after on
	// or a qualifier), may and the month abbreviations (a month only with a day, a year or
	// after in).
	weak bool
}

// enWords maps each English date word to what it stands for.
var enWords = func() map[string]enTok {
	m := map[string]enTok{}
	put := func(t enTok, words ...string) {
		for _, w := range words {
			t.w = w
			m[w] = t
		}
	}
	put(enTok{kind: enRelDay, n: 0}, "today")
	put(enTok{kind: enRelDay, n: 1}, "tomorrow", "tmr", "tmrw")
	put(enTok{kind: enRelDay, n: -1}, "yesterday")
	put(enTok{kind: enQual, n: 0}, "this")
	put(enTok{kind: enQual, n: 1}, "next")
	put(enTok{kind: enQual, n: -1}, "last", "previous")
	for i, w := range []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"} {
		put(enTok{kind: enWeekday, n: i}, w)
	}
	for i, ws := range [][]string{{"mon"}, {"tue", "tues"}, {"wed"}, {"thu", "thur", "thurs"}, {"fri"}, {"sat"}, {"sun"}} {
		put(enTok{kind: enWeekday, n: i, weak: i >= 5}, ws...)
	}
	put(enTok{kind: enWeekend}, "weekend")
	for _, u := range []struct{ unit, words string }{{"d", "day days"}, {"w", "week weeks"}, {"m", "month months"},
		{"y", "year years"}, {"h", "hour hours hr hrs"}, {"i", "minute minutes min mins"}} {
		for _, w := range strings.Fields(u.words) {
			put(enTok{kind: enUnit, unit: u.unit}, w)
		}
	}
	for i, w := range []string{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"} {
		put(enTok{kind: enMonth, n: i + 1, weak: w == "may"}, w)
	}
	for i, ws := range [][]string{{"jan"}, {"feb"}, {"mar"}, {"apr"}, nil, {"jun"}, {"jul"}, {"aug"}, {"sep", "sept"}, {"oct"}, {"nov"}, {"dec"}} {
		put(enTok{kind: enMonth, n: i + 1, weak: true}, ws...)
	}
	put(enTok{kind: enPart, part: "上午"}, "morning")
	put(enTok{kind: enPart, part: "下午"}, "afternoon")
	put(enTok{kind: enPart, part: "晚上"}, "evening", "night")
	put(enTok{kind: enPart, part: "中午"}, "noon")
	for i, w := range []string{"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"} {
		put(enTok{kind: enCount, n: i + 1}, w)
	}
	put(enTok{kind: enCount, n: 1}, "a", "an")
	for _, w := range []string{"the", "at", "on", "in", "of", "after", "before", "ago", "later", "from", "now", "past", "coming",
		"end", "beginning", "start", "tonight", "tonite", "by", "until", "till"} {
		put(enTok{kind: enOther}, w)
	}
	for w, t := range m {
		switch t.kind {
		case enOther, enUnit, enPart:
			t.lead = w == "day" || w == "the" || w == "at" || w == "in" || w == "after" || w == "past" || w == "coming" ||
				w == "end" || w == "beginning" || w == "start" || w == "tonight" || w == "tonite"
		default:
			t.lead = true
		}
		m[w] = t
	}
	return m
}()

func isLowerASCII(r rune) bool { return r >= 'a' && r <= 'z' }

func isASCIIAlnum(r rune) bool { return isLowerASCII(r) || isASCIIDigit(r) || r >= 'A' && r <= 'Z' }

// numberGoesOn reports whether r after a run of digits makes it part of something longer
// than a whole number: a word (3rd, 2b), a decimal (3.5) or a clock (3:30).
func numberGoesOn(r rune) bool { return isASCIIAlnum(r) || r == '.' || r == ':' }

// enTokAt returns what the whole ASCII word at p stands for and where it ends; ok is false
// when p starts no whole word (a letter or digit before it or a digit after it) or the word
// is not an English date word.
func enTokAt(rs []rune, p int) (enTok, int, bool) {
	if p < 0 || p >= len(rs) || !isLowerASCII(rs[p]) || p > 0 && isASCIIAlnum(rs[p-1]) {
		return enTok{}, p, false
	}
	e := p
	for e < len(rs) && isLowerASCII(rs[e]) {
		e++
	}
	const longest = 12
	if e-p > longest || e < len(rs) && isASCIIAlnum(rs[e]) {
		return enTok{}, p, false
	}
	var buf [longest]byte
	for k := p; k < e; k++ {
		buf[k-p] = byte(rs[k])
	}
	t, ok := enWords[string(buf[:e-p])]
	return t, e, ok
}

// enNext returns the English date word after the space at q.
func enNext(rs []rune, q int) (enTok, int, bool) {
	if q >= len(rs) || rs[q] != ' ' {
		return enTok{}, q, false
	}
	return enTokAt(rs, q+1)
}

// enWordAfter reports whether word w follows the space at q, and where it ends.
func enWordAfter(rs []rune, q int, w string) (int, bool) {
	t, e, ok := enNext(rs, q)
	return e, ok && t.w == w
}

// enCountAt reads a count at p: Arabic digits (1-1000) as a whole word, or one..twelve, a, an.
func enCountAt(rs []rune, p int) (int, int, bool) {
	if p < len(rs) && isASCIIDigit(rs[p]) {
		if p > 0 && isASCIIAlnum(rs[p-1]) {
			return 0, p, false
		}
		n, q, ok := smallIntAt(rs, p, 1000)
		if !ok || n < 1 || q < len(rs) && numberGoesOn(rs[q]) {
			return 0, p, false
		}
		return n, q, true
	}
	t, e, ok := enTokAt(rs, p)
	if !ok || t.kind != enCount {
		return 0, p, false
	}
	return t.n, e, true
}

// enRel is a count of units of time said in English: in 3 days (dir 1), 3 days ago (dir -1),
// last 3 months (mode 最近), next 2 hours (mode 未来), as relPeriod and relWindow take them.
type enRel struct {
	start, end int
	mode       string // 最近 or 未来; "" when dir is given
	dir        int
	n          int
	unit       string // d, w, m, y, h (hours) or i (minutes)
}

// enRelativeAt reads [in|after] N unit, N unit (ago|later|from now), (last|past|previous) [N]
// unit and (next|coming) N unit at p. past goes without a count too (past week: one week).
func enRelativeAt(rs []rune, p int) (enRel, bool) {
	r := enRel{start: p}
	q := p
	t, e, ok := enTokAt(rs, p)
	if ok {
		switch t.w {
		case "in", "after":
			r.dir = 1
		case "last", "past", "previous":
			r.mode = "最近"
		case "next", "coming":
			r.mode = "未来"
		}
		if r.dir != 0 || r.mode != "" {
			if e >= len(rs) || rs[e] != ' ' {
				return enRel{}, false
			}
			q = e + 1
		}
	}
	n, q2, ok := enCountAt(rs, q)
	if !ok {
		if t.w != "past" || q == p {
			return enRel{}, false
		}
		n, q2 = 1, q-1 // past week: one week back
	}
	u, q3, ok := enNext(rs, q2)
	if !ok || u.kind != enUnit {
		return enRel{}, false
	}
	r.n, r.unit, r.end = n, u.unit, q3
	if r.dir != 0 || r.mode != "" {
		return r, true
	}
	// N units ago / later / from now
	switch w, e, ok := enNext(rs, q3); {
	case ok && w.w == "ago":
		r.dir, r.end = -1, e
	case ok && w.w == "later":
		r.dir, r.end = 1, e
	case ok && w.w == "from":
		e2, ok := enWordAfter(rs, e, "now")
		if !ok {
			return enRel{}, false
		}
		r.dir, r.end = 1, e2
	default:
		return enRel{}, false
	}
	return r, true
}

// englishDateAt reads an English date or period at p (see the package doc).
func englishDateAt(rs []rune, p int, env *dateEnv) (dateMatch, bool) {
	now := env.today
	if r, ok := enRelativeAt(rs, p); ok {
		if r.unit == "h" || r.unit == "i" {
			return dateMatch{}, false
		}
		return relPeriod(now, r.start, r.end, r.mode, r.n, r.unit, r.dir)
	}
	if isASCIIDigit(rs[p]) {
		return enDayMonthAt(rs, p, now)
	}
	t, e, ok := enTokAt(rs, p)
	if !ok {
		return dateMatch{}, false
	}
	switch t.kind {
	case enRelDay:
		d := now.addDays(t.n)
		return dateMatch{start: p, end: e, kind: kindDay, from: d, to: d}, true
	case enQual:
		u, e2, ok := enNext(rs, e)
		if !ok {
			return dateMatch{}, false
		}
		switch {
		case u.kind == enWeekday:
			return weekMatch(env, p, e2, t.n, true, u.n), true
		case u.kind == enWeekend:
			return weekMatch(env, p, e2, t.n, true, 7), true
		case u.kind == enMonth:
			return enQualMonth(p, e2, t.n, u.n, now), true
		case u.unit == "w":
			return weekMatch(env, p, e2, t.n, true, -1), true
		case u.unit == "m":
			y, m := addMonths(now.y, now.m, t.n)
			from, to := monthPeriod(y, m)
			return dateMatch{start: p, end: e2, kind: kindPeriod, from: from, to: to}, true
		case u.unit == "y":
			y := now.y + t.n
			return dateMatch{start: p, end: e2, kind: kindPeriod, from: day{y, 1, 1}, to: day{y, 12, 31}}, true
		}
	case enWeekday:
		// monday next week
		if q, e2, ok := enNext(rs, e); ok && q.kind == enQual {
			if u, e3, ok := enNext(rs, e2); ok && u.unit == "w" {
				return weekMatch(env, p, e3, q.n, true, t.n), true
			}
		}
		if w, _ := asciiWordBefore(rs, p); t.weak && w != "on" {
			return dateMatch{}, false
		}
		return weekMatch(env, p, e, 0, false, t.n), true
	case enWeekend:
		return weekMatch(env, p, e, 0, false, 7), true
	case enMonth:
		return enMonthAt(rs, p, e, t, now)
	}
	switch t.w {
	case "the":
		if e < len(rs) && rs[e] == ' ' {
			if d, ok := enDayWordsAt(rs, e+1, now); ok {
				d.start = p
				return d, true
			}
		}
		return enNthAt(rs, p, e, now)
	case "day":
		return enDayWordsAt(rs, p, now)
	case "end", "beginning", "start":
		return enMonthEdgeAt(rs, p, e, t.w == "end", now)
	}
	return dateMatch{}, false
}

// enDayWordsAt reads day after tomorrow / day before yesterday at p.
func enDayWordsAt(rs []rune, p int, now day) (dateMatch, bool) {
	t, e, ok := enTokAt(rs, p)
	if !ok || t.w != "day" {
		return dateMatch{}, false
	}
	n := 0
	if e2, ok := enWordAfter(rs, e, "after"); ok {
		if e3, ok := enWordAfter(rs, e2, "tomorrow"); ok {
			n, e = 2, e3
		}
	} else if e2, ok := enWordAfter(rs, e, "before"); ok {
		if e3, ok := enWordAfter(rs, e2, "yesterday"); ok {
			n, e = -2, e3
		}
	}
	if n == 0 {
		return dateMatch{}, false
	}
	d := now.addDays(n)
	return dateMatch{start: p, end: e, kind: kindDay, from: d, to: d}, true
}

// enOrdinalAt reads a day of the month at p: 1-31 as a whole word, with st, nd, rd or th
// (suffixed) or without.
func enOrdinalAt(rs []rune, p int) (d, end int, suffixed, ok bool) {
	if p >= len(rs) || !isASCIIDigit(rs[p]) || p > 0 && isASCIIAlnum(rs[p-1]) {
		return 0, p, false, false
	}
	d, q, ok := smallIntAt(rs, p, 31)
	if !ok || d < 1 {
		return 0, p, false, false
	}
	for _, s := range []string{"st", "nd", "rd", "th"} {
		if hasStr(rs, q, s) && (q+2 >= len(rs) || !isASCIIAlnum(rs[q+2])) {
			return d, q + 2, true, true
		}
	}
	if q < len(rs) && (numberGoesOn(rs[q]) || isDateFollower(rs[q])) {
		return 0, p, false, false
	}
	return d, q, false, true
}

// enDayMonthAt reads D[th] [of] month [year] at p: 5 may, 5th of may 2026.
func enDayMonthAt(rs []rune, p int, now day) (dateMatch, bool) {
	d, q, _, ok := enOrdinalAt(rs, p)
	if !ok {
		return dateMatch{}, false
	}
	if e, ok := enWordAfter(rs, q, "of"); ok {
		q = e
	}
	t, e, ok := enNext(rs, q)
	if !ok || t.kind != enMonth {
		return dateMatch{}, false
	}
	y, e := enYearAfter(rs, e, now.y)
	dd := day{y, t.n, d}
	if !dd.valid() {
		return dateMatch{}, false
	}
	return dateMatch{start: p, end: e, kind: kindDay, from: dd, to: dd}, true
}

// enYearAfter reads a year (1900-2100) after the space at q; it returns y and q when there is
// none. A number followed by a currency (dec 1 2000 yuan) is an amount, not a year.
func enYearAfter(rs []rune, q int, y int) (int, int) {
	k := q + 1
	if q >= len(rs) || rs[q] != ' ' || k+4 > len(rs) {
		return y, q
	}
	v := 0
	for j := k; j < k+4; j++ {
		if !isASCIIDigit(rs[j]) {
			return y, q
		}
		v = v*10 + int(rs[j]-'0')
	}
	e := k + 4
	if v < 1900 || v > 2100 || e < len(rs) && (numberGoesOn(rs[e]) || isDateFollower(rs[e])) {
		return y, q
	}
	if _, ok := matchCurrency(rs, skipSpace(rs, e)); ok {
		return y, q
	}
	return v, e
}

// enMonthAt reads a month name at [p, e): month D[th] [year], month year, or the month alone
// (a period of the current year, as 12月; a weak name only after in).
func enMonthAt(rs []rune, p, e int, t enTok, now day) (dateMatch, bool) {
	if e < len(rs) && rs[e] == ' ' {
		if d, q, _, ok := enOrdinalAt(rs, e+1); ok {
			y, q := enYearAfter(rs, q, now.y)
			dd := day{y, t.n, d}
			if dd.valid() {
				return dateMatch{start: p, end: q, kind: kindDay, from: dd, to: dd}, true
			}
			return dateMatch{}, false
		}
	}
	y, q := enYearAfter(rs, e, now.y)
	if w, _ := asciiWordBefore(rs, p); q == e && t.weak && !monthPrepositions[w] {
		return dateMatch{}, false
	}
	from, to := monthPeriod(y, t.n)
	return dateMatch{start: p, end: q, kind: kindPeriod, from: from, to: to}, true
}

// monthPrepositions make a weak month name (may, dec) a month: in may, since dec.
var monthPrepositions = map[string]bool{"in": true, "since": true, "from": true, "until": true, "till": true,
	"by": true, "before": true, "after": true, "during": true, "for": true}

// enQualMonth resolves (this|next|last) month name at [p, e): this year's, the next one after
// the current month, or the last one before it.
func enQualMonth(p, e, off, m int, now day) dateMatch {
	y := now.y
	switch {
	case off > 0 && m <= now.m:
		y++
	case off < 0 && m >= now.m:
		y--
	}
	from, to := monthPeriod(y, m)
	return dateMatch{start: p, end: e, kind: kindPeriod, from: from, to: to}
}

// enNthAt reads the Nth [of month] at p (the at [p, e)): a day of the current month as 5号, said
// after on, by, before, until or till (the 2nd card is no date).
func enNthAt(rs []rune, p, e int, now day) (dateMatch, bool) {
	if e >= len(rs) || rs[e] != ' ' {
		return dateMatch{}, false
	}
	d, q, suffixed, ok := enOrdinalAt(rs, e+1)
	if !ok || !suffixed {
		return dateMatch{}, false
	}
	if of, ok := enWordAfter(rs, q, "of"); ok {
		if t, e2, ok := enNext(rs, of); ok && t.kind == enMonth {
			y, e3 := enYearAfter(rs, e2, now.y)
			if dd := (day{y, t.n, d}); dd.valid() {
				return dateMatch{start: p, end: e3, kind: kindDay, from: dd, to: dd}, true
			}
			return dateMatch{}, false
		}
	}
	switch w, _ := asciiWordBefore(rs, p); w {
	case "on", "by", "before", "until", "till":
	default:
		return dateMatch{}, false
	}
	dd := day{now.y, now.m, d}
	if !dd.valid() {
		return dateMatch{}, false
	}
	return dateMatch{start: p, end: q, kind: kindDay, from: dd, to: dd}, true
}

// enMonthEdgeAt reads (end|beginning|start) of [the|this|next|last] month at p (the first word
// at [p, e)): the month's last day, as 月底, or its first five days, as 月初.
func enMonthEdgeAt(rs []rune, p, e int, end bool, now day) (dateMatch, bool) {
	q, ok := enWordAfter(rs, e, "of")
	if !ok {
		return dateMatch{}, false
	}
	off := 0
	if t, q2, ok := enNext(rs, q); ok && (t.w == "the" || t.kind == enQual) {
		off, q = t.n, q2
	}
	u, q, ok := enNext(rs, q)
	if !ok || u.unit != "m" {
		return dateMatch{}, false
	}
	y, m := addMonths(now.y, now.m, off)
	if end {
		dd := day{y, m, daysIn(y, m)}
		return dateMatch{start: p, end: q, kind: kindDay, from: dd, to: dd}, true
	}
	return dateMatch{start: p, end: q, kind: kindPeriod, from: day{y, m, 1}, to: day{y, m, 5}}, true
}

// enDayPartAt reads a day with a day part said in English at p: tonight, this morning /
// afternoon / evening, last night, in the morning / afternoon / evening (today's). It returns
// the day offset, the Chinese day part and the end.
func enDayPartAt(rs []rune, p int) (int, string, int, bool) {
	t, e, ok := enTokAt(rs, p)
	if !ok {
		return 0, "", p, false
	}
	switch t.w {
	case "tonight", "tonite":
		return 0, "晚上", e, true
	case "this", "last":
		if u, e2, ok := enNext(rs, e); ok && u.kind == enPart && (t.w == "this" || u.w == "night") {
			return t.n, u.part, e2, true
		}
	case "in":
		if part, e2, ok := enInThePart(rs, e); ok {
			return 0, part, e2, true
		}
	}
	return 0, "", p, false
}

// enInThePart reads the rest of in the morning / afternoon / evening after in, which ends at
// e: the Chinese day part and the end (not in the night, in the noon).
func enInThePart(rs []rune, e int) (string, int, bool) {
	if e2, ok := enWordAfter(rs, e, "the"); ok {
		if u, e3, ok := enNext(rs, e2); ok && u.kind == enPart && u.w != "night" && u.w != "noon" {
			return u.part, e3, true
		}
	}
	return "", e, false
}

// enPartAfter reads a day part after a date, after the space at q: morning, afternoon,
// evening, night, noon, or in the morning / afternoon / evening.
func enPartAfter(rs []rune, q int) (string, int, bool) {
	t, e, ok := enNext(rs, q)
	if ok && t.kind == enPart {
		return t.part, e, true
	}
	if ok && t.w == "in" {
		if part, e2, ok := enInThePart(rs, e); ok {
			return part, e2, true
		}
	}
	return "", q, false
}

// enBareHourAt reads an hour said without am, pm or a colon (at 3): 0-24 in Arabic digits as a
// whole word, not a count of something.
func enBareHourAt(rs []rune, p int) (clock, int, bool) {
	if p >= len(rs) || !isASCIIDigit(rs[p]) {
		return clock{}, p, false
	}
	h, q, ok := smallIntAt(rs, p, 24)
	if !ok || q < len(rs) && (numberGoesOn(rs[q]) || isDateFollower(rs[q]) || isYuanUnit(rs[q])) {
		return clock{}, p, false
	}
	return clock{h: h, ampm: h > 12 || h == 0}, q, true
}

// enClockAfter reads an English clock after the space at q, said after a date or a day part:
// at <clock> (a bare hour counts: tomorrow at 3), or a clock with am or pm (tomorrow 3pm is
// read by clockAt already). A following in the morning / afternoon / evening or at night
// places it in that part.
func enClockAfter(rs []rune, q int) (clock, int, bool) {
	if q >= len(rs) || rs[q] != ' ' {
		return clock{}, q, false
	}
	k := q + 1
	at := false
	if e, ok := enWordAfter(rs, q, "at"); ok && e < len(rs) && rs[e] == ' ' {
		at, k = true, e+1
	}
	if at {
		// at noon, at midnight (the coming one, as 晚上12点)
		for _, w := range []struct {
			w string
			h int
		}{{"noon", 12}, {"midnight", 24}} {
			if e := k + len(w.w); hasStr(rs, k, w.w) && (e >= len(rs) || !isASCIIAlnum(rs[e])) {
				return clock{h: w.h, ampm: true}, e, true
			}
		}
	}
	c, e, ok := clockAt(rs, k)
	if ok && !at && !isLowerASCII(rs[e-1]) {
		return clock{}, q, false
	}
	if !ok {
		if !at {
			return clock{}, q, false
		}
		if c, e, ok = enBareHourAt(rs, k); !ok {
			return clock{}, q, false
		}
	}
	c, e = enClockPart(rs, c, e)
	return c, e, true
}

// enClockPart places clock c, which ends at e, in the day part said after it: 3 in the
// afternoon, 10 at night. A clock with am or pm keeps its hour.
func enClockPart(rs []rune, c clock, e int) (clock, int) {
	if c.part != "" {
		return c, e
	}
	part, e2 := "", e
	if t, e3, ok := enNext(rs, e); ok && t.w == "at" {
		if e4, ok := enWordAfter(rs, e3, "night"); ok {
			part, e2 = "晚上", e4
		}
	} else if ok && t.w == "in" {
		if p, e4, ok := enPartAfter(rs, e); ok {
			part, e2 = p, e4
		}
	}
	if part == "" {
		return c, e
	}
	if c.ampm {
		return c, e2
	}
	c2, ok := applyPart(c, partKind(part))
	if !ok {
		return c, e
	}
	c2.part = part
	return c2, e2
}

// enDateAfterClock reads the day said after a clock that ends at q: 3pm tomorrow, 10am on
// monday, 8pm tonight. It returns the day, the day part the day word gives ("" for none) and
// the end.
func enDateAfterClock(rs []rune, q int, env *dateEnv) (day, string, int, bool) {
	if q >= len(rs) || rs[q] != ' ' {
		return day{}, "", q, false
	}
	k := q + 1
	if e, ok := enWordAfter(rs, q, "on"); ok && e < len(rs) && rs[e] == ' ' {
		k = e + 1
	}
	if k >= len(rs) {
		return day{}, "", q, false
	}
	if off, part, e, ok := enDayPartAt(rs, k); ok {
		return env.today.addDays(off), part, e, true
	}
	if !isLowerASCII(rs[k]) {
		return day{}, "", q, false
	}
	dm, ok := englishDateAt(rs, k, env)
	if !ok || dm.kind != kindDay || !dm.from.valid() {
		return day{}, "", q, false
	}
	return dm.from, "", dm.end, true
}

// addClockThenDate adds the datetime of clock c (said at [s, e)) on the day said after it, and
// reports whether there was one.
func addClockThenDate(rs []rune, s, e int, c clock, env *dateEnv, add addFunc) bool {
	d, part, end, ok := enDateAfterClock(rs, e, env)
	if !ok {
		return false
	}
	switch {
	case part != "" && !c.ampm:
		c2, ok := applyPart(c, partKind(part))
		if !ok {
			return false
		}
		c = c2
	case c.part == "":
		c = c.resolveWithDate()
	}
	addDateTime(s, end, d, c, add)
	return true
}

// scanEnglishTime adds what starts at the ASCII word or number at i and is not a date: a day
// with a day part (tonight, this afternoon at 3), a count of hours or minutes (in 2 hours, last
// 30 minutes) and a bare hour before a day (at 3 tomorrow). It reports whether it added one.
func scanEnglishTime(rs []rune, i int, env *dateEnv, add addFunc) bool {
	if off, part, q, ok := enDayPartAt(rs, i); ok {
		addDayWithPart(rs, i, q, env.today.addDays(off), part, env, add)
		return true
	}
	if r, ok := enRelativeAt(rs, i); ok && (r.unit == "h" || r.unit == "i") {
		unit := time.Hour
		if r.unit == "i" {
			unit = time.Minute
		}
		if r.mode == "" {
			at := env.now.Add(time.Duration(r.dir*r.n) * unit)
			add(r.start, r.end, TypeDateTime, at.Truncate(time.Second).Format(time.RFC3339), "", 0)
			return true
		}
		mode := -2 // last 30 minutes: back from now exactly
		if r.mode == "未来" {
			mode = 1 // next 2 hours: the whole hours after the current one
		}
		from, to := relWindow(env.now, mode, r.n, unit)
		add(r.start, r.end, TypeDateTime, from.Format(time.RFC3339), to.Format(time.RFC3339), 0)
		return true
	}
	// at 3 tomorrow: the bare hour is a clock because a day follows
	if t, e, ok := enTokAt(rs, i); ok && t.w == "at" && e < len(rs) && rs[e] == ' ' {
		if c, e2, ok := enBareHourAt(rs, e+1); ok {
			c, e2 = enClockPart(rs, c, e2)
			return addClockThenDate(rs, e+1, e2, c, env, add)
		}
	}
	return false
}
