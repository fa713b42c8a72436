package entity

import (
	"testing"
	"time"

	"github.com/weiyin-bank/weiyin/intents/normalize"
)

// TestExtractBankDates pins the dates and times a bank customer says, against the test clock
// (Wednesday 2026-11-25 15:10 in Shanghai) and the bank's default conventions.
func TestExtractBankDates(t *testing.T) {
	tests := []struct {
		in, want string
		ensures  string
	}{
		{"预约明天下午三点", "datetime:2026-11-26T15:00:00+08:00[明天下午三点]", "a day, a day part and a clock make one datetime"},
		{"下周五上午十点", "datetime:2026-12-04T10:00:00+08:00[下周五上午十点]", "下周五 is the Friday of next calendar week"},
		{"上个月的账单", "period:2026-10-01..2026-10-31[上个月]", "last month is a whole-month period"},
		{"近三个月", "period:2026-08-25..2026-11-25[近三个月]", "近N个月 ends today"},
		{"这周", "period:2026-11-23..2026-11-29[这周]", "this week runs Monday to Sunday"},
		{"月底还款", "date:2026-11-30[月底]", "月底 is the month's last day"},
		{"下个月初", "period:2026-12-01..2026-12-05[下个月初]", "月初 is the first five days"},
		{"下个月中", "period:2026-12-11..2026-12-20[下个月中]", "月中 is the 11th to the 20th"},
		{"12月下旬", "period:2026-12-21..2026-12-31[12月下旬]", "下旬 runs to the month's end"},
		{"大后天", "date:2026-11-28[大后天]", "three days on"},
		{"第三天上午", "datetime:2026-11-27T07:00:00+08:00..2026-11-27T12:00:00+08:00[第三天上午]", "第三天 counts today as the first; a day part alone is an hour range"},
		{"3天后", "date:2026-11-28[3天后]", "N天后 is one day"},
		{"三天前", "date:2026-11-22[三天前]", "N天前 is one day"},
		{"过两天再说", "date:2026-11-27[过两天]", "过两天 is two days on"},
		{"4周后", "period:2026-12-21..2026-12-27[4周后]", "N周后 is that calendar week"},
		{"下周三", "date:2026-12-02[下周三]", "calendar weeks by default"},
		{"明天早上", "datetime:2026-11-26T06:00:00+08:00..2026-11-26T10:00:00+08:00[明天早上]", "早上 is 06:00-10:00"},
		{"今晚", "datetime:2026-11-25T18:00:00+08:00..2026-11-26T00:00:00+08:00[今晚]", "今晚 is tonight's hours"},
		{"明早八点", "datetime:2026-11-26T08:00:00+08:00[明早八点]", "明早 with a clock"},
		{"昨晚十点", "datetime:2026-11-24T22:00:00+08:00[昨晚十点]", "昨晚 makes the clock pm"},
		{"下午3点", "time:15:00[下午3点]", "下午 adds 12"},
		{"晚上12点", "datetime:2026-11-26T00:00:00+08:00[晚上12点]", "晚上12点 is midnight, the next day"},
		{"凌晨12点", "datetime:2026-11-26T00:00:00+08:00[凌晨12点]", "凌晨12点 is the coming midnight"},
		{"凌晨两点", "time:02:00[凌晨两点]", "凌晨 keeps small hours"},
		{"中午12点", "time:12:00[中午12点]", "中午12点 is noon"},
		{"三点二十五分", "time:15:25[三点二十五分]", "几点几分, next occurrence"},
		{"三点一刻", "time:15:15[三点一刻]", "一刻 is a quarter"},
		{"下午差五分四点", "time:15:55[下午差五分四点]", "差五分四点 is five to four"},
		{"2021年6月14日", "date:2021-06-14[2021年6月14日]", "explicit date"},
		{"6/14", "date:2026-06-14[6/14]", "M/D in the current year"},
		{"本月14号", "date:2026-11-14[本月14号]", "a day of this month"},
		{"明年1月1日", "date:2027-01-01[明年1月1日]", "year offset with month and day"},
		{"前年5月", "period:2024-05-01..2024-05-31[前年5月]", "year offset with a month"},
		{"上两小时", "datetime:2026-11-25T13:00:00+08:00..2026-11-25T15:00:00+08:00[上两小时]", "the last two whole hours"},
		{"最近两小时", "datetime:2026-11-25T13:10:00+08:00..2026-11-25T15:10:00+08:00[最近两小时]", "最近 counts back from now"},
		{"之后5分钟", "datetime:2026-11-25T15:10:00+08:00..2026-11-25T15:15:00+08:00[之后5分钟]", "之后 counts on from now"},
		{"春节", "date:2027-02-06[春节]", "a lunar festival: the next one"},
		{"除夕", "date:2027-02-05[除夕]", "除夕 is the lunar year's last day"},
		{"中秋节", "date:2027-09-15[中秋节]", "中秋 is lunar 8/15"},
		{"端午", "date:2027-06-09[端午]", "端午 is lunar 5/5"},
		{"腊月初八", "date:2027-01-15[腊月初八]", "a lunar date of the current lunar year"},
		{"正月十五", "date:2026-03-03[正月十五]", "正月 marks a lunar month"},
		{"农历八月十五晚上8点", "datetime:2026-09-25T20:00:00+08:00[农历八月十五晚上8点]", "农历 with a plain day and a time"},
		{"三月十五", "date:2026-03-15[三月十五]", "without a lunar marker a month-day stays Gregorian"},
		{"晚上好", "", "a greeting is not a time"},
		{"黎明主演的电影", "", "黎明 alone is a name as often as dawn"},
		{"下午能办吗", "datetime:2026-11-25T13:00:00+08:00..2026-11-25T18:00:00+08:00[下午]", "a day part alone is today's hours"},
		{"新来的同事", "", "no date in plain words"},
		{"3月中国银行的账单", "period:2026-03-01..2026-03-31[3月]", "月中 needs to stand alone: 3月中国 is March and 中国"},
		{"3月中还款", "period:2026-03-11..2026-03-20[3月中]", "M月中 is its 11th to 20th"},
		{"2023年闰二月", "period:2023-03-22..2023-04-19[2023年闰二月]", "a leap lunar month"},
		{"立春", "date:2027-02-04[立春]", "a solar term: the next one"},
		{"2024年冬至", "date:2024-12-21[2024年冬至]", "a solar term of a given year"},
	}
	for _, tt := range tests {
		if got := render(extract(tt.in, nil)); got != tt.want {
			t.Errorf("%s: got %s, want %s (%s)", tt.in, got, tt.want, tt.ensures)
		}
	}
}

