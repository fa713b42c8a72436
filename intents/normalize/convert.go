package normalize

import (
	"bufio"
	"embed"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/longbridgeapp/opencc"
	"github.com/weiyin-bank/weiyin/intents/internal/runeset"
)

// The pinned OpenCC port embeds dictionaries older than upstream OpenCC's (擡 kept, 么 read as
// 幺 by tw2s, 乾安縣 -> 干安县, 昇/甦/祕... converted even in names). Its dictionaries are read
// once into the tables below and the files in dict/ are layered over them, stage by stage,
// the way OpenCC layers its own dictionaries: at each position the longest phrase wins, else
// the character table, else the rune is kept.

//go:embed dict/*.txt
var dictFS embed.FS

// stageOverlays names, per stage of a conversion chain, the overlay file laid over the
// library's dictionaries of that stage. A stage is known by a dictionary file it holds.
// keptAreTraditional says that an identity character rule of the overlay keeps a traditional
// character as it is (剋, 昇: evidence of traditional text) rather than undoing a variant
// mapping of a simplified character (么, 秘 in the variant stages).
var stageOverlays = []struct {
	libFile, overlay   string
	keptAreTraditional bool
}{
	{"TSCharacters", "dict/TSExtra.txt", true},
	{"TWVariantsRev", "dict/TWVariantsRevExtra.txt", false},
	{"HKVariantsRev", "dict/HKVariantsRevExtra.txt", false},
}

// phrase is one multi-rune dictionary entry.
type phrase struct {
	from, to []rune
}

// stage is one step of a conversion chain: phrases by first rune (longest first), then
// single characters. It is immutable once built.
type stage struct {
	chars   map[rune]rune
	phrases map[rune][]phrase
	// kept holds traditional characters an overlay keeps as they are (evidence all the same).
	kept map[rune]bool
	// starts holds the keys of chars and phrases: the runes the stage may change. Most runes
	// of a text are none, and a set answers before two maps are searched.
	starts runeset.Set
}

// chain is a built conversion (t2s, tw2s, hk2s): its stages in order and its evidence set,
// the runes that some stage's character table changes or keeps as a traditional character.
// OpenCC assumes traditional input, but customers mostly write simplified Chinese, and some
// traditional phrases read differently as simplified text (打坏 is "broke" in simplified, 打坯
// in traditional). So a text is converted only when it holds at least one evidence rune; then
// all of its Han runs are. Immutable once built, safe for concurrent use.
type chain struct {
	stages []*stage
	// always converts every text, evidence or not: tw2sp localises Taiwan's vocabulary
	// (演算法 -> 算法), whose words are often written with characters both scripts share.
	always bool
	// evidence marks BMP evidence runes, one bit each.
	evidence [0x10000 / 64]uint64
	// evidenceHigh holds evidence runes beyond the BMP.
	evidenceHigh map[rune]bool
}

// isEvidence reports whether r is a rune some character table of the chain changes or keeps
// as a traditional character.
func (c *chain) isEvidence(r rune) bool {
	if r < 0x10000 {
		return r >= 0 && c.evidence[r>>6]&(1<<(uint(r)&63)) != 0
	}
	return c.evidenceHigh[r]
}

func (c *chain) mark(r rune) {
	if r < 0x10000 {
		c.evidence[r>>6] |= 1 << (uint(r) & 63)
		return
	}
	c.evidenceHigh[r] = true
}

// traditional reports whether items hold an evidence rune.
func (c *chain) traditional(items []item) bool {
	if c.always {
		return true
	}
	for i := range items {
		if c.isEvidence(items[i].r) {
			return true
		}
	}
	return false
}

// traditionalString reports whether s holds an evidence rune.
func (c *chain) traditionalString(s string) bool {
	for _, r := range s {
		if c.isEvidence(r) {
			return true
		}
	}
	return false
}

