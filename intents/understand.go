package intents

import (
	"cmp"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/weiyin-bank/weiyin/dialogs"
	"github.com/weiyin-bank/weiyin/intents/entity"
	"github.com/weiyin-bank/weiyin/intents/normalize"
)

// Options tune an Understander. The zero value gives the defaults (see doc.go for how they
// were chosen).
type Options struct {
	// Threshold is the lowest match score an intent needs; below it the message is out of
	// scope (intent none). 0 means DefaultThreshold.
	Threshold float64
	// AmbiguityMargin: when the runner-up scores within this margin of the best intent, the
	// result is Ambiguous. 0 means DefaultAmbiguityMargin; negative disables ambiguity.
	AmbiguityMargin float64
	// HMM lets jieba guess words missing from its dictionary. Off by default: it made no
	// difference to accuracy and costs time (see doc.go).
	HMM bool
	// NoBackground leaves out the built-in out-of-scope examples (weather, films, travel ...)
	// that compete with the bundle's intents as intent none.
	NoBackground bool
	// Extractor finds the builtin entities and the values of the customer's lists; nil
	// means DefaultExtractor(). Enum entities declared in the bundle are found by the
	// Understander itself.
	Extractor Extractor
	// MaxRunes caps how much of a message is analysed; longer messages are cut. 0 means 512.
	MaxRunes int
	// Calibrate derives the threshold from the bundle's own examples and the background
	// (held-out folds, see calibrate.go) when Threshold is 0, instead of DefaultThreshold.
	// The figures are cached by the bundle's hash, in memory and under CacheDir, and so is
	// the trained logistic model (modelcache.go).
	Calibrate bool
	// CacheDir keeps calibrations and models between runs; "" means the user cache
	// directory, "-" none.
	CacheDir string

	background []string // calibration folds: the background lines to learn, nil for all
	bgScale    float32  // scales intent none's score; 0 means 1
	modelDir   string   // keeps the trained logistic model (modelcache.go); "" none
	gate       domainGate
}

// Calibrated are the options a bot runs with in every weiyin command (serve, chat, test, nlu,
// eval, the studio): the threshold, and for bundles of few examples an intent the domain gate,
// derived from the bundle's own examples, cached by the bundle's hash (the shipped bot's are
// embedded). Options{} keeps the fixed defaults, for tests that want them.
func Calibrated() Options { return Options{Calibrate: true} }

// Defaults for Options.
const (
	DefaultThreshold       = 0.27
	DefaultAmbiguityMargin = 0.05
	defaultMaxRunes        = 512
	// minTermExamples is how many examples must use a word for homophones to be corrected
	// to it (see homophone.go).
	minTermExamples = 3
)