// TestWeekConventions checks that the Calendar switches how 这周X / 下周X / 上周X are read.
func TestWeekConventions(t *testing.T) {
	tue := time.Date(2013, 2, 12, 4, 30, 0, 0, shanghai) // a Tuesday
	tests := []struct {
		in      string
		weeks   WeekConvention
		want    string
		ensures string
	}{
		{"下周三", WeeksCalendar, "2013-02-20", "calendar: Wednesday of next week"},
		{"下周三", WeeksRolling, "2013-02-13", "rolling: the next Wednesday after today"},
		{"下周二", WeeksRolling, "2013-02-19", "rolling: 下周 never means today"},
		{"这周一", WeeksCalendar, "2013-02-11", "calendar: this week's Monday, past"},
		{"这周一", WeeksRolling, "2013-02-18", "rolling: the coming Monday"},
		{"这周二", WeeksRolling, "2013-02-12", "rolling: 这周 includes today"},
		{"上周二", WeeksRolling, "2013-02-05", "rolling: the last Tuesday before today"},
		{"上周日", WeeksCalendar, "2013-02-10", "calendar: last week's Sunday"},
	}
	x := New()
	for _, tt := range tests {
		es := x.Extract(normalize.Normalize(tt.in), Context{Now: tue, Calendar: Calendar{Weeks: tt.weeks}})
		if len(es) != 1 || es[0].Type != TypeDate || es[0].Value != tt.want {
			t.Errorf("%s (weeks %d): got %+v, want %s (%s)", tt.in, tt.weeks, es, tt.want, tt.ensures)
		}
	}
}

// TestDayPartOverride checks that Calendar.DayParts replaces a day part's hours.
func TestDayPartOverride(t *testing.T) {
	c := Context{Now: now, Calendar: Calendar{DayParts: map[string][2]int{"早上": {4, 12}}}}
	es := New().Extract(normalize.Normalize("明天早上"), c)
	want := "datetime:2026-11-26T04:00:00+08:00..2026-11-26T12:00:00+08:00[明天早上]"
	if got := render(es); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// TestLunarToSolar checks the lunar table against well-known dates (Spring Festivals, a
// leap month, the table's ends).
func TestLunarToSolar(t *testing.T) {
	tests := []struct {
		y, m, d int
		leap    bool
		want    string
		ensures string
	}{
		{1900, 1, 1, false, "1900-01-31", "the table's first day"},
		{1976, 1, 1, false, "1976-01-31", "Spring Festival 1976"},
		{2008, 1, 1, false, "2008-02-07", "Spring Festival 2008"},
		{2021, 1, 1, false, "2021-02-12", "Spring Festival 2021"},
		{2024, 1, 1, false, "2024-02-10", "Spring Festival 2024"},
		{2030, 1, 1, false, "2030-02-03", "Spring Festival 2030"},
		{2023, 8, 15, false, "2023-09-29", "Mid-Autumn 2023"},
		{2020, 4, 1, true, "2020-05-23", "the leap fourth month of 2020"},
		{2024, 12, -1, false, "2025-01-28", "New Year's Eve of lunar 2024"},
	}
	for _, tt := range tests {
		got, ok := lunarToSolar(tt.y, tt.m, tt.d, tt.leap)
		if !ok || got.String() != tt.want {
			t.Errorf("lunar %d-%d-%d leap=%v: got %s %v, want %s (%s)", tt.y, tt.m, tt.d, tt.leap, got, ok, tt.want, tt.ensures)
		}
	}
	for _, bad := range [][3]int{{1899, 1, 1}, {2101, 1, 1}, {2021, 13, 1}, {2021, 1, 31}} {
		if _, ok := lunarToSolar(bad[0], bad[1], bad[2], false); ok {
			t.Errorf("lunar %v: want rejected", bad)
		}
	}
	if _, ok := lunarToSolar(2021, 4, 1, true); ok {
		t.Errorf("2021 has no leap fourth month: want rejected")
	}
}
