package dialogs

import (
	"cmp"
	"maps"
	"slices"
	"strings"
)

// MinExamples is the number of examples below which an intent is learnt poorly (a warning).
const MinExamples = 3

// MinFAQExamples is the number of examples the staff guide (docs/dialogs-guide.zh.md, section
// 4) asks of a faq; fewer is a warning.
const MinFAQExamples = 6

// checker resolves names across the files of one bot and reports what is wrong.
type checker struct {
	d     *diags
	spans map[any]span
	cat   Catalogue

	entities map[string]*Entity
	intents  map[string]*Intent
	flows    map[string]*Flow
	replies  map[string]*Reply
	stubs    map[string]*Stub
	started  map[string]bool // flows reached by a `start FLOW` step
	badGoto  map[*Flow]bool  // flows with a goto to an unknown label: reachability is not reported

	entityUses      map[string]int    // uses of each known entity (slots and marks)
	unknownEntities map[string][]span // uses of each unknown entity, reported once by root cause
}

// check builds the Bundle from parsed files and reports every resolution and consistency
// problem. The Bundle is returned even when there are errors; Load discards it then.
func check(files []*File, d *diags, cat Catalogue) *Bundle {
	c := &checker{d: d, spans: map[any]span{}, cat: cat, entities: map[string]*Entity{}, intents: map[string]*Intent{},
		flows: map[string]*Flow{}, replies: map[string]*Reply{}, stubs: map[string]*Stub{}, started: map[string]bool{},
		badGoto: map[*Flow]bool{}, entityUses: map[string]int{}, unknownEntities: map[string][]span{}}
	b := &Bundle{Intents: c.intents, Entities: c.entities, Flows: c.flows, Replies: c.replies,
		Menus: map[string]string{}, StartedBy: map[string]string{}, Stubs: c.stubs}
	for _, f := range files {
		maps.Copy(c.spans, f.spans)
	}
	c.declare(files, b)
	for _, f := range files {
		for _, e := range f.Entities {
			c.checkEntity(e)
		}
	}
	c.checkIntents(b)
	for _, f := range files {
		for _, m := range f.Menus {
			if _, ok := c.intents[m.Intent]; !ok && m.Intent != "" {
				c.unknown(CodeUnknownIntent, c.at(&m.Intent, m.Pos), kindIntent, m.Intent, c.intentPos(), text{})
			}
		}
	}
	for _, name := range b.FlowNames {
		c.checkFlow(c.flows[name], b)
	}
	c.checkMarkSlots(b)
	c.reportUnknownEntities()
	for _, name := range b.FlowNames {
		f := c.flows[name]
		if len(f.StartOn) == 0 && !c.started[name] {
			dg := c.d.errorf(c.at(&f.Name, f.Pos).pos, c.at(&f.Name, f.Pos).end, CodeUnusedFlow,
				tr("flow %q can never run: no intent starts it and no flow says start %s", "流程 %q 永远不会运行: 没有意图启动它, 也没有流程写 start %s", name, name))
			dg.hint(tr("add a line inside the flow: start on INTENT", "在流程里加一行: start on 意图名"))
			if _, ok := c.intents[name]; ok {
				dg.hint(tr("add a line inside the flow: start on %s", "在流程里加一行: start on %s", name))
			}
		}
	}
	c.checkReplies(files, b)
	for _, f := range files {
		for _, r := range f.Replies {
			for _, v := range r.Variants {
				c.checkMasking(v)
			}
		}
		for _, in := range f.Intents {
			c.checkMasking(in.Answer)
		}
	}
	for _, name := range b.IntentNames {
		in := c.intents[name]
		if in.IsFAQ() || b.StartedBy[name] != "" || c.replies[name] != nil {
			continue
		}
		dg := c.d.warnf(c.at(&in.Name, in.Pos).pos, c.at(&in.Name, in.Pos).end, CodeUnusedIntent,
			tr("nothing answers intent %q: no flow starts on it and there is no reply %s", "意图 %q 没有人回答: 没有流程 start on 它, 也没有同名的 reply %s", name, name))
		dg.hint(tr("add `start on %[1]s` to a flow, or a reply: reply %[1]s \"...\"", "在某个流程里加 `start on %[1]s`, 或写一条回复: reply %[1]s \"...\"", name))
	}
	return b
}

