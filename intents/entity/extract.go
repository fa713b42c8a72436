package entity

import (
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/weiyin-bank/weiyin/intents/internal/runeset"
	"github.com/weiyin-bank/weiyin/intents/normalize"
)

// Entity types produced by the extractor.
const (
	TypeMoney       = "money"
	TypeNumber      = "number"
	TypeOrdinal     = "ordinal"
	TypePercent     = "percent"
	TypeDuration    = "duration"
	TypeDate        = "date"
	TypeTime        = "time"
	TypeDateTime    = "datetime"
	TypePeriod      = "period"
	TypePhone       = "phone"
	TypeCardTail    = "card_tail"
	TypeAccountNo   = "account_no"
	TypeAccountType = "account_type"
)

// Types lists every type the extractor produces (list entities aside), for callers that
// give each type a placeholder.
var Types = []string{TypeMoney, TypeNumber, TypeOrdinal, TypePercent, TypeDuration, TypeDate, TypeTime,
	TypeDateTime, TypePeriod, TypePhone, TypeCardTail, TypeAccountNo, TypeAccountType}

// Units of a duration entity (Entity.Unit). Years are counted in months (3年 = 36 month).
const (
	UnitSecond = "second"
	UnitMinute = "minute"
	UnitHour   = "hour"
	UnitDay    = "day"
	UnitWeek   = "week"
	UnitMonth  = "month"
)

// Roles of an entity (Entity.Role): what the cue words around it say the value is for.
const (
	RoleTo   = "to"   // where money goes: 给/向/转给/转到/汇给/付给/还给/存到 X, 收款人是 X
	RoleFrom = "from" // where it comes from: 从/用/由/拿 X, X 卡里的, 付款账户是 X
	// RoleNot marks a value the customer says is not the one (不是张三, 别转给张三, 500不对):
	// it must fill no slot. Any type takes it.
	RoleNot = "not"
)

// Entity is a value found in a message. It has the same fields, in the same order, as
// intents.Entity, so intents converts with intents.Entity(e). Start and End are rune offsets
// into the original text; Text == original[Start:End].
//
// A money entity with End2 set is a range (三到五万: Value "30000.00", End2 "50000.00"): a slot
// asking for one amount must reject it. A money entity's Unit is "" for renminbi and the ISO
// 4217 code of any other currency (Value "15.00", Unit "USD"): a slot asking for yuan must not
// take it as yuan. A money Value may be negative ("-5.00" for 负五块): the sign is never
// dropped, the caller refuses it. A duration's Value is a count of Unit (minute, hour...).
// Role is RoleTo, RoleFrom, RoleNot or "" (see the Role constants).
type Entity struct {
	Type  string `json:"type"`
	Value string `json:"value"`
	Text  string `json:"text"`
	Start int    `json:"start"`
	End   int    `json:"end"`
	Slot  string `json:"slot,omitempty"`
	End2  string `json:"end_value,omitempty"`
	Unit  string `json:"unit,omitempty"` // see intents.Entity
	Role  string `json:"role,omitempty"` // see intents.Entity
}

// ListValue is one value of a run-time list entity; same layout as intents.ListValue
// (convert with entity.ListValue(v)). Norm, when set (by NormNames), holds the names
// normalised, index for index: a caller that passes the same lists every turn fills it once.
// Without it each name is normalised through a bounded cache, a lookup per name per message.
type ListValue struct {
	Value string
	Names []string
	Norm  [][]rune
}

// NormNames returns names normalised as the extractor matches them, for ListValue.Norm. The
// names share one array: caches of many customers' lists hold few objects for the collector.
func NormNames(names []string) [][]rune {
	norm := make([]string, len(names))
	total := 0
	for i, n := range names {
		norm[i] = normalize.Normalize(n).Norm
		total += utf8.RuneCountInString(norm[i])
	}
	all := make([]rune, 0, total)
	out := make([][]rune, len(names))
	for i, n := range norm {
		from := len(all)
		for _, r := range n {
			all = append(all, r)
		}
		out[i] = all[from:len(all):len(all)]
	}
	return out
}

