package dialogs

import (
	"fmt"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
	"github.com/rogpeppe/go-internal/diff"
)

// Format prints a dialog file in the one canonical layout: two-space indent, one declaration
// or step per line, one blank line between top-level declarations, single blank lines inside
// blocks kept where the author put them, and every comment kept in place (end-of-line
// comments stay at the end of their line). Format is idempotent and its output parses to the
// same content. It fails, with the syntax diagnostics, when src does not parse.
func Format(src []byte) ([]byte, error) {
	return FormatFile("", src)
}

// FormatFile is Format with a file name for the positions of its diagnostics.
func FormatFile(name string, src []byte) ([]byte, error) {
	f, ds := ParseFile(name, src)
	if f == nil || f.ast == nil {
		if ds.HasErrors() {
			return nil, ds.Err()
		}
		return nil, fmt.Errorf("%s: cannot parse", name)
	}
	p := &printer{comments: f.Comments}
	p.file(f.ast)
	return []byte(p.String()), nil
}

// printer writes lines with indentation and places comments by source offset.
type printer struct {
	lines    []string
	indent   int
	comments []Comment
	ci       int
	lastLine int // source line of the last thing printed
}

func (p *printer) String() string {
	for len(p.lines) > 0 && p.lines[len(p.lines)-1] == "" {
		p.lines = p.lines[:len(p.lines)-1]
	}
	if len(p.lines) == 0 {
		return ""
	}
	return strings.Join(p.lines, "\n") + "\n"
}

func (p *printer) lastIsOpen() bool {
	if len(p.lines) == 0 {
		return true
	}
	l := p.lines[len(p.lines)-1]
	return l == "" || strings.HasSuffix(l, "{")
}

// blank adds one blank line unless at the start of the output or of a block.
func (p *printer) blank() {
	if !p.lastIsOpen() {
		p.lines = append(p.lines, "")
	}
}

// ownLineCommentIn reports whether a comment on its own line lies between two offsets.
func (p *printer) ownLineCommentIn(from, to int) bool {
	for _, c := range p.comments[p.ci:] {
		if c.Pos.Offset >= to {
			break
		}
		if c.Pos.Offset > from && !c.Trailing {
			return true
		}
	}
	return false
}

// flush prints the comments that start before offset off.
func (p *printer) flush(off int) {
	for p.ci < len(p.comments) && p.comments[p.ci].Pos.Offset < off {
		c := p.comments[p.ci]
		p.ci++
		if c.Trailing {
			for i := len(p.lines) - 1; i >= 0; i-- {
				if p.lines[i] != "" {
					p.lines[i] += " " + c.Text
					break
				}
			}
			continue
		}
		if p.lastLine > 0 && c.Pos.Line > p.lastLine+1 {
			p.blank()
		}
		p.lines = append(p.lines, strings.Repeat("  ", p.indent)+c.Text)
		p.lastLine = c.Pos.Line
	}
}

// line prints one line for the node at pos (comments before it first; a blank line kept when
// the source had one).
func (p *printer) line(pos lexer.Position, text string) {
	p.flush(pos.Offset)
	if p.lastLine > 0 && pos.Line > p.lastLine+1 {
		p.blank()
	}
	p.lines = append(p.lines, strings.Repeat("  ", p.indent)+text)
	p.lastLine = pos.Line
}

func (p *printer) open(pos lexer.Position, text string) {
	p.line(pos, text+" {")
	p.indent++
}

// close prints the comments inside the block, then its closing brace.
func (p *printer) close(end lexer.Position, suffix string) {
	p.flush(end.Offset)
	p.indent--
	p.lines = append(p.lines, strings.Repeat("  ", p.indent)+"}"+suffix)
	p.lastLine = end.Line
}

// done records that a node ended (for blank-line preservation after multi-line source).
func (p *printer) done(end lexer.Position) {
	if end.Line > p.lastLine {
		p.lastLine = end.Line
	}
}