// Names of things, in both languages, for the messages that name what is unknown.
var (
	kindIntent = tr("intent", "意图")
	kindSlot   = tr("slot", "槽位")
	kindEntity = tr("entity", "实体")
	kindFlow   = tr("flow", "流程")
	kindOp     = tr("bank operation", "银行操作")
	kindLabel  = tr("label", "标签")
)

// checkReplies reports required replies the bot lacks and replies whose name is a misspelt
// reserved one (errors: the engine would say nothing, or its default words, never the bot's),
// and other replies nothing says (warnings).
func (c *checker) checkReplies(files []*File, b *Bundle) {
	var missing []string
	for _, name := range RequiredReplies() {
		if c.replies[name] == nil {
			missing = append(missing, name)
		}
	}
	codes := ErrorCodes(c.cat)
	for _, st := range c.stubs {
		codes = append(codes, st.Op.Errors...)
	}
	reserved := slices.Clone(reservedReplies)
	for _, code := range codes {
		reserved = append(reserved, ErrorReplyPrefix+code)
	}
	for _, fl := range b.FlowNames {
		for _, prefix := range flowReplyPrefixes {
			reserved = append(reserved, prefix+fl)
		}
	}
	misspelt := map[string]bool{} // required names some reply probably meant
	for _, f := range files {
		for _, r := range f.Replies {
			if slices.Contains(reserved, r.Name) || c.intents[r.Name] != nil {
				continue
			}
			sp := c.at(&r.Name, r.Pos)
			best, ok := closest(r.Name, reserved)
			switch {
			case ok && c.replies[best] == nil:
				dg := c.d.errorf(sp.pos, sp.end, CodeReservedReply, tr("reply %q is not a name the engine uses: it says reply %s, so these words would never be said",
					"回复名 %q 引擎不认识: 引擎用的是 reply %s, 这里写的话永远不会被说出", r.Name, best))
				dg.hint(meant(best))
				misspelt[best] = true
			case strings.HasPrefix(r.Name, ErrorReplyPrefix):
				dg := c.d.errorf(sp.pos, sp.end, CodeReservedReply, tr("no bank call fails with error code %q, so reply %s is never said",
					"没有哪个银行调用会返回错误码 %q, 所以回复 %s 永远不会被说出", strings.TrimPrefix(r.Name, ErrorReplyPrefix), r.Name))
				dg.hint(tr("the error codes are: %s (weiyin ops lists them by operation)", "可用的错误码: %s(weiyin ops 按操作列出)", listOf(codes)))
			case flowReplyPrefix(r.Name) != "":
				prefix := flowReplyPrefix(r.Name)
				dg := c.d.errorf(sp.pos, sp.end, CodeReservedReply, tr("there is no flow %q, so reply %s is never said",
					"没有流程 %q, 所以回复 %s 永远不会被说出", strings.TrimPrefix(r.Name, prefix), r.Name))
				dg.hint(tr("write %s followed by a flow name: %s", "在 %s 后面写流程名: %s", prefix, listOf(b.FlowNames)))
			default:
				dg := c.d.warnf(sp.pos, sp.end, CodeReservedReply, tr("reply %q is not a name the engine uses, and no intent is called %s, so it is never said",
					"回复 %q 不是引擎使用的名字, 也没有叫 %s 的意图, 所以永远不会被说出", r.Name, r.Name))
				dg.hint(didYouMean(r.Name, append(slices.Clone(reserved), b.IntentNames...),
					tr("reply names are intent names or the engine's own: %s", "回复名要么是意图名, 要么是引擎保留的名字: %s", listOf(reservedReplies))))
			}
		}
	}
	var lack []string
	for _, n := range missing {
		if !misspelt[n] {
			lack = append(lack, n)
		}
	}
	if len(lack) == 0 {
		return
	}
	// Point where the reserved replies are written (the last one, so the new one goes next
	// to it), or at the start of the first file when there are none.
	var at *Reply
	for _, f := range files {
		for _, r := range f.Replies {
			if slices.Contains(requiredReplies, r.Name) && (at == nil || cmp.Compare(r.Pos.File, at.Pos.File) > 0 ||
				r.Pos.File == at.Pos.File && r.Pos.Offset > at.Pos.Offset) {
				at = r
			}
		}
	}
	var sp span
	switch {
	case at != nil:
		sp = c.at(&at.Name, at.Pos)
	case len(files) > 0:
		p := Pos{File: files[0].Name, Line: 1, Column: 1}
		sp = span{p, nameEnd(p, "weiyin")}
	}
	dg := c.d.errorf(sp.pos, sp.end, CodeReservedReply, tr("the bot has no reply %s: the engine says these and would leave the customer without an answer",
		"机器人缺少回复 %s: 引擎要说这些话, 缺了客户就得不到回答", strings.Join(lack, ", ")))
	dg.hint(tr(`add it next to the other replies, e.g. reply %s "..." (what each reserved reply is for: docs/dialogs-guide.zh.md, section 5)`,
		`在其他回复旁边加上, 例如 reply %s "..."(每个保留回复的用途见 docs/dialogs-guide.zh.md 第 5 节)`, lack[0]))
}

