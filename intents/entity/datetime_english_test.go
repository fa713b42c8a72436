package entity

import (
	"strings"
	"testing"
	"time"

	"github.com/weiyin-bank/weiyin/intents/normalize"
)

// TestExtractEnglishDates pins the English and mixed dates and times a customer types,
// against the test clock (Wednesday 2026-11-25 15:10 in Shanghai).
func TestExtractEnglishDates(t *testing.T) {
	checkTable(t, []classCase{
		{"book the branch tomorrow at 3pm", "datetime:2026-11-26T15:00:00+08:00[tomorrow at 3pm]", "a day, at and a clock make one datetime"},
		{"Tomorrow at 3", "datetime:2026-11-26T15:00:00+08:00[Tomorrow at 3]", "a bare hour after at a day is afternoon for 1-6, as 明天三点; the span keeps the customer's capitals"},
		{"tomorrow at 10", "datetime:2026-11-26T10:00:00+08:00[tomorrow at 10]", "a bare 10 on a day is the morning, as 明天十点"},
		{"tomorrow 10am", "datetime:2026-11-26T10:00:00+08:00[tomorrow 10am]", "a clock with am needs no at"},
		{"next friday at 2:30pm", "datetime:2026-12-04T14:30:00+08:00[next friday at 2:30pm]", "a qualified weekday with a clock"},
		{"Mon 3pm", "datetime:2026-11-30T15:00:00+08:00[Mon 3pm]", "a weekday abbreviation with a clock"},
		{"tomorrow, 3pm", "datetime:2026-11-26T15:00:00+08:00[tomorrow, 3pm]", "punctuation between day and clock is a space"},
		{"3pm tomorrow", "datetime:2026-11-26T15:00:00+08:00[3pm tomorrow]", "a clock before its day is one datetime too"},
		{"at 3 tomorrow", "datetime:2026-11-26T15:00:00+08:00[3 tomorrow]", "a bare hour after at is a clock when a day follows"},
		{"10am on monday", "datetime:2026-11-30T10:00:00+08:00[10am on monday]", "clock, on and a weekday"},
		{"may 5 2026 at 3pm", "datetime:2026-05-05T15:00:00+08:00[may 5 2026 at 3pm]", "a month name with day and year, then a clock"},
		{"tomorrow morning at 10", "datetime:2026-11-26T10:00:00+08:00[tomorrow morning at 10]", "day, day part and clock"},
		{"tomorrow at 3 in the afternoon", "datetime:2026-11-26T15:00:00+08:00[tomorrow at 3 in the afternoon]", "in the afternoon after a clock places it"},
		{"tonight at 8", "datetime:2026-11-25T20:00:00+08:00[tonight at 8]", "tonight makes a bare 8 evening, as 今晚八点"},
		{"tomorrow at noon", "datetime:2026-11-26T12:00:00+08:00[tomorrow at noon]", "at noon is 12:00"},
		{"today at midnight", "datetime:2026-11-26T00:00:00+08:00[today at midnight]", "at midnight is the coming midnight, as 晚上12点"},
		{"at 8 tonight", "datetime:2026-11-25T20:00:00+08:00[8 tonight]", "a bare hour before tonight"},
		{"10 at night", "time:22:00[10 at night]", "at night makes the clock pm"},
		{"3 in the afternoon", "time:15:00[3 in the afternoon]", "a bare hour with a day part is a time"},
		{"3:30 pm", "time:15:30[3:30 pm]", "am or pm after one space belongs to the clock"},
		{"at 10 am", "time:10:00[10 am]", "10 am with a space; at stays outside a lone time"},
		{"at 3pm", "time:15:00[3pm]", "a lone English clock is a time, as before"},
		{"transfer 500 to 张三 tomorrow", "money:500.00[500] contact:c-zhang@to[张三] date:2026-11-26[tomorrow]", "a date after the payee"},
		{"pay 200 next monday", "money:200.00[200] date:2026-11-30[next monday]", "a number before an English date after a money verb is an amount"},
		{"transfer 500 in 3 days", "money:500.00[500] date:2026-11-28[in 3 days]", "in N days after the amount"},
		{"show my transactions last month", "period:2026-10-01..2026-10-31[last month]", "last month is the calendar month"},
		{"last month的明细", "period:2026-10-01..2026-10-31[last month]", "an English period before Chinese"},
		{"this weekend", "period:2026-11-28..2026-11-29[this weekend]", "a weekend is Saturday and Sunday"},
		{"last 3 months", "period:2026-08-25..2026-11-25[last 3 months]", "last with a count is 最近: up to today"},
		{"past week", "period:2026-11-19..2026-11-25[past week]", "past without a count is one unit back, as 近一周"},
		{"next 3 days", "period:2026-11-26..2026-11-28[next 3 days]", "next with a count starts tomorrow, as 未来三天"},
		{"in 2 hours", "datetime:2026-11-25T17:10:00+08:00[in 2 hours]", "hours on from now, as 两小时后"},
		{"30 minutes ago", "datetime:2026-11-25T14:40:00+08:00[30 minutes ago]", "minutes back from now"},
		{"last 2 hours", "datetime:2026-11-25T13:10:00+08:00..2026-11-25T15:10:00+08:00[last 2 hours]", "a window back from now, as 最近两小时"},
		{"in a week", "period:2026-11-30..2026-12-06[in a week]", "a counts one"},
		{"a month ago", "date:2026-10-25[a month ago]", "a month back is one day"},
		{"on sat", "date:2026-11-28[sat]", "sat is Saturday after on"},
		{"next sun", "date:2026-12-06[next sun]", "sun is Sunday after a qualifier"},
		{"monday next week", "date:2026-11-30[monday next week]", "a weekday with its week after it"},
		{"on the 15th", "date:2026-11-15[the 15th]", "the Nth after on is a day of this month, as 15号"},
		{"by the 15th of december", "date:2026-12-15[the 15th of december]", "the Nth of a month"},
		{"5th of may 2027", "date:2027-05-05[5th of may 2027]", "day, of, month and year"},
		{"5 may", "date:2026-05-05[5 may]", "a day before may makes it the month"},
		{"in may", "period:2026-05-01..2026-05-31[may]", "may after in is the month"},
		{"since dec", "period:2026-12-01..2026-12-31[dec]", "an abbreviation after a preposition is the month"},
		{"december", "period:2026-12-01..2026-12-31[december]", "a full month name alone is this year's month, as 12月"},
		{"last december", "period:2025-12-01..2025-12-31[last december]", "last month-name is the latest one before this month"},
		{"next march", "period:2027-03-01..2027-03-31[next march]", "next month-name is the first one after this month"},
		{"end of next month", "date:2026-12-31[end of next month]", "end of a month is its last day, as 下个月底"},
		{"beginning of next month", "period:2026-12-01..2026-12-05[beginning of next month]", "beginning of a month is its first five days, as 下个月初"},
		{"this afternoon", "datetime:2026-11-25T13:00:00+08:00..2026-11-25T18:00:00+08:00[this afternoon]", "this with a day part is today's hours"},
		{"last night", "datetime:2026-11-24T18:00:00+08:00..2026-11-25T00:00:00+08:00[last night]", "last night is 昨晚"},
		{"dec 1 2000 yuan", "date:2026-12-01[dec 1] money:2000.00[2000 yuan]", "a number before a currency is no year"},
		{"todays", "", "a longer word is not today"},
		{"tomorrowland", "", "tomorrow must end the word"},
		{"sundaymarket", "", "sunday inside a word is no weekday"},
		{"mondays", "", "a plural weekday is a habit, not a date"},
		{"monday's meeting", "date:2026-11-30[monday]", "a possessive weekday is the day"},
		{"I may pay", "", "the modal may is no month"},
		{"I sat at the branch", "", "sat alone is a verb"},
		{"good morning", "", "a greeting is not a time"},
		{"last 4 digits", "number:4[4]", "last with a count of something else is no period"},
		{"next time", "", "next with another noun is no date"},
		{"the 2nd card", "number:2[2]", "the Nth without on, by or a month is no date"},
		{"feb 30", "number:30[30]", "an impossible day is no date"},
		{"31st of feb", "number:31[31]", "an impossible day is no date, and of does not make feb a month"},
		{"check balance at 3", "number:3[3]", "a bare hour without a day stays a number"},
	})
}

