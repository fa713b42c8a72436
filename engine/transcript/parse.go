package transcript

import (
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Asserter names understood in #bot sections (and #end).
var asserterNames = []string{
	"INTENT", "INTENT_CONFIDENCE", "ENTITIES", "ENTITY_VALUES",
	"TEXT_CONTAINS_ANY", "TEXT_CONTAINS_ALL", "TEXT_REGEX", "TEXT_REGEXP_ANY", "TEXT_REGEXP_ALL",
	"TEXT_WILDCARD_ANY", "TEXT_WILDCARD_ALL", "TEXT_EQUALS", "BUTTONS", "STATE", "TEXT_SIMILAR",
}

// Logic hooks understood in #me sections.
var meHookNames = []string{"WAIT", "ID", "LOCATION", "EVENT", "CLICK", "VOICE"}

// Logic hooks understood in #begin.
var beginHookNames = []string{"USER", "AS", "NOW"}

func isOneOf(s string, names []string) bool {
	for _, n := range names {
		if n == s {
			return true
		}
	}
	return false
}

// ParseConvo parses the text of a .convo.txt (partial false) or .pconvo.txt file. It returns
// what it could build and every problem found.
func ParseConvo(file, src string, partial bool) (*Convo, error) {
	c := &Convo{File: file, Partial: partial}
	var errs ErrorList
	lines := splitLines(src)
	i := 0
	// Title: first non-empty line, unless it is already a section.
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	if i < len(lines) && !isSection(lines[i]) {
		c.Name = strings.TrimSpace(lines[i])
		i++
		var desc []string
		for i < len(lines) && !isSection(lines[i]) {
			desc = append(desc, strings.TrimSpace(lines[i]))
			i++
		}
		c.Description = strings.TrimSpace(strings.Join(desc, "\n"))
	}
	if c.Name == "" {
		c.Name = baseName(file)
	}

	type section struct {
		kind   string // "me", "bot", "begin", "end", "include"
		header int
		arg    string
		body   []int // line indexes
	}
	var secs []*section
	for ; i < len(lines); i++ {
		l := lines[i]
		if isSection(l) {
			word, arg := splitWord(strings.TrimSpace(l)[1:])
			kind := strings.ToLower(word)
			switch kind {
			case "me", "bot", "begin", "end", "include":
			default:
				errs = append(errs, &Error{file, i + 1, fmt.Sprintf("unknown section %q (want #me, #bot, #begin, #end or #include)", "#"+word)})
				kind = "bad"
			}
			secs = append(secs, &section{kind: kind, header: i, arg: strings.TrimSpace(arg)})
			continue
		}
		if len(secs) == 0 {
			continue // unreachable: the description took these lines
		}
		secs[len(secs)-1].body = append(secs[len(secs)-1].body, i)
	}

	for n, s := range secs {
		switch s.kind {
		case "bad":
		case "begin", "end":
			if s.kind == "begin" && n != 0 {
				errs = append(errs, &Error{file, s.header + 1, "#begin must be the first section"})
			}
			if s.kind == "end" && n != len(secs)-1 {
				errs = append(errs, &Error{file, s.header + 1, "#end must be the last section"})
			}
			names := beginHookNames
			if s.kind == "end" {
				names = asserterNames
			}
			for _, li := range s.body {
				t := strings.TrimSpace(lines[li])
				if t == "" {
					continue
				}
				d, ok := parseDirective(t, li+1, names)
				if !ok {
					errs = append(errs, &Error{file, li + 1, fmt.Sprintf("unknown line in #%s: %q%s", s.kind, t, suggest(t, names))})
					continue
				}
				if e := checkDirective(d); e != "" {
					errs = append(errs, &Error{file, li + 1, e})
				}
				if s.kind == "begin" {
					c.Begin = append(c.Begin, d)
				} else {
					c.End = append(c.End, d)
				}
			}
		case "include":
			if s.arg == "" {
				errs = append(errs, &Error{file, s.header + 1, "#include needs the name of a partial convo"})
				continue
			}
			c.Steps = append(c.Steps, Step{Sender: Include, File: file, Line: s.header + 1, Text: s.arg, TextLine: s.header + 1})
			for _, li := range s.body {
				if strings.TrimSpace(lines[li]) != "" {
					errs = append(errs, &Error{file, li + 1, "text after #include: start a #me or #bot section"})
				}
			}
		case "me", "bot":
			st := Step{Sender: Me, File: file, Line: s.header + 1, TextLine: s.header + 1}
			names := meHookNames
			if s.kind == "bot" {
				st.Sender = BotSays
				names = asserterNames
			}
			var text []string
			for _, li := range s.body {
				raw := strings.TrimRightFunc(lines[li], unicode.IsSpace)
				t := strings.TrimSpace(raw)
				if t == "" {
					continue
				}
				if d, ok := parseDirective(t, li+1, names); ok {
					if e := checkDirective(d); e != "" {
						errs = append(errs, &Error{file, li + 1, e})
					}
					st.Directives = append(st.Directives, d)
					continue
				}
				if looksLikeDirective(t) {
					errs = append(errs, &Error{file, li + 1, fmt.Sprintf("unknown %s line %q%s", st.Sender, firstWord(t), suggest(t, names))})
					continue
				}
				if len(text) == 0 {
					st.TextLine = li + 1
				}
				text = append(text, t)
			}
			st.Text = strings.Join(text, "\n")
			if st.Sender == BotSays && strings.HasPrefix(st.Text, "!") {
				st.Not = true
				st.Text = st.Text[1:]
			}
			if st.Sender == Me && st.Text == "" && !hasEventHook(st.Directives) {
				errs = append(errs, &Error{file, s.header + 1, "#me section without a message"})
			}
			c.Steps = append(c.Steps, st)
		}
	}
	if !partial && len(c.Steps) == 0 && len(errs) == 0 {
		errs = append(errs, &Error{file, 1, "convo without #me or #bot sections"})
	}
	return c, errs.err()
}

// hasEventHook reports whether a #me section sends something other than text.
func hasEventHook(ds []Directive) bool {
	for _, d := range ds {
		switch d.Name {
		case "LOCATION", "EVENT", "CLICK", "VOICE":
			return true
		}
	}
	return false
}

// ParseUtterances parses a .utterances.txt file: the first line names the list.
func ParseUtterances(file, src string) (*Utterances, error) {
	u := &Utterances{File: file}
	for i, l := range splitLines(src) {
		t := strings.TrimSpace(l)
		if t == "" {
			continue
		}
		if u.Name == "" {
			u.Name = t
			continue
		}
		if u.Line == 0 {
			u.Line = i + 1
		}
		u.Lines = append(u.Lines, t)
	}
	if u.Name == "" || len(u.Lines) == 0 {
		return u, &Error{file, 1, "utterances file needs a name line and at least one utterance"}
	}
	return u, nil
}

// splitLines splits on LF, dropping a trailing CR and a leading byte-order mark.
func splitLines(src string) []string {
	src = strings.TrimPrefix(src, "\ufeff")
	ls := strings.Split(src, "\n")
	for i, l := range ls {
		ls[i] = strings.TrimSuffix(l, "\r")
	}
	return ls
}

func isSection(l string) bool {
	t := strings.TrimSpace(l)
	if !strings.HasPrefix(t, "#") || len(t) < 2 {
		return false
	}
	word, _ := splitWord(t[1:])
	return word != "" && isASCIIWord(word)
}

func isASCIIWord(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_') {
			return false
		}
	}
	return true
}