// flowReplyPrefix is the flow reply family (unbound_, no_choice_) name belongs to, or "".
func flowReplyPrefix(name string) string {
	for _, p := range flowReplyPrefixes {
		if strings.HasPrefix(name, p) {
			return p
		}
	}
	return ""
}

// at is the span recorded for a name field, or the node position when none was recorded.
func (c *checker) at(field any, fallback Pos) span {
	if sp, ok := c.spans[field]; ok {
		return sp
	}
	return span{fallback, fallback}
}

// declare registers every top-level name, reporting duplicates with the first declaration.
func (c *checker) declare(files []*File, b *Bundle) {
	dup := func(kind text, name string, sp span, first Pos) {
		dg := c.d.errorf(sp.pos, sp.end, CodeDuplicate, tr("%s %q is declared twice", "%s %q 声明了两次", kind, name))
		dg.related(first, tr("first declared at", "首次声明于"))
		dg.hint(tr("rename one of them or remove the repeat", "给其中一个改名, 或删掉重复的"))
	}
	menuPos := map[string]Pos{}
	for _, f := range files {
		for _, e := range f.Entities {
			sp := c.at(&e.Name, e.Pos)
			if slices.Contains(BuiltinEntities, e.Name) {
				dg := c.d.errorf(sp.pos, sp.end, CodeDuplicate, tr("entity %q is built in and cannot be declared again", "实体 %q 是内置的, 不能再声明", e.Name))
				dg.hint(tr("choose another name", "换一个名字"))
				continue
			}
			if first, ok := c.entities[e.Name]; ok {
				dup(kindEntity, e.Name, sp, first.Pos)
				continue
			}
			c.entities[e.Name] = e
		}
		b.IntentNames = register(c, kindIntent, f.Intents, c.intents, func(in *Intent) (*string, Pos) { return &in.Name, in.Pos }, dup, b.IntentNames)
		register(c, tr("reply", "回复"), f.Replies, c.replies, func(r *Reply) (*string, Pos) { return &r.Name, r.Pos }, dup, nil)
		b.FlowNames = register(c, kindFlow, f.Flows, c.flows, func(fl *Flow) (*string, Pos) { return &fl.Name, fl.Pos }, dup, b.FlowNames)
		for _, m := range f.Menus {
			if first, ok := menuPos[m.Key]; ok {
				dup(tr("menu key", "菜单键"), m.Key, c.at(&m.Key, m.Pos), first)
				continue
			}
			menuPos[m.Key] = m.Pos
			b.Menus[m.Key] = m.Intent
		}
		for _, st := range f.Stubs {
			sp := c.at(&st.Op.Name, st.Pos)
			if _, real := c.cat.Op(st.Op.Name); real {
				dg := c.d.errorf(sp.pos, sp.end, CodeDuplicate, tr("the bank already has operation %q: a stub may only stand for a call that does not exist yet",
					"银行已经有操作 %q 了: 桩操作只能用来代替还不存在的调用", st.Op.Name))
				dg.hint(tr("remove this stub and call the real operation (weiyin ops lists them)", "删掉这个桩操作, 直接调用真正的操作(weiyin ops 列出全部操作)"))
				continue
			}
			if first, ok := c.stubs[st.Op.Name]; ok {
				dup(tr("stub", "桩操作"), st.Op.Name, sp, first.Pos)
				continue
			}
			c.stubs[st.Op.Name] = st
			dg := c.d.warnf(sp.pos, sp.end, CodeStub, tr("%q is a stub: calls to it answer with its example results and reach no bank; weiyin serve runs this bot only on the sandbox bank",
				"%q 是桩操作: 调用它只会得到示例结果, 不会连到银行; weiyin serve 只在沙箱银行上运行带桩操作的机器人", st.Op.Name))
			dg.hint(tr("when the bank offers the operation, remove the stub (weiyin ops lists what exists)", "等银行提供了这个操作, 删掉桩操作即可(weiyin ops 列出已有的操作)"))
		}
	}
}