// TestEnglishDatesMatchChinese checks that each English or mixed wording gives one entity of
// the same type, value and end as its Chinese equivalent, under both week conventions, with
// its span on the whole English text.
func TestEnglishDatesMatchChinese(t *testing.T) {
	tests := []struct {
		en, zh  string
		ensures string
	}{
		{"tomorrow at 3pm", "明天下午三点", "day and clock"},
		{"tomorrow 3pm", "明天下午三点", "day and clock without at"},
		{"明天 3pm", "明天下午三点", "Chinese day, English clock"},
		{"明天 at 3", "明天三点", "Chinese day, at and a bare hour"},
		{"tomorrow下午三点", "明天下午三点", "English day, Chinese clock"},
		{"today", "今天", "today"},
		{"tonight", "今晚", "tonight is the evening's hours"},
		{"tomorrow", "明天", "tomorrow"},
		{"tmr", "明天", "chat abbreviation"},
		{"yesterday", "昨天", "yesterday"},
		{"the day after tomorrow", "后天", "two days on"},
		{"day before yesterday", "前天", "two days back, without the"},
		{"this week", "本周", "this week"},
		{"next week", "下周", "next calendar week"},
		{"last week", "上周", "last calendar week"},
		{"this month", "本月", "this month"},
		{"next month", "下个月", "next month"},
		{"last month", "上个月", "last month"},
		{"previous month", "上个月", "previous is last"},
		{"this year", "今年", "this year"},
		{"next year", "明年", "next year"},
		{"last year", "去年", "last year"},
		{"Monday", "周一", "a bare weekday is the next one after today"},
		{"on friday", "周五", "on and a weekday"},
		{"wed", "周三", "an abbreviation; today's weekday means next week's"},
		{"this monday", "这周一", "this weekday"},
		{"next wednesday", "下周三", "next weekday, by the convention"},
		{"last sunday", "上周日", "last weekday, by the convention"},
		{"next weekend", "下周末", "next weekend"},
		{"in 3 days", "3天后", "in N days"},
		{"3 days later", "3天后", "N days later"},
		{"3 days ago", "三天前", "N days ago"},
		{"in 2 weeks", "2周后", "N weeks on is that calendar week"},
		{"in three months", "3个月后", "a count in words"},
		{"2 years ago", "两年前", "years back"},
		{"last 7 days", "最近7天", "last N days"},
		{"in 3 hours", "三小时后", "hours on"},
		{"next 2 hours", "未来两小时", "the next whole hours"},
		{"tomorrow morning", "明天上午", "morning is 上午"},
		{"tomorrow afternoon", "明天下午", "afternoon is 下午"},
		{"tomorrow evening", "明天晚上", "evening is 晚上"},
		{"tomorrow night", "明晚", "night is 晚上"},
		{"tomorrow at noon", "明天中午12点", "at noon"},
		{"tonight at 8", "今晚八点", "tonight with a bare hour"},
		{"yesterday at 3pm", "昨天下午三点", "a past day with a clock"},
		{"next monday at 10am", "下周一上午十点", "a weekday with a clock"},
		{"end of the month", "月底", "end of the month"},
		{"dec 12", "12月12日", "month abbreviation and day"},
		{"december 2025", "2025年12月", "month and year"},
	}
	for _, weeks := range []WeekConvention{WeeksCalendar, WeeksRolling} {
		c := Context{Now: now, Calendar: Calendar{Weeks: weeks}}
		for _, tt := range tests {
			en := New().Extract(normalize.Normalize(tt.en), c)
			zh := New().Extract(normalize.Normalize(tt.zh), c)
			if len(en) != 1 || len(zh) != 1 {
				t.Errorf("%s / %s (weeks %d): got %s and %s, want one entity each (%s)", tt.en, tt.zh, weeks, render(en), render(zh), tt.ensures)
				continue
			}
			if en[0].Type != zh[0].Type || en[0].Value != zh[0].Value || en[0].End2 != zh[0].End2 {
				t.Errorf("%s (weeks %d): got %s, want the value of %s (%s)", tt.en, weeks, render(en), render(zh), tt.ensures)
			}
			if en[0].Text != strings.TrimSpace(tt.en) && !strings.HasPrefix(tt.en, "on ") {
				t.Errorf("%s: span %q, want the whole text (%s)", tt.en, en[0].Text, tt.ensures)
			}
		}
	}
}

// TestEnglishDatesAtMidnight checks English words against a clock just before midnight on a
// Sunday, where days, weeks and months turn over.
func TestEnglishDatesAtMidnight(t *testing.T) {
	sun := time.Date(2026, 11, 29, 23, 59, 0, 0, shanghai)
	tests := []classCase{
		{"tomorrow", "date:2026-11-30[tomorrow]", "tomorrow is Monday"},
		{"this week", "period:2026-11-23..2026-11-29[this week]", "Sunday ends the calendar week"},
		{"next month", "period:2026-12-01..2026-12-31[next month]", "next month"},
		{"sunday", "date:2026-12-06[sunday]", "a bare weekday equal to today is next week's"},
	}
	for _, tt := range tests {
		got := render(New().Extract(normalize.Normalize(tt.in), Context{Now: sun}))
		if got != tt.want {
			t.Errorf("%s: got %s, want %s (%s)", tt.in, got, tt.want, tt.ensures)
		}
	}
}
