package entity

import (
	"strconv"
	"strings"
)

// dec is an exact decimal m / 10^s. Parsers use it instead of floats so that 0.1 + 0.2 and
// 1.2万 come out exactly. Operations report overflow through ok; callers reject on it.
type dec struct {
	m int64
	s int8
}

const maxScale = 18

var pow10 = func() [19]int64 {
	var p [19]int64
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

func mulOK(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	c := a * b
	if c/b != a || (a == -1 && b == -1<<63) || (b == -1 && a == -1<<63) {
		return 0, false
	}
	return c, true
}

func addOK(a, b int64) (int64, bool) {
	c := a + b
	if (a > 0 && b > 0 && c < 0) || (a < 0 && b < 0 && c >= 0) {
		return 0, false
	}
	return c, true
}

// rescale returns d with scale s (s >= d.s).
func (d dec) rescale(s int8) (dec, bool) {
	if s <= d.s {
		return d, true
	}
	if s > maxScale {
		return d, false
	}
	m, ok := mulOK(d.m, pow10[s-d.s])
	return dec{m, s}, ok
}

// align returns d and e at one scale.
func align(d, e dec) (dec, dec, bool) {
	s := d.s
	if e.s > s {
		s = e.s
	}
	a, ok1 := d.rescale(s)
	b, ok2 := e.rescale(s)
	return a, b, ok1 && ok2
}

func (d dec) add(e dec) (dec, bool) {
	a, b, ok := align(d, e)
	if !ok {
		return dec{}, false
	}
	s := a.s
	m, ok := addOK(a.m, b.m)
	return dec{m, s}.trim(), ok
}

func (d dec) mulInt(k int64) (dec, bool) {
	m, ok := mulOK(d.m, k)
	return dec{m, d.s}.trim(), ok
}

// trim drops trailing zero decimals.
func (d dec) trim() dec {
	for d.s > 0 && d.m%10 == 0 {
		d.m /= 10
		d.s--
	}
	return d
}

func (d dec) isZero() bool { return d.m == 0 }

func (d dec) cmp(e dec) int {
	a, b, ok := align(d, e)
	if !ok {
		// compare integer parts when rescaling overflows.
		ai, bi := d.m/pow10[d.s], e.m/pow10[e.s]
		switch {
		case ai < bi:
			return -1
		case ai > bi:
			return 1
		}
		return 0
	}
	switch {
	case a.m < b.m:
		return -1
	case a.m > b.m:
		return 1
	}
	return 0
}

// String formats d as a plain decimal: "12000", "1.5", "-0.01".
func (d dec) String() string {
	d = d.trim()
	neg := d.m < 0
	m := d.m
	if neg {
		m = -m
	}
	digits := strconv.FormatInt(m, 10)
	if d.s > 0 {
		if len(digits) <= int(d.s) {
			digits = strings.Repeat("0", int(d.s)-len(digits)+1) + digits
		}
		k := len(digits) - int(d.s)
		digits = digits[:k] + "." + digits[k:]
	}
	if neg {
		return "-" + digits
	}
	return digits
}

// fen converts a yuan amount to integer fen, rounding half away from zero.
func (d dec) fen() (int64, bool) {
	if d.s <= 2 {
		v, ok := d.rescale(2)
		return v.m, ok
	}
	div := pow10[d.s-2]
	q, r := d.m/div, d.m%div
	if r < 0 {
		r = -r
	}
	if r*2 >= div {
		if d.m < 0 {
			q--
		} else {
			q++
		}
	}
	return q, true
}

// parseDecimal reads an ASCII decimal ("12", "-0.5", ".77"); it rejects anything else.
func parseDecimal(s string) (dec, bool) {
	neg := false
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	}
	if s == "" {
		return dec{}, false
	}
	var d dec
	seenDot, any := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			m, ok := mulOK(d.m, 10)
			if !ok {
				return dec{}, false
			}
			m, ok = addOK(m, int64(c-'0'))
			if !ok {
				return dec{}, false
			}
			d.m = m
			any = true
			if seenDot {
				d.s++
				if d.s > maxScale {
					return dec{}, false
				}
			}
		case c == '.' && !seenDot:
			seenDot = true
		default:
			return dec{}, false
		}
	}
	if !any {
		return dec{}, false
	}
	if neg {
		d.m = -d.m
	}
	return d.trim(), true
}
