package intents

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"unicode/utf8"
)

// Explanation shows how Understand reached its result, for `weiyin nlu --explain` and for
// people tuning examples.
type Explanation struct {
	Result     Result   `json:"result"`
	Normalized string   `json:"normalized"`
	Matched    string   `json:"matched"` // normalised text with slot values as <type>
	Tokens     []string `json:"tokens"`
	Features   []string `json:"features"`          // every feature of the message
	Unknown    []string `json:"unknown,omitempty"` // features no example has
	// Domain lists the message's domain words (gate.go), when the bundle has a domain gate.
	Domain []string `json:"domain,omitempty"`
	// Synonyms are the synonym layer's terms the message uses (synonyms.txt): each word of
	// the message that belongs to a group, and the group's term, matched as a word.
	Synonyms []SynonymUse `json:"synonyms"`
	// Provider is another financial provider the message names (招商银行): only intents
	// whose examples name one compete.
	Provider   string               `json:"provider,omitempty"`
	Candidates []ExplainedCandidate `json:"candidates"`
	Threshold  float64              `json:"threshold"`
	// Calibration says how the threshold was chosen.
	Calibration Calibration `json:"calibration"`
}

// SynonymUse is a word of the message that the synonym layer matches as its group's term;
// Known says whether some example has that term (else it cannot help the match).
type SynonymUse struct {
	Word  string `json:"word"`
	Term  string `json:"term"`
	Known bool   `json:"known"`
}

// ExplainedCandidate is one intent with its score and the examples that earned it.
type ExplainedCandidate struct {
	Intent     string        `json:"intent"`
	Score      float64       `json:"score"` // blended match score, compared with the threshold
	Confidence float64       `json:"confidence"`
	Nearest    []NearExample `json:"nearest"`
}

// NearExample is an example close to the message and the features they share.
type NearExample struct {
	Text   string   `json:"text"`
	Score  float64  `json:"score"` // cosine similarity
	Shared []string `json:"shared"`
}

// Explain understands text like Understand and says why. It is slower (it recomputes the
// example similarities and labels every feature); use it for diagnosis only.
func (u *Understander) Explain(text string, c Context) Explanation {
	labels := map[uint64]string{}
	a := u.run(text, c, func(h uint64, kind byte, label string) {
		if _, ok := labels[h]; !ok {
			labels[h] = kindNames[kindIndex[kind]] + ":" + label
		}
	})
	x := Explanation{
		Result:      u.applyContrast(a, u.result(a), c),
		Normalized:  a.norm.Norm,
		Matched:     u.display(a.matched),
		Tokens:      []string{},
		Threshold:   u.opts.Threshold,
		Calibration: u.calib,
		Provider:    a.provider,
	}
	for _, tk := range a.tokens {
		if tk = strings.TrimSpace(u.display(tk)); tk != "" {
			x.Tokens = append(x.Tokens, tk)
		}
	}
	mine := map[uint64]bool{}
	for _, f := range a.feats {
		mine[f.h] = true
		x.Features = append(x.Features, labels[f.h])
		if _, ok := u.featID.get(f.h); !ok {
			x.Unknown = append(x.Unknown, labels[f.h])
		}
		if u.gate.min > 0 && u.domainFeatures([]feat{f}) > 0 {
			x.Domain = append(x.Domain, labels[f.h])
		}
	}
	slices.Sort(x.Features)
	slices.Sort(x.Unknown)
	slices.Sort(x.Domain)
	x.Synonyms = u.synonymUses(a)
	sims := u.exampleSims(a.feats)
	for i, s := range a.ranked {
		if i >= 5 || s.score <= 0 {
			break
		}
		ec := ExplainedCandidate{Intent: u.intents[s.intent], Score: round3(float64(s.score)), Confidence: u.confidence(s.score)}
		var near []int
		for ei, in := range u.exIntent {
			if in == s.intent && sims[ei] > 0 {
				near = append(near, ei)
			}
		}
		slices.SortStableFunc(near, func(p, q int) int { return cmp.Compare(sims[q], sims[p]) })
		for _, ei := range near[:min(3, len(near))] {
			ne := NearExample{Text: u.examples[ei].text, Score: round3(float64(sims[ei]))}
			u.featID.each(func(h uint64, id int32) {
				if mine[h] && slices.ContainsFunc(u.postings.of(id), func(p posting) bool { return int(p.doc) == ei }) {
					ne.Shared = append(ne.Shared, u.label(h))
				}
			})
			slices.Sort(ne.Shared)
			ec.Nearest = append(ec.Nearest, ne)
		}
		x.Candidates = append(x.Candidates, ec)
	}
	return x
}

