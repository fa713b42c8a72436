package dialogs

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// srcRune is one rune of a quoted text after escapes are resolved, with the position of the
// source characters that wrote it (for an escape, the backslash).
type srcRune struct {
	r   rune
	pos Pos
}

// decodeString resolves the escapes of a raw string token (quotes included) starting at p.
// The lexer has already rejected bad escapes, so every escape here is valid.
func decodeString(raw string, p Pos) []srcRune {
	out := make([]srcRune, 0, len(raw))
	cur := p
	step := func(s string) {
		cur.Column++
		cur.Offset += len(s)
	}
	step(`"`)
	body := raw
	if len(body) >= 2 {
		body = body[1 : len(body)-1]
	}
	for i := 0; i < len(body); {
		r, n := utf8.DecodeRuneInString(body[i:])
		if r == '\\' && i+1 < len(body) {
			e := body[i+1]
			v := rune(e)
			if e == 'n' {
				v = '\n'
			}
			out = append(out, srcRune{v, cur})
			step(body[i : i+2])
			cur.Column++ // two runes
			i += 2
			continue
		}
		out = append(out, srcRune{r, cur})
		step(body[i : i+n])
		i += n
	}
	return out
}

func runesString(rs []srcRune) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteRune(r.r)
	}
	return b.String()
}

