package jiebadict

import (
	_ "embed"
	"strings"
)

// words.utf8 lists every word of 2 to 4 Han runes of cppjieba's full dictionary (348,982
// entries, of which 330,350 such words; frequency not kept), one a line, sorted by bytes:
//
//	awk '{print $1}' $(go env GOMODCACHE)/github.com/yanyiwu/gojieba@v1.4.7/deps/cppjieba/dict/jieba.dict.utf8 \
//	  | grep -P '^\p{Han}{2,4}$' | LC_ALL=C sort -u > words.utf8
//
// The tokeniser loads only the frequent words (see the package comment); IsWord answers for
// the rare ones too (之处, 记账, 周星驰), without loading anything: it searches the embedded
// text in place.
//
//go:embed words.utf8
var wordText string

// IsWord reports whether w is a word of 2 to 4 Han runes of jieba's full dictionary.
func IsWord(w string) bool {
	lo, hi := 0, len(wordText) // invariant: lines starting before lo are < w, at or after hi are > w
	for lo < hi {
		mid := lo + (hi-lo)/2
		// The line holding byte mid.
		start := strings.LastIndexByte(wordText[:mid], '\n') + 1
		end := start + strings.IndexByte(wordText[start:], '\n')
		switch line := wordText[start:end]; {
		case line == w:
			return true
		case line < w:
			lo = end + 1
		default:
			hi = start
		}
	}
	return false
}

// Frequent returns the tokeniser's dictionary as embedded: one "word frequency tag" line per
// word of frequency 50 or more.
func Frequent() string {
	dict, _ := files.ReadFile("jieba.dict.utf8")
	return string(dict)
}
