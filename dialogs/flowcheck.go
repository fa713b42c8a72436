package dialogs

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// kind is what the checker knows of a value's type inside expressions.
type kind int

const (
	kUnknown kind = iota
	kNumber
	kString
	kBool
	kTime
	kList
)

var kindNames = [...]string{"a value", "a number", "a text", "true/false", "a date or time", "a list"}

func (k kind) String() string { return kindNames[k] }

// numberFields are result fields that hold amounts or counts.
var numberFields = []string{"count", "shown", "total", "amount", "balance", "available", "points", "limit", "statement_balance",
	"minimum_due", "remaining", "income", "expense", "queue", "distance", "rate", "minimum", "term_days"}

// scope is what names mean inside one flow.
type scope struct {
	flow    *Flow
	slots   map[string]*Slot
	results map[string]Op // call result name -> operation
	inError bool          // inside an `on ERROR` handler: error.X is allowed
	item    *OpField      // inside a say ... each item template
}

func (c *checker) checkFlow(f *Flow, b *Bundle) {
	sc := &scope{flow: f, slots: map[string]*Slot{}, results: map[string]Op{}}
	ents := c.entityNames()
	for _, s := range f.Slots {
		sp := c.at(&s.Name, s.Pos)
		if first, ok := sc.slots[s.Name]; ok {
			dg := c.d.errorf(sp.pos, sp.end, CodeDuplicate, "slot %q is declared twice in flow %s", s.Name, f.Name)
			dg.Related, dg.RelatedNote = first.Pos, "first declared at"
			continue
		}
		sc.slots[s.Name] = s
		if _, ok := ents[s.Entity]; !ok {
			c.unknown(CodeUnknownEntity, c.at(&s.Entity, s.Pos), "entity", s.Entity, ents, "entities are the built-in "+strings.Join(BuiltinEntities, ", ")+" and those declared with entity")
		}
	}
	for i := range f.StartOn {
		name := f.StartOn[i]
		sp := c.at(&f.StartOn[i], f.Pos)
		if _, ok := c.intents[name]; !ok {
			c.unknown(CodeUnknownIntent, sp, "intent", name, c.intentPos(), "declare it with: intent "+name+" { examples { ... } }")
			continue
		}
		if other, ok := b.StartedBy[name]; ok && other != f.Name {
			dg := c.d.errorf(sp.pos, sp.end, CodeDuplicate, "intent %q already starts flow %q; one intent starts one flow", name, other)
			dg.Related, dg.RelatedNote = c.flows[other].Pos, "flow "+other+" declared at"
			continue
		}
		b.StartedBy[name] = f.Name
	}
	// Labels first, so that a goto may jump forward.
	f.Labels = map[string]int{}
	labelPos := map[string]Pos{}
	for i, s := range f.Steps {
		if s.Label == "" {
			continue
		}
		sp := c.at(&s.Label, s.Pos)
		if _, ok := c.spans[&s.Label]; !ok && s.Kind == StepAsk {
			sp = c.at(&s.Slot, s.Pos)
		}
		if _, ok := f.Labels[s.Label]; ok {
			dg := c.d.errorf(sp.pos, sp.end, CodeDuplicate, "label %q is used twice in flow %s", s.Label, f.Name)
			dg.Related, dg.RelatedNote = labelPos[s.Label], "first used at"
			dg.Hint = "give one of the steps its own label: NAME: " + s.Kind.String() + " ..."
			continue
		}
		f.Labels[s.Label] = i
		labelPos[s.Label] = sp.pos
	}
	// Call results are visible in the whole flow (a goto may come back).
	for _, s := range f.Steps {
		if s.Kind == StepCall && s.Result != "" {
			op, ok := Ops[s.Op]
			if !ok {
				op = Op{Name: s.Op}
			}
			sp := c.at(&s.Result, s.Pos)
			if _, dup := sc.slots[s.Result]; dup {
				c.d.errorf(sp.pos, sp.end, CodeDuplicate, "result name %q is also a slot of flow %s", s.Result, f.Name).Hint = "give the result another name, e.g. " + s.Result + "_result"
			} else if _, dup := sc.results[s.Result]; dup {
				c.d.errorf(sp.pos, sp.end, CodeDuplicate, "result name %q is used by two calls in flow %s", s.Result, f.Name)
			}
			sc.results[s.Result] = op
		}
	}
	for _, s := range f.Steps {
		c.checkStep(sc, s, labelPos)
	}
	c.checkPaths(f)
}

