package dialogs

import (
	"strconv"
	"strings"
	"time"

	"github.com/alecthomas/participle/v2/lexer"
)

// span is a start and end position in a file.
type span struct{ pos, end Pos }

// converter turns participle's grammar structs into the semantic types of bundle.go. It records
// the positions of names (which the semantic types do not carry) in spans, keyed by a pointer
// to the field that holds the name, for the checker's diagnostics.
type converter struct {
	d     *diags
	spans map[any]span
}

func (c *converter) pos(p lexer.Position) Pos {
	return Pos{File: p.Filename, Line: p.Line, Column: p.Column, Offset: p.Offset}
}

func (c *converter) name(id *identAST, field *string) {
	if id == nil {
		return
	}
	*field = id.Name
	c.spans[field] = span{c.pos(id.Pos), c.pos(id.EndPos)}
}

func (c *converter) str(s *strAST) string {
	if s == nil {
		return ""
	}
	return unquote(s.Raw)
}

func (c *converter) title(s *strAST) string { return c.str(s) }

func (c *converter) file(f *File, ast *fileAST) {
	for _, d := range ast.Decls {
		switch {
		case d.Entity != nil:
			f.Entities = append(f.Entities, c.entity(d.Entity))
		case d.Intent != nil:
			f.Intents = append(f.Intents, c.intent(d.Intent))
		case d.Reply != nil:
			r := &Reply{Pos: c.pos(d.Reply.Pos)}
			c.name(d.Reply.Name, &r.Name)
			for _, v := range d.Reply.Variants {
				r.Variants = append(r.Variants, c.parseTemplate(v))
			}
			f.Replies = append(f.Replies, r)
		case d.Menu != nil:
			m := &Menu{Key: c.str(d.Menu.Key), Pos: c.pos(d.Menu.Pos)}
			c.spans[&m.Key] = span{c.pos(d.Menu.Key.Pos), c.pos(d.Menu.Key.EndPos)}
			c.name(d.Menu.Intent, &m.Intent)
			f.Menus = append(f.Menus, m)
		case d.Flow != nil:
			f.Flows = append(f.Flows, c.flow(d.Flow))
		case d.Stub != nil:
			f.Stubs = append(f.Stubs, c.stub(d.Stub))
		}
	}
}

func (c *converter) stub(a *stubAST) *Stub {
	st := &Stub{Title: c.title(a.Title), Pos: c.pos(a.Pos), Example: map[string]string{}}
	c.name(a.Name, &st.Op.Name)
	seen := map[string]Pos{}
	once := func(kind text, name string, id *identAST) bool {
		key := kind.en + " " + name
		p := c.pos(id.Pos)
		if first, ok := seen[key]; ok {
			d := c.d.errorf(p, c.pos(id.EndPos), CodeDuplicate, tr("stub %s declares %s %q twice", "桩操作 %s 把%s %q 声明了两次", st.Op.Name, kind, name))
			d.related(first, tr("first declared at", "首次声明于"))
			return false
		}
		seen[key] = p
		return true
	}
	for _, it := range a.Items {
		switch {
		case it.Arg != nil:
			if once(tr("argument", "参数"), it.Arg.Name, it.Arg) {
				st.Op.Args = append(st.Op.Args, OpArg{Name: it.Arg.Name, Optional: it.Opt})
			}
		case it.Result != nil:
			if !once(tr("result field", "结果字段"), it.Result.Name.Name, it.Result.Name) {
				continue
			}
			st.Op.Results = append(st.Op.Results, OpField{Name: it.Result.Name.Name})
			switch {
			case it.Result.Str != nil:
				st.Example[it.Result.Name.Name] = c.str(it.Result.Str)
			case it.Result.Number != "":
				st.Example[it.Result.Name.Name] = it.Result.Number
			}
		case it.Error != nil:
			if once(tr("error code", "错误码"), it.Error.Name, it.Error) {
				st.Op.Errors = append(st.Op.Errors, it.Error.Name)
			}
		case it.Moves:
			st.Op.MovesMoney = true
		}
	}
	return st
}