func q(s *strAST) string {
	if s == nil {
		return ""
	}
	return quote(unquote(s.Raw))
}

// withTitle is head followed by the quoted text, when there is one.
func withTitle(head string, title *strAST) string {
	if title != nil {
		return head + " " + q(title)
	}
	return head
}

func (p *printer) file(f *fileAST) {
	if f.Version != nil {
		p.line(f.Version.Pos, "weiyin "+f.Version.Number)
	}
	for _, d := range f.Decls {
		p.flushTrailing(d.Pos.Offset)
		p.blank()
		p.decl(d)
		p.done(d.EndPos)
	}
	p.flush(1 << 62)
}

// flushTrailing attaches end-of-line comments that precede off before a blank line is added.
func (p *printer) flushTrailing(off int) {
	for p.ci < len(p.comments) && p.comments[p.ci].Pos.Offset < off && p.comments[p.ci].Trailing {
		p.flush(p.comments[p.ci].Pos.Offset + 1)
	}
}

func (p *printer) decl(d *declAST) {
	switch {
	case d.Entity != nil:
		e := d.Entity
		head := withTitle("entity "+e.Name.Name, e.Title)
		if e.List != nil {
			p.line(e.Pos, head+" from bank "+e.List.Name)
			return
		}
		p.open(e.Pos, head)
		for _, v := range e.Values {
			var b strings.Builder
			b.WriteString("value " + v.Name.Name)
			for _, n := range v.Names {
				b.WriteString(" " + q(n))
			}
			p.line(v.Pos, b.String())
			p.done(v.EndPos)
		}
		p.close(e.EndPos, "")
	case d.Intent != nil:
		in := d.Intent
		p.open(in.Pos, withTitle(in.Kind+" "+in.Name.Name, in.Title))
		for _, it := range in.Items {
			switch {
			case it.Examples != nil:
				p.stringBlock(it.Pos, "examples", it.Examples.Strings, it.EndPos)
			case it.Keywords != nil:
				if len(it.Keywords.Strings) == 0 {
					p.stringBlock(it.Pos, "keywords", nil, it.EndPos)
					continue
				}
				p.line(it.Pos, "keywords"+strs(it.Keywords.Strings))
			case it.Answer != nil:
				p.line(it.Pos, "answer "+q(it.Answer))
			}
			p.done(it.EndPos)
		}
		p.close(in.EndPos, "")
	case d.Reply != nil:
		p.line(d.Reply.Pos, "reply "+d.Reply.Name.Name+strs(d.Reply.Variants))
	case d.Menu != nil:
		p.line(d.Menu.Pos, "menu "+q(d.Menu.Key)+" "+d.Menu.Intent.Name)
	case d.Stub != nil:
		st := d.Stub
		p.open(st.Pos, withTitle("stub "+st.Name.Name, st.Title))
		for _, it := range st.Items {
			p.line(it.Pos, stubItemText(it))
			p.done(it.EndPos)
		}
		p.close(st.EndPos, "")
	case d.Flow != nil:
		f := d.Flow
		p.open(f.Pos, withTitle("flow "+f.Name.Name, f.Title))
		for _, it := range f.Items {
			p.flowItem(it)
			p.done(it.EndPos)
		}
		p.close(f.EndPos, "")
	}
}

// stubItemText is one line of a stub declaration.
func stubItemText(it *stubItemAST) string {
	switch {
	case it.Arg != nil:
		if it.Opt {
			return "arg " + it.Arg.Name + " optional"
		}
		return "arg " + it.Arg.Name
	case it.Result != nil:
		r := "result " + it.Result.Name.Name
		switch {
		case it.Result.Str != nil:
			r += " " + q(it.Result.Str)
		case it.Result.Number != "":
			r += " " + it.Result.Number
		}
		return r
	case it.Error != nil:
		return "error " + it.Error.Name
	}
	return "moves money"
}