// Context is what varies per message: the clock for relative dates (any zone; dates are
// resolved in Asia/Shanghai), the customer's lists (entity name -> values) and the date
// conventions (the zero Calendar is the bank's; intents.Context has no such field and leaves
// it zero).
type Context struct {
	Now      time.Time
	Lists    map[string][]ListValue
	Calendar Calendar
}

// Extractor finds entities in normalised text. It is immutable after New and safe for
// concurrent use.
type Extractor struct {
	names sync.Map // list name as given -> normalised runes ([]rune)
	nsize int64
	mu    sync.Mutex
}

// New returns an Extractor.
func New() *Extractor { return &Extractor{} }

// priorities break ties between overlapping candidates of equal length (higher wins).
var priority = map[string]int{
	TypeAccountNo: 92, TypeCardTail: 90, TypePhone: 85, TypeMoney: 80, TypeDateTime: 70,
	TypePeriod: 66, TypeDate: 65, TypeDuration: 62, TypeTime: 60, TypeAccountType: 55, TypePercent: 50,
	TypeOrdinal: 45, TypeNumber: 10,
}

type cand struct {
	start, end int // rune range in Norm
	typ, value string
	end2, unit string
	role       string
	prio       int
}

// Extract returns the entities of t, sorted by position, with spans in the original text.
func (x *Extractor) Extract(t normalize.Text, c Context) []Entity {
	rs := []rune(t.Norm)
	if len(rs) == 0 {
		return nil
	}
	now := c.Now
	if now.IsZero() {
		now = time.Now()
	}
	now = now.In(shanghai)
	// A message has few candidates: they, and those chosen, lie on the stack.
	var candBuf, chosenBuf [16]cand
	cands := candBuf[:0]
	add := func(s, e int, typ, val, end2 string, extra int) {
		if e <= s {
			return
		}
		cands = append(cands, cand{start: s, end: e, typ: typ, value: val, end2: end2, prio: priority[typ] + extra})
	}
	addUnit := func(s, e int, typ, val, end2, unit string, extra int) {
		if e <= s {
			return
		}
		cands = append(cands, cand{start: s, end: e, typ: typ, value: val, end2: end2, unit: unit, prio: priority[typ] + extra})
	}
	x.scanLists(rs, c.Lists, add)
	scanKeywords(rs, add)
	scanCardTail(rs, add)
	scanAccountNo(rs, add)
	scanPhones(rs, add)
	scanNumeric(rs, &dateEnv{today: dayOf(now), now: now, cal: c.Calendar}, add, addUnit)
	if len(cands) == 0 {
		return nil
	}
	chosen := resolve(cands, chosenBuf[:0])
	assignRoles(rs, chosen, isBuiltin)
	return toEntities(t, chosen)
}

// isBuiltin reports whether typ is one of the extractor's own types (not a list's).
func isBuiltin(typ string) bool {
	_, ok := priority[typ]
	return ok
}

// resolve keeps non-overlapping candidates: longest first, then priority, then leftmost;
// it appends them to out (empty), sorted by position.
func resolve(cands, out []cand) []cand {
	slices.SortStableFunc(cands, func(a, b cand) int {
		if la, lb := a.end-a.start, b.end-b.start; la != lb {
			return lb - la
		}
		if a.prio != b.prio {
			return b.prio - a.prio
		}
		return a.start - b.start
	})
	var takenBuf [64]bool
	var taken []bool // rune positions already covered by a chosen candidate
	for _, c := range cands {
		if taken == nil {
			if n := maxEnd(cands); n <= len(takenBuf) {
				taken = takenBuf[:n]
			} else {
				taken = make([]bool, n)
			}
		}
		ok := true
		for k := c.start; k < c.end; k++ {
			if taken[k] {
				ok = false
				break
			}
		}
		if ok {
			for k := c.start; k < c.end; k++ {
				taken[k] = true
			}
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b cand) int { return a.start - b.start })
	return out
}

func maxEnd(cs []cand) int {
	m := 0
	for _, c := range cs {
		if c.end > m {
			m = c.end
		}
	}
	return m
}