func (c *converter) entity(a *entityAST) *Entity {
	e := &Entity{Title: c.title(a.Title), Pos: c.pos(a.Pos)}
	c.name(a.Name, &e.Name)
	if a.List != nil {
		e.Kind = EntityBank
		c.name(a.List, &e.List)
		return e
	}
	e.Kind = EntityEnum
	for _, v := range a.Values {
		ev := EnumValue{}
		c.name(v.Name, &ev.Value)
		for _, n := range v.Names {
			ev.Names = append(ev.Names, c.str(n))
		}
		e.Values = append(e.Values, ev)
	}
	for i, v := range a.Values {
		c.spans[&e.Values[i].Value] = span{c.pos(v.Name.Pos), c.pos(v.Name.EndPos)}
		c.spans[&e.Values[i]] = span{c.pos(v.Pos), c.pos(v.EndPos)}
	}
	return e
}

func (c *converter) intent(a *intentAST) *Intent {
	in := &Intent{Title: c.title(a.Title), Pos: c.pos(a.Pos)}
	c.name(a.Name, &in.Name)
	isFAQ := a.Kind == "faq"
	np, ne := c.pos(a.Name.Pos), c.pos(a.Name.EndPos)
	if isFAQ && !strings.HasPrefix(in.Name, "faq_") {
		d := c.d.errorf(np, ne, CodeSyntax, tr("the name of a faq must start with faq_, got %q", "faq 的名字必须以 faq_ 开头, 这里是 %q", in.Name))
		d.hint(tr("rename it faq_%s", "改名为 faq_%s", in.Name))
	}
	if !isFAQ && strings.HasPrefix(in.Name, "faq_") {
		d := c.d.errorf(np, ne, CodeSyntax, tr("intent %q starts with faq_, which is kept for faq answers", "意图 %q 以 faq_ 开头, 这个前缀留给 faq(常见问题)", in.Name))
		d.hint(tr("declare it with faq instead of intent, and give it an answer", "把 intent 改成 faq, 并写上 answer"))
	}
	for _, it := range a.Items {
		switch {
		case it.Examples != nil:
			for _, s := range it.Examples.Strings {
				in.Examples = append(in.Examples, c.parseExample(s))
			}
		case it.Keywords != nil:
			for _, s := range it.Keywords.Strings {
				in.Keywords = append(in.Keywords, c.str(s))
			}
		case it.Answer != nil:
			if !isFAQ {
				c.d.errorf(c.pos(it.Pos), c.pos(it.EndPos), CodeSyntax, tr("only a faq has an answer; intent %q is answered by a flow or a reply of the same name",
					"只有 faq 才有 answer; 意图 %q 由流程或同名 reply 回答", in.Name)).hint(tr("declare it as: faq faq_%s { ... }", "改写成: faq faq_%s { ... }", strings.TrimPrefix(in.Name, "faq_")))
				continue
			}
			if in.Answer != nil {
				c.d.errorf(c.pos(it.Pos), c.pos(it.EndPos), CodeDuplicate, tr("faq %q has more than one answer", "faq %q 写了不止一个 answer", in.Name))
				continue
			}
			in.Answer = c.parseTemplate(it.Answer)
		}
	}
	if isFAQ && in.Answer == nil {
		d := c.d.errorf(np, ne, CodeMissingPrompt, tr("faq %q has no answer", "faq %q 没有答案", in.Name))
		d.hint(tr(`add a line inside its braces: answer "..."`, `在花括号里加一行: answer "..."`))
	}
	return in
}

func (c *converter) flow(a *flowAST) *Flow {
	f := &Flow{Title: c.title(a.Title), Pos: c.pos(a.Pos), Interruptible: true, Labels: map[string]int{}}
	c.name(a.Name, &f.Name)
	seen := map[string]Pos{}
	once := func(what string, it *flowItemAST) bool {
		p := c.pos(it.Pos)
		if first, ok := seen[what]; ok {
			d := c.d.errorf(p, c.pos(it.EndPos), CodeDuplicate, tr("flow %q sets %s twice", "流程 %q 把 %s 写了两次", f.Name, what))
			d.related(first, tr("first set at", "第一次写在"))
			return false
		}
		seen[what] = p
		return true
	}
	for _, it := range a.Items {
		switch {
		case it.StartOn != nil:
			if !once("start on", it) {
				continue
			}
			f.StartOn = make([]string, len(it.StartOn))
			for i, id := range it.StartOn {
				c.name(id, &f.StartOn[i])
			}
		case it.Requires != nil:
			if it.Requires.Name != "binding" {
				d := c.d.errorf(c.pos(it.Requires.Pos), c.pos(it.Requires.EndPos), CodeSyntax, tr("unknown requirement %q", "未知的要求 %q", it.Requires.Name))
				d.hint(tr("the only requirement is: requires binding", "目前只有一种要求: requires binding(需要绑定)"))
				continue
			}
			if once("requires binding", it) {
				f.RequiresBinding = true
			}
		case it.Interruptible != nil:
			if once("interruptible", it) {
				f.Interruptible = !it.Interruptible.Not
			}
		case it.Timeout != nil:
			if once("timeout", it) {
				f.Timeout = c.duration(it.Timeout)
			}
		case it.Slot != nil:
			s := &Slot{Sensitive: it.Slot.Sensitive, Pos: c.pos(it.Slot.Pos)}
			c.name(it.Slot.Name, &s.Name)
			c.name(it.Slot.Entity, &s.Entity)
			f.Slots = append(f.Slots, s)
		case it.Step != nil:
			f.Steps = append(f.Steps, c.step(it.Step))
		}
	}
	return f
}

