package intents

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
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
	// Provider is another financial provider the message names (招商银行): only intents
	// whose examples name one compete.
	Provider   string               `json:"provider,omitempty"`
	Candidates []ExplainedCandidate `json:"candidates"`
	Threshold  float64              `json:"threshold"`
	// Calibration says how the threshold was chosen.
	Calibration Calibration `json:"calibration"`
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
		if _, ok := u.featID[f.h]; !ok {
			x.Unknown = append(x.Unknown, labels[f.h])
		}
		if u.gate.min > 0 && u.domainFeatures([]feat{f}) > 0 {
			x.Domain = append(x.Domain, labels[f.h])
		}
	}
	slices.Sort(x.Features)
	slices.Sort(x.Unknown)
	slices.Sort(x.Domain)
	sims := u.exampleSims(a.feats)
	for i, s := range a.ranked {
		if i >= 5 || s.score <= 0 {
			break
		}
		ec := ExplainedCandidate{Intent: u.intents[s.intent], Score: round3(float64(s.score)), Confidence: u.confidence(s.score)}
		var near []int
		for ei, ex := range u.examples {
			if ex.intent == s.intent && sims[ei] > 0 {
				near = append(near, ei)
			}
		}
		slices.SortStableFunc(near, func(p, q int) int { return cmp.Compare(sims[q], sims[p]) })
		for _, ei := range near[:min(3, len(near))] {
			ne := NearExample{Text: u.examples[ei].text, Score: round3(float64(sims[ei]))}
			for h, id := range u.featID {
				if !mine[h] {
					continue
				}
				if slices.ContainsFunc(u.postings.of(id), func(p posting) bool { return int(p.doc) == ei }) {
					ne.Shared = append(ne.Shared, u.label(h))
				}
			}
			slices.Sort(ne.Shared)
			ec.Nearest = append(ec.Nearest, ne)
		}
		x.Candidates = append(x.Candidates, ec)
	}
	return x
}

// exampleSims returns the cosine similarity of the message to every example.
func (u *Understander) exampleSims(fs []feat) []float32 {
	dot := make([]float32, len(u.examples))
	norm := u.accumulate(fs, dot, nil, nil)
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
	if x.Calibration.DomainGate > 0 {
		fmt.Fprintf(&b, "domain:     %d words (gate at %d): %s\n", len(x.Domain), x.Calibration.DomainGate, strings.Join(x.Domain, " "))
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