// op finds an operation in the bank's catalogue or among the stubs.
func (c *checker) op(name string) (Op, *Stub, bool) {
	if op, ok := c.cat.Op(name); ok {
		return op, nil, true
	}
	if st, ok := c.stubs[name]; ok {
		return st.Op, st, true
	}
	return Op{}, nil, false
}

// opNames lists the catalogue's operations and the stubs.
func (c *checker) opNames() []string {
	return append(c.cat.OpNames(), slices.Sorted(maps.Keys(c.stubs))...)
}

// register adds named declarations to table, reporting repeats; it returns order with the
// new names appended.
func register[T any](c *checker, kind text, items []*T, table map[string]*T, name func(*T) (*string, Pos),
	dup func(kind text, name string, sp span, first Pos), order []string) []string {
	for _, it := range items {
		n, p := name(it)
		if first, ok := table[*n]; ok {
			_, fp := name(first)
			dup(kind, *n, c.at(n, p), fp)
			continue
		}
		table[*n] = it
		order = append(order, *n)
	}
	return order
}

func (c *checker) checkEntity(e *Entity) {
	switch e.Kind {
	case EntityBank:
		if !slices.Contains(BankLists, e.List) {
			sp := c.at(&e.List, e.Pos)
			dg := c.d.errorf(sp.pos, sp.end, CodeUnknownList, tr("the bank has no list %q", "银行没有名单 %q", e.List))
			dg.hint(didYouMean(e.List, BankLists, tr("the lists are: %s", "可用的名单: %s", strings.Join(BankLists, ", "))))
		}
	case EntityEnum:
		if len(e.Values) == 0 {
			sp := c.at(&e.Name, e.Pos)
			c.d.errorf(sp.pos, sp.end, CodeSyntax, tr("entity %q has no values", "实体 %q 没有任何取值", e.Name)).
				hint(tr(`list its values inside the braces: value water "水费" "水"`, `在花括号里列出取值: value water "水费" "水"`))
		}
		seen := map[string]Pos{}
		names := map[string]string{}
		for i := range e.Values {
			v := &e.Values[i]
			sp := c.at(&v.Value, e.Pos)
			if first, ok := seen[v.Value]; ok {
				dg := c.d.errorf(sp.pos, sp.end, CodeDuplicate, tr("entity %s has value %q twice", "实体 %s 的取值 %q 写了两次", e.Name, v.Value))
				dg.related(first, tr("first declared at", "首次声明于"))
				continue
			}
			seen[v.Value] = sp.pos
			for _, n := range v.Names {
				if other, ok := names[n]; ok && other != v.Value {
					c.d.errorf(sp.pos, sp.end, CodeDuplicate, tr("the word %q names two values of entity %s: %s and %s", "说法 %q 同时属于实体 %s 的两个取值: %s 和 %s", n, e.Name, other, v.Value)).
						hint(tr("a customer saying it could mean either; keep it under one value", "客户这么说时分不清是哪个; 只保留在一个取值下"))
				}
				names[n] = v.Value
			}
		}
	}
}

func (c *checker) entityNames() map[string]Pos {
	out := map[string]Pos{}
	for n, e := range c.entities {
		out[n] = e.Pos
	}
	for _, n := range BuiltinEntities {
		out[n] = Pos{}
	}
	return out
}

// entityKnown reports whether name is a built-in or declared entity.
func (c *checker) entityKnown(name string) bool {
	_, ok := c.entities[name]
	return ok || slices.Contains(BuiltinEntities, name)
}