func splitWord(s string) (word, rest string) {
	s = strings.TrimSpace(s)
	if i := strings.IndexFunc(s, unicode.IsSpace); i >= 0 {
		return s[:i], strings.TrimSpace(s[i:])
	}
	return s, ""
}

func firstWord(s string) string { w, _ := splitWord(strings.TrimPrefix(s, "!")); return w }

// parseDirective reads `[!]NAME args` when NAME is one of names.
func parseDirective(t string, line int, names []string) (Directive, bool) {
	not := strings.HasPrefix(t, "!")
	word, rest := splitWord(strings.TrimPrefix(t, "!"))
	if !isOneOf(word, names) {
		return Directive{}, false
	}
	d := Directive{Name: word, Not: not, Line: line}
	if rest != "" {
		for _, a := range strings.Split(rest, "|") {
			d.Args = append(d.Args, strings.TrimSpace(a))
		}
	}
	return d, true
}

// looksLikeDirective reports whether a line starts with an upper-case word that reads as a
// misspelt asserter or hook: close to a known name, or starting like the asserter families
// (TEXT_, INTENT, ENTIT). Other upper-case words may name utterance lists.
func looksLikeDirective(t string) bool {
	w := firstWord(t)
	if len(w) < 4 || strings.ToUpper(w) != w || !isASCIIWord(w) {
		return false
	}
	for _, p := range []string{"TEXT_", "INTENT", "ENTIT"} {
		if strings.HasPrefix(w, p) {
			return true
		}
	}
	for _, n := range append(append([]string{}, asserterNames...), meHookNames...) {
		if editDistance([]rune(w), []rune(n)) <= 2 {
			return true
		}
	}
	return false
}