func strs(ss []*strAST) string {
	var b strings.Builder
	for _, s := range ss {
		b.WriteString(" " + q(s))
	}
	return b.String()
}

func (p *printer) stringBlock(pos lexer.Position, kw string, ss []*strAST, end lexer.Position) {
	p.open(pos, kw)
	for _, s := range ss {
		p.line(s.Pos, q(s))
	}
	p.close(end, "")
}

func (p *printer) flowItem(it *flowItemAST) {
	switch {
	case it.StartOn != nil:
		names := make([]string, len(it.StartOn))
		for i, id := range it.StartOn {
			names[i] = id.Name
		}
		p.line(it.Pos, "start on "+strings.Join(names, ", "))
	case it.Requires != nil:
		p.line(it.Pos, "requires "+it.Requires.Name)
	case it.Interruptible != nil:
		if it.Interruptible.Not {
			p.line(it.Pos, "not interruptible")
		} else {
			p.line(it.Pos, "interruptible")
		}
	case it.Timeout != nil:
		p.line(it.Pos, "timeout "+it.Timeout.Text)
	case it.Slot != nil:
		s := "slot " + it.Slot.Name.Name + " " + it.Slot.Entity.Name
		if it.Slot.Sensitive {
			s += " sensitive"
		}
		p.line(it.Pos, s)
	case it.Step != nil:
		p.step(it.Step)
	}
}

func (p *printer) step(s *stepAST) {
	label := ""
	if s.Label != nil {
		label = s.Label.Name + ": "
	}
	switch {
	case s.Ask != nil:
		a := s.Ask
		head := withTitle(label+"ask "+a.Slot.Name, a.Prompt)
		if len(a.Options) == 0 {
			p.line(s.Pos, head)
			return
		}
		p.open(s.Pos, head)
		for _, o := range a.Options {
			switch {
			case o.Retry != nil:
				p.line(o.Pos, "retry "+q(o.Retry))
			case o.Fallback != nil:
				p.line(o.Pos, "fallback "+actionText(o.Fallback))
			case o.Validate != nil:
				t := "validate " + exprText(o.Validate.Cond)
				if o.Validate.Message != nil {
					t += " " + q(o.Validate.Message)
				}
				p.line(o.Pos, t)
			case o.Default != nil:
				if o.Default.First {
					p.line(o.Pos, "default first")
				} else {
					p.line(o.Pos, "default "+exprText(o.Default.Expr))
				}
			case o.Choices:
				p.line(o.Pos, "choices")
			}
			p.done(o.EndPos)
		}
		p.close(s.EndPos, "")
	case s.Confirm != nil:
		c := s.Confirm
		head := withTitle(label+"confirm", c.Text)
		if len(c.Branches) == 0 {
			p.line(s.Pos, head)
			return
		}
		p.open(s.Pos, head)
		for _, b := range c.Branches {
			p.actionBlock(b.Pos, b.Kind, b.Actions, b.EndPos)
		}
		p.close(s.EndPos, "")
	case s.Verify != nil:
		v := s.Verify
		head := withTitle(label+"verify", v.Text)
		if len(v.Fallbacks) == 0 {
			p.line(s.Pos, head)
			return
		}
		p.open(s.Pos, head)
		for _, fb := range v.Fallbacks {
			p.line(fb.Pos, "fallback "+actionText(fb))
			p.done(fb.EndPos)
		}
		p.close(s.EndPos, "")
	case s.Call != nil:
		c := s.Call
		args := make([]string, len(c.Args))
		for i, a := range c.Args {
			args[i] = a.Name.Name + ": " + exprText(a.Value)
		}
		head := label + "call " + c.Op.Name + "(" + strings.Join(args, ", ") + ")"
		if c.Result != nil {
			head += " as " + c.Result.Name
		}
		if len(c.Handlers) == 0 {
			p.line(s.Pos, head)
			return
		}
		p.open(s.Pos, head)
		for _, h := range c.Handlers {
			p.actionBlock(h.Pos, "on "+h.Code.Name, h.Actions, h.EndPos)
		}
		p.close(s.EndPos, "")
	case s.If != nil:
		i := s.If
		p.open(s.Pos, label+"if "+exprText(i.Cond))
		p.actions(i.Then)
		if i.Else == nil {
			p.close(s.EndPos, "")
			return
		}
		p.close(i.Else.Pos, " else {")
		p.indent++
		p.actions(i.Else.Actions)
		p.close(s.EndPos, "")
	case s.Action != nil:
		p.line(s.Pos, label+actionText(s.Action))
	}
}

