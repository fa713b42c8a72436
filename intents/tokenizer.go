package intents

import (
	"fmt"
	"sync"
	"unicode/utf8"

	"github.com/weiyin-bank/weiyin/intents/internal/runeset"
	"github.com/weiyin-bank/weiyin/intents/jiebadict"
	"github.com/yanyiwu/gojieba"
)

// tokenizer is the one gojieba instance of the process. gojieba leaks memory when instances
// are created and freed, so it is created once and never freed. Its dictionary is never
// changed after loading (no AddWord): a word added for one Bundle would change how every
// other Bundle of the process cuts text, so results would depend on which bundles were loaded
// before. Each Understander applies its bundle's words itself (domainDict). cppjieba's Cut
// only reads the dictionary and is safe for concurrent use.
type tokenizer struct {
	jieba *gojieba.Jieba
}

var (
	tokOnce sync.Once
	tok     *tokenizer
	tokErr  error
)

// sharedTokenizer returns the process-wide tokeniser, loading the embedded dictionaries on
// first use.
func sharedTokenizer() (*tokenizer, error) {
	tokOnce.Do(func() {
		paths, err := jiebadict.Files("")
		if err != nil {
			tokErr = fmt.Errorf("intents: tokeniser dictionaries: %w", err)
			return
		}
		tok = &tokenizer{jieba: gojieba.NewJieba(paths.Args()...)}
	})
	return tok, tokErr
}

// Preload loads the tokeniser dictionaries now instead of at the first New: a server may
// call it in the background while it does other start-up work.
func Preload() error {
	_, err := sharedTokenizer()
	return err
}

// cut segments s; hmm enables the HMM for words missing from the dictionary.
func (t *tokenizer) cut(s string, hmm bool) []string {
	if s == "" {
		return nil
	}
	return t.jieba.Cut(s, hmm)
}

// domainDict holds a bundle's own words (entity names and synonyms, intent keywords and
// titles): wherever one occurs in a text, leftmost-longest, it is a token, replacing the
// jieba tokens it overlaps.
type domainDict struct {
	words  map[string]bool
	first  *runeset.Set
	maxLen int // runes
}

func newDomainDict(words []string) domainDict {
	d := domainDict{words: map[string]bool{}, first: new(runeset.Set)}
	for _, w := range words {
		if w == "" {
			continue
		}
		d.words[w] = true
		r, _ := utf8.DecodeRuneInString(w)
		d.first.Add(r)
		d.maxLen = max(d.maxLen, utf8.RuneCountInString(w))
	}
	return d
}

// apply returns tokens (jieba's cut of s, in order, covering s) with the domain words of s
// made tokens of their own.
func (d domainDict) apply(s string, tokens []string) []string {
	if len(d.words) == 0 {
		return tokens
	}
	type span struct{ start, end int } // bytes
	var found []span
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !d.first.Has(r) {
			i += n
			continue
		}
		end, j := 0, i
		for k := 0; k < d.maxLen && j < len(s); k++ {
			_, m := utf8.DecodeRuneInString(s[j:])
			j += m
			if k > 0 && d.words[s[i:j]] {
				end = j
			}
		}
		if end == 0 {
			i += n
			continue
		}
		found = append(found, span{i, end})
		i = end
	}
	if len(found) == 0 {
		return tokens
	}
	out := make([]string, 0, len(tokens))
	pos, f := 0, 0
	for _, tk := range tokens {
		start, end := pos, pos+len(tk)
		pos = end
		for f < len(found) && found[f].end <= start {
			f++
		}
		if f < len(found) && found[f].start < end {
			// Overlaps a domain word: emit the word once, at its start.
			if start <= found[f].start {
				out = append(out, s[found[f].start:found[f].end])
			}
			continue
		}
		out = append(out, tk)
	}
	return out
}