func toEntities(t normalize.Text, cs []cand) []Entity {
	// byte offset of each original rune, once (on the stack for a message of usual length).
	var offsBuf [64]int
	offs := offsBuf[:0]
	for b := range t.Original {
		offs = append(offs, b)
	}
	offs = append(offs, len(t.Original))
	out := make([]Entity, 0, len(cs))
	for _, c := range cs {
		if c.end > len(t.Map) {
			continue
		}
		s, e := t.Map[c.start], t.OrigEnd[c.end-1]
		if s < 0 || e > len(offs)-1 || s >= e {
			continue
		}
		out = append(out, Entity{Type: c.typ, Value: c.value, Text: t.Original[offs[s]:offs[e]], Start: s, End: e, End2: c.end2, Unit: c.unit, Role: c.role})
	}
	return out
}

type addFunc func(s, e int, typ, val, end2 string, extra int)

// unitFunc adds a candidate with a unit (money's currency, a duration's unit).
type unitFunc func(s, e int, typ, val, end2, unit string, extra int)

// keywords: account types.
var accountKeywords = []struct{ w, v string }{
	{"活期存款", "current"}, {"活期账户", "current"}, {"活期", "current"}, {"储蓄卡", "current"}, {"借记卡", "current"},
	{"工资卡", "current"}, {"储蓄账户", "current"}, {"定期存款", "fixed"}, {"定期账户", "fixed"}, {"定期", "fixed"},
	{"信用卡", "credit"}, {"贷记卡", "credit"},
}

// accountKeywordFirst holds the first runes of accountKeywords.
var accountKeywordFirst = runeset.Of("活储借工定信贷")

func scanKeywords(rs []rune, add addFunc) {
	for i := 0; i < len(rs); i++ {
		if !accountKeywordFirst.Has(rs[i]) {
			continue
		}
		for _, k := range accountKeywords {
			if hasStr(rs, i, k.w) {
				add(i, i+utf8.RuneCountInString(k.w), TypeAccountType, k.v, "", 0)
				break
			}
		}
	}
}

// card tail: 尾号1234 / 尾数1234 / 末四位1234 / 后四位是1234 / 尾号幺二三四.
var tailCues = []string{"卡号后四位", "卡号末四位", "后四位", "末四位", "尾号", "尾数", "末尾", "后4位", "末4位"}

// tailCueFirst holds the first runes of tailCues.
var tailCueFirst = runeset.Of("卡后末尾")

func scanCardTail(rs []rune, add addFunc) {
	for i := 0; i < len(rs); i++ {
		if !tailCueFirst.Has(rs[i]) {
			continue
		}
		for _, cue := range tailCues {
			if !hasStr(rs, i, cue) {
				continue
			}
			q := i + utf8.RuneCountInString(cue)
			for q < len(rs) && (rs[q] == ' ' || rs[q] == '是' || rs[q] == '为' || rs[q] == ':' || rs[q] == '的') {
				q++
			}
			digits, end := digitString(rs, q, 4)
			if len(digits) == 4 && (end >= len(rs) || !isDigitLike(rs[end])) {
				add(i, end, TypeCardTail, digits, "", 0)
			}
			break
		}
	}
}

func isDigitLike(r rune) bool {
	return isASCIIDigit(r) || chineseDigit(r) >= 0
}

// digitString reads up to max digits (Arabic or spoken, 幺洞拐 included), one a rune,
// skipping single spaces and dashes between them.
func digitString(rs []rune, p, max int) (string, int) {
	var b strings.Builder
	q := p
	for q < len(rs) && b.Len() < max {
		r := rs[q]
		switch {
		case isASCIIDigit(r):
			b.WriteRune(r)
		case chineseDigit(r) >= 0:
			b.WriteByte(byte('0' + chineseDigit(r)))
		case (r == ' ' || r == '-') && b.Len() > 0 && q+1 < len(rs) && isDigitLike(rs[q+1]):
		default:
			return b.String(), q
		}
		q++
	}
	return b.String(), q
}

// phoneDigits is the length of a mainland mobile number.
const phoneDigits = 11

