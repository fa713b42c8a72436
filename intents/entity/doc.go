// Package entity finds the values a banking customer mentions: amounts of money, numbers,
// dates, times, periods, durations, phone numbers, card tails, account and bill numbers,
// account types and run-time list values (contacts, branches...), in text made by package
// normalize.
//
// # Basics
//
// New returns an Extractor; Extract(t, c) returns entities sorted by position, each with its
// span in the ORIGINAL text (rune offsets, through normalize.Text's map) and a canonical
// value: money "500.00" (yuan, two decimals), date "2026-11-26", time "15:00", datetime RFC
// 3339 in Asia/Shanghai, period value = first day and End2 = last day (inclusive), phone and
// card_tail digits, account_no the digits after 户号/账号/卡号/编号 (never an amount), number a
// plain decimal, duration a count of Unit (second, minute, hour, day, week, month: 3年 is 36
// month), account_type current / fixed / credit. Overlaps go to the longest span, then to the
// type's priority.
//
// Role (RoleTo, RoleFrom) says what the words around a party or an account make of it: 给张三,
// 转到招商卡 (to); 从建行卡, 用尾号1234的卡, 建行卡里的5000 (from). Roles name no slot.
//
// The parsers are usable alone: ParseMoney, ParseAmount, ParseNumber, ParseChineseInt,
// MoneyFromNumber.
//
// # Caveats
//
// A money entity with End2 set is a range (三到五万) and must not fill a one-amount slot.
// A foreign amount is money with Unit set to its ISO 4217 code (100美元: Value "100.00", Unit
// "USD"); renminbi has Unit "". A negative amount (-5, 负五百块) keeps its sign: the caller
// refuses it. A count of time (等我5分钟, 两个小时, 分3年) is a duration, an account or bill
// number (户号123, 卡号...) is account_no: neither is ever money. A bare number is a
// number: the engine turns it into money with MoneyFromNumber when it asked for an amount.
// Amounts above MaxYuan and numerals of 20 digits or more are rejected.
//
// Entity and ListValue mirror the intents types field for field (convert with
// intents.Entity(e) and entity.ListValue(v)); Context has intents.Context's fields plus
// Calendar, which intents leaves zero (the bank's conventions). Money is engine.Money's
// unit: importing intents or engine here would make an import cycle (engine -> intents ->
// entity).
//
// Dates are resolved against Context.Now in Asia/Shanghai. Context.Calendar holds the
// conventions that differ between products; its zero value is the bank's: calendar weeks
// starting on Monday (下周三 is the Wednesday of next week; WeeksRolling reads it as the next
// Wednesday after today, as Duckling does), a bare 周三 the next Wednesday after today, and
// default day-part hours (早上 06-10, 上午 07-12, 下午 13-18, 晚上 18-24; DayParts overrides).
//
// A day part without a clock (明天下午, 今晚, 白天) and a window of hours or minutes (上两小时,
// 最近30分钟) are a datetime range: Value is its start and End2 its end (exclusive), both RFC
// 3339. A datetime without End2 is an instant.
//
// # English dates and times
//
// English date words are read only as whole ASCII words (no ASCII letter or digit touching
// either side; case does not matter, normalize lower-cases them) and resolved through the
// functions their Chinese equivalents use, so each gives the same type and value: today,
// tomorrow (tmr, tmrw), yesterday, the day after tomorrow, the day before yesterday (今天 ...
// 前天); this / next / last (previous) week, month, year and weekend (本周, 下个月, 去年, 下周末:
// periods); Monday..Sunday and mon, tue(s), wed, thu(r)(s), fri (bare: the next one, as 周一;
// with this / next / last or followed by next week, as 这周一 / 下周一 by the Calendar); sat
// and sun only after on or a qualifier (I sat is a verb); in N / after N / N later / N from
// now / N ago with day(s), week(s), month(s), year(s) (3天后, 三天前, N周后 the calendar week)
// and with hour(s), minute(s) (三小时后); last / past N units and past week (最近N天: up to
// today or now), next N units (未来N天); N is 1-1000 in digits, one..twelve, a or an. Day parts:
// morning 上午, afternoon 下午, evening and night 晚上, noon 中午; tonight (今晚), this
// morning / afternoon / evening, last night (昨晚), in the morning / afternoon / evening
// (today's, as 下午 alone); a bare morning is no date (good morning is a greeting).
//
// A clock in English: 3pm, 3 pm, 3:30 pm, 15:00, 10 am, 3 o'clock, and after at a bare hour
// (tomorrow at 3, as 明天三点: 1-6 are afternoon), noon or midnight; in the morning /
// afternoon / evening or at night after it places it in that part. A day with a clock or a day part is one datetime whichever
// the script of each (tomorrow at 3pm, tomorrow 3pm, 明天 3pm, tomorrow下午三点 all equal
// 明天下午三点), and so is a clock before its day (3pm tomorrow, 10am on monday, at 3 tomorrow,
// 8pm tonight); a lone at 3 stays a number. Spans cover the English words (not a leading on
// or at before a lone clock or weekday).
//
// Month names go with a day (may 5, 5 may, 5th of may, may 31st, dec 1 2026), with a year
// (december 2025: that month), after this / next / last (last december: the latest one
// before this month), or alone as this year's month (december, as 12月). may (the modal verb)
// and the abbreviations (jan, feb, mar, apr, jun, jul, aug, sep(t), oct, nov, dec) alone are
// a month only after a preposition (in may, since dec). the 15th is this month's 15th (15号)
// after on, by, before, until or till, or with of and a month; end / beginning of (the, this,
// next, last) month is its last day / first five days (月底 / 月初). A plural (mondays) is a
// habit, not a date; a possessive (monday's, normalised to monday s) is the day. now,
// weekday names followed by a date (monday may 5) as one entity, and spelled-out clocks
// (three pm, half past three) are not read.
//
// Lunar dates are converted for the lunar years 1900-2100 from the standard compact table:
// 农历/阴历 dates, lunar-only names (正月, 腊月, 闰四月, 初八, 廿二), festivals (春节, 除夕,
// 元宵, 端午, 七夕, 中秋, 重阳, 腊八) and the 24 solar terms (1901-2099, by the usual
// formula). A month-day without a lunar marker (三月十五) is Gregorian. M月D日 and lunar
// month-days fall in the current year; festivals and solar terms without a year are the
// next occurrence (today included).
package entity
