package normalize

import (
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/longbridgeapp/opencc"
)

// Text is a normalised message with a map back to the original.
type Text struct {
	Original string
	Norm     string
	// Map holds, for each rune of Norm, the rune offset in Original it came from.
	Map []int
	// OrigEnd holds, for each rune of Norm, the exclusive end rune offset in Original.
	OrigEnd []int
}

// Span returns the original rune range [start, end) that the Norm rune range [ns, ne) came
// from. It returns ok=false when the range is empty or out of bounds.
func (t Text) Span(ns, ne int) (start, end int, ok bool) {
	if ns < 0 || ne > len(t.Map) || ns >= ne {
		return 0, 0, false
	}
	return t.Map[ns], t.OrigEnd[ne-1], true
}

// OriginalSlice returns the original text of rune range [start, end), or "" when the range
// is invalid.
func (t Text) OriginalSlice(start, end int) string {
	if start < 0 || end < start {
		return ""
	}
	bs, be, i := -1, -1, 0
	for b := range t.Original {
		if i == start {
			bs = b
		}
		if i == end {
			be = b
			break
		}
		i++
	}
	if be < 0 {
		if end != utf8.RuneCountInString(t.Original) {
			return ""
		}
		be = len(t.Original)
		if bs < 0 {
			bs = be
		}
	}
	if bs < 0 {
		return ""
	}
	return t.Original[bs:be]
}

// item is one rune of the text being normalised with the original range it came from.
type item struct {
	r    rune
	s, e int32
}

var (
	chainsMu sync.Mutex
	chains   = map[string]*chainOnce{} // config -> its chain, built once on first use
	extraCC  sync.Map                  // config -> *opencc.OpenCC, for SimplifyWith's other configs
)

// chainOnce builds one conversion chain on first use.
type chainOnce struct {
	once sync.Once
	c    *chain
	err  error
}

// layered lists the configurations converted by the library's dictionaries with this
// package's overlays laid over them (dict/); others go to the library as they are.
var layered = map[string]bool{"t2s": true, "tw2s": true, "hk2s": true, "tw2sp": true}

// chainFor returns the layered chain for config (t2s, tw2s or hk2s), built once.
func chainFor(config string) (*chain, error) {
	chainsMu.Lock()
	co := chains[config]
	if co == nil {
		co = &chainOnce{}
		chains[config] = co
	}
	chainsMu.Unlock()
	co.once.Do(func() { co.c, co.err = buildChain(config) })
	return co.c, co.err
}

var (
	t2sOnce  sync.Once
	t2sChain *chain
)

// theChain returns the t2s chain Normalize and Simplify use, built once. When it cannot be
// built (the dictionaries are embedded, so this should never happen) they keep traditional
// characters and log once.
func theChain() *chain {
	t2sOnce.Do(func() {
		c, err := chainFor("t2s")
		if err != nil {
			slog.Error("normalize: t2s unavailable, traditional text kept", "err", err)
			return
		}
		t2sChain = c
	})
	return t2sChain
}

// Simplify converts traditional Chinese to simplified: OpenCC t2s with this package's
// overlays (dict/TSExtra.txt). Other text is unchanged. Safe for concurrent use.
func Simplify(s string) string {
	c := theChain()
	if c == nil {
		return s
	}
	return c.convertString(s)
}

// SimplifyWith converts s with the named OpenCC configuration. t2s, tw2s, tw2sp and hk2s get
// this package's overlays (tw2s: Taiwan variants first, hk2s: Hong Kong variants first, then
// t2s; tw2sp also Taiwan's vocabulary, on every text); other configurations (s2t, s2tw...)
// use the pinned library as it is. It is for
// measuring and tools; Normalize always uses t2s.
func SimplifyWith(config, s string) (string, error) {
	if layered[config] {
		c, err := chainFor(config)
		if err != nil {
			return s, err
		}
		return c.convertString(s), nil
	}
	v, ok := extraCC.Load(config)
	if !ok {
		cc, err := opencc.New(config)
		if err != nil {
			return s, fmt.Errorf("normalize: opencc %s: %w", config, err)
		}
		v, _ = extraCC.LoadOrStore(config, cc)
	}
	return v.(*opencc.OpenCC).Convert(s)
}

