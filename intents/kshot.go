package intents

import (
	"cmp"
	"hash/fnv"
	"slices"

	"github.com/weiyin-bank/weiyin/dialogs"
)

// Labelled is one line of an evaluation: a message and the intent it expresses, and where
// it was read (File and Line; empty when unknown).
type Labelled struct {
	Text, Intent string
	File         string
	Line         int
}

// KShot splits b for a few-example evaluation (`weiyin eval --kshot K`): each intent keeps k
// of its examples, chosen by a hash of their text (the same split on every run and for every
// system compared), and its other examples become test lines, at their examples' positions.
// Keywords are left out, so that the trained bundle holds exactly the k lines an export gives
// another system. Intents with k examples or fewer keep them all and give no test line; k
// below 0 counts as 0 (every example a test line, nothing learnt). b is not modified.
func KShot(b *dialogs.Bundle, k int) (*dialogs.Bundle, []Labelled) {
	k = max(k, 0)
	nb := *b
	nb.Intents = make(map[string]*dialogs.Intent, len(b.Intents))
	var test []Labelled
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range b.Intents {
			if !yield(n) {
				return
			}
		}
	})
	for _, name := range names {
		in := b.Intents[name]
		ni := *in
		ni.Keywords = nil
		exs := slices.Clone(in.Examples)
		slices.SortStableFunc(exs, func(a, b dialogs.Example) int { return cmp.Compare(textHash(a.Text), textHash(b.Text)) })
		if len(exs) > k {
			for _, ex := range exs[k:] {
				test = append(test, Labelled{Text: ex.Text, Intent: name, File: ex.Pos.File, Line: ex.Pos.Line})
			}
			exs = exs[:k]
		}
		ni.Examples = exs
		nb.Intents[name] = &ni
	}
	return &nb, test
}

// holdOut splits b for an evaluation: a copy of b whose intents keep the examples that held
// says no to, and those it says yes to as test lines, labelled with their intent. b is not
// modified.
func holdOut(b *dialogs.Bundle, held func(it *dialogs.Intent, ex dialogs.Example) bool) (*dialogs.Bundle, []Labelled) {
	nb := *b
	nb.Intents = make(map[string]*dialogs.Intent, len(b.Intents))
	var test []Labelled
	for name, it := range b.Intents {
		ni := *it
		ni.Examples = nil
		for _, ex := range it.Examples {
			if held(it, ex) {
				test = append(test, Labelled{Text: ex.Text, Intent: name})
			} else {
				ni.Examples = append(ni.Examples, ex)
			}
		}
		nb.Intents[name] = &ni
	}
	return &nb, test
}

func textHash(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}
