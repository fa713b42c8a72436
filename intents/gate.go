package intents

// The domain gate separates "is this about the bundle's business at all" from "which
// intent". With one to a few examples an intent, the everyday background is nearer to most
// customers' wording than the intent's few examples are, and the threshold rejects them; yet
// the examples of all intents together hold the business's words (网点, 挂失, 账单), which
// everyday lines rarely use. A message that uses enough of those words (features of kind
// word, bigram or banking synonym term that some example has and no background line has,
// or a banking synonym term that neither has: the team's vocabulary; plain-language synonym
// groups such as 附近 or 好的 are no evidence) is in the domain, and gets its best intent when that intent's score passes the gate's own, lower,
// bar. The gate's three constants are calibrated per bundle (calibrate.go), and searched
// only for bundles of few examples an intent: with many, the threshold already separates
// (the shipped bot's folds, 41 examples an intent).
type domainGate struct {
	min       int     // domain-only features a message needs; 0: no gate
	threshold float32 // the best intent's lowest score
	scale     float32 // the best intent must beat this times intent none's unscaled score
}

// accepts reports whether the gate lets a message's best intent through.
func (g domainGate) accepts(score, noneRaw float32, domain int) bool {
	return g.min > 0 && domain >= g.min && score >= g.threshold && score > g.scale*noneRaw
}

// domainFeatures counts a message's features that only the bundle's examples have.
func (u *Understander) domainFeatures(fs []feat) int {
	n := 0
	for _, f := range fs {
		if id, ok := u.featID.get(f.h); ok && u.domainOnly[id] || !ok && f.kind == kindSynonym {
			n++
		}
	}
	return n
}

// accepts reports whether an intent scoring score is accepted against intent none's score
// (scaled by bgScale) for a message of domain domain-only features, and by which bar: the
// threshold, or the gate.
func (u *Understander) accepts(score, none float32, domain int) (ok, gated bool) {
	if float64(score) >= u.opts.Threshold && score > none {
		return true, false
	}
	if u.gate.accepts(score, none/u.bgScale, domain) {
		return true, true
	}
	return false, false
}