// Understander is the compiled NLU of one Bundle: it tells which intent a message expresses
// and which entities it holds. It is immutable after New and safe for concurrent use.
type Understander struct {
	opts  Options
	calib Calibration
	// bgScale scales intent none's score (the background's): 1, or less for a bundle whose
	// few examples score lower than a rich bundle's (calibrated, see calibrate.go).
	bgScale float32
	// gate accepts in-domain messages that the threshold would reject (calibrated, see
	// domainGate); domainOnly marks the features of the examples that the background lacks.
	gate       domainGate
	domainOnly []bool
	p          params
	intents    []string // intent index -> name; intents[0] is None (the background)
	faq        []bool   // intent index -> a knowledge answer (dialogs.Intent.IsFAQ)
	// others: intent index -> some example names another provider (工行卡 in fund_collect);
	// only those intents compete for a message that names one.
	others   []bool
	examples []example
	// exIntent is each example's intent (4 bytes an example); exRuns the same, as runs of
	// examples of one intent, for score's pass over every example.
	exIntent []int32
	exRuns   exampleRuns
	// Inverted index: feature hash -> feature id; per feature its idf and postings. A
	// posting's weight is the feature's in the example's unit-length vector, so that a dot
	// product with the message is the cosine times the message's norm.
	featID   featTable
	idf      []float32
	postings index
	unknown  float32 // idf of a feature absent from every example
	// Centroids: per intent, the mean of its normalised example vectors (sparse).
	cpost index // feature id -> (intent, weight)
	cnorm []float32
	lin   *linear
	// Feature hash -> readable label (Explain), as offset<<32 | length in labelText: 11,000
	// labels as strings were objects the garbage collector marked every cycle.
	labels    map[uint64]uint64
	labelText []byte
	enums     enumMatcher
	known     enumMatcher // bank-listed values marked in examples (张三 as a contact)
	homo      homophones
	dict      domainDict
	vocab     map[string]bool // words of the examples, keywords and entity names
	// stands: an entity type the extractor finds where the examples mark another: 五万 is a
	// number to the extractor, money ([五万](amount:money)) to the examples. A message's
	// number of 100 or more stands for that type in matching (its entity stays a number).
	stands   map[string]string
	typeRune map[string]rune
	typeName []string // placeholder rune - placeholderBase -> type
	replace  map[string]bool
	tok      *tokenizer
	py       *pinyinTable
	extract  Extractor
	scratch  sync.Pool
	analyses sync.Pool // *analysis, for Understand (understand, putAnalysis)
}

type example struct {
	text string // normalised, placeholders shown as <type>
}

type posting struct {
	doc int32
	w   float32
}

// index is an inverted index in one block: the postings of feature id are
// post[start[id]:start[id+1]]. Two arrays instead of a slice a feature, which were 18,000
// objects (of the shipped bot) the garbage collector marked every cycle; the lists also lie
// side by side in memory.
type index struct {
	start []int32
	post  []posting
}

// of returns the postings of feature id.
func (x index) of(id int32) []posting { return x.post[x.start[id]:x.start[id+1]] }

// indexOf builds the index of n features whose documents are given in order: document d
// has the features ids[d] with the weights ws[d]. Each feature's postings come out in
// document order; the postings are counted first and written into one block.
func indexOf(n int, ids [][]int32, ws [][]float32) index {
	x := index{start: make([]int32, n+1)}
	for _, l := range ids {
		for _, id := range l {
			x.start[id+1]++
		}
	}
	for id := range n {
		x.start[id+1] += x.start[id]
	}
	x.post = make([]posting, x.start[n])
	next := slices.Clone(x.start[:n])
	for d, l := range ids {
		for k, id := range l {
			x.post[next[id]] = posting{int32(d), ws[d][k]}
			next[id]++
		}
	}
	return x
}

// New compiles the intents of b (examples, keywords, entity names and synonyms) into an
// Understander; b is only read. The first call of the process also loads the tokeniser's
// dictionaries (see Preload). It fails when b has no intent with an example.
func New(b *dialogs.Bundle, opts Options) (*Understander, error) {
	if opts.AmbiguityMargin == 0 {
		opts.AmbiguityMargin = DefaultAmbiguityMargin
	}
	if opts.MaxRunes <= 0 {
		opts.MaxRunes = defaultMaxRunes
	}
	calib := Calibration{Threshold: opts.Threshold, Source: "fixed"}
	if opts.Threshold == 0 && opts.Calibrate && b != nil {
		c, err := calibration(b, opts)
		if err != nil {
			return nil, err
		}
		calib = c
		opts.Threshold = c.Threshold
		opts.bgScale = float32(c.BackgroundScale)
		opts.gate = c.gate()
	}
	if opts.Threshold == 0 {
		opts.Threshold = DefaultThreshold
		calib = Calibration{Threshold: DefaultThreshold, Source: "default"}
	}
	if opts.Calibrate {
		opts.modelDir = calibDir(opts.CacheDir)
	}
	u, err := newUnderstander(b, opts, paramsFor(b))
	if u != nil {
		u.calib = calib
	}
	return u, err
}

