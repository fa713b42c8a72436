package intents

import "github.com/weiyin-bank/weiyin/dialogs"

// params are the matcher's generic weights. They were chosen on the development and
// evaluation sets (see doc.go); they are not per bundle.
type params struct {
	// kind weighs each feature kind (word, char, bigram, pinyin, pinyin2, entity, synonym).
	kind [numKinds]float32
	// The synonym kind (a term of synonyms.txt for any of its words) is weighed 0.5: 0.3
	// to 0.8 moved no development figure, 1.0 as a plain word lost two bankdev lines.
	// unknown scales the idf of a message feature that no example has, by kind. An unseen
	// character or word (帐 where the examples say 账) weighs less than a full idf: its pinyin
	// usually still matches, and a voice transcript's homophone must not sink the match.
	unknown [numKinds]float32
	// centroid blends the similarity to an intent's centroid into its nearest-example score.
	centroid float32
	// linear blends the logistic model's probability into the similarity score.
	linear float32
	// faqMargin is how far a FAQ intent must beat the best flow intent to win: a question
	// about an operation (积分能换什么, 网点几点开门) is usually the operation itself, and
	// the flow's answer covers the FAQ's while the FAQ cannot do the flow's work.
	faqMargin float32
}

var defaultParams = params{
	kind:      [numKinds]float32{1.0, 0.45, 0.9, 0.25, 0.55, 0.8, 0.5, 0.5},
	unknown:   [numKinds]float32{0.6, 0.6, 0.6, 1, 1, 0.5, 0.6, 0.6},
	centroid:  0.25,
	linear:    0.7,
	faqMargin: 0.05,
}

// fewParams are the weights of a bundle of few examples an intent (fewExamples): its
// characters weigh more than its words (1.2 against 0.8), its syllable pairs less (0.4),
// and the synonym layer's banking terms most (1.6; its plain-language terms, 怎么 for 如何
// or 申请 for apply, least: 0.25, 怎么申请护照 is no card question). With three examples an intent, a customer's
// word is rarely one of the examples' words (提额 against 提一次额度) but its characters
// are, and a reviewed synonym (销户 for 销卡) is the best evidence there is; with forty,
// the examples' own words are covered.
// Chosen on the development bot's k-shot splits and the shipped bot's (doc.go, "Few
// examples"), not on the card centre's, which the comparison with nlp.js reports.
var fewParams = func() params {
	p := defaultParams
	p.kind[kindIndex[kindWord]] = 0.8
	p.kind[kindIndex[kindChar]] = 1.2
	p.kind[kindIndex[kindPinyin2]] = 0.4
	p.kind[kindIndex[kindSynonym]] = 1.6
	p.kind[kindIndex[kindPlain]] = 0.25
	return p
}()

// paramsFor returns the weights for bundle b: fewParams when its intents have few examples.
func paramsFor(b *dialogs.Bundle) params {
	if b != nil && fewExamples(b) {
		return fewParams
	}
	return defaultParams
}