func suggest(t string, names []string) string {
	w := firstWord(t)
	best, bd := "", 3
	for _, n := range names {
		if d := editDistance([]rune(w), []rune(n)); d < bd {
			best, bd = n, d
		}
	}
	if best == "" {
		return " (known: " + strings.Join(names, ", ") + ")"
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}

// checkDirective validates the arguments of a directive; it returns a message or "".
func checkDirective(d Directive) string {
	need := func(n int) string {
		if len(d.Args) < n {
			return fmt.Sprintf("%s needs %d argument(s)", d.Name, n)
		}
		return ""
	}
	switch d.Name {
	case "INTENT", "USER", "AS", "ID", "EVENT", "CLICK", "TEXT_EQUALS":
		return need(1)
	case "TEXT_CONTAINS_ANY", "TEXT_CONTAINS_ALL", "TEXT_REGEX", "TEXT_REGEXP_ANY", "TEXT_REGEXP_ALL",
		"TEXT_WILDCARD_ANY", "TEXT_WILDCARD_ALL":
		if m := need(1); m != "" {
			return m
		}
		if strings.HasPrefix(d.Name, "TEXT_REGEX") {
			for _, a := range d.Args {
				if _, err := compileRegex(a); err != nil {
					return fmt.Sprintf("%s: %v", d.Name, err)
				}
			}
		}
	case "INTENT_CONFIDENCE":
		if m := need(1); m != "" {
			return m
		}
		if _, err := parseConfidence(d.Args[0]); err != nil {
			return err.Error()
		}
	case "TEXT_SIMILAR":
		if m := need(1); m != "" {
			return m
		}
		if _, _, err := similarArgs(d.Args); err != nil {
			return err.Error()
		}
	case "STATE":
		if len(d.Args) > 2 {
			return "STATE takes flow|step"
		}
	case "NOW":
		if m := need(1); m != "" {
			return m
		}
		if _, err := time.Parse(time.RFC3339, d.Args[0]); err != nil {
			return fmt.Sprintf("NOW: want an RFC 3339 time such as 2026-11-25T10:00:00+08:00: %v", err)
		}
	case "WAIT":
		if m := need(1); m != "" {
			return m
		}
		if dur, err := time.ParseDuration(d.Args[0]); err != nil || dur < 0 {
			return fmt.Sprintf("WAIT: want a duration such as 16m or 2h, got %q", d.Args[0])
		}
	case "LOCATION":
		if m := need(1); m != "" {
			return m
		}
		if _, _, _, err := parseLocation(d.Args); err != nil {
			return err.Error()
		}
	}
	return ""
}

func baseName(file string) string {
	b := file
	if i := strings.LastIndexAny(b, `/\`); i >= 0 {
		b = b[i+1:]
	}
	for _, ext := range []string{".convo.txt", ".pconvo.txt", ".utterances.txt"} {
		b = strings.TrimSuffix(b, ext)
	}
	return b
}