// Calibration says how the Understander's threshold was chosen, with the held-out figures
// when it was calibrated.
func (u *Understander) Calibration() Calibration { return u.calib }

func newUnderstander(b *dialogs.Bundle, opts Options, p params) (*Understander, error) {
	if b == nil {
		return nil, fmt.Errorf("intents: nil bundle")
	}
	// cppjieba loads its dictionary (a cgo call of 0.15 s) while the pinyin table and the
	// frequent words (homophone.go) are built and the examples' entities are found.
	var tok *tokenizer
	var tokErr error
	var loading sync.WaitGroup
	loading.Go(func() { tok, tokErr = sharedTokenizer() })
	loading.Go(func() { sharedPinyin(); theFrequentWords() })
	bgScale := opts.bgScale
	if bgScale == 0 {
		bgScale = 1
	}
	u := &Understander{
		bgScale:  bgScale,
		gate:     opts.gate,
		p:        p,
		opts:     opts,
		intents:  []string{None},
		faq:      []bool{false},
		labels:   map[uint64]uint64{},
		typeRune: map[string]rune{},
		replace:  map[string]bool{},
		vocab:    map[string]bool{},
		stands:   map[string]string{},
		extract:  opts.Extractor,
	}
	if u.extract == nil {
		u.extract = DefaultExtractor()
	}
	u.initTypes(b)
	u.enums = newEnumMatcher(b)
	u.known = knownValues(b)
	dw := domainWords(b)
	u.dict = newDomainDict(dw)
	for _, w := range dw {
		u.vocab[w] = true
	}

	// The lines to learn from, in order: each intent's examples and keywords, then the
	// everyday background and the rivals (intent 0). The calibration's folds hold out
	// background lines, never rivals. The rivals count as background everywhere else: a
	// word they use (余额 in 礼品卡怎么查余额, 账单 in 电信账单) is no evidence that a
	// message is about the bundle's business (domainOnly, gate.go).
	var bg, rivals []string
	if !opts.NoBackground {
		bg = opts.background
		if bg == nil {
			bg = backgroundExamples()
		}
		rivals = rivalExamples()
	}
	size := len(bg) + len(rivals)
	for _, in := range b.Intents {
		size += len(in.Examples) + len(in.Keywords)
	}
	lessons := make([]lesson, 0, size)
	for _, name := range intentOrder(b) {
		in := b.Intents[name]
		if in == nil || name == None {
			continue
		}
		idx := int32(len(u.intents))
		u.intents = append(u.intents, name)
		u.faq = append(u.faq, in.IsFAQ())
		for _, ex := range in.Examples {
			lessons = append(lessons, lesson{intent: idx, text: ex.Text, marks: ex.Marks})
		}
		for _, kw := range in.Keywords {
			lessons = append(lessons, lesson{intent: idx, text: kw, keyword: true})
		}
	}
	for _, s := range bg {
		lessons = append(lessons, lesson{text: s})
	}
	for _, s := range rivals {
		lessons = append(lessons, lesson{text: s})
	}
	eachParallel(len(lessons), func(i int) { u.prepare(&lessons[i]) })
	// The lessons' cuts come from the token cache when this build cut the same texts before:
	// then the rest of New does not wait for cppjieba's dictionary, only answering does.
	cache := newTokenCache(opts, lessons)
	if !cache.read(lessons) {
		loading.Wait()
		if tokErr != nil {
			return nil, tokErr
		}
		eachParallel(len(lessons), func(i int) { lessons[i].cut = tok.cut(lessons[i].slotted, opts.HMM) })
		cache.write(lessons)
	}
	u.py = sharedPinyin()
	eachParallel(len(lessons), func(i int) { u.study(&lessons[i]) })

	// What the lessons teach, merged in their order (as if learnt one after another).
	type doc struct {
		intent int32
		fs     []feat
		text   string
	}
	var docs []doc
	standCount := map[[2]string]int{} // (found type, marked type) -> examples
	exWords := map[string]int{}       // word -> examples (of an intent) using it
	bgWords := map[string]bool{}      // the background's words
	u.others = make([]bool, len(u.intents))
	u.others[0] = true
	for i := range lessons {
		l := &lessons[i]
		if l.intent != 0 && !l.keyword && theProviders().find(l.t.Norm) != "" {
			u.others[l.intent] = true
		}
		for _, st := range l.stands {
			standCount[st]++
		}
		for _, fl := range l.labels {
			u.recordLabel(fl.h, fl.kind, fl.label)
		}
		seen := map[string]bool{}
		for _, tk := range l.tokens {
			switch {
			case !wordToken(tk) || seen[tk]:
			case l.intent != 0:
				u.vocab[tk] = true
				exWords[tk]++
			default:
				bgWords[tk] = true
			}
			seen[tk] = true
		}
		if len(l.fs) > 0 {
			docs = append(docs, doc{l.intent, l.fs, l.s})
		}
	}
	lessons = nil
	if len(docs) == 0 || docs[0].intent == 0 {
		return nil, fmt.Errorf("intents: the bundle declares no intent with examples")
	}

	best := map[string]int{}
	for k, n := range standCount {
		if n >= minTermExamples && (n > best[k[0]] || n == best[k[0]] && k[1] < u.stands[k[0]]) {
			u.stands[k[0]], best[k[0]] = k[1], n
		}
	}

	// Banking terms, which homophones are corrected to: the bundle's own words (keywords,
	// titles, enum names), the synonym layer's, and the words that at least
	// minTermExamples examples use and the everyday background never does (确认, 绑定; not
	// 时间 or 一下, nor 同事 or 一起, which one example of a transfer happens to say).
	terms := map[string]bool{}
	for _, w := range dw {
		terms[w] = true
	}
	for w, n := range exWords {
		if n >= minTermExamples && !bgWords[w] {
			terms[w] = true
		}
	}
	for _, w := range theSynonyms().terms {
		terms[w] = true
	}
	// The homophone table and then the logistic model (read from its cache, or trained) are
	// built while the index is.
	var building sync.WaitGroup
	building.Go(func() { u.homo = newHomophones(terms, u.vocab, u.py) })

	// Document frequency over intents: a feature that every intent uses tells nothing.
	// An intent's docs are side by side (lessons' order), so a feature's count of intents
	// grows whenever a doc of another intent than the last one that had it has it (a set
	// of intents a feature took a third of New).
	type intents struct{ n, last int32 }
	df := make(map[uint64]intents, len(docs)*4)
	for _, d := range docs {
		for _, f := range d.fs {
			if c, ok := df[f.h]; !ok || c.last != d.intent {
				df[f.h] = intents{c.n + 1, d.intent}
			}
		}
	}
	nIntents := float64(len(u.intents))
	hashes := make([]uint64, 0, len(df))
	for h := range df {
		hashes = append(hashes, h)
	}
	slices.Sort(hashes)
	u.idf = make([]float32, len(hashes))
	u.featID = newFeatTable(hashes)
	for i, h := range hashes {
		u.idf[i] = float32(math.Log(1 + nIntents/float64(df[h].n)))
	}
	u.unknown = float32(math.Log(1 + nIntents))
	// Each doc as feature ids and weights, its vector of unit length: the logistic model's
	// input and the postings. Words, bigrams and synonym terms of the examples that no
	// background line has are the evidence that a message is about the bundle's business at
	// all (domainOnly, domainGate).
	ldocs := make([]linearDoc, len(docs))
	docIDs, docWs := make([][]int32, len(docs)), make([][]float32, len(docs))
	u.examples, u.exIntent = make([]example, len(docs)), make([]int32, len(docs))
	u.domainOnly = make([]bool, len(hashes))
	inBackground := make([]bool, len(hashes))
	for di, d := range docs {
		ids, xs := make([]int32, len(d.fs)), make([]float32, len(d.fs))
		var sq float32
		for k, f := range d.fs {
			id, _ := u.featID.get(f.h)
			w := u.p.kind[kindIndex[f.kind]] * u.idf[id]
			ids[k], xs[k] = id, w
			sq += w * w
			if d.intent == 0 {
				inBackground[id] = true
			} else if f.kind == kindWord || f.kind == kindBigram || f.kind == kindSynonym {
				u.domainOnly[id] = true
			}
		}
		norm := float32(math.Sqrt(float64(sq)))
		for k := range xs {
			xs[k] /= norm
		}
		ldocs[di] = linearDoc{class: d.intent, ids: ids, xs: xs}
		docIDs[di], docWs[di] = ids, xs
		u.examples[di], u.exIntent[di] = example{text: d.text}, d.intent
	}
	for id, bg := range inBackground {
		u.domainOnly[id] = u.domainOnly[id] && !bg
	}
	u.exRuns = runsOf(u.exIntent)
	u.postings = indexOf(len(hashes), docIDs, docWs)
	building.Go(func() { u.lin = cachedLinear(opts.modelDir, ldocs, len(hashes), len(u.intents)) })

	// Centroids: per intent the sum of its docs' unit vectors, summed in doc order in a
	// dense row (an intent's docs are side by side), kept sparse in feature order.
	cIDs, cWs := make([][]int32, len(u.intents)), make([][]float32, len(u.intents))
	u.cnorm = make([]float32, len(u.intents))
	row := make([]float32, len(hashes))
	for start := 0; start < len(docs); {
		in := docs[start].intent
		end := start
		var used []int32
		for ; end < len(docs) && docs[end].intent == in; end++ {
			for k, id := range docIDs[end] {
				if row[id] == 0 {
					used = append(used, id)
				}
				row[id] += docWs[end][k]
			}
		}
		slices.Sort(used)
		ws := make([]float32, len(used))
		var sq float32
		for k, id := range used {
			ws[k], row[id] = row[id], 0
			sq += ws[k] * ws[k]
		}
		cIDs[in], cWs[in], u.cnorm[in] = used, ws, float32(math.Sqrt(float64(sq)))
		start = end
	}
	u.cpost = indexOf(len(hashes), cIDs, cWs)
	building.Wait()
	loading.Wait()
	if tokErr != nil {
		return nil, tokErr
	}
	u.tok = tok
	nex := len(u.examples)
	nin := len(u.intents)
	u.analyses.New = func() any { return new(analysis) }
	u.scratch.New = func() any {
		return &scratch{dot: make([]float32, nex), cdot: make([]float32, nin), p: make([]float32, nin),
			best: make([]float32, nin)}
	}
	return u, nil
}