func (c *checker) slotPos(sc *scope) map[string]Pos {
	out := map[string]Pos{}
	for n, s := range sc.slots {
		out[n] = c.at(&s.Name, s.Pos).pos
	}
	return out
}

func (c *checker) checkSlotRef(sc *scope, name string, field *string, p Pos) *Slot {
	s, ok := sc.slots[name]
	if !ok {
		c.unknown(CodeUnknownSlot, c.at(field, p), "slot", name, c.slotPos(sc), fmt.Sprintf("declare it in flow %s: slot %s ENTITY", sc.flow.Name, name))
	}
	return s
}

func (c *checker) checkLabel(sc *scope, s *Step, labelPos map[string]Pos) {
	if _, ok := sc.flow.Labels[s.Target]; !ok {
		c.badGoto[sc.flow] = true
		c.unknown(CodeUnknownLabel, c.at(&s.Target, s.Pos), "label", s.Target, labelPos,
			"goto jumps to a step of this flow: an ask is labelled by its slot, confirm and verify by their word, other steps with NAME: before them")
	}
}

func (c *checker) checkStep(sc *scope, s *Step, labelPos map[string]Pos) {
	if s == nil {
		return
	}
	switch s.Kind {
	case StepAsk:
		slot := c.checkSlotRef(sc, s.Slot, &s.Slot, s.Pos)
		if s.Prompt == nil {
			sp := c.at(&s.Slot, s.Pos)
			dg := c.d.errorf(s.Pos, sp.end, CodeMissingPrompt, "ask %s has no question for the customer", s.Slot)
			dg.Hint = fmt.Sprintf("write the question after the slot name: ask %s \"...?\"", s.Slot)
		}
		c.checkTemplate(sc, s.Prompt)
		for _, r := range s.Retries {
			c.checkTemplate(sc, r)
		}
		if s.Fallback == nil {
			s.Fallback = &Step{Kind: StepHandoff, Pos: s.Pos}
		} else {
			c.checkStep(sc, s.Fallback, labelPos)
		}
		for _, v := range s.Validations {
			c.checkCond(sc, v.Cond)
			c.checkTemplate(sc, v.Message)
		}
		if s.Default != nil && s.Default.Op != "first" {
			k := c.exprKind(sc, s.Default)
			if slot != nil && !compatible(c.slotKind(slot), k) {
				c.mismatch(s.Default, "the default of %s must be %s, not %s", s.Slot, c.slotKind(slot), k)
			}
		}
	case StepConfirm:
		if s.Prompt == nil {
			dg := c.d.errorf(s.Pos, nameEnd(s.Pos, "confirm"), CodeMissingPrompt, "confirm has no text to read back to the customer")
			dg.Hint = `say what will happen, e.g. confirm "向{payee.name}转账{amount|money},确认吗?"`
		}
		c.checkTemplate(sc, s.Prompt)
		c.checkActions(sc, s.Yes, labelPos)
		c.checkActions(sc, s.No, labelPos)
	case StepVerify:
		if s.Prompt == nil {
			dg := c.d.errorf(s.Pos, nameEnd(s.Pos, "verify"), CodeMissingPrompt, "verify has no text asking for the code")
			dg.Hint = `e.g. verify "验证码已发送到您的手机,请输入6位验证码"`
		}
		c.checkTemplate(sc, s.Prompt)
		if s.Fallback == nil {
			s.Fallback = &Step{Kind: StepEnd, Pos: s.Pos}
		} else {
			c.checkStep(sc, s.Fallback, labelPos)
		}
	case StepCall:
		c.checkCall(sc, s, labelPos)
	case StepSay:
		c.checkTemplate(sc, s.Prompt)
		if s.Each != nil {
			k := c.exprKind(sc, s.Each)
			if k != kUnknown && k != kList {
				c.mismatch(s.Each, "each needs a list, such as branches.items, not %s", k)
			}
			inner := *sc
			inner.item = c.listField(sc, s.Each)
			c.checkTemplate(&inner, s.EachItem)
		}
	case StepIf:
		c.checkCond(sc, s.Cond)
		c.checkActions(sc, s.Then, labelPos)
		c.checkActions(sc, s.Else, labelPos)
	case StepSet:
		slot := c.checkSlotRef(sc, s.Slot, &s.Slot, s.Pos)
		k := c.exprKind(sc, s.Value)
		if slot != nil && !compatible(c.slotKind(slot), k) {
			c.mismatch(s.Value, "slot %s holds %s, but this value is %s", s.Slot, c.slotKind(slot), k)
		}
	case StepGoto:
		c.checkLabel(sc, s, labelPos)
	case StepStart:
		if _, ok := c.flows[s.Target]; !ok {
			c.unknown(CodeUnknownFlow, c.at(&s.Target, s.Pos), "flow", s.Target, c.flowPos(), "")
		} else {
			c.started[s.Target] = true
		}
	case StepEnd, StepHandoff:
		c.checkTemplate(sc, s.Prompt)
	}
}