// Normalize returns the normalised form of s with its map back to s. It is safe for
// concurrent use and linear in len(s).
func Normalize(s string) Text {
	buf := itemBufs.Get().(*[]item)
	items := (*buf)[:0]
	pos := int32(0)
	for i, r := range s {
		_ = i
		p := pos
		pos++
		r = foldRune(r)
		if r < 0 {
			continue
		}
		items = append(items, item{r: r, s: p, e: p + 1})
	}
	items = contextPunct(items)
	items = simplifyItems(items)
	items = mapVariants(items)
	items = regionalItems(items)
	items = collapse(items)
	items = spokenDigits(items)
	items = removeFillers(items)
	items = tidySpaces(items)
	n := len(items)
	ends := make([]int, 2*n) // Map and OrigEnd in one block
	t := Text{Original: s, Map: ends[:n:n], OrigEnd: ends[n:]}
	var b strings.Builder
	b.Grow(n * 3)
	for i, it := range items {
		b.WriteRune(it.r)
		t.Map[i] = int(it.s)
		t.OrigEnd[i] = int(it.e)
	}
	t.Norm = b.String()
	// The steps above may have moved the items to another array; the first one is what
	// is pooled, and nothing refers to either any more.
	if cap(*buf) < cap(items) {
		*buf = items
	}
	if cap(*buf) <= maxPooledItems {
		itemBufs.Put(buf)
	}
	return t
}

// itemBufs pools Normalize's working arrays: one a message was most of its allocations.
var itemBufs = sync.Pool{New: func() any { return new([]item) }}

// maxPooledItems bounds the arrays kept in the pool (a huge text's must not stay).
const maxPooledItems = 4096

// foldRune applies the per-rune steps: control characters dropped (-1), full-width folded,
// ASCII lower-cased, punctuation and emoji mapped to a space or an ASCII sign.
func foldRune(r rune) rune {
	if r >= 0x4E00 && r <= 0x9FFF {
		return r // the common case: a CJK ideograph passes unchanged
	}
	switch {
	case r == utf8.RuneError:
		return r
	case r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f':
		return ' '
	case r < 0x20 || r == 0x7F || (r >= 0x80 && r < 0xA0):
		return -1
	case r >= 0xFF01 && r <= 0xFF5E:
		r -= 0xFEE0
	case r == 0x3000 || r == 0xA0:
		return ' '
	case r == 0xFFE5 || r == 0xFFE6:
		if r == 0xFFE5 {
			return '¥'
		}
		return ' '
	}
	if r >= 'A' && r <= 'Z' {
		return r + 32
	}
	if r < 0x80 {
		switch r {
		case '!', '?', ';', '"', '\'', '`', '(', ')', '[', ']', '{', '}', '<', '>', '|', '\\', '^', '_', '=', '*':
			return ' '
		}
		return r
	}
	switch r {
	case '¥', '€', '£', '$':
		return r
	case '—', '–', '―', '‐', '‑', '−':
		return '-'
	case '〜', '∼':
		return '~'
	case '．':
		return '.'
	case '：':
		return ':'
	case '％':
		return '%'
	case '﹣':
		return '-'
	case '℃':
		return r
	}
	if unicode.Is(unicode.Cf, r) || r == 0xFE0F || r == 0xFE0E {
		return -1
	}
	if unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsSpace(r) || isEmoji(r) {
		return ' '
	}
	return r
}

func isEmoji(r rune) bool {
	return (r >= 0x1F000 && r <= 0x1FAFF) || (r >= 0x2600 && r <= 0x27BF) || (r >= 0x2B00 && r <= 0x2BFF)
}

// isHan reports whether r is a CJK ideograph.
func isHan(r rune) bool {
	return (r >= 0x4E00 && r <= 0x9FFF) || (r >= 0x3400 && r <= 0x4DBF) || (r >= 0xF900 && r <= 0xFAFF) || (r >= 0x20000 && r <= 0x2FA1F)
}

// simplifyItems converts runs of Han characters that hold a convertible rune (t2s).
func simplifyItems(items []item) []item {
	c := theChain()
	if c == nil {
		return items
	}
	return c.convertItems(items)
}