// useEntity records a use of an entity name (a slot's type or a mark's): known ones are
// counted, unknown ones kept for reportUnknownEntities.
func (c *checker) useEntity(name string, sp span) {
	if c.entityKnown(name) {
		c.entityUses[name]++
		return
	}
	c.unknownEntities[name] = append(c.unknownEntities[name], sp)
}

// reportUnknownEntities reports each unknown entity name once, at its root cause: a declared
// entity that nothing uses and whose name is close (the declaration is misspelt), or else the
// first use, counting the others.
func (c *checker) reportUnknownEntities() {
	var unused []string
	for n := range c.entities {
		if c.entityUses[n] == 0 {
			unused = append(unused, n)
		}
	}
	known := c.entityNames()
	for _, name := range slices.Sorted(maps.Keys(c.unknownEntities)) {
		uses := c.unknownEntities[name]
		slices.SortFunc(uses, func(a, b span) int {
			return cmp.Or(cmp.Compare(a.pos.File, b.pos.File), cmp.Compare(a.pos.Offset, b.pos.Offset))
		})
		if decl, ok := closest(name, unused); ok {
			e := c.entities[decl]
			sp := c.at(&e.Name, e.Pos)
			dg := c.d.errorf(sp.pos, sp.end, CodeUnknownEntity, tr("entity %q is declared here, but nothing uses it; the dialogs use %q (%d times), which is not declared",
				"这里声明的实体 %q 没有被用到; 对话里用的是 %q(%d 处), 而它没有声明", decl, name, len(uses)))
			dg.hint(tr("rename the declaration to entity %[1]s, or, if %[2]q is the right name, write %[2]s at the %[3]d places that use %[1]s",
				"把声明改名为 entity %[1]s; 或者如果 %[2]q 才是对的, 把用到 %[1]s 的 %[3]d 处都改成 %[2]s", name, decl, len(uses)))
			dg.related(uses[0].pos, tr("first used at", "第一次使用在"))
			unused = slices.DeleteFunc(unused, func(s string) bool { return s == decl })
			continue
		}
		dg := c.unknown(CodeUnknownEntity, uses[0], kindEntity, name, known,
			tr("entities are the built-in %s and those declared with entity", "实体可以是内置的 %s, 或用 entity 声明的", strings.Join(BuiltinEntities, ", ")))
		if n := len(uses); n > 1 {
			dg.setMessage(tr("unknown entity %q (used %d times; fixing this one fixes all)", "没有实体 %q(共用了 %d 处; 改好这一处即可全部解决)", name, n))
		}
	}
}

func (c *checker) intentPos() map[string]Pos {
	out := map[string]Pos{}
	for n, in := range c.intents {
		out[n] = c.at(&in.Name, in.Pos).pos
	}
	return out
}

func (c *checker) flowPos() map[string]Pos {
	out := map[string]Pos{}
	for n, f := range c.flows {
		out[n] = c.at(&f.Name, f.Pos).pos
	}
	return out
}

// unknown reports an unknown name with a "did you mean" hint pointing at the nearest
// declaration.
func (c *checker) unknown(code string, sp span, kind text, name string, known map[string]Pos, otherwise text) *Diagnostic {
	dg := c.d.errorf(sp.pos, sp.end, code, tr("unknown %s %q", "没有%s %q", kind, name))
	if best, ok := closest(name, slices.Collect(maps.Keys(known))); ok {
		dg.hint(meant(best))
		if p := known[best]; p.Line > 0 {
			dg.related(p, tr("declared at", "声明于"))
		}
	} else if !otherwise.empty() {
		dg.hint(otherwise)
	}
	return dg
}

