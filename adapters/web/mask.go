package web

import (
	"regexp"
	"strings"
)

var (
	// A card number: 13 or more digits, optionally in groups separated by one space or dash, not
	// inside a longer run of digits.
	cardRE = regexp.MustCompile(`(^|[^0-9])((?:[0-9][ -]?){12,}[0-9])([^0-9]|$)`)
	// An ID-card number: 17 digits and a digit or X.
	idRE = regexp.MustCompile(`(^|[^0-9])([1-9][0-9]{16}[0-9Xx])([^0-9A-Za-z]|$)`)
	// A mainland mobile number: 1[3-9] and 9 more digits, with an optional +86 / 86 prefix and
	// optional separators 3-4-4.
	phoneRE = regexp.MustCompile(`(^|[^0-9])((?:\+?86[ -]?)?1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4})([^0-9]|$)`)
)

// MaskPII masks card numbers (all but the last 4 digits), ID-card numbers, mobile numbers
// (all but the first 3 and last 4 digits) and WeChat openids (MaskID) in s. Text without such numbers is returned as is.
// Apply it to anything logged that may carry customer data.
func MaskPII(s string) string { return maskWith(s, maskCard) }

// maskWith masks ID-card and mobile numbers in s, and card numbers with card.
func maskWith(s string, card func(string) string) string {
	s = maskOpenIDs(s)
	if !strings.ContainsAny(s, "0123456789") {
		return s
	}
	s = replaceGroup(idRE, s, func(m string) string { return strings.Repeat("*", len(m)-4) + m[len(m)-4:] })
	s = replaceGroup(phoneRE, s, maskPhone)
	return replaceGroup(cardRE, s, card)
}

// replaceGroup replaces group 2 of each match of re, keeping the boundary groups 1 and 3. It
// repeats until nothing changes, because adjacent matches share a boundary character.
func replaceGroup(re *regexp.Regexp, s string, f func(string) string) string {
	for range 4 {
		out := re.ReplaceAllStringFunc(s, func(m string) string {
			sub := re.FindStringSubmatch(m)
			return sub[1] + f(sub[2]) + sub[3]
		})
		if out == s {
			return out
		}
		s = out
	}
	return s
}

// maskCard keeps the last four digits and the separators.
func maskCard(m string) string {
	digits := 0
	for _, c := range m {
		if c >= '0' && c <= '9' {
			digits++
		}
	}
	var b strings.Builder
	seen := 0
	for _, c := range m {
		if c >= '0' && c <= '9' {
			seen++
			if seen <= digits-4 {
				b.WriteByte('*')
				continue
			}
		}
		b.WriteRune(c)
	}
	return b.String()
}

// maskPhone keeps the prefix, the first 3 and last 4 digits of the number.
func maskPhone(m string) string {
	d := make([]int, 0, 13) // byte offsets of digits
	for i := 0; i < len(m); i++ {
		if m[i] >= '0' && m[i] <= '9' {
			d = append(d, i)
		}
	}
	// The subscriber number is the last 11 digits: mask its digits 4 to 7.
	b := []byte(m)
	for _, i := range d[len(d)-8 : len(d)-4] {
		b[i] = '*'
	}
	return string(b)
}

// MaskNumbers writes a card or account number as its tail, 尾号2233, as replies show them, and
// masks ID-card and mobile numbers as MaskPII does.
func MaskNumbers(s string) string {
	return maskWith(s, func(m string) string {
		d := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, m)
		return "尾号" + d[len(d)-4:]
	})
}

// A WeChat openid: 28 characters, "o" and 27 of [A-Za-z0-9_-], not inside a longer such run.
var openidRE = regexp.MustCompile(`(^|[^A-Za-z0-9_-])(o[A-Za-z0-9_-]{27})([^A-Za-z0-9_-]|$)`)

// maskOpenIDs masks every openid-shaped word of s with MaskID.
func maskOpenIDs(s string) string {
	if len(s) < 28 {
		return s
	}
	return replaceGroup(openidRE, s, MaskID)
}

// MaskID masks a user id (an openid) keeping its length and a quarter of it at each end, at
// most 3 characters: enough to tell users apart in one incident, not to address one.
func MaskID(id string) string {
	keep := min(len(id)/4, 3)
	if len(id) <= 2*keep {
		return id
	}
	return id[:keep] + strings.Repeat("*", len(id)-2*keep) + id[len(id)-keep:]
}

// maskIDParts masks each part of a colon-separated id (wx:ev:OPENID:TIME:KEY) that could be a
// user id: 5 characters or more and not only digits (times and message numbers stay).
func maskIDParts(s string) string {
	parts := strings.Split(s, ":")
	for i, p := range parts {
		if len(p) >= 5 && strings.Trim(p, "0123456789") != "" {
			parts[i] = MaskID(p)
		}
	}
	return strings.Join(parts, ":")
}

// allDigits reports whether s is a run of 4 to 8 digits: the shape of a one-time code.
func allDigits(s string) bool {
	return len(s) >= 4 && len(s) <= 8 && strings.Trim(s, "0123456789") == ""
}
