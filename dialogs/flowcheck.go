package dialogs

import (
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

var kindNames = [...]text{tr("a value", "值"), tr("a number", "数字"), tr("a text", "文字"), tr("true/false", "真/假"),
	tr("a date or time", "日期或时间"), tr("a list", "列表")}

func (k kind) String() string { return kindNames[k].en }

func (k kind) bi() text { return kindNames[k] }

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
	for _, s := range f.Slots {
		sp := c.at(&s.Name, s.Pos)
		if first, ok := sc.slots[s.Name]; ok {
			dg := c.d.errorf(sp.pos, sp.end, CodeDuplicate, tr("slot %q is declared twice in flow %s", "槽位 %q 在流程 %s 里声明了两次", s.Name, f.Name))
			dg.related(first.Pos, tr("first declared at", "首次声明于"))
			continue
		}
		sc.slots[s.Name] = s
		c.useEntity(s.Entity, c.at(&s.Entity, s.Pos))
	}
	for i := range f.StartOn {
		name := f.StartOn[i]
		sp := c.at(&f.StartOn[i], f.Pos)
		if _, ok := c.intents[name]; !ok {
			c.unknown(CodeUnknownIntent, sp, kindIntent, name, c.intentPos(), tr("declare it with: intent %s { examples { ... } }", "先声明它: intent %s { examples { ... } }", name))
			continue
		}
		if other, ok := b.StartedBy[name]; ok && other != f.Name {
			dg := c.d.errorf(sp.pos, sp.end, CodeDuplicate, tr("intent %q already starts flow %q; one intent starts one flow", "意图 %q 已经启动了流程 %q; 一个意图只能启动一个流程", name, other))
			dg.related(c.flows[other].Pos, tr("flow %s declared at", "流程 %s 声明于", other))
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
			dg := c.d.errorf(sp.pos, sp.end, CodeDuplicate, tr("label %q is used twice in flow %s", "标签 %q 在流程 %s 里用了两次", s.Label, f.Name))
			dg.related(labelPos[s.Label], tr("first used at", "第一次用在"))
			dg.hint(tr("give one of the steps its own label: NAME: %s ...", "给其中一步另起标签: 名字: %s ...", s.Kind.String()))
			continue
		}
		f.Labels[s.Label] = i
		labelPos[s.Label] = sp.pos
	}
	// Call results are visible in the whole flow (a goto may come back).
	for _, s := range f.Steps {
		if s.Kind == StepCall && s.Result != "" {
			op, _, ok := c.op(s.Op)
			if !ok {
				op = Op{}
			}
			sp := c.at(&s.Result, s.Pos)
			if _, dup := sc.slots[s.Result]; dup {
				c.d.errorf(sp.pos, sp.end, CodeDuplicate, tr("result name %q is also a slot of flow %s", "结果名 %q 和流程 %s 的槽位重名", s.Result, f.Name)).
					hint(tr("give the result another name, e.g. %s_result", "给结果换个名字, 例如 %s_result", s.Result))
			} else if _, dup := sc.results[s.Result]; dup {
				c.d.errorf(sp.pos, sp.end, CodeDuplicate, tr("result name %q is used by two calls in flow %s", "结果名 %q 在流程 %s 里被两个调用使用", s.Result, f.Name))
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
		c.unknown(CodeUnknownSlot, c.at(field, p), kindSlot, name, c.slotPos(sc), tr("declare it in flow %s: slot %s ENTITY", "在流程 %s 里声明它: slot %s 实体", sc.flow.Name, name))
	}
	return s
}

func (c *checker) checkLabel(sc *scope, s *Step, labelPos map[string]Pos) {
	if _, ok := sc.flow.Labels[s.Target]; !ok {
		c.badGoto[sc.flow] = true
		c.unknown(CodeUnknownLabel, c.at(&s.Target, s.Pos), kindLabel, s.Target, labelPos,
			tr("goto jumps to a step of this flow: an ask is labelled by its slot, confirm and verify by their word, other steps with NAME: before them",
				"goto 跳到本流程的某一步: ask 的标签就是它的槽位名, confirm 和 verify 的标签就是这两个词, 其他步骤在前面写 名字: 作标签"))
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
			dg := c.d.errorf(s.Pos, sp.end, CodeMissingPrompt, tr("ask %s has no question for the customer", "ask %s 没有写问客户的话", s.Slot))
			dg.hint(tr("write the question after the slot name: ask %s \"...?\"", "在槽位名后面写上问题: ask %s \"...?\"", s.Slot))
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
				c.mismatch(s.Default, tr("the default of %s must be %s, not %s", "%s 的默认值必须是%s, 不能是%s", s.Slot, c.slotKind(slot), k))
			}
		}
	case StepConfirm:
		if s.Prompt == nil {
			dg := c.d.errorf(s.Pos, nameEnd(s.Pos, "confirm"), CodeMissingPrompt, tr("confirm has no text to read back to the customer", "confirm 没有写向客户复述的话"))
			dg.hint(tr(`say what will happen, e.g. confirm "向{payee.name}转账{amount|money},确认吗?"`, `说明将要办理什么, 例如 confirm "向{payee.name}转账{amount|money},确认吗?"`))
		}
		c.checkTemplate(sc, s.Prompt)
		c.checkActions(sc, s.Yes, labelPos)
		c.checkActions(sc, s.No, labelPos)
	case StepVerify:
		if s.Prompt == nil {
			dg := c.d.errorf(s.Pos, nameEnd(s.Pos, "verify"), CodeMissingPrompt, tr("verify has no text asking for the code", "verify 没有写索要验证码的话"))
			dg.hint(tr(`e.g. verify "验证码已发送到您的手机,请输入6位验证码"`, `例如 verify "验证码已发送到您的手机,请输入6位验证码"`))
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
				c.mismatch(s.Each, tr("each needs a list, such as branches.items, not %s", "each 后面要跟列表(如 branches.items), 不能是%s", k))
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
			c.mismatch(s.Value, tr("slot %s holds %s, but this value is %s", "槽位 %s 存的是%s, 但这个值是%s", s.Slot, c.slotKind(slot), k))
		}
	case StepGoto:
		c.checkLabel(sc, s, labelPos)
	case StepStart:
		if _, ok := c.flows[s.Target]; !ok {
			c.unknown(CodeUnknownFlow, c.at(&s.Target, s.Pos), kindFlow, s.Target, c.flowPos(), text{})
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
			dg := c.d.errorf(a.Pos, nameEnd(a.Pos, a.Kind.String()), CodeUnreachable, tr("this %s can never run: the action before it always leaves this block", "这个 %s 永远执行不到: 它前面的动作总会离开这一段", a.Kind))
			dg.hint(tr("move it before the goto, end, handoff or start, or remove it", "把它移到 goto、end、handoff 或 start 之前, 或者删掉"))
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
	op, stub, ok := c.op(s.Op)
	s.Stub = stub
	if !ok {
		known := map[string]Pos{}
		for _, n := range c.opNames() {
			known[n] = Pos{}
		}
		dg := c.unknown(CodeUnknownOp, c.at(&s.Op, s.Pos), kindOp, s.Op, known, tr("the operations are: %s (weiyin ops describes each); to prototype a call the bank does not offer yet, declare a stub",
			"可用的操作: %s(weiyin ops 列出每个操作的说明); 银行还没有的调用, 可以先声明桩操作 stub 做原型", listOf(c.opNames())))
		if dg.Hint == "" {
			dg.hint(tr("weiyin ops lists the operations", "weiyin ops 列出全部操作"))
		}
	}
	seen := map[string]Pos{}
	for i := range s.Args {
		a := &s.Args[i]
		sp := c.at(&a.Name, a.Pos)
		c.exprKind(sc, a.Value)
		if first, dup := seen[a.Name]; dup {
			dg := c.d.errorf(sp.pos, sp.end, CodeDuplicate, tr("argument %q is given twice", "参数 %q 写了两次", a.Name))
			dg.related(first, tr("first given at", "第一次写在"))
			continue
		}
		seen[a.Name] = sp.pos
		if ok {
			if _, has := op.Arg(a.Name); !has {
				names := make([]string, len(op.Args))
				for j, x := range op.Args {
					names[j] = x.Name
				}
				dg := c.d.errorf(sp.pos, sp.end, CodeUnknownArg, tr("bank operation %s has no argument %q", "银行操作 %s 没有参数 %q", s.Op, a.Name))
				dg.hint(didYouMean(a.Name, names, tr("its arguments are: %s", "它的参数是: %s", strings.Join(names, ", "))))
				if len(names) == 0 {
					dg.hint(tr("%s takes no arguments", "%s 不需要参数", s.Op))
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
			dg := c.d.errorf(sp.pos, sp.end, CodeMissingArg, tr("bank operation %s also needs %s", "银行操作 %s 还需要参数 %s", s.Op, strings.Join(missing, ", ")))
			dg.hint(tr("add %s: SLOT for each", "逐个补上 %s: 槽位", strings.Join(missing, ": ..., ")))
		}
		if s.Op == "credit_repay" && seen["amount"].Line == 0 && seen["mode"].Line == 0 {
			sp := c.at(&s.Op, s.Pos)
			c.d.errorf(sp.pos, sp.end, CodeMissingArg, tr("credit_repay needs an amount or a mode (full or minimum)", "credit_repay 需要 amount(金额)或 mode(full 全额 / minimum 最低还款)"))
		}
	}
	codes := map[string]Pos{}
	for i := range s.Handlers {
		h := &s.Handlers[i]
		sp := c.at(&h.Code, h.Pos)
		if first, dup := codes[h.Code]; dup {
			dg := c.d.errorf(sp.pos, sp.end, CodeDuplicate, tr("error %q is handled twice", "错误 %q 处理了两次", h.Code))
			dg.related(first, tr("first handled at", "第一次处理在"))
		}
		codes[h.Code] = sp.pos
		if ok && h.Code != "any" && !op.HasError(h.Code) {
			all := append(slices.Clone(op.Errors), CommonErrors...)
			dg := c.d.errorf(sp.pos, sp.end, CodeUnknownError, tr("bank operation %s never fails with %q", "银行操作 %s 不会返回错误 %q", s.Op, h.Code))
			dg.hint(didYouMean(h.Code, all, tr("its errors are: %s (or: on any)", "它的错误码是: %s(或写 on any)", strings.Join(all, ", "))))
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

func (c *checker) mismatch(e *Expr, t text) *Diagnostic {
	sp := c.exprSpan(e)
	return c.d.errorf(sp.pos, sp.end, CodeTypeMismatch, t)
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
		dg := c.mismatch(e, tr("a condition must be true or false, but this is %s", "条件必须是真/假, 但这里是%s", k))
		if e.Op == "path" {
			dg.hint(tr("to test that a value was given, write filled(%s); to compare, write e.g. %s > 0", "要判断有没有值, 写 filled(%s); 要比较大小, 写成例如 %s > 0", e.Path[0], strings.Join(e.Path, ".")))
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
			c.mismatch(e.Args[0], tr("not needs a true/false condition, but this is %s", "not 后面要跟真/假条件, 但这里是%s", k))
		}
		return kBool
	case "and", "or":
		for _, a := range e.Args {
			if k := c.exprKind(sc, a); !compatible(k, kBool) {
				c.mismatch(a, tr("%s joins true/false conditions, but this is %s", "%s 连接的必须是真/假条件, 但这里是%s", e.Op, k))
			}
		}
		return kBool
	case "==", "!=", "<", "<=", ">", ">=":
		l, r := c.exprKind(sc, e.Args[0]), c.exprKind(sc, e.Args[1])
		if !compatible(l, r) {
			dg := c.mismatch(e, tr("cannot compare %s with %s", "不能拿%s和%s比较", l, r))
			if l == kNumber && r == kString || l == kString && r == kNumber {
				dg.hint(tr("write numbers without quotes: amount > 100, and texts with quotes: mode == \"full\"", "数字不加引号: amount > 100; 文字加引号: mode == \"full\""))
			}
			return kBool
		}
		if e.Op != "==" && e.Op != "!=" {
			for _, k := range []kind{l, r} {
				if k == kString || k == kBool || k == kList {
					c.mismatch(e, tr("%s only compares numbers, dates or times, not %s", "%s 只能比较数字、日期或时间, 不能比较%s", e.Op, k))
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
	dg := c.mismatch(lit, tr("%q is not a value of entity %s", "%q 不是实体 %s 的取值", v, e.Name))
	dg.hint(didYouMean(v, vals, tr("its values are: %s", "它的取值有: %s", strings.Join(vals, ", "))))
	dg.related(e.Pos, tr("entity declared at", "实体声明于"))
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
			dg := c.d.errorf(fp, nameEnd(fp, path[1]), CodeUnknownField, tr("the result of %s has no field %q", "%s 的结果没有字段 %q", op.Name, path[1]))
			dg.hint(didYouMean(path[1], names, tr("its fields are: %s", "它的字段有: %s", strings.Join(names, ", "))))
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
			dg := c.d.errorf(sp.pos, nameEnd(p, strings.Join(path, ".")), CodeUnknownField, tr("customer has no field %q", "customer 没有字段 %q", got))
			dg.hint(didYouMean(got, customerFields, tr("use customer.bound, customer.name or customer.phone", "可用 customer.bound、customer.name 或 customer.phone")))
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
		c.d.errorf(sp.pos, sp.end, CodeUnknownSlot, tr("error.%s is only known inside an on ERROR { ... } block of a call", "error.%s 只能在调用的 on 错误码 { ... } 里面使用", strings.Join(path[1:], ".")))
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
	hint := tr("names here are the slots of flow %s, call results (call OP(...) as NAME), customer.bound/name/phone and now",
		"这里能用的名字: 流程 %s 的槽位、调用结果(call 操作(...) as 名字)、customer.bound/name/phone 和 now", sc.flow.Name)
	if sc.item != nil && sc.item.Fields != nil {
		for _, f := range sc.item.Fields {
			known[f] = Pos{}
		}
		known["n"] = Pos{}
		hint = tr("in an each line, use {n} and the fields of one item: %s", "each 的每一行里可以用 {n} 和每一项的字段: %s", strings.Join(sc.item.Fields, ", "))
	}
	c.unknown(CodeUnknownSlot, sp, kindSlot, root, known, hint)
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
	c.checkMasking(t)
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