// checkMarkSlots checks `[text](slot:entity)` marks against the flow the intent starts: the
// slot must be one of its slots, of that entity.
func (c *checker) checkMarkSlots(b *Bundle) {
	for _, name := range b.IntentNames {
		f := c.flows[b.StartedBy[name]]
		if f == nil {
			continue
		}
		in := c.intents[name]
		for i := range in.Examples {
			ex := &in.Examples[i]
			for j := range ex.Marks {
				m := &ex.Marks[j]
				if m.Slot == "" || !c.entityKnown(m.Entity) {
					continue // no slot named, or an unknown entity (reported once, at its root)
				}
				sp := c.at(m, ex.Pos)
				s := f.Slot(m.Slot)
				if s == nil {
					known := map[string]Pos{}
					for _, s := range f.Slots {
						known[s.Name] = s.Pos
					}
					c.unknown(CodeUnknownSlot, sp, kindSlot, m.Slot, known, tr("the slot of a mark must be a slot of flow %s, which intent %s starts",
						"标注里的槽位必须是流程 %s 的槽位(意图 %s 启动这个流程)", f.Name, name))
					continue
				}
				if !c.entityKnown(s.Entity) {
					continue // the slot's own type is unknown: that one error explains this
				}
				if s.Entity != m.Entity {
					dg := c.d.errorf(sp.pos, sp.end, CodeTypeMismatch, tr("slot %s of flow %s holds %s, but this mark says %s", "流程 %[2]s 的槽位 %[1]s 是 %[3]s 类型, 但这个标注写的是 %[4]s", m.Slot, f.Name, s.Entity, m.Entity))
					dg.related(s.Pos, tr("slot declared at", "槽位声明于"))
					dg.hint(tr("write [...](%s:%s)", "写成 [...](%s:%s)", m.Slot, s.Entity))
				}
			}
		}
	}
}

// normalizeExample is the text two examples are compared by.
func normalizeExample(s string) string {
	s = strings.ToLower(strings.Join(strings.Fields(s), ""))
	return strings.TrimRight(s, "?？!！。.,，~")
}

func (c *checker) checkIntents(b *Bundle) {
	type seenEx struct {
		intent string
		pos    Pos
	}
	seen := map[string]seenEx{}
	for _, name := range b.IntentNames {
		in := c.intents[name]
		sp := c.at(&in.Name, in.Pos)
		switch n := len(in.Examples); {
		case in.IsFAQ() && n < MinFAQExamples:
			dg := c.d.warnf(sp.pos, sp.end, CodeTooFewExamples, tr("faq %q has %d example(s); the staff guide asks for at least %d", "faq %q 只有 %d 句例句; 编写指南要求至少 %d 句", name, n, MinFAQExamples))
			dg.hint(tr("add more ways a customer might ask it (how, how much, do I need...)", "多写几种客户的问法(怎么/多少/要不要……), 见 docs/dialogs-guide.zh.md 第 4 节"))
		case !in.IsFAQ() && n < MinExamples:
			dg := c.d.warnf(sp.pos, sp.end, CodeTooFewExamples, tr("intent %q has %d example(s); the bot learns it poorly from fewer than %d", "意图 %q 只有 %d 句例句; 少于 %d 句机器人学不好", name, n, MinExamples))
			dg.hint(tr("add more ways a customer might say it", "多写几种客户可能的说法"))
		}
		for i := range in.Examples {
			ex := &in.Examples[i]
			for j := range ex.Marks {
				m := &ex.Marks[j]
				c.useEntity(m.Entity, c.at(m, ex.Pos))
			}
			key := normalizeExample(ex.Text)
			if key == "" {
				c.d.errorf(ex.Pos, nameEnd(ex.Pos, `""`), CodeSyntax, tr("empty example in intent %q", "意图 %q 里有一句空例句", name))
				continue
			}
			if first, ok := seen[key]; ok {
				if first.intent == name {
					dg := c.d.warnf(ex.Pos, nameEnd(ex.Pos, quote(ex.Text)), CodeDuplicate, tr("example %q is listed twice in intent %q", "例句 %q 在意图 %q 里写了两次", ex.Text, name))
					dg.related(first.pos, tr("first listed at", "第一次写在"))
					continue
				}
				dg := c.d.errorf(ex.Pos, nameEnd(ex.Pos, quote(ex.Text)), CodeExampleConflict, tr("example %q is given for two intents: %q and %q", "例句 %q 同时属于两个意图: %q 和 %q", ex.Text, first.intent, name))
				dg.related(first.pos, tr("also an example of %s at", "它也是 %s 的例句, 在", first.intent))
				dg.hint(tr("the bot cannot tell them apart; keep the example under one intent", "机器人分不清它们; 只把这句例句留在一个意图里"))
				continue
			}
			seen[key] = seenEx{name, ex.Pos}
		}
	}
}
