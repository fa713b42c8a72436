package dialogs

import (
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
func didYouMean(name string, candidates []string, otherwise text) text {
	if c, ok := closest(name, candidates); ok {
		return meant(c)
	}
	return otherwise
}

// meant is the "did you mean" hint for a known name.
func meant(name string) text { return tr("did you mean %q?", "是不是想写 %q?", name) }

// listOf renders names for a hint, shortened when long.
func listOf(names []string) text {
	s := slices.Clone(names)
	slices.Sort(s)
	if len(s) > 12 {
		return tr("%s ... (%d in all)", "%s 等, 共 %d 个", strings.Join(s[:12], ", "), len(s))
	}
	return same(strings.Join(s, ", "))
}