// unquote returns the value of a raw string token.
func unquote(raw string) string {
	if len(raw) >= 2 && !strings.Contains(raw, `\`) {
		return raw[1 : len(raw)-1]
	}
	return runesString(decodeString(raw, Pos{}))
}

// quote writes s as a dialog string token.
func quote(s string) string {
	if !strings.ContainsAny(s, "\"\\\n") {
		return `"` + s + `"`
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// endOf is the position just after rune i of rs (or after the last one).
func endOf(rs []srcRune, i int, fallback Pos) Pos {
	if i+1 < len(rs) {
		return rs[i+1].pos
	}
	if i < len(rs) {
		e := rs[i].pos
		e.Column++
		e.Offset += utf8.RuneLen(rs[i].r)
		return e
	}
	return fallback
}

// parseTemplate parses a quoted text with `{path|filter:arg}` placeholders. Problems are
// reported as bad-template or unknown-filter; the parts that could be read are kept.
func (c *converter) parseTemplate(s *strAST) *Template {
	if s == nil {
		return nil
	}
	start := c.pos(s.Pos)
	if body := s.Raw[1 : len(s.Raw)-1]; !strings.ContainsAny(body, "{}\\") {
		// Fast path: plain text (most texts, and huge ones) needs no per-rune positions.
		t := &Template{Source: body, Pos: start}
		if body != "" {
			t.Parts = []TemplatePart{{Text: body}}
		}
		return t
	}
	rs := decodeString(s.Raw, start)
	t := &Template{Source: runesString(rs), Pos: start}
	end := c.pos(s.EndPos)
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			t.Parts = append(t.Parts, TemplatePart{Text: lit.String()})
			lit.Reset()
		}
	}
	type placeholder struct {
		part TemplatePart
		pos  Pos
		end  Pos
		fpos []Pos
	}
	var phs []placeholder
	for i := 0; i < len(rs); i++ {
		r := rs[i].r
		if r == '}' {
			if i+1 < len(rs) && rs[i+1].r == '}' {
				i++
			}
			lit.WriteRune('}')
			continue
		}
		if r != '{' {
			lit.WriteRune(r)
			continue
		}
		if i+1 < len(rs) && rs[i+1].r == '{' {
			lit.WriteRune('{')
			i++
			continue
		}
		j := i + 1
		for j < len(rs) && rs[j].r != '}' && rs[j].r != '{' {
			if rs[j].r == '"' { // skip a quoted filter argument
				for j++; j < len(rs) && rs[j].r != '"'; j++ {
				}
				if j == len(rs) {
					break
				}
			}
			j++
		}
		if j >= len(rs) || rs[j].r != '}' {
			d := c.d.errorf(rs[i].pos, endOf(rs, i, end), CodeBadTemplate, tr("this { is never closed: a placeholder looks like {amount} or {amount|money}", "这个 { 没有配对的 }: 占位符的写法是 {amount} 或 {amount|money}"))
			d.hint(braceHint)
			lit.WriteRune('{')
			continue
		}
		ph, ok := c.parsePlaceholder(rs[i+1:j], rs[i].pos, endOf(rs, j, end))
		if ok {
			flush()
			t.Parts = append(t.Parts, ph.part)
			phs = append(phs, placeholder{ph.part, ph.pos, ph.end, ph.fpos})
		}
		i = j
	}
	flush()
	// Record placeholder positions once Parts no longer grows.
	k := 0
	for i := range t.Parts {
		if t.Parts[i].Path == nil {
			continue
		}
		c.spans[&t.Parts[i]] = span{phs[k].pos, phs[k].end}
		for f := range t.Parts[i].Filters {
			c.spans[&t.Parts[i].Filters[f]] = span{phs[k].fpos[f], nameEnd(phs[k].fpos[f], t.Parts[i].Filters[f].Name)}
		}
		k++
	}
	return t
}

var braceHint = tr("to write a { as text, write {{", "要写一个普通的 { 字符, 请写成 {{")

type parsedPlaceholder struct {
	part     TemplatePart
	pos, end Pos
	fpos     []Pos
}

// parsePlaceholder reads `path|filter|filter:arg` (the runes between the braces).
func (c *converter) parsePlaceholder(rs []srcRune, open, closeEnd Pos) (parsedPlaceholder, bool) {
	ph := parsedPlaceholder{pos: open, end: closeEnd}
	// split on | outside quotes
	var segs [][]srcRune
	cur := []srcRune{}
	inQ := false
	for _, r := range rs {
		if r.r == '"' {
			inQ = !inQ
		}
		if r.r == '|' && !inQ {
			segs = append(segs, cur)
			cur = []srcRune{}
			continue
		}
		cur = append(cur, r)
	}
	segs = append(segs, cur)
	path := trimRunes(segs[0])
	if len(path) == 0 {
		c.d.errorf(open, closeEnd, CodeBadTemplate, tr("empty placeholder {}: write the name of a value inside, e.g. {amount}", "空的占位符 {}: 花括号里要写值的名字, 例如 {amount}")).hint(braceHint)
		return ph, false
	}
	parts := strings.Split(runesString(path), ".")
	for _, p := range parts {
		if !isIdent(p) {
			c.d.errorf(path[0].pos, endOf(path, len(path)-1, closeEnd), CodeBadTemplate,
				tr("{%s} is not a value name: a placeholder holds a name like amount or receipt.id, then filters after |", "{%s} 不是值的名字: 占位符里写 amount 或 receipt.id 这样的名字, 过滤器写在 | 后面", runesString(path)))
			return ph, false
		}
	}
	ph.part.Path = parts
	for _, seg := range segs[1:] {
		seg = trimRunes(seg)
		if len(seg) == 0 {
			c.d.errorf(open, closeEnd, CodeBadTemplate, tr("empty filter after |: write a filter name such as money or tail", "| 后面是空的: 请写过滤器名, 如 money 或 tail"))
			return ph, false
		}
		name, arg, hasArg := strings.Cut(runesString(seg), ":")
		name = strings.TrimSpace(name)
		fp := seg[0].pos
		if !isIdent(name) {
			c.d.errorf(fp, endOf(seg, len(seg)-1, closeEnd), CodeBadTemplate, tr("%q is not a filter name", "%q 不是过滤器名", name))
			return ph, false
		}
		arg = strings.TrimSpace(arg)
		if len(arg) >= 2 && arg[0] == '"' && arg[len(arg)-1] == '"' {
			arg = arg[1 : len(arg)-1]
		}
		if !slices.Contains(Filters, name) {
			d := c.d.errorf(fp, nameEnd(fp, name), CodeUnknownFilter, tr("unknown filter %q", "没有过滤器 %q", name))
			d.hint(didYouMean(name, Filters, tr("filters are: %s", "可用的过滤器: %s", strings.Join(Filters, ", "))))
		} else if name == "default" && !hasArg {
			c.d.errorf(fp, nameEnd(fp, name), CodeBadTemplate, tr(`the default filter needs the text to show when the value is empty: {%s|default:"无"}`, `default 过滤器要写上值为空时显示的文字: {%s|default:"无"}`, strings.Join(parts, ".")))
		}
		ph.part.Filters = append(ph.part.Filters, Filter{Name: name, Arg: arg})
		ph.fpos = append(ph.fpos, fp)
	}
	return ph, true
}

func trimRunes(rs []srcRune) []srcRune {
	for len(rs) > 0 && (rs[0].r == ' ' || rs[0].r == '\t') {
		rs = rs[1:]
	}
	for len(rs) > 0 && (rs[len(rs)-1].r == ' ' || rs[len(rs)-1].r == '\t') {
		rs = rs[:len(rs)-1]
	}
	return rs
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if i == 0 && !isIdentStart(r) || !isIdentChar(r) {
			return false
		}
	}
	return true
}

// parseExample reads `[text](slot:entity)` marks out of an example: Text is the example with
// each mark replaced by its text; marks point into it by rune offsets.
func (c *converter) parseExample(s *strAST) Example {
	start := c.pos(s.Pos)
	ex := Example{Pos: start}
	if body := s.Raw[1 : len(s.Raw)-1]; !strings.ContainsAny(body, "[\\") {
		ex.Text = body // fast path: no marks, no escapes
		return ex
	}
	rs := decodeString(s.Raw, start)
	end := c.pos(s.EndPos)
	var text []rune
	type markPos struct{ slot, entity Pos }
	var mps []markPos
	for i := 0; i < len(rs); i++ {
		if rs[i].r != '[' {
			text = append(text, rs[i].r)
			continue
		}
		// find "](" then ")"
		j := i + 1
		for j < len(rs) && rs[j].r != ']' && rs[j].r != '[' {
			j++
		}
		if j+1 >= len(rs) || rs[j].r != ']' || rs[j+1].r != '(' {
			text = append(text, rs[i].r) // a plain [ in the text
			continue
		}
		k := j + 2
		for k < len(rs) && rs[k].r != ')' {
			k++
		}
		if k >= len(rs) {
			c.d.errorf(rs[j+1].pos, end, CodeSyntax, tr("this ( is never closed: a slot mark looks like [500块](amount:money)", "这个 ( 没有配对的 ): 槽位标注的写法是 [500块](amount:money)"))
			text = append(text, rs[i].r)
			continue
		}
		inner := runesString(rs[i+1 : j])
		spec := runesString(rs[j+2 : k])
		slot, entity, two := strings.Cut(spec, ":")
		slot, entity = strings.TrimSpace(slot), strings.TrimSpace(entity)
		if !two {
			entity, slot = slot, ""
		}
		specPos := rs[j+1].pos
		specPos.Column++
		specPos.Offset++
		if inner == "" || !isIdent(entity) || (two && !isIdent(slot)) {
			c.d.errorf(rs[i].pos, endOf(rs, k, end), CodeSyntax, tr("bad slot mark [%s](%s): write [text](entity) or [text](slot:entity), e.g. [500块](amount:money)", "槽位标注 [%s](%s) 写得不对: 应写成 [文字](实体) 或 [文字](槽位:实体), 例如 [500块](amount:money)", inner, spec))
			text = append(text, []rune(inner)...)
			i = k
			continue
		}
		m := Mark{Start: len(text), Slot: slot, Entity: entity}
		text = append(text, []rune(inner)...)
		m.End = len(text)
		ex.Marks = append(ex.Marks, m)
		ep := specPos
		if two {
			ep = rs[j+2+len([]rune(spec))-len([]rune(strings.TrimLeft(strings.SplitN(spec, ":", 2)[1], " ")))].pos
		}
		mps = append(mps, markPos{slot: specPos, entity: ep})
		i = k
	}
	ex.Text = string(text)
	for i := range ex.Marks {
		c.spans[&ex.Marks[i]] = span{mps[i].entity, nameEnd(mps[i].entity, ex.Marks[i].Entity)}
	}
	return ex
}
