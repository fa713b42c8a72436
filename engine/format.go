package engine

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Shanghai is the bank's time zone.
var Shanghai = mustZone("Asia/Shanghai")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}

// Yuan formats fen as a yuan decimal string with two decimals: 123450 -> "1234.50".
func (m Money) Yuan() string {
	sign := ""
	v := int64(m)
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// String formats money as customers read it: ¥1,234.50, -¥6,500.00.
func (m Money) String() string {
	if m < 0 {
		return "-¥" + groupYuan(-m)
	}
	return "¥" + groupYuan(m)
}

func groupYuan(m Money) string {
	s := m.Yuan()
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String() + "." + frac
	if neg {
		out = "-" + out
	}
	return out
}

// ParseYuan parses a decimal yuan string ("1234.5", "500", "-3.25") into fen. It refuses more
// than two decimals and amounts beyond ±10^13 yuan.
func ParseYuan(s string) (Money, error) {
	s = strings.TrimSpace(s)
	neg := false
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	if intPart == "" && !hasFrac || len(intPart) > 13 || len(frac) > 2 || (hasFrac && frac == "") {
		return 0, fmt.Errorf("bad amount %q", s)
	}
	var fen int64
	for _, r := range intPart {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("bad amount %q", s)
		}
		fen = fen*10 + int64(r-'0')
	}
	fen *= 100
	for i := 0; i < 2; i++ {
		d := int64(0)
		if i < len(frac) {
			if frac[i] < '0' || frac[i] > '9' {
				return 0, fmt.Errorf("bad amount %q", s)
			}
			d = int64(frac[i] - '0')
		}
		if i == 0 {
			fen += d * 10
		} else {
			fen += d
		}
	}
	if neg {
		fen = -fen
	}
	return Money(fen), nil
}

// MaskNumber masks a card or account number, keeping the last four digits:
// "6222021234567890" -> "6222 **** **** 7890"; short numbers keep only the tail.
func MaskNumber(s string) string {
	s = strings.ReplaceAll(s, " ", "")
	n := utf8.RuneCountInString(s)
	if n <= 4 {
		return s
	}
	if n < 12 {
		return "****" + tail(s, 4)
	}
	return string([]rune(s)[:4]) + " **** **** " + tail(s, 4)
}

// MaskPhone masks the middle of a mobile number: 13812345678 -> 138****5678.
func MaskPhone(s string) string {
	r := []rune(s)
	if len(r) < 7 {
		return s
	}
	return string(r[:3]) + "****" + string(r[len(r)-4:])
}

// MaskName keeps the first character of a name: 张三丰 -> 张**.
func MaskName(s string) string {
	r := []rune(s)
	if len(r) <= 1 {
		return s
	}
	return string(r[0]) + strings.Repeat("*", len(r)-1)
}

func tail(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[len(r)-n:])
}

var weekdays = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// parseTimeish reads the canonical date, time and datetime forms values use.
func parseTimeish(s string) (time.Time, string, bool) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.In(Shanghai), "datetime", true
	}
	if t, err := time.ParseInLocation("2006-01-02", s, Shanghai); err == nil {
		return t, "date", true
	}
	if t, err := time.ParseInLocation("15:04", s, Shanghai); err == nil {
		return t, "time", true
	}
	return time.Time{}, "", false
}

// applyFilter renders one filter over a value's text form.
func applyFilter(name, arg, s string) (string, error) {
	switch name {
	case "money", "yuan":
		m, err := ParseYuan(s)
		if err != nil {
			if f, ferr := strconv.ParseFloat(s, 64); ferr == nil {
				m, err = ParseYuan(strconv.FormatFloat(f, 'f', 2, 64))
			}
			if err != nil {
				return s, nil
			}
		}
		if name == "yuan" {
			return groupYuan(m), nil
		}
		return m.String(), nil
	case "tail":
		return tail(strings.ReplaceAll(s, " ", ""), 4), nil
	case "mask":
		return MaskNumber(s), nil
	case "phone":
		return MaskPhone(s), nil
	case "date", "time", "datetime", "weekday":
		t, _, ok := parseTimeish(s)
		if !ok {
			return s, nil
		}
		switch name {
		case "date":
			return t.Format("2006年1月2日"), nil
		case "time":
			return t.Format("15:04"), nil
		case "weekday":
			return weekdays[t.Weekday()], nil
		default:
			return t.Format("2006年1月2日 15:04"), nil
		}
	case "default":
		if s == "" {
			return arg, nil
		}
		return s, nil
	case "count":
		return s, nil
	}
	return s, fmt.Errorf("unknown filter %q", name)
}