// buildChain reads the library's dictionaries for config and lays the overlays over them.
func buildChain(config string) (*chain, error) {
	cc, err := opencc.New(config)
	if err != nil {
		return nil, fmt.Errorf("normalize: opencc %s: %w", config, err)
	}
	c := &chain{evidenceHigh: map[rune]bool{}, always: config == "tw2sp"}
	for _, g := range cc.DictChains {
		st := newStage()
		// Within a group the first dictionary holding a key wins, as in OpenCC.
		seen := map[string]bool{}
		for _, d := range g.Dicts {
			if d == nil || d.Trie == nil {
				continue
			}
			for _, id := range d.Trie.PrefixPredict(nil, 0) {
				key, err := d.Trie.Key(id)
				if err != nil {
					return nil, fmt.Errorf("normalize: opencc %s %v: key %d: %w", config, g.Files, id, err)
				}
				vi, err := d.Trie.Value(id)
				if err != nil || vi < 0 || vi >= len(d.Values) || len(d.Values[vi]) == 0 {
					return nil, fmt.Errorf("normalize: opencc %s %v: no value for %q", config, g.Files, key)
				}
				k := string(key)
				if seen[k] || !utf8.ValidString(k) {
					continue
				}
				seen[k] = true
				st.add(k, d.Values[vi][0])
			}
		}
		for _, o := range stageOverlays {
			if groupHolds(g, o.libFile) {
				if err := st.overlay(o.overlay, o.keptAreTraditional); err != nil {
					return nil, err
				}
			}
		}
		st.sortPhrases()
		c.stages = append(c.stages, st)
	}
	for _, st := range c.stages {
		for k, v := range st.chars {
			if k != v || st.kept[k] {
				c.mark(k)
			}
		}
	}
	return c, nil
}

// newStage returns an empty stage.
func newStage() *stage {
	return &stage{chars: map[rune]rune{}, phrases: map[rune][]phrase{}, kept: map[rune]bool{}}
}

func groupHolds(g *opencc.Group, name string) bool {
	for _, f := range g.Files {
		if strings.HasPrefix(f, name+".") {
			return true
		}
	}
	return false
}

// add sets key -> value, replacing an earlier entry for key.
func (st *stage) add(key, value string) {
	from, to := []rune(key), []rune(value)
	if len(from) == 0 || len(to) == 0 {
		return
	}
	st.starts.Add(from[0])
	if len(from) == 1 && len(to) == 1 {
		st.chars[from[0]] = to[0]
		return
	}
	ps := st.phrases[from[0]]
	for i := range ps {
		if string(ps[i].from) == key {
			ps[i].to = to
			return
		}
	}
	st.phrases[from[0]] = append(ps, phrase{from: from, to: to})
}

