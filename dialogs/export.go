package dialogs

import (
	"io"
	"strings"
)

// WriteTSV writes every example of every intent (faqs included) as `text<TAB>intent` lines,
// slot marks stripped to their text, intents in declaration order: the format `weiyin eval`
// reads.
func WriteTSV(w io.Writer, b *Bundle) error {
	var sb strings.Builder
	for _, name := range b.IntentNames {
		for _, ex := range b.Intents[name].Examples {
			sb.WriteString(oneLine(ex.Text))
			sb.WriteByte('\t')
			sb.WriteString(name)
			sb.WriteByte('\n')
		}
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

// oneLine keeps an example on one line of a line-based format.
func oneLine(s string) string {
	return strings.NewReplacer("\t", " ", "\r", " ", "\n", " ").Replace(s)
}

// annotated writes an example with Rasa's entity marks: [text](entity).
func annotated(ex Example) string {
	rs := []rune(ex.Text)
	var b strings.Builder
	at := 0
	for _, m := range ex.Marks {
		if m.Start < at || m.End > len(rs) || m.Start > m.End {
			continue
		}
		b.WriteString(string(rs[at:m.Start]))
		b.WriteString("[" + string(rs[m.Start:m.End]) + "](" + m.Entity + ")")
		at = m.End
	}
	b.WriteString(string(rs[at:]))
	return oneLine(b.String())
}

// WriteRasa writes the examples as Rasa NLU training data (YAML, version "3.1"): one intent
// entry per intent and faq, examples with [text](entity) marks.
func WriteRasa(w io.Writer, b *Bundle) error {
	var sb strings.Builder
	sb.WriteString("version: \"3.1\"\nnlu:\n")
	for _, name := range b.IntentNames {
		in := b.Intents[name]
		if len(in.Examples) == 0 {
			continue
		}
		sb.WriteString("- intent: " + name + "\n  examples: |\n")
		for _, ex := range in.Examples {
			sb.WriteString("    - " + annotated(ex) + "\n")
		}
	}
	_, err := io.WriteString(w, sb.String())
	return err
}