func (c *checker) checkActions(sc *scope, acts []*Step, labelPos map[string]Pos) {
	jumped := false
	for _, a := range acts {
		if jumped {
			dg := c.d.errorf(a.Pos, nameEnd(a.Pos, a.Kind.String()), CodeUnreachable, "this %s can never run: the action before it always leaves this block", a.Kind)
			dg.Hint = "move it before the goto, end, handoff or start, or remove it"
			jumped = false // one report per block
			break
		}
		c.checkStep(sc, a, labelPos)
		jumped = isJump(a)
	}
}

func isJump(s *Step) bool {
	return s != nil && (s.Kind == StepGoto || s.Kind == StepEnd || s.Kind == StepHandoff || s.Kind == StepStart)
}

func (c *checker) checkCall(sc *scope, s *Step, labelPos map[string]Pos) {
	op, ok := Ops[s.Op]
	if !ok {
		known := map[string]Pos{}
		for n := range Ops {
			known[n] = Pos{}
		}
		c.unknown(CodeUnknownOp, c.at(&s.Op, s.Pos), "bank operation", s.Op, known, "the operations are: "+listOf(slices.Collect(maps.Keys(Ops))))
	}
	seen := map[string]Pos{}
	for i := range s.Args {
		a := &s.Args[i]
		sp := c.at(&a.Name, a.Pos)
		c.exprKind(sc, a.Value)
		if first, dup := seen[a.Name]; dup {
			dg := c.d.errorf(sp.pos, sp.end, CodeDuplicate, "argument %q is given twice", a.Name)
			dg.Related, dg.RelatedNote = first, "first given at"
			continue
		}
		seen[a.Name] = sp.pos
		if ok {
			if _, has := op.Arg(a.Name); !has {
				names := make([]string, len(op.Args))
				for j, x := range op.Args {
					names[j] = x.Name
				}
				dg := c.d.errorf(sp.pos, sp.end, CodeUnknownArg, "bank operation %s has no argument %q", s.Op, a.Name)
				dg.Hint = didYouMean(a.Name, names, "its arguments are: "+strings.Join(names, ", "))
				if len(names) == 0 {
					dg.Hint = s.Op + " takes no arguments"
				}
			}
		}
	}
	if ok {
		var missing []string
		for _, a := range op.Args {
			if _, given := seen[a.Name]; !given && !a.Optional {
				missing = append(missing, a.Name)
			}
		}
		if len(missing) > 0 {
			sp := c.at(&s.Op, s.Pos)
			dg := c.d.errorf(sp.pos, sp.end, CodeMissingArg, "bank operation %s also needs %s", s.Op, strings.Join(missing, ", "))
			dg.Hint = fmt.Sprintf("add %s: SLOT for each", strings.Join(missing, ": ..., "))
		}
		if s.Op == "credit_repay" && seen["amount"].Line == 0 && seen["mode"].Line == 0 {
			sp := c.at(&s.Op, s.Pos)
			c.d.errorf(sp.pos, sp.end, CodeMissingArg, "credit_repay needs an amount or a mode (full or minimum)")
		}
	}
	codes := map[string]Pos{}
	for i := range s.Handlers {
		h := &s.Handlers[i]
		sp := c.at(&h.Code, h.Pos)
		if first, dup := codes[h.Code]; dup {
			dg := c.d.errorf(sp.pos, sp.end, CodeDuplicate, "error %q is handled twice", h.Code)
			dg.Related, dg.RelatedNote = first, "first handled at"
		}
		codes[h.Code] = sp.pos
		if ok && h.Code != "any" && !op.HasError(h.Code) {
			all := append(slices.Clone(op.Errors), CommonErrors...)
			dg := c.d.errorf(sp.pos, sp.end, CodeUnknownError, "bank operation %s never fails with %q", s.Op, h.Code)
			dg.Hint = didYouMean(h.Code, all, "its errors are: "+strings.Join(all, ", ")+" (or: on any)")
		}
		inner := *sc
		inner.inError = true
		c.checkActions(&inner, h.Actions, labelPos)
	}
}

