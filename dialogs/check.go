package dialogs

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// checker resolves names across the files of one bot and reports what is wrong.
type checker struct {
	d     *diags
	spans map[any]span

	entities map[string]*Entity
	intents  map[string]*Intent
	flows    map[string]*Flow
	replies  map[string]*Reply
	started  map[string]bool // flows reached by a `start FLOW` step
	badGoto  map[*Flow]bool  // flows with a goto to an unknown label: reachability is not reported
}

// check builds the Bundle from parsed files and reports every resolution and consistency
// problem. The Bundle is returned even when there are errors; Load discards it then.
func check(files []*File, d *diags) *Bundle {
	c := &checker{d: d, spans: map[any]span{}, entities: map[string]*Entity{}, intents: map[string]*Intent{},
		flows: map[string]*Flow{}, replies: map[string]*Reply{}, started: map[string]bool{}, badGoto: map[*Flow]bool{}}
	b := &Bundle{Intents: c.intents, Entities: c.entities, Flows: c.flows, Replies: c.replies,
		Menus: map[string]string{}, StartedBy: map[string]string{}}
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
				c.unknown(CodeUnknownIntent, c.at(&m.Intent, m.Pos), "intent", m.Intent, c.intentPos(), "")
			}
		}
	}
	for _, name := range b.FlowNames {
		c.checkFlow(c.flows[name], b)
	}
	c.checkMarkSlots(b)
	for _, name := range b.FlowNames {
		f := c.flows[name]
		if len(f.StartOn) == 0 && !c.started[name] {
			dg := c.d.errorf(c.at(&f.Name, f.Pos).pos, c.at(&f.Name, f.Pos).end, CodeUnusedFlow, "flow %q can never run: no intent starts it and no flow says start %s", name, name)
			dg.Hint = "add a line inside the flow: start on INTENT"
			if _, ok := c.intents[name]; ok {
				dg.Hint = "add a line inside the flow: start on " + name
			}
		}
	}
	for _, f := range files {
		for _, r := range f.Replies {
			if b.IsReservedReply(r.Name) || c.intents[r.Name] != nil {
				continue
			}
			sp := c.at(&r.Name, r.Pos)
			dg := c.d.warnf(sp.pos, sp.end, CodeReservedReply, "reply %q is not a name the engine uses, and no intent is called %s, so it is never said", r.Name, r.Name)
			names := append(slices.Clone(reservedReplies), b.IntentNames...)
			dg.Hint = didYouMean(r.Name, names, "reply names are intent names or the engine's own: "+strings.Join(reservedReplies, ", "))
		}
	}
	for _, name := range b.IntentNames {
		in := c.intents[name]
		if in.IsFAQ() || b.StartedBy[name] != "" || c.replies[name] != nil {
			continue
		}
		dg := c.d.warnf(c.at(&in.Name, in.Pos).pos, c.at(&in.Name, in.Pos).end, CodeUnusedIntent,
			"nothing answers intent %q: no flow starts on it and there is no reply %s", name, name)
		dg.Hint = fmt.Sprintf("add `start on %s` to a flow, or a reply: reply %s \"...\"", name, name)
	}
	return b
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
	dup := func(kind, name string, sp span, first Pos) {
		dg := c.d.errorf(sp.pos, sp.end, CodeDuplicate, "%s %q is declared twice", kind, name)
		dg.Related, dg.RelatedNote = first, "first declared at"
		dg.Hint = "rename one of them or remove the repeat"
	}
	menuPos := map[string]Pos{}
	for _, f := range files {
		for _, e := range f.Entities {
			sp := c.at(&e.Name, e.Pos)
			if slices.Contains(BuiltinEntities, e.Name) {
				dg := c.d.errorf(sp.pos, sp.end, CodeDuplicate, "entity %q is built in and cannot be declared again", e.Name)
				dg.Hint = "choose another name"
				continue
			}
			if first, ok := c.entities[e.Name]; ok {
				dup("entity", e.Name, sp, first.Pos)
				continue
			}
			c.entities[e.Name] = e
		}
		b.IntentNames = register(c, "intent", f.Intents, c.intents, func(in *Intent) (*string, Pos) { return &in.Name, in.Pos }, dup, b.IntentNames)
		register(c, "reply", f.Replies, c.replies, func(r *Reply) (*string, Pos) { return &r.Name, r.Pos }, dup, nil)
		b.FlowNames = register(c, "flow", f.Flows, c.flows, func(fl *Flow) (*string, Pos) { return &fl.Name, fl.Pos }, dup, b.FlowNames)
		for _, m := range f.Menus {
			if first, ok := menuPos[m.Key]; ok {
				dup("menu key", m.Key, c.at(&m.Key, m.Pos), first)
				continue
			}
			menuPos[m.Key] = m.Pos
			b.Menus[m.Key] = m.Intent
		}
	}
}