// scanPhones finds mainland mobile numbers: 13812345678, 138-1234-5678, +86 138..., and
// spoken 一三八一二三四五六七八.
func scanPhones(rs []rune, add addFunc) {
	// A number is 11 digits, a rune each (digitString): a shorter message, as most are,
	// holds none.
	if len(rs) < phoneDigits {
		return
	}
	for i := 0; i < len(rs); i++ {
		if i > 0 && (isDigitLike(rs[i-1]) || isLowerASCII(rs[i-1])) {
			continue
		}
		start := i
		p := i
		if hasStr(rs, p, "+86") {
			p += 3
		} else if hasStr(rs, p, "86") && p+2 < len(rs) && (rs[p+2] == ' ' || rs[p+2] == '-') {
			p += 2
		}
		for p < len(rs) && (rs[p] == ' ' || rs[p] == '-') && p > start {
			p++
		}
		if p >= len(rs) || !isDigitLike(rs[p]) {
			continue
		}
		if !(rs[p] == '1' || chineseDigit(rs[p]) == 1) {
			continue
		}
		digits, end := digitString(rs, p, phoneDigits)
		if len(digits) != phoneDigits || digits[1] < '3' || digits[1] > '9' {
			continue
		}
		if end < len(rs) && (isDigitLike(rs[end]) || smallUnit(rs[end]) != 0 || bigUnit(rs[end]) != 0) {
			continue
		}
		// spoken digits must be all Chinese or all Arabic, never structured numerals.
		add(start, end, TypePhone, digits, "", 0)
		i = end - 1
	}
}

