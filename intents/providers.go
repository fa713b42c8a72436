package intents

import (
	_ "embed"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/weiyin-bank/weiyin/intents/internal/runeset"
	"github.com/weiyin-bank/weiyin/intents/normalize"
)

//go:embed providers.txt
var providersText string

// providerNames finds the names of other financial providers (providers.txt) in a normalised
// text. It is immutable once built and safe for concurrent use.
type providerNames struct {
	byFirst map[rune][]string // first rune -> names, longest first
	first   *runeset.Set      // byFirst's runes: most runes of a message start no name
}

var (
	providersOnce sync.Once
	providers     providerNames
)

// theProviders returns the process's provider names, read once.
func theProviders() providerNames {
	providersOnce.Do(func() { providers = newProviderNames() })
	return providers
}

// newProviderNames reads providers.txt, normalising each name as messages are.
func newProviderNames() providerNames {
	p := providerNames{byFirst: map[rune][]string{}, first: new(runeset.Set)}
	for _, line := range lines(providersText) {
		name := normalize.Normalize(line).Norm
		r, _ := utf8.DecodeRuneInString(name)
		p.byFirst[r] = append(p.byFirst[r], name)
		p.first.Add(r)
	}
	for _, names := range p.byFirst {
		// Longest first: the longest name at a position is the one reported.
		slices.SortStableFunc(names, func(a, b string) int { return len(b) - len(a) })
	}
	return p
}

// find returns the first provider name s holds, or "".
func (p providerNames) find(s string) string {
	for i, r := range s {
		if !p.first.Has(r) {
			continue
		}
		for _, name := range p.byFirst[r] {
			if strings.HasPrefix(s[i:], name) {
				return name
			}
		}
	}
	return ""
}