// scratch is the per-call working memory, pooled.
type scratch struct {
	dot, cdot, p, best []float32 // dot is all 0 between calls
	ids                []int32
	xs                 []float32
	touch              float32 // what accumulate's touching loads summed (see there)
}

// intentOrder lists the intents of b in declaration order, or by name when b does not
// record one (a bundle built in code): what depends on the order is then the same in every
// run, which ranging over the b.Intents map is not.
func intentOrder(b *dialogs.Bundle) []string {
	if len(b.IntentNames) > 0 {
		return b.IntentNames
	}
	names := make([]string, 0, len(b.Intents))
	for n := range b.Intents {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// initTypes assigns a placeholder rune to every entity type and decides which types are
// replaced by their placeholder (builtin and bank-listed values: the words themselves say
// nothing about the intent) and which keep their words beside the type (enum values such as
// 信用卡 or 水费 are strong cues).
func (u *Understander) initTypes(b *dialogs.Bundle) {
	add := func(name string, replace bool) {
		if _, ok := u.typeRune[name]; ok {
			return
		}
		u.typeRune[name] = rune(placeholderBase + len(u.typeName))
		u.typeName = append(u.typeName, name)
		u.replace[name] = replace
	}
	for _, n := range dialogs.BuiltinEntities {
		add(n, n != "text")
	}
	for _, n := range []string{entity.TypeOrdinal, entity.TypePercent, entity.TypeDuration, entity.TypeAccountNo} {
		add(n, true)
	}
	names := make([]string, 0, len(b.Entities))
	for n := range b.Entities {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		add(n, b.Entities[n].Kind != dialogs.EntityEnum)
	}
	add("other", true)
}

func (u *Understander) placeholder(typ string) rune {
	if r, ok := u.typeRune[typ]; ok {
		return r
	}
	return u.typeRune["other"]
}

func (u *Understander) nameOf(r rune) string {
	if i := int(r - placeholderBase); i >= 0 && i < len(u.typeName) {
		return u.typeName[i]
	}
	return "other"
}

// domainWords lists the words the tokens must keep whole: enum names and synonyms, intent
// keywords and titles.
func domainWords(b *dialogs.Bundle) []string {
	var out []string
	for _, e := range b.Entities {
		for _, v := range e.Values {
			out = append(out, v.Names...)
		}
	}
	for _, in := range b.Intents {
		out = append(out, in.Keywords...)
		for _, t := range strings.FieldsFunc(in.Title, func(r rune) bool { return strings.ContainsRune("/、,，() （）与和及", r) }) {
			if n := utf8.RuneCountInString(t); n >= 2 && n <= 6 {
				out = append(out, t)
			}
		}
	}
	var keep []string
	for _, w := range out {
		w = normalize.Normalize(w).Norm
		if n := utf8.RuneCountInString(w); n >= 2 && n <= 8 {
			keep = append(keep, w)
		}
	}
	slices.Sort(keep)
	return slices.Compact(keep)
}

// span is an entity's range in normalised runes.
type span struct {
	start, end int
	typ        string
}

// lesson is one line the Understander learns from (an example, a keyword or a background
// line, of intent 0) and what it teaches, worked out apart from the other lines so that
// lines are learnt in parallel: prepare finds its entities (while cppjieba loads), then it is
// cut (or its cut is read from the token cache), study finds its features; newUnderstander
// merges the lessons in order.
type lesson struct {
	intent  int32
	text    string
	marks   []dialogs.Mark
	keyword bool // an intent's keyword, not one of its examples
	// prepare
	t       normalize.Text
	stands  [][2]string // (found type, marked type) where the extractor read a marked value as another type
	slotted string      // the text the tokeniser cuts (slot values replaced, English translated)
	extra   []string    // the types of the slot values kept as written
	cut     []string    // slotted as cppjieba cut it (or as the token cache says it did)
	// study
	s      string   // the matched text for display
	tokens []string // the tokens
	fs     []feat
	labels []featLabel // the features' readable labels, in the order met
}

// featLabel is a feature's readable label (for Explain), as study met it.
type featLabel struct {
	h     uint64
	kind  byte
	label string
}

// prepare normalises a lesson's text and finds its slot values: its marks, then the
// entities found by the extractor, replaced like a message's.
func (u *Understander) prepare(l *lesson) {
	// Cut as a message is: what lies beyond could never be matched, and a huge line written
	// by mistake must not stall the compile.
	t := normalize.Normalize(CutRunes(l.text, u.opts.MaxRunes))
	var spans []span
	for _, m := range l.marks {
		s, e := normRange(t, m.Start, m.End)
		if s < e {
			spans = append(spans, span{s, e, m.Entity})
		}
	}
	ents, hidden := u.entities(t, Context{})
	for _, m := range spans {
		for _, en := range ents {
			if s, e := normRange(t, en.Start, en.End); s == m.start && e == m.end && en.Type != m.typ {
				l.stands = append(l.stands, [2]string{en.Type, m.typ})
			}
		}
	}
	for _, en := range ents {
		s, e := normRange(t, en.Start, en.End)
		if s < e {
			spans = append(spans, span{s, e, en.Type})
		}
	}
	l.t = t
	l.slotted, l.extra = u.slotted(t, append(spans, hidden...))
}

// study analyses a prepared and cut lesson as a message (without homophone correction).
func (u *Understander) study(l *lesson) {
	label := func(h uint64, kind byte, label string) {
		l.labels = append(l.labels, featLabel{h, kind, label})
	}
	s, tokens, fs, _ := u.analyseCut(nil, l.slotted, l.cut, l.extra, label, false)
	l.s, l.tokens, l.fs = u.display(s), tokens, fs
}

// eachParallel calls f(0) to f(n-1), on as many goroutines as the process has Ps.
func eachParallel(n int, f func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(n, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				f(i)
			}
		})
	}
	wg.Wait()
}