// scanNumeric finds money, dates, times, periods, numbers, ordinals and percents.
func scanNumeric(rs []rune, env *dateEnv, add addFunc, addUnit unitFunc) {
	// durations first: a numeral that runs into a duration's count stops where the count starts
	// (借五万三年 is 五万 and 三年, not 53000).
	durAt, countEnd := scanDurations(rs, addUnit)
	// reach is the end of the furthest candidate found so far. A numeral right after another one
	// continues it only while an earlier parse covers it: in 给张三两千块 the run 三两千 does not
	// parse, so 两千块 may start a new amount (names ending in numerals are common: 张三, 王五).
	reach := 0
	inner, innerUnit := add, addUnit
	add = func(s, e int, typ, val, end2 string, extra int) {
		if e > reach {
			reach = e
		}
		inner(s, e, typ, val, end2, extra)
	}
	addUnit = func(s, e int, typ, val, end2, unit string, extra int) {
		if e > reach {
			reach = e
		}
		innerUnit(s, e, typ, val, end2, unit, extra)
	}
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		prev := rune(0)
		if i > 0 {
			prev = rs[i-1]
		}
		midNumber := prev != 0 && (isASCIIDigit(prev) || (prev == '.' && i > 1 && isASCIIDigit(rs[i-2])))
		midChinese := prev != 0 && (chineseDigit(prev) >= 0 || smallUnit(prev) != 0 || bigUnit(prev) != 0) && i < reach
		afterLetter := isLowerASCII(prev)
		// dates and times
		inChineseRun := midChinese && (chineseDigit(r) >= 0 || smallUnit(r) != 0 || bigUnit(r) != 0)
		if !midNumber && !inChineseRun && dateStarts.Has(r) {
			scanDateTime(rs, i, env, add)
		} else if isLowerASCII(r) && !afterLetter && !isASCIIDigit(prev) {
			if t, _, ok := enTokAt(rs, i); ok && t.lead {
				scanDateTime(rs, i, env, add) // English words: tomorrow, next week, in 3 days
			}
		}
		if !numericStart(r) {
			continue
		}
		// money
		if !midNumber && !afterLetter && !(midChinese && (chineseDigit(r) >= 0 || smallUnit(r) != 0)) {
			if m, ok := moneyAt(rs, i); ok {
				if acceptMoney(rs, m) {
					addMoney(m, addUnit)
				}
			}
			if m, ok := approxAmount(rs, i); ok && m.end > i {
				// approximations need a currency word to be money in free text.
				if m.amt.Range && hasCurrencyInside(rs, m) {
					addMoney(m, addUnit)
				}
			}
			if m, ok := negativeMoneyAt(rs, i); ok {
				addMoney(m, addUnit)
			}
		}
		// numbers
		if midNumber || midChinese || afterLetter {
			continue
		}
		if r == '第' {
			if n, ok := scanNumber(rs, i+1, false); ok && !n.frac && !n.neg {
				add(i, n.end, TypeOrdinal, n.val.String(), "", 0)
			}
			continue
		}
		if hasStr(rs, i, "百分之") {
			if n, ok := scanNumber(rs, i+3, true); ok {
				add(i, n.end, TypePercent, n.val.String(), "", 0)
			}
			continue
		}
		if !(isASCIIDigit(r) || chineseDigit(r) >= 0 || smallUnit(r) == 10 || r == '-' || r == '负' || r == '廿' || r == '卅' || (r == '.' && i+1 < len(rs) && isASCIIDigit(rs[i+1]))) {
			continue
		}
		if lo, hi, end, ok := approxNumber(rs, i); ok && lo.cmp(hi) < 0 {
			// 三五百, 十五六, 一万六七: an approximate number is a range.
			if n, ok := scanNumber(rs, i, true); !ok || end > n.end {
				add(i, end, TypeNumber, lo.String(), hi.String(), 0)
				continue
			}
		}
		n, ok := scanNumber(rs, i, true)
		if !ok || n.end <= i {
			continue
		}
		if durAt == nil || !durAt[i] {
			// 五万三年: the numeral stops where a duration's count starts.
			for k := i + 1; k < n.end; k++ {
				if countEnd[k] == n.end {
					if n2, ok := scanNumber(rs[:k], i, true); ok && n2.end == k {
						n = n2
					}
					break
				}
			}
		}
		if n.end < len(rs) && rs[n.end] == '%' {
			add(i, n.end+1, TypePercent, n.val.String(), "", 0)
			continue
		}
		if !acceptNumber(rs, n) {
			continue
		}
		if len(n.digits) >= 20 {
			continue
		}
		if n.neg && (afterMoneyVerb(rs, i) || standsAlone(rs, n.end)) {
			// -5 / 负五百 said where an amount could be: a negative amount, never a positive
			// one and never a plain number the caller might turn into one. The engine refuses it.
			if f, ok := n.val.fen(); ok && -f <= MaxYuan*100 && n.val.s <= 2 {
				add(i, n.end, TypeMoney, Money(f).String(), "", 0)
				continue
			}
		}
		if !n.neg && (afterMoneyVerb(rs, i) && amountEnds(rs, n.end, countEnd) || beforeMoneyMove(rs, n.end) || afterEnglishMoneyVerb(rs, i) && englishAmountEnds(rs, n.end)) {
			// 转1.5万 / 还款500: after a verb that moves money, a number is an amount; so is
			// one the money moves (卡里的5000转到微银, 500转给他).
			if f, ok := n.val.fen(); ok && f > 0 && f <= MaxYuan*100 && n.val.s <= 2 {
				add(i, n.end, TypeMoney, Money(f).String(), "", 0)
				continue
			}
		}
		add(i, n.end, TypeNumber, n.val.String(), "", 0)
	}
}

// hasCurrencyInside reports whether an approximate amount carries a unit or currency word.
func hasCurrencyInside(rs []rune, m moneyMatch) bool {
	for k := m.start; k < m.end; k++ {
		if isYuanUnit(rs[k]) {
			return true
		}
	}
	_, ok := matchCurrency(rs, m.end-1)
	if ok {
		return true
	}
	for k := m.start; k < m.end; k++ {
		if _, ok := matchCurrency(rs, k); ok {
			return true
		}
	}
	return false
}

// acceptMoney filters free-text amounts that are words: 五角大楼, 三分钟, 九十分.
func acceptMoney(rs []rune, m moneyMatch) bool {
	if !m.minor {
		return true
	}
	last := rs[m.end-1]
	if isFenUnit(last) {
		// a fen-only amount (五分, 90分) is a score or a minute more often than money.
		return m.end < len(rs) && rs[m.end] == '钱'
	}
	if m.end < len(rs) {
		nx := rs[m.end]
		if nx == ' ' {
			return true
		}
		return strings.ContainsRune("钱的了吗呢吧给到至和或", nx)
	}
	return true
}

