package dialogs

import (
	"fmt"
	"strings"
)

// Lang is the language diagnostics are written in. Chinese is the default: product staff
// read them. The code of a diagnostic never depends on the language.
type Lang string

const (
	// ZH is Simplified Chinese, the default.
	ZH Lang = "zh"
	// EN is English.
	EN Lang = "en"
)

// ParseLang reads a --lang value: "zh" (or "" for the default) and "en", case-insensitive,
// also accepting region forms such as zh-CN and en_US.
func ParseLang(s string) (Lang, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case s == "" || s == "zh" || strings.HasPrefix(s, "zh-") || strings.HasPrefix(s, "zh_"):
		return ZH, nil
	case s == "en" || strings.HasPrefix(s, "en-") || strings.HasPrefix(s, "en_"):
		return EN, nil
	}
	return ZH, fmt.Errorf("unknown language %q: use zh (中文) or en (English)", s)
}

// text is one message in both languages. The zero text is empty in both.
type text struct{ zh, en string }

func (t text) in(l Lang) string {
	if l == EN {
		return t.en
	}
	return t.zh
}

func (t text) empty() bool { return t.zh == "" && t.en == "" }

// bilingual is an argument of tr that reads differently in each language (a kind name, a
// nested message).
type bilingual interface{ bi() text }

func (t text) bi() text { return t }

// tr formats a message in both languages. en and zh are format strings taking the same
// arguments; a bilingual argument is rendered in the language of each.
func tr(en, zh string, args ...any) text {
	if len(args) == 0 {
		return text{zh: zh, en: en}
	}
	zargs, eargs := make([]any, len(args)), make([]any, len(args))
	for i, a := range args {
		if b, ok := a.(bilingual); ok {
			t := b.bi()
			zargs[i], eargs[i] = t.zh, t.en
			continue
		}
		zargs[i], eargs[i] = a, a
	}
	return text{zh: fmt.Sprintf(zh, zargs...), en: fmt.Sprintf(en, eargs...)}
}

// same is a text that reads the same in both languages (a name, a code example).
func same(s string) text { return text{zh: s, en: s} }

// join concatenates texts, language by language.
func join(ts ...text) text {
	var z, e strings.Builder
	for _, t := range ts {
		z.WriteString(t.zh)
		e.WriteString(t.en)
	}
	return text{zh: z.String(), en: e.String()}
}

// localized is what a diagnostic says in one language.
type localized struct{ message, hint, note string }

// set stores t as the diagnostic's message in both languages; Message reads Chinese.
func (d *Diagnostic) setMessage(t text) {
	d.loc[0].message, d.loc[1].message = t.zh, t.en
	d.Message = t.zh
}

// hint sets the hint in both languages.
func (d *Diagnostic) hint(t text) {
	d.loc[0].hint, d.loc[1].hint = t.zh, t.en
	d.Hint = t.zh
}

// related points at another place that explains this one, saying what it is.
func (d *Diagnostic) related(p Pos, note text) {
	d.Related = p
	d.loc[0].note, d.loc[1].note = note.zh, note.en
	d.RelatedNote = note.zh
}

// hasText reports whether the diagnostic carries its own translations (those built outside
// the package do not; In leaves them as they are).
func (d *Diagnostic) hasText() bool { return d.loc[0] != localized{} || d.loc[1] != localized{} }

// In returns a copy of the diagnostics with messages, hints and notes in lang.
func (ds Diagnostics) In(lang Lang) Diagnostics {
	out := make(Diagnostics, len(ds))
	for i, d := range ds {
		if d.hasText() {
			l := d.loc[0]
			if lang == EN {
				l = d.loc[1]
			}
			d.Message, d.Hint, d.RelatedNote = l.message, l.hint, l.note
		}
		d.Lang = lang
		out[i] = d
	}
	return out
}

// words are the fixed words of the text renderer.
type words struct {
	hint, note, see, more string
	summary               func(errors, warnings int) string
}

func wordsFor(lang Lang) words {
	if lang == EN {
		return words{hint: "hint", note: "note", see: "see", more: "... and %d more",
			summary: func(e, w int) string {
				s := plural(e, "error")
				if w > 0 || e == 0 {
					s += ", " + plural(w, "warning")
				}
				return s
			}}
	}
	return words{hint: "提示", note: "注", see: "参见", more: "... 另有 %d 条",
		summary: func(e, w int) string {
			s := fmt.Sprintf("%d 个错误", e)
			if w > 0 || e == 0 {
				s += fmt.Sprintf(", %d 个警告", w)
			}
			return s
		}}
}