// slotKind is the kind of a slot's value in expressions.
func (c *checker) slotKind(s *Slot) kind {
	switch s.Entity {
	case "money", "number":
		return kNumber
	case "date", "time", "datetime":
		return kTime
	case "phone", "card_tail", "otp", "text":
		return kString
	}
	if e, ok := c.entities[s.Entity]; ok && e.Kind == EntityEnum {
		return kString
	}
	return kUnknown
}

func compatible(a, b kind) bool { return a == kUnknown || b == kUnknown || a == b }

func (c *checker) mismatch(e *Expr, format string, args ...any) *Diagnostic {
	sp := c.exprSpan(e)
	return c.d.errorf(sp.pos, sp.end, CodeTypeMismatch, format, args...)
}

func (c *checker) exprSpan(e *Expr) span {
	if sp, ok := c.spans[e]; ok {
		return sp
	}
	return span{e.Pos, nameEnd(e.Pos, strings.Join(e.Path, "."))}
}

// checkCond checks an expression used as a condition.
func (c *checker) checkCond(sc *scope, e *Expr) {
	if k := c.exprKind(sc, e); k != kUnknown && k != kBool {
		dg := c.mismatch(e, "a condition must be true or false, but this is %s", k)
		if e.Op == "path" {
			dg.Hint = fmt.Sprintf("to test that a value was given, write filled(%s); to compare, write e.g. %s > 0", e.Path[0], strings.Join(e.Path, "."))
		}
	}
}

// exprKind resolves the names of an expression and returns its kind, reporting mismatches.
func (c *checker) exprKind(sc *scope, e *Expr) kind {
	if e == nil {
		return kUnknown
	}
	switch e.Op {
	case "lit":
		switch e.Lit.(type) {
		case float64:
			return kNumber
		case string:
			return kString
		case bool:
			return kBool
		}
	case "path":
		return c.pathKind(sc, e.Path, e, e.Pos)
	case "filled":
		c.checkSlotRef(sc, e.Path[0], &e.Path[0], e.Pos)
		return kBool
	case "first":
		return kUnknown
	case "not":
		if k := c.exprKind(sc, e.Args[0]); !compatible(k, kBool) {
			c.mismatch(e.Args[0], "not needs a true/false condition, but this is %s", k)
		}
		return kBool
	case "and", "or":
		for _, a := range e.Args {
			if k := c.exprKind(sc, a); !compatible(k, kBool) {
				c.mismatch(a, "%s joins true/false conditions, but this is %s", e.Op, k)
			}
		}
		return kBool
	case "==", "!=", "<", "<=", ">", ">=":
		l, r := c.exprKind(sc, e.Args[0]), c.exprKind(sc, e.Args[1])
		if !compatible(l, r) {
			dg := c.mismatch(e, "cannot compare %s with %s", l, r)
			if l == kNumber && r == kString || l == kString && r == kNumber {
				dg.Hint = "write numbers without quotes: amount > 100, and texts with quotes: mode == \"full\""
			}
			return kBool
		}
		if e.Op != "==" && e.Op != "!=" {
			for _, k := range []kind{l, r} {
				if k == kString || k == kBool || k == kList {
					c.mismatch(e, "%s only compares numbers, dates or times, not %s", e.Op, k)
					return kBool
				}
			}
		}
		c.checkEnumLiteral(sc, e.Args[0], e.Args[1])
		c.checkEnumLiteral(sc, e.Args[1], e.Args[0])
		return kBool
	}
	return kUnknown
}

// checkEnumLiteral reports `slot == "x"` where x is not a value of the slot's enum entity.
func (c *checker) checkEnumLiteral(sc *scope, side, lit *Expr) {
	if side.Op != "path" || len(side.Path) != 1 || lit.Op != "lit" {
		return
	}
	v, ok := lit.Lit.(string)
	s := sc.slots[side.Path[0]]
	if !ok || s == nil {
		return
	}
	e, ok := c.entities[s.Entity]
	if !ok || e.Kind != EntityEnum {
		return
	}
	var vals []string
	for _, ev := range e.Values {
		if ev.Value == v {
			return
		}
		vals = append(vals, ev.Value)
	}
	dg := c.mismatch(lit, "%q is not a value of entity %s", v, e.Name)
	dg.Hint = didYouMean(v, vals, "its values are: "+strings.Join(vals, ", "))
	dg.Related, dg.RelatedNote = e.Pos, "entity declared at"
}