// register adds named declarations to table, reporting repeats; it returns order with the
// new names appended.
func register[T any](c *checker, kind string, items []*T, table map[string]*T, name func(*T) (*string, Pos),
	dup func(kind, name string, sp span, first Pos), order []string) []string {
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
			dg := c.d.errorf(sp.pos, sp.end, CodeUnknownList, "the bank has no list %q", e.List)
			dg.Hint = didYouMean(e.List, BankLists, "the lists are: "+strings.Join(BankLists, ", "))
		}
	case EntityEnum:
		if len(e.Values) == 0 {
			sp := c.at(&e.Name, e.Pos)
			c.d.errorf(sp.pos, sp.end, CodeSyntax, "entity %q has no values", e.Name).Hint = `list its values inside the braces: value water "水费" "水"`
		}
		seen := map[string]Pos{}
		names := map[string]string{}
		for i := range e.Values {
			v := &e.Values[i]
			sp := c.at(&v.Value, e.Pos)
			if first, ok := seen[v.Value]; ok {
				dg := c.d.errorf(sp.pos, sp.end, CodeDuplicate, "entity %s has value %q twice", e.Name, v.Value)
				dg.Related, dg.RelatedNote = first, "first declared at"
				continue
			}
			seen[v.Value] = sp.pos
			for _, n := range v.Names {
				if other, ok := names[n]; ok && other != v.Value {
					c.d.errorf(sp.pos, sp.end, CodeDuplicate, "the word %q names two values of entity %s: %s and %s", n, e.Name, other, v.Value).Hint = "a customer saying it could mean either; keep it under one value"
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
func (c *checker) unknown(code string, sp span, kind, name string, known map[string]Pos, otherwise string) *Diagnostic {
	dg := c.d.errorf(sp.pos, sp.end, code, "unknown %s %q", kind, name)
	if best, ok := closest(name, slices.Collect(maps.Keys(known))); ok {
		dg.Hint = fmt.Sprintf("did you mean %q?", best)
		if p := known[best]; p.Line > 0 {
			dg.Related, dg.RelatedNote = p, "declared at"
		}
	} else {
		dg.Hint = otherwise
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
				if _, known := c.entities[m.Entity]; m.Slot == "" || !known && !slices.Contains(BuiltinEntities, m.Entity) {
					continue // no slot named, or an unknown entity (reported already)
				}
				sp := c.at(m, ex.Pos)
				s := f.Slot(m.Slot)
				if s == nil {
					known := map[string]Pos{}
					for _, s := range f.Slots {
						known[s.Name] = s.Pos
					}
					c.unknown(CodeUnknownSlot, sp, "slot", m.Slot, known, fmt.Sprintf("the slot of a mark must be a slot of flow %s, which intent %s starts", f.Name, name))
					continue
				}
				if s.Entity != m.Entity {
					dg := c.d.errorf(sp.pos, sp.end, CodeTypeMismatch, "slot %s of flow %s holds %s, but this mark says %s", m.Slot, f.Name, s.Entity, m.Entity)
					dg.Related, dg.RelatedNote = s.Pos, "slot declared at"
					dg.Hint = fmt.Sprintf("write [...](%s:%s)", m.Slot, s.Entity)
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
	ents := c.entityNames()
	for _, name := range b.IntentNames {
		in := c.intents[name]
		if n := len(in.Examples); n < 3 {
			sp := c.at(&in.Name, in.Pos)
			dg := c.d.warnf(sp.pos, sp.end, CodeTooFewExamples, "intent %q has %d example(s); the bot learns it poorly from fewer than 3", name, n)
			dg.Hint = "add more ways a customer might say it"
		}
		for i := range in.Examples {
			ex := &in.Examples[i]
			for j := range ex.Marks {
				m := &ex.Marks[j]
				if _, ok := ents[m.Entity]; !ok {
					c.unknown(CodeUnknownEntity, c.at(m, ex.Pos), "entity", m.Entity, ents, "entities are the built-in "+strings.Join(BuiltinEntities, ", ")+" and those declared with entity")
				}
			}
			key := normalizeExample(ex.Text)
			if key == "" {
				c.d.errorf(ex.Pos, nameEnd(ex.Pos, `""`), CodeSyntax, "empty example in intent %q", name)
				continue
			}
			if first, ok := seen[key]; ok {
				if first.intent == name {
					dg := c.d.warnf(ex.Pos, nameEnd(ex.Pos, quote(ex.Text)), CodeDuplicate, "example %q is listed twice in intent %q", ex.Text, name)
					dg.Related, dg.RelatedNote = first.pos, "first listed at"
					continue
				}
				dg := c.d.errorf(ex.Pos, nameEnd(ex.Pos, quote(ex.Text)), CodeExampleConflict, "example %q is given for two intents: %q and %q", ex.Text, first.intent, name)
				dg.Related, dg.RelatedNote = first.pos, "also an example of "+first.intent+" at"
				dg.Hint = "the bot cannot tell them apart; keep the example under one intent"
				continue
			}
			seen[key] = seenEx{name, ex.Pos}
		}
	}
}