// overlay lays an embedded dictionary file (OpenCC text format: key, a tab, values separated
// by spaces, the first taken; '#' starts a comment line) over the stage.
func (st *stage) overlay(name string, keptAreTraditional bool) error {
	f, err := dictFS.Open(name)
	if err != nil {
		return fmt.Errorf("normalize: overlay %s: %w", name, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		key, vals, ok := strings.Cut(text, "\t")
		fields := strings.Fields(vals)
		if !ok || key == "" || len(fields) == 0 {
			return fmt.Errorf("normalize: overlay %s:%d: want KEY<TAB>VALUE, got %q", name, line, text)
		}
		st.add(key, fields[0])
		if keptAreTraditional && key == fields[0] && utf8.RuneCountInString(key) == 1 {
			r, _ := utf8.DecodeRuneInString(key)
			st.kept[r] = true
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("normalize: overlay %s: %w", name, err)
	}
	return nil
}

func (st *stage) sortPhrases() {
	for _, ps := range st.phrases {
		sort.SliceStable(ps, func(i, j int) bool { return len(ps[i].from) > len(ps[j].from) })
	}
}

// match returns the longest phrase of the stage starting at items[i], or nil.
func (st *stage) match(items []item, i int) *phrase {
	ps := st.phrases[items[i].r]
	for k := range ps {
		p := &ps[k]
		if len(p.from) > len(items)-i {
			continue
		}
		ok := true
		for j := 1; j < len(p.from); j++ {
			if items[i+j].r != p.from[j] {
				ok = false
				break
			}
		}
		if ok {
			return p
		}
	}
	return nil
}

// apply converts items[lo:hi] (a run of Han characters) in place and returns hi, or stops
// at the first phrase whose output has another length and returns its index: items before
// it are converted, the rest are not (the caller goes on with applyGrow). Matching at a
// position reads only runes not yet converted, so stopping midway is safe.
func (st *stage) apply(items []item, lo, hi int) int {
	run := items[:hi]
	for i := lo; i < hi; {
		if !st.starts.Has(items[i].r) {
			i++
			continue
		}
		if p := st.match(run, i); p != nil {
			if len(p.to) != len(p.from) {
				return i
			}
			for k, r := range p.to {
				items[i+k].r = r
			}
			i += len(p.from)
			continue
		}
		if r, ok := st.chars[items[i].r]; ok {
			items[i].r = r
		}
		i++
	}
	return hi
}

// applyGrow converts items[lo:hi] and appends the result to out. A phrase whose output has
// another length spreads its runes over the phrase's original range.
func (st *stage) applyGrow(out, items []item, lo, hi int) []item {
	run := items[:hi]
	for i := lo; i < hi; {
		var p *phrase
		if st.starts.Has(items[i].r) {
			p = st.match(run, i)
		}
		if p == nil {
			it := items[i]
			if r, ok := st.chars[it.r]; ok {
				it.r = r
			}
			out = append(out, it)
			i++
			continue
		}
		n, m := len(p.from), len(p.to)
		for k, r := range p.to {
			a := i + k*n/m
			b := i + ((k+1)*n+m-1)/m - 1
			if b < a {
				b = a
			}
			out = append(out, item{r: r, s: items[a].s, e: items[b].e})
		}
		i += n
	}
	return out
}

// convertItems runs the chain over every run of Han characters when items hold an evidence
// rune. It converts in place and returns items unless a phrase changes length.
func (c *chain) convertItems(items []item) []item {
	if !c.traditional(items) {
		return items
	}
	for _, st := range c.stages {
		items = st.convertRuns(items)
	}
	return items
}

// convertRuns converts each run of Han characters of items with the stage.
func (st *stage) convertRuns(items []item) []item {
	var out []item // non-nil once a length-changing phrase forced a copy
	for i := 0; i < len(items); {
		if !isHan(items[i].r) {
			if out != nil {
				out = append(out, items[i])
			}
			i++
			continue
		}
		j := i + 1
		for j < len(items) && isHan(items[j].r) {
			j++
		}
		if out == nil {
			if k := st.apply(items, i, j); k < j {
				out = append(make([]item, 0, len(items)+8), items[:k]...)
				out = st.applyGrow(out, items, k, j)
			}
		} else {
			out = st.applyGrow(out, items, i, j)
		}
		i = j
	}
	if out != nil {
		return out
	}
	return items
}

// convertString runs the chain over s.
func (c *chain) convertString(s string) string {
	if !c.always && !c.traditionalString(s) {
		return s
	}
	items := make([]item, 0, len(s)/2)
	for i, r := range []rune(s) {
		items = append(items, item{r: r, s: int32(i), e: int32(i + 1)})
	}
	items = c.convertItems(items)
	var b strings.Builder
	b.Grow(len(s))
	for _, it := range items {
		b.WriteRune(it.r)
	}
	return b.String()
}

var (
	regionalOnce  sync.Once
	regionalStage *stage
)

// theRegional returns the stage of dict/Regional.txt, built once: Hong Kong, Macau and Taiwan
// wording read as the mainland says it (户口 -> 账户, 几多 -> 多少, 简讯 -> 短信). Nil when the
// embedded file cannot be read, which a test rules out.
func theRegional() *stage {
	regionalOnce.Do(func() {
		st := newStage()
		if err := st.overlay("dict/Regional.txt", false); err != nil {
			slog.Error("normalize: regional wording unavailable", "err", err)
			return
		}
		st.sortPhrases()
		regionalStage = st
	})
	return regionalStage
}

// regionalItems rewrites regional wording in every run of Han characters. It runs on
// simplified text, after t2s, whether or not the message was traditional: 几多 and 户口 are
// written in both scripts.
func regionalItems(items []item) []item {
	st := theRegional()
	if st == nil {
		return items
	}
	return st.convertRuns(items)
}