// addMoney adds an amount: Unit is "" for renminbi, the ISO code of any other currency.
func addMoney(m moneyMatch, add unitFunc) {
	end2 := ""
	if m.amt.Range {
		end2 = m.amt.Max.String()
	}
	unit := m.amt.Currency
	if unit == CNY {
		unit = ""
	}
	add(m.start, m.end, TypeMoney, m.amt.Min.String(), end2, unit, 0)
}

// negativeMoneyAt reads a signed amount at i: -5元, 负五百块, -¥5, -$20, - 5元 (a spaced sign
// is still a sign: reading it as +5 would move money the customer did not ask for). Ranges
// are not negated.
func negativeMoneyAt(rs []rune, i int) (moneyMatch, bool) {
	if rs[i] != '-' && rs[i] != '负' {
		return moneyMatch{}, false
	}
	p := i + 1
	if p < len(rs) && rs[p] == ' ' {
		p++
	}
	m, ok := moneyAt(rs, p)
	if !ok || m.amt.Range || !acceptMoney(rs, m) {
		return moneyMatch{}, false
	}
	m.start = i
	m.amt.Min, m.amt.Max = -m.amt.Min, -m.amt.Max
	return m, true
}

// standsAlone reports whether a numeral ending at e is not followed by a measure word or
// more text that makes it a count: the end, a space or punctuation, or a particle.
func standsAlone(rs []rune, e int) bool {
	if e >= len(rs) {
		return true
	}
	r := rs[e]
	if strings.ContainsRune("的了吗呢吧啊呀啦嘛哦", r) {
		return true
	}
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

// scanDurations adds every duration (5分钟, 两个小时, 3年, 12期) and returns the positions
// where one starts (nil when none does, as in most messages) and, by the start of each
// count, where the count ends.
func scanDurations(rs []rune, add unitFunc) (starts []bool, countEnd map[int]int) {
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if !(isDigitLike(r) || smallUnit(r) == 10 || r == '廿' || r == '卅' || r == '半' || r == '个' || r == '.') {
			continue
		}
		if i > 0 && (isASCIIDigit(rs[i-1]) || rs[i-1] == '.' || isLowerASCII(rs[i-1])) {
			continue
		}
		d, ok := durationAtRunes(rs, i)
		if !ok || !plausibleCount(rs, d) {
			continue
		}
		extra := 0
		if afterTermCue(rs, d.start) {
			extra = 10 // 分30年还: a term, not the year 2030
		}
		add(d.start, d.end, TypeDuration, d.val.String(), "", d.unit, extra)
		if starts == nil {
			starts = make([]bool, len(rs))
		}
		starts[i] = true
		if countEnd == nil {
			countEnd = map[int]int{}
		}
		countEnd[d.numStart] = d.numEnd
	}
	return starts, countEnd
}

// plausibleCount rejects counts no customer means as a length of time: with 万 or 亿 (五万三年
// is 五万 and 三年), or above maxDurationCount.
func plausibleCount(rs []rune, d durMatch) bool {
	for k := d.numStart; k < d.numEnd; k++ {
		if bigUnit(rs[k]) != 0 || rs[k] == 'k' || rs[k] == 'w' {
			return false
		}
	}
	return d.val.cmp(dec{m: maxDurationCount}) <= 0
}

// maxDurationCount is the largest count of a duration (in its final unit).
const maxDurationCount = 1_000_000

// acceptNumber filters numerals that are words: a lone Chinese digit (一下, 一起, 两岸), a lone
// financial digit (大陆), 十分 (very).
func acceptNumber(rs []rune, n num) bool {
	length := n.end - n.start
	if n.arabic {
		return true
	}
	if n.financial && length == 1 {
		return false
	}
	if length == 1 {
		// a lone Chinese digit is a number only before a measure word or standing alone.
		if n.end >= len(rs) {
			return n.start == 0 || rs[n.start-1] == ' '
		}
		return strings.ContainsRune("个笔张次位份条项元块台岁号月日年天周只名", rs[n.end])
	}
	if hasStr(rs, n.start, "十分") && n.end == n.start+1 {
		return false
	}
	if length == 2 && n.seq && n.digits[0] == n.digits[1] && n.end < len(rs) && !strings.ContainsRune("个笔张次位份条项元块", rs[n.end]) {
		// 一一 列出, 三三两两
		return false
	}
	return true
}

