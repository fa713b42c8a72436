package transcript

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// matchWildcard reports whether want occurs in got as Botium's wildcardIgnoreCase mode reads
// it: case-insensitive, `*` matches any run of characters (also none), not anchored. Whitespace
// runs compare equal to a single space.
func matchWildcard(got, want string) bool {
	got, want = foldText(got), foldText(want)
	if !strings.Contains(want, "*") {
		return strings.Contains(got, want)
	}
	parts := strings.Split(want, "*")
	pos := 0
	for _, p := range parts {
		if p == "" {
			continue
		}
		i := strings.Index(got[pos:], p)
		if i < 0 {
			return false
		}
		pos += i + len(p)
	}
	return true
}

// foldText lower-cases and collapses whitespace, for comparisons.
func foldText(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// compileRegex compiles a TEXT_REGEX pattern.
func compileRegex(p string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, fmt.Errorf("bad regular expression %q: %w", p, err)
	}
	return re, nil
}

// parseConfidence reads an INTENT_CONFIDENCE argument: a percentage (70, 70%) or a fraction
// (0.7).
func parseConfidence(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "%"), 64)
	if err != nil || v < 0 || v > 100 {
		return 0, fmt.Errorf("INTENT_CONFIDENCE: want a percentage between 0 and 100, got %q", s)
	}
	if v > 1 {
		v /= 100
	}
	return v, nil
}

// similarArgs reads TEXT_SIMILAR's arguments: the text, then an optional threshold in [0,1]
// (default 0.8).
func similarArgs(args []string) (string, float64, error) {
	th := 0.8
	if len(args) > 1 {
		v, err := strconv.ParseFloat(args[len(args)-1], 64)
		if err != nil || v < 0 || v > 1 {
			return "", 0, fmt.Errorf("TEXT_SIMILAR: threshold must be a number between 0 and 1, got %q", args[len(args)-1])
		}
		th = v
		args = args[:len(args)-1]
	}
	text := strings.Join(args, "|")
	if text == "" {
		return "", 0, fmt.Errorf("TEXT_SIMILAR needs a text")
	}
	return text, th, nil
}

// similarity is the character-level similarity of two texts: 1 - edit distance / longer length,
// over runes with case, whitespace and punctuation ignored. Word-based measures fail on Chinese,
// which has no spaces between words.
func similarity(a, b string) float64 {
	ra, rb := simRunes(a), simRunes(b)
	n := max(len(ra), len(rb))
	if n == 0 {
		return 1
	}
	return 1 - float64(editDistance(ra, rb))/float64(n)
}

func simRunes(s string) []rune {
	var out []rune
	for _, r := range strings.ToLower(s) {
		if unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// editDistance is the Levenshtein distance between two rune slices.
func editDistance(a, b []rune) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// parseLocation reads LOCATION's arguments: "lat,lng [label]" or "lat,lng|label".
func parseLocation(args []string) (lat, lng float64, label string, err error) {
	first, rest := splitWord(args[0])
	ll := strings.Split(first, ",")
	if len(ll) != 2 {
		return 0, 0, "", fmt.Errorf("LOCATION: want lat,lng [label], got %q", args[0])
	}
	lat, err1 := strconv.ParseFloat(ll[0], 64)
	lng, err2 := strconv.ParseFloat(ll[1], 64)
	if err1 != nil || err2 != nil || lat < -90 || lat > 90 || lng < -180 || lng > 180 {
		return 0, 0, "", fmt.Errorf("LOCATION: bad coordinates %q", first)
	}
	label = rest
	if len(args) > 1 {
		label = strings.TrimSpace(strings.Join(args[1:], "|"))
	}
	return lat, lng, label, nil
}

// inlineDiff shows how got differs from want, rune by rune: [-removed-] and {+added+}. It is for
// people reading a failure, so it keeps Chinese readable and never escapes it.
func inlineDiff(want, got string) string {
	a, b := []rune(want), []rune(got)
	if len(a)*len(b) > 200000 {
		return "" // too long for a useful character diff
	}
	// LCS table.
	l := make([][]int, len(a)+1)
	for i := range l {
		l[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				l[i][j] = l[i+1][j+1] + 1
			} else {
				l[i][j] = max(l[i+1][j], l[i][j+1])
			}
		}
	}
	var out strings.Builder
	var del, add []rune
	flush := func() {
		if len(del) > 0 {
			out.WriteString("[-" + string(del) + "-]")
			del = del[:0]
		}
		if len(add) > 0 {
			out.WriteString("{+" + string(add) + "+}")
			add = add[:0]
		}
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			flush()
			out.WriteRune(a[i])
			i++
			j++
		case j < len(b) && (i == len(a) || l[i][j+1] >= l[i+1][j]):
			add = append(add, b[j])
			j++
		default:
			del = append(del, a[i])
			i++
		}
	}
	flush()
	return out.String()
}
