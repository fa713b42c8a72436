package intents

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/weiyin-bank/weiyin/dialogs"
)

// ReadExamples builds a Bundle holding only intents from `text<TAB>intent` lines, for
// `weiyin eval --examples` and for tests. Blank lines and lines starting with # are skipped;
// a first line `text<TAB>intent` is taken as a header. Example text may mark slot values as in
// the dialog language: [500块](amount:money) or [张三](contact). Lines whose intent is none
// are skipped (none is never learnt). name names the source in errors.
func ReadExamples(r io.Reader, name string) (*dialogs.Bundle, error) {
	b := &dialogs.Bundle{Dir: name, Intents: map[string]*dialogs.Intent{}, Entities: map[string]*dialogs.Entity{}}
	err := readLabelled(r, name, func(line int, text, intent string) error {
		if intent == None {
			return nil
		}
		ex, err := parseMarks(text)
		if err != nil {
			return fmt.Errorf("%s:%d: %w", name, line, err)
		}
		ex.Pos = dialogs.Pos{File: name, Line: line, Column: 1}
		in := b.Intents[intent]
		if in == nil {
			in = &dialogs.Intent{Name: intent, Pos: ex.Pos}
			b.Intents[intent] = in
			b.IntentNames = append(b.IntentNames, intent)
		}
		in.Examples = append(in.Examples, ex)
		declareMarked(b, ex)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(b.Intents) == 0 {
		return nil, fmt.Errorf("%s: no examples", name)
	}
	return b, nil
}

// maxLabelledLine is the longest `text<TAB>intent` line read: a message is analysed up to
// Options.MaxRunes runes, and a longer line is a file of another kind.
const maxLabelledLine = 64 << 10

// readLabelled calls f with each `text<TAB>label` line of r, trimmed; blank lines, lines
// starting with # and a first line `text<TAB>intent` are skipped, columns after the second
// ignored, a UTF-8 byte order mark and CR line ends allowed. A line without a label or text,
// a line that is not UTF-8 and a line longer than maxLabelledLine are errors naming name and
// the line; errors never quote a line (`weiyin eval --no-texts` prints them).
func readLabelled(r io.Reader, name string, f func(line int, text, label string) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), maxLabelledLine+2) // the line, CR and LF
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimRight(sc.Text(), "\r")
		if line == 1 {
			s = strings.TrimPrefix(s, "\uFEFF")
		}
		if len(s) > maxLabelledLine {
			return fmt.Errorf("%s:%d: line longer than %d KiB: want text<TAB>intent", name, line, maxLabelledLine>>10)
		}
		if !utf8.ValidString(s) {
			return fmt.Errorf("%s:%d: not valid UTF-8: save the file as UTF-8 (from GBK: iconv -f GBK -t UTF-8)", name, line)
		}
		if strings.TrimSpace(s) == "" || strings.HasPrefix(s, "#") {
			continue
		}
		text, label, ok := strings.Cut(s, "\t")
		label, _, _ = strings.Cut(label, "\t")
		text, label = strings.TrimSpace(text), strings.TrimSpace(label)
		if line == 1 && text == "text" && label == "intent" {
			continue
		}
		if !ok || text == "" || label == "" {
			return fmt.Errorf("%s:%d: want text<TAB>intent", name, line)
		}
		if err := f(line, text, label); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fmt.Errorf("%s:%d: line longer than %d KiB: want text<TAB>intent", name, line+1, maxLabelledLine>>10)
		}
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// declareMarked declares the entity types an example marks that are not builtin: a name
// whose plural is a bank list (contact -> contacts) as a bank entity, any other as an enum
// whose values are the marked texts.
func declareMarked(b *dialogs.Bundle, ex dialogs.Example) {
	rs := []rune(ex.Text)
	for _, m := range ex.Marks {
		if slices.Contains(dialogs.BuiltinEntities, m.Entity) {
			continue
		}
		e := b.Entities[m.Entity]
		if e == nil {
			e = &dialogs.Entity{Name: m.Entity, Kind: dialogs.EntityEnum, Pos: ex.Pos}
			if slices.Contains(dialogs.BankLists, m.Entity+"s") {
				e.Kind, e.List = dialogs.EntityBank, m.Entity+"s"
			}
			b.Entities[m.Entity] = e
		}
		if e.Kind != dialogs.EntityEnum {
			continue
		}
		v := string(rs[m.Start:m.End])
		if !slices.ContainsFunc(e.Values, func(ev dialogs.EnumValue) bool { return ev.Value == v }) {
			e.Values = append(e.Values, dialogs.EnumValue{Value: v, Names: []string{v}})
		}
	}
}

// parseMarks resolves [text](slot:entity) marks into an Example.
func parseMarks(s string) (dialogs.Example, error) {
	var ex dialogs.Example
	var b strings.Builder
	orig := s
	n := 0 // runes written
	for s != "" {
		i := strings.IndexByte(s, '[')
		if i < 0 {
			break
		}
		j := strings.Index(s[i:], "](")
		k := -1
		if j >= 0 {
			k = strings.IndexByte(s[i+j:], ')')
		}
		if j < 0 || k < 0 {
			break
		}
		val := s[i+1 : i+j]
		ref := s[i+j+2 : i+j+k]
		b.WriteString(s[:i])
		n += utf8.RuneCountInString(s[:i])
		slot, ent, found := strings.Cut(ref, ":")
		if !found {
			slot, ent = "", ref
		}
		if val == "" || ent == "" {
			// The mark's position and the entity, not the text: errors never quote a line.
			return ex, fmt.Errorf("bad slot mark at column %d: [value](slot:entity) needs a value and an entity", utf8.RuneCountInString(orig[:len(orig)-len(s)+i])+1)
		}
		start := n
		b.WriteString(val)
		n += utf8.RuneCountInString(val)
		ex.Marks = append(ex.Marks, dialogs.Mark{Start: start, End: n, Slot: slot, Entity: ent})
		s = s[i+j+k+1:]
	}
	b.WriteString(s)
	ex.Text = b.String()
	return ex, nil
}