// scanLists finds the longest name of any list value in the text.
func (x *Extractor) scanLists(rs []rune, lists map[string][]ListValue, add addFunc) {
	if len(lists) == 0 {
		return
	}
	for typ, vals := range lists {
		for _, v := range vals {
			for j, name := range v.Names {
				var w []rune
				if j < len(v.Norm) {
					w = v.Norm[j]
				} else {
					w = x.normName(name)
				}
				if len(w) == 0 {
					continue
				}
				for i := 0; i+len(w) <= len(rs); i++ {
					if hasAt(rs, i, w) {
						// list names outrank builtins of the same length
						add(i, i+len(w), typ, v.Value, "", 95)
					}
				}
			}
		}
	}
}

// normName normalises a list name once and caches it (bounded, so that per-customer names
// cannot grow the cache without end).
func (x *Extractor) normName(name string) []rune {
	if v, ok := x.names.Load(name); ok {
		return v.([]rune)
	}
	w := []rune(normalize.Normalize(name).Norm)
	x.mu.Lock()
	if x.nsize < 50000 {
		x.names.Store(name, w)
		x.nsize++
	}
	x.mu.Unlock()
	return w
}

// numericStart reports whether a number, an amount or a currency prefix may start with r.
func numericStart(r rune) bool {
	return isASCIIDigit(r) || chineseDigit(r) >= 0 || smallUnit(r) != 0 || currencyFirst.Has(r) || r == '第' || r == '百' || r == '-' || r == '负' || r == '.' || r == '廿' || r == '卅' || r == '数' || r == '几'
}

// currencyFirst holds the first runes of currency words.
var currencyFirst = func() *runeset.Set {
	var m runeset.Set
	for _, c := range currencyWords {
		m.Add(c.w[0])
	}
	return &m
}()

// dateStarts holds every rune a date, time or period expression may start with.
var dateStarts = func() *runeset.Set {
	var m runeset.Set
	for _, s := range []string{"0123456789零〇一二三四五六七八九十两廿卅壹贰叁肆伍陆柒捌玖拾", "今明后大昨前寻琴听翌次本当同该上下这去近最过未接现此目周星礼月凌清早中正午傍晚夜半深白黎第"} {
		for _, r := range s {
			m.Add(r)
		}
	}
	for _, w := range relDays {
		m.Add([]rune(w.w)[0])
	}
	for _, w := range relDayParts {
		m.Add([]rune(w.w)[0])
	}
	for _, d := range dayParts {
		m.Add([]rune(d.w)[0])
	}
	for r := range festivalFirst {
		m.Add(r)
	}
	return &m
}()

// moneyVerbs move money: a number right after one is an amount (转500, 还款1.5万, 贷款20万).
var moneyVerbs = []string{"转账", "转给", "汇款", "存入", "取出", "取款", "还款", "支付", "充值", "缴费", "贷款", "借款",
	"转", "汇", "存", "取", "还", "付", "充", "缴", "交", "借", "贷"}

// englishMoneyVerbs move money in English: a number after one, or after one and a person
// (pay him 200, send mum 300), is an amount (transfer 500 to 张三, top up 100).
var englishMoneyVerbs = map[string]bool{"transfer": true, "send": true, "wire": true, "remit": true,
	"pay": true, "repay": true, "deposit": true, "withdraw": true, "topup": true, "top up": true,
	"recharge": true, "borrow": true, "lend": true, "transfer out": true}

// englishObjects may stand between an English money verb and its amount.
var englishObjects = map[string]bool{"me": true, "him": true, "her": true, "them": true, "us": true,
	"back": true, "another": true, "only": true, "just": true, "about": true, "around": true}