func (c *converter) duration(a *durationAST) time.Duration {
	p, e := c.pos(a.Pos), c.pos(a.EndPos)
	txt := a.Text
	unit := strings.TrimLeft(txt, "0123456789.")
	num := txt[:len(txt)-len(unit)]
	var mult time.Duration
	switch unit {
	case "s":
		mult = time.Second
	case "m":
		mult = time.Minute
	case "h":
		mult = time.Hour
	case "":
		d := c.d.errorf(p, e, CodeBadDuration, tr("timeout %s has no unit", "超时 %s 没有单位", txt))
		d.hint(tr("write the unit right after the number: %[1]ss (seconds), %[1]sm (minutes) or %[1]sh (hours)", "在数字后面紧跟单位: %[1]ss(秒)、%[1]sm(分钟)或 %[1]sh(小时)", txt))
		return 0
	default:
		d := c.d.errorf(p, e, CodeBadDuration, tr("unknown time unit %q in %s", "%[2]s 里的时间单位 %[1]q 不认识", unit, txt))
		d.hint(tr("use s (seconds), m (minutes) or h (hours), e.g. 10m", "单位用 s(秒)、m(分钟)或 h(小时), 例如 10m"))
		return 0
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v <= 0 || v*float64(mult) > float64(30*24*time.Hour) {
		d := c.d.errorf(p, e, CodeBadDuration, tr("timeout %s is out of range", "超时 %s 超出范围", txt))
		d.hint(tr("use a time above zero and at most 30 days (720h)", "时长要大于 0, 最长 30 天(720h)"))
		return 0
	}
	return time.Duration(v * float64(mult))
}

func (c *converter) step(a *stepAST) *Step {
	var s *Step
	switch {
	case a.Ask != nil:
		s = c.ask(a.Ask)
	case a.Confirm != nil:
		s = c.confirm(a.Confirm)
	case a.Verify != nil:
		s = &Step{Kind: StepVerify, Label: "verify", Pos: c.pos(a.Verify.Pos), Prompt: c.parseTemplate(a.Verify.Text)}
		for i, fb := range a.Verify.Fallbacks {
			if i > 0 {
				c.d.errorf(c.pos(fb.Pos), c.pos(fb.EndPos), CodeDuplicate, tr("verify has more than one fallback", "verify 写了不止一个 fallback"))
				continue
			}
			s.Fallback = c.jump(fb, "fallback")
		}
	case a.Call != nil:
		s = c.call(a.Call)
	case a.If != nil:
		s = &Step{Kind: StepIf, Pos: c.pos(a.If.Pos), Cond: c.expr(a.If.Cond)}
		s.Then = c.actions(a.If.Then)
		if a.If.Else != nil {
			s.Else = c.actions(a.If.Else.Actions)
			if s.Else == nil {
				s.Else = []*Step{}
			}
		}
	case a.Action != nil:
		s = c.action(a.Action)
	default:
		s = &Step{Pos: c.pos(a.Pos)}
	}
	if a.Label != nil {
		c.name(a.Label, &s.Label)
	}
	return s
}

func (c *converter) ask(a *askAST) *Step {
	s := &Step{Kind: StepAsk, Pos: c.pos(a.Pos), Prompt: c.parseTemplate(a.Prompt)}
	c.name(a.Slot, &s.Slot)
	s.Label = s.Slot
	for _, o := range a.Options {
		switch {
		case o.Retry != nil:
			s.Retries = append(s.Retries, c.parseTemplate(o.Retry))
		case o.Fallback != nil:
			if s.Fallback != nil {
				c.d.errorf(c.pos(o.Pos), c.pos(o.EndPos), CodeDuplicate, tr("ask %s has more than one fallback", "ask %s 写了不止一个 fallback", s.Slot))
				continue
			}
			s.Fallback = c.jump(o.Fallback, "fallback")
		case o.Validate != nil:
			v := Validation{Cond: c.expr(o.Validate.Cond), Message: c.parseTemplate(o.Validate.Message), Pos: c.pos(o.Pos)}
			if v.Message == nil {
				d := c.d.errorf(c.pos(o.Pos), c.pos(o.EndPos), CodeMissingPrompt, tr("this validate has no message for the customer", "这条 validate 没有写给客户看的提示"))
				d.hint(tr(`add the text to say when the check fails: validate amount > 0 "金额需要大于0元"`, `写上校验不通过时说的话: validate amount > 0 "金额需要大于0元"`))
			}
			s.Validations = append(s.Validations, v)
		case o.Default != nil:
			if s.Default != nil {
				c.d.errorf(c.pos(o.Pos), c.pos(o.EndPos), CodeDuplicate, tr("ask %s has more than one default", "ask %s 写了不止一个 default", s.Slot))
				continue
			}
			if o.Default.First {
				s.Default = &Expr{Op: "first", Pos: c.pos(o.Default.Pos)}
			} else {
				s.Default = c.expr(o.Default.Expr)
			}
		case o.Choices:
			s.Choices = true
		}
	}
	return s
}

func (c *converter) confirm(a *confirmAST) *Step {
	s := &Step{Kind: StepConfirm, Label: "confirm", Pos: c.pos(a.Pos), Prompt: c.parseTemplate(a.Text)}
	seen := map[string]bool{}
	for _, b := range a.Branches {
		if seen[b.Kind] {
			c.d.errorf(c.pos(b.Pos), c.pos(b.EndPos), CodeDuplicate, tr("confirm has more than one %q branch", "confirm 写了不止一个 %q 分支", b.Kind))
			continue
		}
		seen[b.Kind] = true
		acts := c.actions(b.Actions)
		if acts == nil {
			acts = []*Step{}
		}
		if b.Kind == "yes" {
			s.Yes = acts
		} else {
			s.No = acts
		}
	}
	return s
}

func (c *converter) call(a *callAST) *Step {
	s := &Step{Kind: StepCall, Pos: c.pos(a.Pos)}
	c.name(a.Op, &s.Op)
	s.Args = make([]Arg, len(a.Args))
	for i, arg := range a.Args {
		s.Args[i] = Arg{Value: c.expr(arg.Value), Pos: c.pos(arg.Pos)}
		c.name(arg.Name, &s.Args[i].Name)
	}
	if len(s.Args) == 0 {
		s.Args = nil
	}
	if a.Result != nil {
		c.name(a.Result, &s.Result)
	}
	s.Handlers = make([]Handler, len(a.Handlers))
	for i, h := range a.Handlers {
		s.Handlers[i] = Handler{Actions: c.actions(h.Actions), Pos: c.pos(h.Pos)}
		c.name(h.Code, &s.Handlers[i].Code)
	}
	if len(s.Handlers) == 0 {
		s.Handlers = nil
	}
	return s
}

func (c *converter) actions(as []*actionAST) []*Step {
	var out []*Step
	for _, a := range as {
		out = append(out, c.action(a))
	}
	return out
}

func (c *converter) action(a *actionAST) *Step {
	p := c.pos(a.Pos)
	switch {
	case a.Say != nil:
		s := &Step{Kind: StepSay, Pos: p, Prompt: c.parseTemplate(a.Say.Text)}
		if a.Say.Each != nil {
			s.Each = c.expr(a.Say.Each)
			s.EachItem = c.parseTemplate(a.Say.EachItem)
			if s.EachItem == nil {
				d := c.d.errorf(c.pos(a.Say.Each.Pos), c.pos(a.Say.Each.EndPos), CodeMissingPrompt, tr("say ... each needs the text of one line after the list", "say ... each 在列表后面还要写每一行的文字"))
				d.hint(tr(`e.g. say "最近的网点:" each branches.items "{n}. {name} {address}"`, `例如 say "最近的网点:" each branches.items "{n}. {name} {address}"`))
			}
		}
		return s
	case a.Set != nil:
		s := &Step{Kind: StepSet, Pos: p, Value: c.expr(a.Set.Value)}
		c.name(a.Set.Slot, &s.Slot)
		return s
	case a.Goto != nil:
		s := &Step{Kind: StepGoto, Pos: p}
		c.name(a.Goto, &s.Target)
		return s
	case a.Start != nil:
		s := &Step{Kind: StepStart, Pos: p}
		c.name(a.Start, &s.Target)
		return s
	case a.End != nil:
		s := &Step{Kind: StepEnd, Pos: p, Prompt: c.parseTemplate(a.End.Text)}
		if a.End.Keyword == "handoff" {
			s.Kind = StepHandoff
		}
		return s
	}
	return &Step{Kind: StepEnd, Pos: p}
}

// jump converts an action that must be a jump (a fallback): goto, end, handoff or start.
func (c *converter) jump(a *actionAST, what string) *Step {
	s := c.action(a)
	switch s.Kind {
	case StepGoto, StepEnd, StepHandoff, StepStart:
		return s
	}
	d := c.d.errorf(c.pos(a.Pos), c.pos(a.EndPos), CodeSyntax, tr("a %s must say where to go: goto LABEL, end, handoff or start FLOW, not %s", "%s 必须说明去哪里: goto 标签、end、handoff 或 start 流程, 不能是 %s", what, s.Kind))
	d.hint(tr(`to say something first, use: %s end "..."`, `要先说一句话, 写成: %s end "..."`, what))
	return nil
}

func (c *converter) expr(a *exprAST) *Expr {
	if a == nil {
		return nil
	}
	return chain(c, "or", a.Left, a.Right, c.and)
}

// chain folds `first op rest[0] op rest[1] ...` left to right.
func chain[T any](c *converter, op string, first T, rest []T, conv func(T) *Expr) *Expr {
	e := conv(first)
	for _, r := range rest {
		e = c.binary(op, e, conv(r))
	}
	return e
}

func (c *converter) binary(op string, l, r *Expr) *Expr {
	if l == nil || r == nil {
		return l
	}
	e := &Expr{Op: op, Args: []*Expr{l, r}, Pos: l.Pos}
	c.spans[e] = span{l.Pos, c.spanOf(r).end}
	return e
}

func (c *converter) spanOf(e *Expr) span {
	if sp, ok := c.spans[e]; ok {
		return sp
	}
	return span{e.Pos, e.Pos}
}

func (c *converter) and(a *andAST) *Expr {
	if a == nil {
		return nil
	}
	return chain(c, "and", a.Left, a.Right, c.not)
}

func (c *converter) not(a *notAST) *Expr {
	if a == nil {
		return nil
	}
	if a.Not != nil {
		inner := c.not(a.Not)
		if inner == nil {
			return nil
		}
		e := &Expr{Op: "not", Args: []*Expr{inner}, Pos: c.pos(a.Pos)}
		c.spans[e] = span{e.Pos, c.spanOf(inner).end}
		return e
	}
	if a.Cmp == nil {
		return nil
	}
	l := c.operand(a.Cmp.Left)
	if a.Cmp.Op == "" {
		return l
	}
	return c.binary(a.Cmp.Op, l, c.operand(a.Cmp.Right))
}

func (c *converter) operand(a *operandAST) *Expr {
	if a == nil {
		return nil
	}
	p := c.pos(a.Pos)
	var e *Expr
	switch {
	case a.Paren != nil:
		inner := c.expr(a.Paren)
		if inner == nil {
			return nil
		}
		// Parentheses only group; the span covers them for diagnostics.
		c.spans[inner] = span{p, c.pos(a.EndPos)}
		return inner
	case a.Filled != nil:
		e = &Expr{Op: "filled", Path: []string{a.Filled.Name}, Pos: p}
		c.spans[&e.Path[0]] = span{c.pos(a.Filled.Pos), c.pos(a.Filled.EndPos)}
	case a.Str != nil:
		e = &Expr{Op: "lit", Lit: c.str(a.Str), Pos: p}
	case a.Number != "":
		v, err := strconv.ParseFloat(a.Number, 64)
		if err != nil {
			c.d.errorf(p, c.pos(a.EndPos), CodeSyntax, tr("%s is not a number", "%s 不是数字", a.Number))
		}
		e = &Expr{Op: "lit", Lit: v, Pos: p}
	case a.Bool != "":
		e = &Expr{Op: "lit", Lit: a.Bool == "true", Pos: p}
	case len(a.Path) > 0:
		e = &Expr{Op: "path", Pos: p}
		for _, id := range a.Path {
			e.Path = append(e.Path, id.Name)
		}
	default:
		return nil
	}
	c.spans[e] = span{p, c.pos(a.EndPos)}
	return e
}
