package intents

import (
	"github.com/weiyin-bank/weiyin/intents/normalize"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxAlternatives caps Result.Alternatives.
const maxAlternatives = 3

// maxRanked is how many intents score keeps: the best, its alternatives, none and spares for
// Explain.
const maxRanked = maxAlternatives + 3

// scored is an intent with its raw match score.
type scored struct {
	intent int32
	score  float32 // blended: nearest example, centroid and logistic model
}

// analysis is everything Understand and Explain compute for one message.
type analysis struct {
	text     string
	in       string // text as analysed: valid UTF-8, cut to Options.MaxRunes
	norm     normalize.Text
	entities []Entity
	matched  string // normalised text with placeholders
	tokens   []string
	feats    []feat
	content  int
	ranked   []scored
	// bare: the message is nothing but one enum value (信用卡): it says what, not what to do.
	bare bool
	// provider is the other financial provider the message names (招商银行, 余额宝), or "".
	provider string
	// domain counts the features only the bundle's examples have (with a domain gate).
	domain int
}

// Understand tells which intent text expresses, with the entities it holds. It never fails:
// empty, oversized, invalid or meaningless input gives intent none. Out-of-scope messages
// come back as none, never as a guess; a message made only of slot values ("2", "500块",
// "明天") comes back as none with its entities, for the engine to fill a slot or pick an
// option.
func (u *Understander) Understand(text string, c Context) Result {
	r, _ := u.understand(text, c)
	return r
}

// understand is Understand, also returning the intent that scored best whatever the
// threshold ("" when no intent shares a feature with text): what Evaluate counts as ranked
// first, the figure comparable to another system's top-1.
func (u *Understander) understand(text string, c Context) (Result, string) {
	a := u.analyses.Get().(*analysis)
	u.runInto(a, text, c, nil)
	first := ""
	for _, s := range a.ranked {
		if s.intent != 0 {
			first = u.intents[s.intent]
			break
		}
	}
	r := u.applyContrast(a, u.result(a), c)
	u.putAnalysis(a)
	return r, first
}

// putAnalysis returns a to the pool of analyses, keeping its arrays of features and ranked
// intents (which no Result refers to) for the next message; the arrays of a huge message
// are dropped with it.
func (u *Understander) putAnalysis(a *analysis) {
	if cap(a.feats) > 4*maxPooledRunes {
		return
	}
	*a = analysis{feats: a.feats[:0], ranked: a.ranked[:0]}
	u.analyses.Put(a)
}

// run analyses text for Explain and the other callers that keep the analysis.
func (u *Understander) run(text string, c Context, label labeler) *analysis {
	a := new(analysis)
	u.runInto(a, text, c, label)
	return a
}

// runInto analyses text into a, a new analysis or a pooled one whose feats and ranked
// arrays (emptied) are reused.
func (u *Understander) runInto(a *analysis, text string, c Context, label labeler) {
	a.text = text
	in := text
	if !utf8.ValidString(in) {
		in = strings.ToValidUTF8(in, "\uFFFD")
	}
	in = CutRunes(in, u.opts.MaxRunes)
	a.in = in
	a.norm = normalize.Normalize(in)
	a.provider = theProviders().find(a.norm.Norm)
	var hidden []span
	a.entities, hidden = u.entities(a.norm, c)
	spans := make([]span, 0, len(a.entities)+len(hidden))
	for _, e := range a.entities {
		s, en := normRange(a.norm, e.Start, e.End)
		if s < en {
			typ := e.Type
			if to, ok := u.stands[typ]; ok {
				if v, err := strconv.ParseFloat(e.Value, 64); err == nil && v >= 100 {
					typ = to
				}
			}
			spans = append(spans, span{s, en, typ})
		}
	}
	spans = append(spans, hidden...)
	if len(a.entities) == 1 && len(hidden) == 0 && len(spans) == 1 && !u.replace[a.entities[0].Type] {
		a.bare = spans[0].start == 0 && spans[0].end == utf8.RuneCountInString(a.norm.Norm)
	}
	a.matched, a.tokens, a.feats, a.content = u.analyse(a.feats, a.norm, spans, label, true)
	if a.content > 0 {
		a.ranked = u.score(a.ranked, a.feats, a.provider != "")
		if u.gate.min > 0 {
			a.domain = u.domainFeatures(a.feats)
		}
	}
}

// CutRunes returns the first n runes of s (all of s when n <= 0): how much of a message is
// analysed (Options.MaxRunes); an invalid byte counts as one rune.
func CutRunes(s string, n int) string {
	if n <= 0 || len(s) <= n {
		return s // fewer bytes than n: fewer runes too
	}
	k := 0
	for i := range s {
		if k == n {
			return s[:i]
		}
		k++
	}
	return s
}

// score ranks the intents for a message's features, best first, appending them to ranked
// (empty, nil or an array to reuse). When the message names another provider, only intents
// whose examples name one too are ranked (providers.go).
func (u *Understander) score(ranked []scored, fs []feat, provider bool) []scored {
	sc := u.scratch.Get().(*scratch)
	defer u.scratch.Put(sc)
	clear(sc.cdot)
	norm := u.accumulate(fs, sc.dot, sc.cdot, sc.p, sc)
	if norm == 0 {
		return nil
	}
	u.lin.softmax(sc.p)
	// The best dot product an intent's examples have (0: it shares nothing with the
	// message, the weights being positive); divided by the message's norm below, once an
	// intent instead of once an example. Which example is the nearest is Explain's business.
	// An intent's examples lie side by side (exRuns): a pass over every example with the
	// maximum kept in registers costs less than visiting only those the message touched,
	// whose order made each step wait for the one before.
	sc.best = u.exRuns.best(sc.dot, sc.best)
	clear(sc.dot)
	// Keep the best few intents by insertion into a short sorted list: sorting every
	// intent costs more than the matching.
	ranked = slices.Grow(ranked[:0], maxRanked+1)
	for i := range sc.best {
		if sc.best[i] == 0 {
			continue // shares nothing with the message
		}
		if provider && !u.others[i] {
			continue // about another provider's service, which no example of this intent is
		}
		sc.best[i] /= norm
		s := sc.best[i]
		if u.cnorm[i] != 0 {
			s = (1-u.p.centroid)*s + u.p.centroid*sc.cdot[i]/(norm*u.cnorm[i])
		}
		s = (1-u.p.linear)*s + u.p.linear*sc.p[i]
		if i == 0 {
			// The background is no topic but many: its centroid and its share of the
			// logistic model say little, its nearest example says how everyday a message is.
			s = max(s, sc.best[i]) * u.bgScale
		}
		if len(ranked) == maxRanked && s <= ranked[maxRanked-1].score {
			continue
		}
		at := len(ranked)
		for at > 0 && ranked[at-1].score < s {
			at--
		}
		ranked = slices.Insert(ranked, at, scored{intent: int32(i), score: s})
		if len(ranked) > maxRanked {
			ranked = ranked[:maxRanked]
		}
	}
	return ranked
}

// accumulate adds the message's weighted features into dot (per example), cdot (per intent
// centroid, when not nil) and logits (the logistic model's, when not nil; see linear.probs),
// leaves the known features' ids and weights in sc (the weights divided by the norm when
// logits is not nil) and returns the norm of the message's vector, unseen features included.
//
// The features are weighed first, for the norm; then each known feature adds its postings,
// its centroid postings and its row of the model in turn, one feature after another. Each
// sum takes its terms in feature order, as when the model had a pass of its own (probs).
func (u *Understander) accumulate(fs []feat, dot, cdot, logits []float32, sc *scratch) float32 {
	ids, xs := sc.ids[:0], sc.xs[:0]
	var sq float32
	for _, f := range fs {
		id, w := u.weight(f)
		sq += w * w
		if id >= 0 {
			ids, xs = append(ids, id), append(xs, w)
		}
	}
	sc.ids, sc.xs = ids, xs
	norm := float32(math.Sqrt(float64(sq)))
	if norm == 0 {
		return 0 // every weight is 0: nothing to add
	}
	if logits != nil {
		clear(logits)
	}
	// Touch each feature's postings, centroid postings and model row first. They lie far
	// apart in memory, out of the cache for most messages; these loads are independent of
	// one another, so their misses overlap, where in the loop below each waited until the
	// feature before was added. (Go has no prefetch; the sum is kept in sc so that the
	// loads are not dropped.) BenchmarkUnderstandEval took 5 to 7% less time.
	var touch float32
	for _, id := range ids {
		if x := u.postings.start[id]; x < u.postings.start[id+1] {
			touch += u.postings.post[x].w
		}
		if x := u.cpost.start[id]; x < u.cpost.start[id+1] {
			touch += u.cpost.post[x].w
		}
		if logits != nil {
			row := u.lin.w[int(id)*u.lin.classes : int(id+1)*u.lin.classes]
			for c := 0; c < len(row); c += 16 { // one load a cache line of 64 bytes
				touch += row[c]
			}
		}
	}
	sc.touch = touch
	for k, id := range ids {
		w := xs[k]
		for _, p := range u.postings.of(id) {
			dot[p.doc] += w * p.w
		}
		if cdot != nil {
			for _, p := range u.cpost.of(id) {
				cdot[p.doc] += w * p.w
			}
		}
		if logits != nil {
			xs[k] = w / norm
			u.lin.addRow(logits, id, xs[k])
		}
	}
	return norm
}

// confidence maps a match score to [0,1]: 0.5 at the threshold, rising steeply above it.
func (u *Understander) confidence(score float32) float64 {
	return confidenceAt(score, u.opts.Threshold)
}

// confidenceAt maps a match score to [0,1]: 0.5 at threshold t.
func confidenceAt(score float32, t float64) float64 {
	x := float64(score) - t
	c := 1 / (1 + math.Exp(-12*x))
	return math.Round(c*1000) / 1000
}

func (u *Understander) result(a *analysis) Result {
	r := Result{Text: a.text, Normalized: a.norm.Norm, Intent: None, Entities: a.entities}
	if r.Entities == nil {
		r.Entities = []Entity{}
	}
	r.Alternatives = []Candidate{}
	var buf [maxRanked]scored
	best := buf[:0] // bank intents, best first
	noneScore := float32(0)
	for _, s := range a.ranked {
		if s.intent == 0 {
			if noneScore == 0 {
				noneScore = s.score
			}
			continue
		}
		best = append(best, s)
	}
	u.preferFlow(best, noneScore, a.domain)
	accept, gated := false, false
	if len(best) > 0 {
		accept, gated = u.accepts(best[0].score, noneScore, a.domain)
	}
	start := 0
	if accept {
		r.Intent = u.intents[best[0].intent]
		r.Confidence = u.confidence(best[0].score)
		if gated {
			r.Confidence = confidenceAt(best[0].score, float64(u.gate.threshold))
		}
		if len(best) > 1 {
			// Closeness lowers the confidence: two intents that match alike are a coin toss.
			gap := float64(best[0].score - best[1].score)
			r.Confidence = math.Round(r.Confidence*(0.6+0.4*math.Min(1, gap/0.15))*1000) / 1000
			// A bare enum value that two intents accept is ambiguous however far apart they are.
			r.Ambiguous = u.opts.AmbiguityMargin > 0 && float64(best[1].score) >= u.opts.Threshold && (gap < u.opts.AmbiguityMargin || a.bare)
		}
		start = 1
	} else {
		// How sure none is: as sure as the background match when it beat every intent,
		// else as unsure as the best intent was sure.
		var top float32
		if len(best) > 0 {
			top = best[0].score
		}
		r.Confidence = math.Round((1-u.confidence(top))*1000) / 1000
		if noneScore > top {
			r.Confidence = max(r.Confidence, u.confidence(noneScore))
		}
	}
	for _, s := range best[start:min(len(best), start+maxAlternatives)] {
		if float64(s.score) < u.opts.Threshold/2 {
			break // too far to be worth offering
		}
		r.Alternatives = append(r.Alternatives, Candidate{Intent: u.intents[s.intent], Confidence: u.confidence(s.score)})
	}
	return r
}

// preferFlow moves the best flow intent to the front of best (sorted by score) when a FAQ
// intent leads it by less than params.faqMargin and it would be accepted on its own; the
// others keep their order.
func (u *Understander) preferFlow(best []scored, noneScore float32, domain int) {
	if len(best) < 2 || !u.faq[best[0].intent] {
		return
	}
	for j := 1; j < len(best); j++ {
		if best[0].score-best[j].score >= u.p.faqMargin {
			return
		}
		if !u.faq[best[j].intent] {
			f := best[j]
			if ok, _ := u.accepts(f.score, noneScore, domain); !ok {
				return
			}
			copy(best[1:j+1], best[:j])
			best[0] = f
			return
		}
	}
}

// weight returns a message feature's id in the index (-1 when no example has it) and its
// weight: the kind's weight times the idf, or times the scaled idf of unseen features.
func (u *Understander) weight(f feat) (int32, float32) {
	k := kindIndex[f.kind]
	if id, ok := u.featID.get(f.h); ok {
		return id, u.p.kind[k] * u.idf[id]
	}
	return -1, u.p.kind[k] * u.unknown * u.p.unknown[k]
}