func (u *Understander) recordLabel(h uint64, kind byte, label string) {
	if _, ok := u.labels[h]; !ok {
		at := len(u.labelText)
		u.labelText = append(append(append(u.labelText, kindNames[kindIndex[kind]]...), ':'), label...)
		u.labels[h] = uint64(at)<<32 | uint64(len(u.labelText)-at)
	}
}

// label returns the readable label of feature hash h ("" if unknown).
func (u *Understander) label(h uint64) string {
	l, ok := u.labels[h]
	if !ok {
		return ""
	}
	return string(u.labelText[l>>32 : l>>32+l&0xffffffff])
}

// display shows placeholders as <type>.
func (u *Understander) display(s string) string {
	if !strings.ContainsFunc(s, isPlaceholder) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if isPlaceholder(r) {
			b.WriteString("<" + u.nameOf(r) + ">")
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// normRange maps a rune range of the original text to the normalised runes wholly inside it.
func normRange(t normalize.Text, start, end int) (int, int) {
	s := sort.Search(len(t.Map), func(i int) bool { return t.Map[i] >= start })
	e := s
	for e < len(t.OrigEnd) && t.OrigEnd[e] <= end {
		e++
	}
	return s, e
}

// analyse replaces the slot values in t by placeholders (overlapping spans: the first,
// longest wins), tokenises and computes the features.
//
// With correct, homophones of bundle words are corrected first (messages, not examples).
func (u *Understander) analyse(fs []feat, t normalize.Text, spans []span, label labeler, correct bool) (string, []string, []feat, int) {
	s, extra := u.slotted(t, spans)
	return u.analyseCut(fs, s, u.tok.cut(s, u.opts.HMM), extra, label, correct)
}

// slotted replaces the slot values in t by placeholders (overlapping spans: the first,
// longest wins) and translates English through the synonym layer: the text the tokeniser
// cuts. extra lists the types of the values kept as written.
func (u *Understander) slotted(t normalize.Text, spans []span) (string, []string) {
	if len(spans) == 0 {
		return theSynonyms().translate(t.Norm), nil // nothing to replace: no copy
	}
	slices.SortStableFunc(spans, func(a, b span) int {
		if c := cmp.Compare(a.start, b.start); c != 0 {
			return c
		}
		return cmp.Compare(b.end, a.end)
	})
	var extra []string
	// Rune ranges are sliced out of t.Norm by their byte offsets (Normalize writes valid
	// UTF-8, which the runes would spell again byte for byte).
	buf := getTextBuf()
	defer putTextBuf(buf)
	_, offs := buf.offsets(t.Norm)
	n := len(offs) - 1 // runes
	var b strings.Builder
	b.Grow(len(t.Norm) + len(spans)*utf8.UTFMax)
	pos := 0
	for _, sp := range spans {
		if sp.start < pos || sp.end > n {
			continue
		}
		b.WriteString(t.Norm[offs[pos]:offs[sp.start]])
		if u.replace[sp.typ] || u.typeRune[sp.typ] == 0 {
			b.WriteRune(u.placeholder(sp.typ))
		} else {
			b.WriteString(t.Norm[offs[sp.start]:offs[sp.end]])
			extra = append(extra, sp.typ)
		}
		pos = sp.end
	}
	b.WriteString(t.Norm[offs[pos]:])
	return theSynonyms().translate(b.String()), extra
}

// analyseCut is analyse once s, the slotted text, is cut. The features are appended to fs
// (empty, nil or an array to reuse).
func (u *Understander) analyseCut(fs []feat, s string, cut, extra []string, label labeler, correct bool) (string, []string, []feat, int) {
	tokens := u.dict.apply(s, cut)
	if correct {
		if c := u.homo.correct(s, tokens, u.py); c != s {
			s = c
			tokens = u.dict.apply(s, u.tok.cut(s, u.opts.HMM))
		}
	}
	fs, content := features(fs, s, tokens, u.nameOf, u.py, label)
	// The synonym layer: each member found adds its group's term as a word.
	syn := theSynonyms()
	syn.find(s, func(_, term string) {
		kind := syn.kindOf(term)
		h := hashString(kind, term)
		if label != nil {
			label(h, kind, term)
		}
		if i, ok := slices.BinarySearchFunc(fs, h, func(f feat, h uint64) int { return cmp.Compare(f.h, h) }); !ok {
			fs = slices.Insert(fs, i, feat{h, kind})
		}
	})
	for _, typ := range extra {
		h := hashString(kindEntity, typ)
		if label != nil {
			label(h, kindEntity, "<"+typ+">")
		}
		if i, ok := slices.BinarySearchFunc(fs, h, func(f feat, h uint64) int { return cmp.Compare(f.h, h) }); !ok {
			fs = slices.Insert(fs, i, feat{h, kindEntity})
		}
	}
	return s, tokens, fs, content
}

// entities runs the extractor, the enum matcher and the customer's lists on t and merges
// their findings: where two overlap, the longer wins (the earlier on a tie). It also returns
// the spans of values the examples taught (张三 marked as a contact) that no list confirms:
// they stand for their type in matching but are not reported.
func (u *Understander) entities(t normalize.Text, c Context) ([]Entity, []span) {
	ents := u.extract.Extract(t, c)
	buf := getTextBuf()
	_, offs := buf.offsets(t.Norm)
	ents = append(ents, u.enums.find(t, offs)...)
	nReported := len(ents)
	ents = append(ents, u.known.find(t, offs)...)
	putTextBuf(buf)
	type cand struct {
		Entity
		hidden bool
	}
	// A message has few entities: its candidates and those kept lie on the stack.
	var candBuf, keptBuf [8]cand
	cands := candBuf[:0]
	for i, e := range ents {
		cands = append(cands, cand{e, i >= nReported})
	}
	// Reported entities (extractor, enums, the customer's lists) first: a value an example taught
	// ("招行卡") must not hide the customer's real card ("招行") found inside it.
	slices.SortStableFunc(cands, func(a, b cand) int {
		if a.hidden != b.hidden {
			if a.hidden {
				return 1
			}
			return -1
		}
		if d := cmp.Compare(b.End-b.Start, a.End-a.Start); d != 0 {
			return d
		}
		return cmp.Compare(a.Start, b.Start)
	})
	kept := keptBuf[:0]
	for _, e := range cands {
		if e.End > e.Start && !slices.ContainsFunc(kept, func(o cand) bool { return e.Start < o.End && o.Start < e.End }) {
			kept = append(kept, e)
		}
	}
	slices.SortStableFunc(kept, func(a, b cand) int { return cmp.Compare(a.Start, b.Start) })
	var out []Entity
	var hidden []span
	for _, e := range kept {
		if !e.hidden {
			out = append(out, e.Entity)
		} else if s, en := normRange(t, e.Start, e.End); s < en {
			hidden = append(hidden, span{s, en, e.Type})
		}
	}
	return out, hidden
}