// synonymUses lists the synonym groups the match used: the members found in the text
// matched (after slot values became placeholders, English words were translated and
// homophones corrected), in order, each pair once. A member that an English word of the
// message was translated to is shown as that word (how=怎么).
func (u *Understander) synonymUses(a *analysis) []SynonymUse {
	english := map[string]string{} // term -> the message's English word for it
	var terms []string             // the English words' terms, in order
	theSynonyms().find(a.norm.Norm, func(word, term string) {
		if word[0] < utf8.RuneSelf && english[term] == "" {
			english[term] = word
			terms = append(terms, term)
		}
	})
	uses := []SynonymUse{}
	seen := map[[2]string]bool{}
	theSynonyms().find(a.matched, func(word, term string) {
		if w := english[term]; w != "" && !strings.Contains(a.norm.Norm, word) {
			word = w
		}
		if seen[[2]string{word, term}] {
			return
		}
		seen[[2]string{word, term}] = true
		_, known := u.featID.get(hashString(theSynonyms().kindOf(term), term))
		uses = append(uses, SynonymUse{Word: word, Term: term, Known: known})
	})
	// English words translated to a term the layer does not add as a feature (a term of one
	// character: 卡 for card) are matched as the term's word.
	for _, term := range terms {
		if w := english[term]; !seen[[2]string{w, term}] {
			_, known := u.featID.get(hashString(kindWord, term))
			if r, n := utf8.DecodeRuneInString(term); n == len(term) {
				_, known = u.featID.get(hashRunes(kindChar, r, -1))
			}
			uses = append(uses, SynonymUse{Word: w, Term: term, Known: known})
		}
	}
	return uses
}

// exampleSims returns the cosine similarity of the message to every example.
func (u *Understander) exampleSims(fs []feat) []float32 {
	dot := make([]float32, len(u.examples))
	norm := u.accumulate(fs, dot, nil, nil, new(scratch))
	for i := range dot {
		if norm > 0 {
			dot[i] /= norm
		}
	}
	return dot
}

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

// Write prints the explanation for people.
func (x Explanation) Write(w io.Writer) error {
	var b strings.Builder
	r := x.Result
	fmt.Fprintf(&b, "text:       %s\n", r.Text)
	fmt.Fprintf(&b, "normalised: %s\n", x.Normalized)
	fmt.Fprintf(&b, "matched:    %s\n", x.Matched)
	fmt.Fprintf(&b, "tokens:     %s\n", strings.Join(x.Tokens, " | "))
	for _, e := range r.Entities {
		fmt.Fprintf(&b, "entity:     %s = %s (%q at %d-%d)\n", e.Type, e.Value, e.Text, e.Start, e.End)
	}
	if len(x.Unknown) > 0 {
		fmt.Fprintf(&b, "unknown:    %s\n", strings.Join(x.Unknown, " "))
	}
	if len(x.Synonyms) > 0 {
		var ss []string
		for _, s := range x.Synonyms {
			use := s.Word
			if s.Term != s.Word {
				use += "=" + s.Term
			}
			if !s.Known {
				use += "(no example)"
			}
			ss = append(ss, use)
		}
		fmt.Fprintf(&b, "synonyms:   %s\n", strings.Join(ss, " "))
	}
	if c := x.Calibration; c.DomainGate > 0 {
		fmt.Fprintf(&b, "domain:     %d words (gate at %d): %s\n", len(x.Domain), c.DomainGate, strings.Join(x.Domain, " "))
		fmt.Fprintf(&b, "gate:       %d domain words, score %.2f, beating %.1f x none's score\n", c.DomainGate, c.GateThreshold, c.GateScale)
	} else if c.Source != "" {
		fmt.Fprintf(&b, "gate:       none: the threshold alone decides\n")
	}
	if x.Provider != "" {
		fmt.Fprintf(&b, "provider:   %s (another provider: only intents whose examples name one compete)\n", x.Provider)
	}
	amb := ""
	if r.Ambiguous {
		amb = " (ambiguous)"
	}
	fmt.Fprintf(&b, "intent:     %s %.3f%s  [threshold %.2f]\n", r.Intent, r.Confidence, amb, x.Threshold)
	if x.Calibration.Source != "" {
		fmt.Fprintf(&b, "threshold:  %s\n", x.Calibration)
	}
	for i, c := range x.Candidates {
		fmt.Fprintf(&b, "%d. %-18s score %.3f  confidence %.3f\n", i+1, c.Intent, c.Score, c.Confidence)
		for _, n := range c.Nearest {
			fmt.Fprintf(&b, "     %.3f %s\n           shared: %s\n", n.Score, n.Text, strings.Join(n.Shared, " "))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
