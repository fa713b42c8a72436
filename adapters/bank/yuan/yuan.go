package yuan

import (
	"errors"
	"strconv"
	"strings"

	"github.com/weiyin-bank/weiyin/engine"
)

// Max is the largest amount Parse accepts: 100 billion yuan in fen. Sums of a few thousand
// such amounts still fit in int64.
const Max engine.Money = 100_000_000_000_00

// Parse errors; Parse wraps them with the offending text.
var (
	ErrSyntax   = errors.New("not a decimal amount")
	ErrDecimals = errors.New("more than two decimals")
	ErrTooLarge = errors.New("amount too large")
	ErrNegative = errors.New("negative amount")
)

// Parse reads a decimal amount such as "1234.5", "1234.50" or "-3" into fen.
func Parse(s string) (engine.Money, error) {
	t := s
	neg := strings.HasPrefix(t, "-")
	if neg {
		t = t[1:]
	}
	whole, frac, dot := strings.Cut(t, ".")
	if whole == "" || (dot && frac == "") || !digits(whole) || !digits(frac) {
		return 0, &Error{Text: s, Err: ErrSyntax}
	}
	if len(frac) > 2 {
		return 0, &Error{Text: s, Err: ErrDecimals}
	}
	if len(whole) > 13 {
		return 0, &Error{Text: s, Err: ErrTooLarge}
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, &Error{Text: s, Err: ErrSyntax}
	}
	f := int64(0)
	if frac != "" {
		f, _ = strconv.ParseInt(frac, 10, 64)
		if len(frac) == 1 {
			f *= 10
		}
	}
	m := engine.Money(w*100 + f)
	if m > Max {
		return 0, &Error{Text: s, Err: ErrTooLarge}
	}
	if neg {
		m = -m
	}
	return m, nil
}

// ParseNonNegative is Parse that also rejects negative amounts.
func ParseNonNegative(s string) (engine.Money, error) {
	m, err := Parse(s)
	if err == nil && m < 0 {
		return 0, &Error{Text: s, Err: ErrNegative}
	}
	return m, err
}

// Format writes fen as a decimal string with exactly two decimals: 123450 -> "1234.50".
func Format(m engine.Money) string {
	neg := m < 0
	u := uint64(m)
	if neg {
		u = uint64(-m)
	}
	s := strconv.FormatUint(u/100, 10) + "." + strconv.FormatUint(u%100/10, 10) + strconv.FormatUint(u%10, 10)
	if neg {
		return "-" + s
	}
	return s
}

// Error is a parse failure: the text and what is wrong with it.
type Error struct {
	Text string
	Err  error
}

func (e *Error) Error() string { return strconv.Quote(e.Text) + ": " + e.Err.Error() }

// Unwrap returns the reason (ErrSyntax, ErrDecimals, ErrTooLarge or ErrNegative).
func (e *Error) Unwrap() error { return e.Err }

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