// pathKind resolves a path (a slot, a call result, customer.X, now, error.X, or an item field)
// and returns its kind. field locates the first name for diagnostics.
func (c *checker) pathKind(sc *scope, path []string, key any, p Pos) kind {
	root := path[0]
	sp := span{p, nameEnd(p, root)}
	if sc.item != nil {
		if root == "n" {
			return kNumber
		}
		if sc.item.Fields != nil && slices.Contains(sc.item.Fields, root) {
			return fieldKind(root)
		}
	}
	if s, ok := sc.slots[root]; ok {
		if len(path) > 1 {
			return kUnknown
		}
		return c.slotKind(s)
	}
	if op, ok := sc.results[root]; ok {
		if len(path) == 1 {
			return kUnknown
		}
		if op.Name == "" {
			return kUnknown // unknown operation, already reported
		}
		f, ok := op.Result(path[1])
		if !ok {
			names := make([]string, len(op.Results))
			for i, r := range op.Results {
				names[i] = r.Name
			}
			fp := nameEnd(p, root+".")
			dg := c.d.errorf(fp, nameEnd(fp, path[1]), CodeUnknownField, "the result of %s has no field %q", op.Name, path[1])
			dg.Hint = didYouMean(path[1], names, "its fields are: "+strings.Join(names, ", "))
			return kUnknown
		}
		if f.List {
			if len(path) == 2 {
				return kList
			}
			if path[2] == "count" {
				return kNumber
			}
			return kUnknown
		}
		return fieldKind(f.Name)
	}
	switch root {
	case "customer":
		if len(path) < 2 || !slices.Contains(customerFields, path[1]) {
			got := ""
			if len(path) > 1 {
				got = path[1]
			}
			dg := c.d.errorf(sp.pos, nameEnd(p, strings.Join(path, ".")), CodeUnknownField, "customer has no field %q", got)
			dg.Hint = didYouMean(got, customerFields, "use customer.bound, customer.name or customer.phone")
			return kUnknown
		}
		if path[1] == "bound" {
			return kBool
		}
		return kString
	case "now":
		return kTime
	case "error":
		if sc.inError {
			return kUnknown
		}
		c.d.errorf(sp.pos, sp.end, CodeUnknownSlot, "error.%s is only known inside an on ERROR { ... } block of a call", strings.Join(path[1:], "."))
		return kUnknown
	case "bound":
		if len(path) == 1 {
			return kBool // shorthand for customer.bound
		}
	}
	if sc.item != nil && sc.item.Fields == nil {
		return kUnknown // the fields of this list's items are not described: any name may be one
	}
	known := c.slotPos(sc)
	for r := range sc.results {
		known[r] = Pos{}
	}
	hint := fmt.Sprintf("names here are the slots of flow %s, call results (call OP(...) as NAME), customer.bound/name/phone and now", sc.flow.Name)
	if sc.item != nil && sc.item.Fields != nil {
		for _, f := range sc.item.Fields {
			known[f] = Pos{}
		}
		known["n"] = Pos{}
		hint = "in an each line, use {n} and the fields of one item: " + strings.Join(sc.item.Fields, ", ")
	}
	c.unknown(CodeUnknownSlot, sp, "slot", root, known, hint)
	return kUnknown
}

func fieldKind(name string) kind {
	if slices.Contains(numberFields, name) {
		return kNumber
	}
	switch name {
	case "due_date", "time", "datetime":
		return kTime
	}
	return kUnknown
}

// listField finds the list result a say ... each iterates, to check the item template.
func (c *checker) listField(sc *scope, e *Expr) *OpField {
	if e.Op != "path" || len(e.Path) != 2 {
		return &OpField{}
	}
	op, ok := sc.results[e.Path[0]]
	if !ok {
		return &OpField{}
	}
	f, ok := op.Result(e.Path[1])
	if !ok {
		return &OpField{}
	}
	return &f
}

// checkTemplate resolves the placeholders of a template.
func (c *checker) checkTemplate(sc *scope, t *Template) {
	if t == nil {
		return
	}
	for i := range t.Parts {
		p := &t.Parts[i]
		if p.Path == nil {
			continue
		}
		sp := c.at(p, t.Pos)
		pos := sp.pos
		pos.Column++ // after the {
		pos.Offset++
		c.pathKind(sc, p.Path, p, pos)
	}
}