// mapVariants rewrites banking variants in place: 帐 -> 账 (not in 帐篷, 蚊帐...), 咭 -> 卡,
// 蚊 -> 块 after a number.
func mapVariants(items []item) []item {
	for i := range items {
		switch items[i].r {
		case '帐':
			if i+1 < len(items) && strings.ContainsRune("篷子幕幔", items[i+1].r) {
				continue
			}
			if i > 0 && strings.ContainsRune("蚊营床纱军", items[i-1].r) {
				continue
			}
			items[i].r = '账'
		case '咭':
			items[i].r = '卡'
		case '賬':
			items[i].r = '账'
		case '蚊': // Cantonese for 块 after an amount: 三百蚊
			if i > 0 && isDigitRune(items[i-1].r) {
				items[i].r = '块'
			}
		}
	}
	return items
}

// reduplicated words keep two of their character when a run is collapsed.
var reduplicated = map[rune]bool{}

func init() {
	for _, r := range "谢看刚常慢试等妈爸哥姐弟妹宝天人个渐仅好多星明稍偷乖悄轻匆静点" {
		reduplicated[r] = true
	}
}

// interjection runes collapse from two repeats on.
const interjections = "啊嗯呃哦噢唉诶欸哎呀额哇嗨喂"

// isDigitRune reports whether r may be part of a spoken or written number.
func isDigitRune(r rune) bool {
	return (r >= '0' && r <= '9') || strings.ContainsRune("零〇一二三四五六七八九十百千万亿两幺洞拐壹贰叁肆伍陆柒捌玖拾佰仟", r)
}

// collapse merges runs of one repeated rune: punctuation and interjections to one, other
// non-digit characters repeated three times or more to one (two for reduplicated words).
func collapse(items []item) []item {
	out := items[:0]
	for i := 0; i < len(items); {
		j := i + 1
		for j < len(items) && items[j].r == items[i].r {
			j++
		}
		n := j - i
		r := items[i].r
		keep := n
		switch {
		case n == 1:
		case r == ' ':
			keep = 1
		case r < 0x80 && unicode.IsPunct(r) && r != '-':
			keep = 1
		case r == '-' && n > 1:
			keep = 1
		case strings.ContainsRune(interjections, r):
			keep = 1
		case isDigitRune(r) || r < 0x80:
		case n >= 3 && reduplicated[r]:
			keep = 2
		case n >= 3 && isHan(r):
			keep = 1
		}
		if keep == n {
			out = append(out, items[i:j]...)
		} else {
			// the kept runes share the whole run's original range.
			for k := 0; k < keep; k++ {
				it := items[i+k]
				if k == keep-1 {
					it.e = items[j-1].e
				}
				out = append(out, it)
			}
		}
		i = j
	}
	return out
}

// spokenDigits reads 幺 as 一 where it stands next to another digit (幺八五, 尾号幺二三四).
func spokenDigits(items []item) []item {
	for i := range items {
		if items[i].r != '幺' {
			continue
		}
		if (i > 0 && isDigitRune(items[i-1].r)) || (i+1 < len(items) && isDigitRune(items[i+1].r)) {
			items[i].r = '一'
		}
	}
	return items
}

// tidySpaces drops leading, trailing and doubled spaces, and spaces between two Han
// characters' neighbours are kept (they may separate digit groups).
func tidySpaces(items []item) []item {
	out := items[:0]
	for i, it := range items {
		if it.r == ' ' {
			if len(out) == 0 || out[len(out)-1].r == ' ' {
				continue
			}
			if i == len(items)-1 {
				continue
			}
		}
		out = append(out, it)
	}
	for len(out) > 0 && out[len(out)-1].r == ' ' {
		out = out[:len(out)-1]
	}
	return out
}

// contextPunct keeps , : / . only where they belong to a number, a time or a date
// (1,000 / 15:30 / 2026/12/01 / 3.5 / .5) and turns them into spaces elsewhere.
func contextPunct(items []item) []item {
	digit := func(i int) bool {
		return i >= 0 && i < len(items) && ((items[i].r >= '0' && items[i].r <= '9') || isDigitRune(items[i].r))
	}
	for i := range items {
		switch items[i].r {
		case ',', ':', '/':
			if !(digit(i-1) && digit(i+1)) {
				items[i].r = ' '
			}
		case '.':
			if !digit(i + 1) {
				items[i].r = ' '
			}
		}
	}
	return items
}
