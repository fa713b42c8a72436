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
// Lunar dates are converted for the lunar years 1900-2100 from the standard compact table:
// 农历/阴历 dates, lunar-only names (正月, 腊月, 闰四月, 初八, 廿二), festivals (春节, 除夕,
// 元宵, 端午, 七夕, 中秋, 重阳, 腊八) and the 24 solar terms (1901-2099, by the usual
// formula). A month-day without a lunar marker (三月十五) is Gregorian. M月D日 and lunar
// month-days fall in the current year; festivals and solar terms without a year are the
// next occurrence (today included).
package entity