// actionBlock prints `KW ACTION` for one action, else `KW { ... }` (also when comments inside
// the block need their own lines).
func (p *printer) actionBlock(pos lexer.Position, kw string, acts []*actionAST, end lexer.Position) {
	if len(acts) == 1 && !p.ownLineCommentIn(pos.Offset, end.Offset) {
		p.line(pos, kw+" "+actionText(acts[0]))
		p.done(end)
		return
	}
	p.open(pos, kw)
	p.actions(acts)
	p.close(end, "")
}

func (p *printer) actions(acts []*actionAST) {
	for _, a := range acts {
		p.line(a.Pos, actionText(a))
		p.done(a.EndPos)
	}
}

func actionText(a *actionAST) string {
	switch {
	case a.Say != nil:
		t := "say " + q(a.Say.Text)
		if a.Say.Each != nil {
			t += " each " + exprText(a.Say.Each)
			if a.Say.EachItem != nil {
				t += " " + q(a.Say.EachItem)
			}
		}
		return t
	case a.Set != nil:
		return "set " + a.Set.Slot.Name + " = " + exprText(a.Set.Value)
	case a.Goto != nil:
		return "goto " + a.Goto.Name
	case a.Start != nil:
		return "start " + a.Start.Name
	case a.End != nil:
		return withTitle(a.End.Keyword, a.End.Text)
	}
	return ""
}

func exprText(e *exprAST) string {
	if e == nil {
		return ""
	}
	parts := []string{andText(e.Left)}
	for _, r := range e.Right {
		parts = append(parts, andText(r))
	}
	return strings.Join(parts, " or ")
}

func andText(a *andAST) string {
	parts := []string{notText(a.Left)}
	for _, r := range a.Right {
		parts = append(parts, notText(r))
	}
	return strings.Join(parts, " and ")
}

func notText(n *notAST) string {
	if n.Not != nil {
		return "not " + notText(n.Not)
	}
	if n.Cmp == nil {
		return ""
	}
	t := operandText(n.Cmp.Left)
	if n.Cmp.Op != "" {
		t += " " + n.Cmp.Op + " " + operandText(n.Cmp.Right)
	}
	return t
}

func operandText(o *operandAST) string {
	if o == nil {
		return ""
	}
	switch {
	case o.Paren != nil:
		return "(" + exprText(o.Paren) + ")"
	case o.Filled != nil:
		return "filled(" + o.Filled.Name + ")"
	case o.Str != nil:
		return q(o.Str)
	case o.Number != "":
		return o.Number
	case o.Bool != "":
		return o.Bool
	}
	names := make([]string, len(o.Path))
	for i, id := range o.Path {
		names[i] = id.Name
	}
	return strings.Join(names, ".")
}

// Diff is the unified diff from old to new (as `weiyin fmt -d` prints it, in gofmt -d's
// form: a "diff OLD NEW" line, then the hunks), "" when equal. It is Go's own line diff
// (github.com/rogpeppe/go-internal/diff, from cmd/go): O(n log n), so a large file's diff
// still shows its hunks rather than one replacement of the whole file.
func Diff(oldName, newName string, old, new []byte) string {
	return string(diff.Diff(oldName, old, newName, new))
}
