package dialogs

import (
	"fmt"
	"slices"
	"strings"
)

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// closest returns the candidate nearest to name, if it is near enough to be a likely typo.
func closest(name string, candidates []string) (string, bool) {
	best, bestD := "", 1<<30
	if len(name) > 64 {
		return "", false // not a typo of a name; and edit distance is quadratic
	}
	sorted := slices.Clone(candidates)
	slices.Sort(sorted)
	for _, c := range sorted {
		if c == name {
			continue
		}
		d := editDistance(strings.ToLower(name), strings.ToLower(c))
		if d < bestD {
			best, bestD = c, d
		}
	}
	limit := max(1, len([]rune(name))/3)
	if best == "" || bestD > limit {
		return "", false
	}
	return best, true
}

// didYouMean is a hint naming the closest candidate, or otherwise the fallback text.
func didYouMean(name string, candidates []string, otherwise string) string {
	if c, ok := closest(name, candidates); ok {
		return fmt.Sprintf("did you mean %q?", c)
	}
	return otherwise
}

// listOf renders names for a hint, shortened when long.
func listOf(names []string) string {
	s := slices.Clone(names)
	slices.Sort(s)
	if len(s) > 12 {
		return strings.Join(s[:12], ", ") + fmt.Sprintf(" and %d more", len(s)-12)
	}
	return strings.Join(s, ", ")
}
