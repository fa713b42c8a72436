package entity

// WeekConvention says how 这周X / 下周X / 上周X name a weekday.
type WeekConvention int

const (
	// WeeksCalendar (the default) reads weeks as calendar weeks starting on Monday: 下周三 is
	// the Wednesday of next week, 这周一 this week's Monday even when it has passed.
	WeeksCalendar WeekConvention = iota
	// WeeksRolling reads them from today, as Duckling does: 这周X is the next X from today
	// (today included), 下周X the next X after today, 上周X the last X before today; 下下周X and
	// 上上周X are a week further.
	WeeksRolling
)

// Calendar holds the date conventions that differ between products and test suites. The
// zero value is the bank's: calendar weeks from Monday and the default day-part hours.
type Calendar struct {
	// Weeks is how qualified weekdays are read.
	Weeks WeekConvention
	// DayParts overrides the hours [from, to) that a day part without a clock stands for
	// (早上 -> {6, 10}); to may be 24. Words not in the map keep their default hours.
	DayParts map[string][2]int
}

// dayPartHours are the default hours [from, to) of each day part said without a clock
// (明天下午 -> 13:00 to 18:00).
var dayPartHours = map[string][2]int{
	"凌晨": {0, 6}, "清晨": {5, 8}, "黎明": {4, 7}, "早上": {6, 10}, "早晨": {6, 10}, "早间": {6, 10},
	"上午": {7, 12}, "白天": {6, 19}, "中午": {12, 14}, "正午": {12, 13}, "午间": {12, 14},
	"午后": {13, 15}, "下午": {13, 18}, "晏昼": {13, 18}, "傍晚": {17, 19}, "晚上": {18, 24},
	"晚间": {18, 24}, "夜晚": {18, 24}, "夜间": {20, 24}, "夜里": {20, 24}, "深夜": {22, 24},
	"前半夜": {21, 24}, "半夜": {0, 4}, "后半夜": {2, 5}, "午夜": {0, 1}, "早": {6, 10}, "晚": {18, 24},
}

// partHours is the hours of day part w under c.
func (c Calendar) partHours(w string) ([2]int, bool) {
	if h, ok := c.DayParts[w]; ok && h[0] >= 0 && h[0] < h[1] && h[1] <= 24 {
		return h, true
	}
	h, ok := dayPartHours[w]
	return h, ok
}

// weekday resolves weekday wd (0 Monday .. 6 Sunday) qualified by week offset off
// (-1 上周, 0 这周, 1 下周) from today.
func (c Calendar) weekday(today day, off, wd int) day {
	if c.Weeks == WeeksCalendar {
		return today.addDays(-today.weekday() + 7*off + wd)
	}
	delta := (wd - today.weekday() + 7) % 7
	switch {
	case off == 0:
		return today.addDays(delta)
	case off > 0:
		if delta == 0 {
			delta = 7
		}
		return today.addDays(delta + 7*(off-1))
	default:
		back := (today.weekday() - wd + 7) % 7
		if back == 0 {
			back = 7
		}
		return today.addDays(-back + 7*(off+1))
	}
}