// afterEnglishMoneyVerb reports whether the ASCII word before the number at i (after spaces
// and at most one object word) is an English money verb.
func afterEnglishMoneyVerb(rs []rune, i int) bool {
	w, start := asciiWordBefore(rs, i)
	if w == "" {
		// pay 张三 200: a name of two to four Han runes between the verb and the amount.
		e := i
		if e > 0 && rs[e-1] == ' ' {
			e--
		}
		s := e
		for s > 0 && e-s < 5 && unicode.Is(unicode.Han, rs[s-1]) {
			s--
		}
		if n := e - s; n >= 2 && n <= 4 && s > 0 && rs[s-1] == ' ' {
			w, start = asciiWordBefore(rs, s)
		}
	}
	if englishObjects[w] {
		w, start = asciiWordBefore(rs, start)
	}
	if w == "up" || w == "out" {
		v, _ := asciiWordBefore(rs, start)
		w = v + " " + w
	}
	return englishMoneyVerbs[w]
}

// asciiWordBefore returns the lower-case ASCII word that ends before i after at most one
// space, and where it starts; "" when there is none.
func asciiWordBefore(rs []rune, i int) (string, int) {
	e := i
	if e > 0 && rs[e-1] == ' ' {
		e--
	}
	s := e
	for s > 0 && isLowerASCII(rs[s-1]) {
		s--
	}
	if s == e {
		return "", i
	}
	return string(rs[s:e]), s
}

// englishAmountEnds reports whether a number after an English money verb ending at e is an
// amount: the message or a clause ends there, Chinese follows, or an English word that goes
// with an amount (to, from, for, into, on, now, please, today); a count of something else
// (transfer 3 times) is not.
func englishAmountEnds(rs []rune, e int) bool {
	if e < len(rs) && rs[e] == ' ' {
		e++
	}
	if e >= len(rs) || !isLowerASCII(rs[e]) {
		return e >= len(rs) || !isDateFollower(rs[e]) && !strings.ContainsRune(measureWords, rs[e])
	}
	j := e
	for j < len(rs) && isLowerASCII(rs[j]) {
		j++
	}
	switch string(rs[e:j]) {
	case "to", "from", "for", "into", "on", "via", "now", "please", "today", "tomorrow", "and", "with", "using":
		return true
	}
	// a date: transfer 500 next monday, pay 200 in 3 days
	t, _, ok := enTokAt(rs, e)
	if ok && (t.kind == enRelDay || t.kind == enQual || t.kind == enWeekday && !t.weak || t.w == "tonight") {
		return true
	}
	_, ok = enRelativeAt(rs, e)
	return ok
}

// amountEnds reports whether a number after a money verb that ends at e is an amount: not
// followed by a measure word (借2本书, 转3次) or a date word, unless a unit of yuan or a
// term follows (贷款20万30年: countEnd holds where each duration's count starts).
func amountEnds(rs []rune, e int, countEnd map[int]int) bool {
	if e >= len(rs) || isYuanUnit(rs[e]) {
		return true
	}
	if _, ok := countEnd[e]; ok {
		return true
	}
	return !isDateFollower(rs[e]) && !strings.ContainsRune(measureWords, rs[e])
}

// measureWords count things, not yuan: a number before one is a count.
const measureWords = "本张个次笔份位条件只台辆家间项种把双套口人年月周号期秒样颗杯瓶盒袋页"

// moveVerbs move money somewhere: a number right before one is the amount moved (5000转到
// 微银账户, 500块转给他).
var moveVerbs = []string{"转给", "转到", "转入", "转进", "转去", "转过去", "转出", "汇给", "汇到", "汇入", "汇过去", "打给", "打到",
	"打过去", "还给", "付给", "存到", "存入", "存进", "取出来"}

// beforeMoneyMove reports whether a move verb starts at e, after an optional space.
func beforeMoneyMove(rs []rune, e int) bool {
	if e < len(rs) && rs[e] == ' ' {
		e++
	}
	for _, v := range moveVerbs {
		if hasStr(rs, e, v) {
			return true
		}
	}
	return false
}

func afterMoneyVerb(rs []rune, i int) bool {
	for _, v := range moneyVerbs {
		n := utf8.RuneCountInString(v)
		if i-n >= 0 && hasStr(rs, i-n, v) {
			return true
		}
	}
	return false
}
