package engine

import (
	"fmt"
	"slices"
	"strings"

	"github.com/weiyin-bank/weiyin/dialogs"
)

// outcome is what one step did to the flow: the step loop in runFrame acts on it.
type outcome int

const (
	next outcome = iota // go on with the next step
	jump                // the step set the program counter itself; go on from there
	wait                // the flow waits for the customer
	left                // the frame is no longer the active one: it ended, handed off or started another
)

// restoreFrames resolves every frame's step label in the frame's own program version. A frame
// whose version is gone, or whose label no longer resolves, never resumes on other steps: its
// flow restarts on the current version with the values the customer gave, and every
// confirmation and code is forgotten. It reports whether the active flow restarted (the
// message was meant for a step that no longer exists, so this turn only re-asks).
func (t *turn) restoreFrames() bool {
	restarted := false
	for i := 0; i < len(t.s.Frames); i++ {
		f := t.s.Frames[i]
		if fp := t.flowOf(f); fp != nil {
			if pc, ok := fp.index[f.Step]; ok && waitsAt(fp.Steps[pc], f) {
				f.PC = pc
				continue
			}
		}
		if f.Pending != nil {
			// A call recorded as sent on steps that are gone cannot be completed here: say so
			// and let people check, never guess.
			t.b.log.Error("pending bank call on a flow version that is gone", "flow", f.Flow, "version", f.Version)
			t.reply("pending_unknown", nil)
			t.s.Frames = slices.Delete(t.s.Frames, i, i+1)
			i--
			continue
		}
		fp := t.prog.flow(f.Flow)
		if fp == nil {
			t.s.Frames = slices.Delete(t.s.Frames, i, i+1)
			i--
			continue
		}
		t.b.log.Info("flow restarted on a new version", "flow", f.Flow, "from", f.Version, "to", t.prog.Version)
		slots := map[string]Value{}
		for name, v := range f.Slots {
			if sl := fp.Slot(name); sl != nil && compatible(sl.Entity, v.Type) {
				slots[name] = v
			}
		}
		*f = Frame{ID: f.ID, Flow: f.Flow, Version: t.prog.Version, Slots: slots, Calls: f.Calls,
			Started: f.Started, Active: t.now}
		if i == len(t.s.Frames)-1 {
			restarted = true
		}
	}
	if !restarted {
		return false
	}
	t.s.Pending = nil
	f := t.s.top()
	t.intent = t.flowOf(f).intent
	t.reply("flow_updated", nil)
	t.runFrame(f)
	return true
}

// waitsAt reports whether a stored frame can be waiting at step st: a flow only ever rests at a
// question, a read-back or a code it asked for, or at a bank call recorded as pending. Anything
// else is a corrupt or forged record, restarted like a version that is gone.
func waitsAt(st *dialogs.Step, f *Frame) bool {
	switch f.Wait {
	case "ask":
		return st.Kind == dialogs.StepAsk
	case "confirm":
		return st.Kind == dialogs.StepConfirm
	case "verify":
		return st.Kind == dialogs.StepVerify
	case "pending":
		return st.Kind == dialogs.StepCall && f.Pending != nil
	}
	return f.Pending != nil && st.Kind == dialogs.StepCall
}

// syncLabels writes each frame's step label from its program counter, for the record.
func (t *turn) syncLabels() {
	for _, f := range t.s.Frames {
		if fp := t.flowOf(f); fp != nil {
			f.Step = fp.label(f.PC)
		}
	}
}

// startFlow pushes a new instance of a flow and runs it until it waits or ends.
func (t *turn) startFlow(name string, prefill map[string]Value) {
	fp := t.prog.flow(name)
	if fp == nil {
		t.reply("error", nil)
		return
	}
	if fp.RequiresBinding && t.cust == nil {
		if t.bankDown {
			// The bank could not say who this is: an outage, not an unbound customer.
			t.reply("unavailable", nil)
			return
		}
		// A flow may say what an unbound customer needs instead (a lost card: the hotline, now,
		// not a card number to type); else the customer is offered binding.
		if t.reply("unbound_"+name, nil) {
			return
		}
		t.reply("unbound", nil)
		if bind, ok := t.bundle().StartedBy["bind_account"]; ok && bind != name {
			t.startFlow(bind, nil)
		}
		return
	}
	// One instance of a flow at a time: starting it again replaces an interrupted one, which
	// would otherwise be offered for resuming after the new one ends.
	t.s.Frames = slices.DeleteFunc(t.s.Frames, func(f *Frame) bool { return f.Flow == name && f.Pending == nil })
	// A customer who digresses again and again must not grow the stack without bound: only the
	// most recent interrupted flows are kept.
	if len(t.s.Frames) >= maxFrames {
		t.s.Frames = append([]*Frame(nil), t.s.Frames[len(t.s.Frames)-maxFrames+1:]...)
	}
	if t.paysSelf(fp) {
		t.reply("self_payee", nil)
		return
	}
	t.s.Seq++
	f := &Frame{ID: fmt.Sprintf("f%d", t.s.Seq), Flow: name, Version: t.prog.Version, Slots: map[string]Value{},
		Started: t.now, Active: t.now}
	t.s.Frames = append(t.s.Frames, f)
	for _, sl := range fp.Slots {
		if v, ok := prefill[sl.Name]; ok && compatible(sl.Entity, v.Type) {
			if v, ok := t.admit(sl, v); ok {
				f.Slots[sl.Name] = t.convert(sl, v)
			}
		}
	}
	t.fillFromEntities(f, fp, "", nil, true)
	t.runFrame(f)
}

// runFrame runs the active flow from its current step until it waits for the customer or
// leaves. Every run first checks again every value given for the steps already passed (a
// correction passes the same validation as a first answer).
func (t *turn) runFrame(f *Frame) {
	fp := t.flowOf(f)
	if fp == nil {
		t.s.pop()
		return
	}
	if t.lists == nil {
		_, t.lists = t.b.nluLists(t.ctx, t.bundle(), t.cust)
	}
	f.Wait = ""
	t.revalidate(f, fp)
	for n := 0; n < maxSteps; n++ {
		if t.s.top() != f {
			return // the flow ended or started another
		}
		if f.PC >= len(fp.Steps) {
			t.endFrame(f, true)
			return
		}
		switch t.step(f, fp, f.PC) {
		case next:
			f.PC++
		case jump:
		case wait, left:
			return
		}
	}
	t.b.log.Error("flow ran too many steps in one turn", "flow", f.Flow)
	t.endFrame(f, false)
	t.reply("error", nil)
}

// step runs top-level step i of the active flow.
func (t *turn) step(f *Frame, fp *flowProg, i int) outcome {
	st := fp.Steps[i]
	sc := t.scope(f, fp)
	switch st.Kind {
	case dialogs.StepAsk:
		if _, filled := f.Slots[st.Slot]; !filled && st.Choices && len(st.Validations) > 0 {
			if valid, all := t.choices(f, fp, st); len(valid) == 0 && all > 0 {
				return t.noChoice(f, fp, st)
			}
		}
		if _, ok := f.Slots[st.Slot]; !ok && st.Default != nil && !slices.Contains(f.Refused, st.Slot) {
			if v, ok := t.defaultValue(f, fp, st); ok {
				f.Slots[st.Slot] = v
			}
		}
		if _, ok := f.Slots[st.Slot]; ok {
			msg := t.invalid(f, fp, st)
			if msg == "" {
				return next
			}
			delete(f.Slots, st.Slot)
			f.refuse(st.Slot)
			t.say(msg)
		}
		t.say(sc.render(st.Prompt))
		if st.Choices {
			t.offerChoices(f, fp, st)
		}
		f.Wait = "ask"
		return wait
	case dialogs.StepConfirm:
		return t.confirmStep(f, fp, i)
	case dialogs.StepVerify:
		return t.verifyStep(f, fp, i)
	case dialogs.StepCall:
		return t.callStep(f, fp, i)
	default:
		return t.actions(f, fp, []*dialogs.Step{st})
	}
}

// revalidate checks the values of the ask steps already passed, in step order. The first that
// fails is forgotten, its message said, and the flow goes back to ask for it; the first whose
// value was dropped is asked again.
func (t *turn) revalidate(f *Frame, fp *flowProg) {
	for i := 0; i < f.PC && i < len(fp.Steps); i++ {
		st := fp.Steps[i]
		if st.Kind != dialogs.StepAsk {
			continue
		}
		if _, ok := f.Slots[st.Slot]; !ok {
			f.PC, f.Retries = i, 0 // dropped (a value it depended on changed): ask again
			return
		}
		if msg := t.invalid(f, fp, st); msg != "" {
			delete(f.Slots, st.Slot)
			f.refuse(st.Slot)
			t.say(msg)
			f.PC, f.Retries = i, 0
			return
		}
	}
}

// invalid returns the message of the first validation the slot of an ask step fails.
func (t *turn) invalid(f *Frame, fp *flowProg, st *dialogs.Step) string {
	sc := t.scope(f, fp)
	for _, v := range st.Validations {
		if !truthy(sc.eval(v.Cond)) {
			return sc.render(v.Message)
		}
	}
	return ""
}

func (t *turn) defaultValue(f *Frame, fp *flowProg, st *dialogs.Step) (Value, bool) {
	sl := fp.Slot(st.Slot)
	if sl == nil {
		return Value{}, false
	}
	if st.Default.Op == "first" { // the first value the step accepts
		if vs, _ := t.choices(f, fp, st); len(vs) > 0 {
			return vs[0], true
		}
		return Value{}, false
	}
	v := t.scope(f, fp).eval(st.Default)
	if v == nil {
		return Value{}, false
	}
	if val, ok := v.(Value); ok {
		return val, true
	}
	return Value{Type: sl.Entity, V: text(v)}, true
}

func (t *turn) scope(f *Frame, fp *flowProg) *scope {
	return &scope{frame: f, flow: fp.Flow, customer: t.cust, now: t.now}
}

// actions runs say/set/if/goto/start/end/handoff steps: next when they ran through, jump when
// a goto set the program counter, left when the flow ended or gave way.
func (t *turn) actions(f *Frame, fp *flowProg, steps []*dialogs.Step) outcome {
	for _, st := range steps {
		sc := t.scope(f, fp)
		switch st.Kind {
		case dialogs.StepSay:
			t.sayStep(f, sc, st)
		case dialogs.StepSet:
			if sl := fp.Slot(st.Slot); sl != nil {
				v := sc.eval(st.Value)
				if val, ok := v.(Value); ok {
					f.Slots[st.Slot] = val
				} else if v == nil {
					delete(f.Slots, st.Slot)
				} else {
					f.Slots[st.Slot] = Value{Type: sl.Entity, V: text(v)}
				}
			}
		case dialogs.StepIf:
			branch := st.Else
			if truthy(sc.eval(st.Cond)) {
				branch = st.Then
			}
			if o := t.actions(f, fp, branch); o != next {
				return o
			}
		case dialogs.StepGoto:
			if i, ok := fp.Labels[st.Target]; ok {
				f.PC = i
				f.Retries = 0
				// Going back to an ask re-asks it: forget the slot it collects.
				if fp.Steps[i].Kind == dialogs.StepAsk {
					delete(f.Slots, fp.Steps[i].Slot)
				}
			}
			return jump
		case dialogs.StepEnd:
			if st.Prompt != nil {
				t.say(sc.render(st.Prompt))
			}
			t.endFrame(f, true)
			return left
		case dialogs.StepHandoff:
			if st.Prompt != nil {
				t.say(sc.render(st.Prompt))
			} else {
				t.reply("handoff", nil)
			}
			t.handoff = true
			t.endFrame(f, false)
			return left
		case dialogs.StepStart:
			t.endFrame(f, false)
			carry := map[string]Value{}
			for k, v := range f.Slots {
				carry[k] = v
			}
			t.s.Pending = nil
			t.startFlow(st.Target, carry)
			return left
		default:
			t.b.log.Error("step kind not allowed here", "flow", f.Flow, "kind", st.Kind.String())
			t.endFrame(f, false)
			t.reply("error", nil)
			return left
		}
	}
	return next
}

func (t *turn) sayStep(f *Frame, sc *scope, st *dialogs.Step) {
	t.say(sc.render(st.Prompt))
	if st.Each == nil {
		return
	}
	items, _ := sc.eval(st.Each).([]any)
	var lines []string
	var list []Value
	for i, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			continue
		}
		isc := &scope{frame: f, flow: sc.flow, customer: t.cust, now: t.now, item: m, index: i + 1}
		lines = append(lines, isc.render(st.EachItem))
		v := Value{V: text(m["id"]), Fields: map[string]string{}}
		for k, x := range m {
			v.Fields[k] = text(x)
		}
		list = append(list, v)
	}
	if len(lines) > 0 {
		t.say(strings.Join(lines, "\n"))
		l := &List{Entity: t.entityForItems(list), Items: list}
		if l.Entity == "" {
			// Items that are no list entity's values (a statement's movements) can only be
			// shown again: keep the lines, not every field of every item in the session.
			l.Items, l.Lines = nil, lines
		}
		t.s.LastList = l
	}
}

// entityForItems names the bank-list entity whose values the listed items are (a branch search
// lists branches), so "第二个" can fill a slot of that entity; "" when the items are no list's.
func (t *turn) entityForItems(items []Value) string {
	if len(items) == 0 || items[0].V == "" {
		return ""
	}
	for _, name := range t.bundle().EntityNames() {
		for _, v := range t.lists[name] {
			if v.V == items[0].V {
				return name
			}
		}
	}
	return ""
}

// endFrame removes a finished flow; a flow interrupted below it is offered again, unless the
// customer was handed to a person (who takes over everything open).
func (t *turn) endFrame(f *Frame, done bool) {
	for i, x := range t.s.Frames {
		if x == f {
			t.s.Frames = append(t.s.Frames[:i], t.s.Frames[i+1:]...)
			break
		}
	}
	if done {
		t.s.LastFlow, t.s.LastSlots, t.s.LastAt = f.Flow, f.Slots, t.now
	}
	if t.handoff {
		t.s.Frames = keepPending(t.s.Frames)
		return
	}
	t.offerResume()
}

// retry handles a message the waiting step could not use: the retry ladder, then the fallback.
func (t *turn) retry(f *Frame) {
	fp := t.flowOf(f)
	if fp == nil || f.PC >= len(fp.Steps) {
		t.s.pop()
		t.fresh()
		return
	}
	st := fp.Steps[f.PC]
	f.Retries++
	sc := t.scope(f, fp)
	switch f.Wait {
	case "confirm":
		if f.Retries > 2 {
			t.cancelFlow()
			return
		}
		t.reply("confirm_again", nil)
		t.buttons = []string{"确认", "取消"}
		return
	case "verify":
		if f.Retries > 3 {
			t.endFrame(f, false)
			t.reply("cancelled", nil)
			return
		}
		t.reply("code_again", nil)
		return
	}
	if f.Retries <= len(st.Retries) {
		t.say(sc.render(st.Retries[f.Retries-1]))
		t.offerChoices(f, fp, st)
		return
	}
	if len(st.Retries) == 0 && f.Retries <= 2 {
		t.reply("not_understood", nil)
		t.say(sc.render(st.Prompt))
		t.offerChoices(f, fp, st)
		return
	}
	fb := st.Fallback
	if fb == nil {
		fb = &dialogs.Step{Kind: dialogs.StepHandoff}
	}
	if fb.Kind == dialogs.StepEnd && fb.Prompt == nil {
		t.reply("gave_up", nil)
	}
	f.Wait = ""
	if t.actions(f, fp, []*dialogs.Step{fb}) != left {
		t.runFrame(f)
	}
}

// offerChoices lists the values of a bank-list or enum slot the step would accept as numbered
// options: a choice the step's validations refuse is never offered.
func (t *turn) offerChoices(f *Frame, fp *flowProg, st *dialogs.Step) {
	items, _ := t.choices(f, fp, st)
	if len(items) == 0 || len(items) > 9 {
		return
	}
	var lines []string
	t.buttons = nil
	for i, v := range items {
		lines = append(lines, fmt.Sprintf("%d. %s", i+1, v.Display()))
		t.buttons = append(t.buttons, v.Display())
	}
	t.say(strings.Join(lines, "\n"))
	t.s.LastList = &List{Entity: fp.Slot(st.Slot).Entity, Items: items}
}

// choices returns the values of the step's slot (a bank list or an enum) that pass the step's
// validations, and how many values there were before validation.
func (t *turn) choices(f *Frame, fp *flowProg, st *dialogs.Step) ([]Value, int) {
	sl := fp.Slot(st.Slot)
	if sl == nil {
		return nil, 0
	}
	var items []Value
	if vs, ok := t.lists[sl.Entity]; ok {
		items = vs
	} else if ent := t.bundle().Entities[sl.Entity]; ent != nil && ent.Kind == dialogs.EntityEnum {
		for _, ev := range ent.Values {
			items = append(items, Value{Type: sl.Entity, V: ev.Value, Fields: map[string]string{"name": ev.Names[0]}})
		}
	}
	if len(st.Validations) == 0 {
		return items, len(items)
	}
	old, had := f.Slots[st.Slot]
	var valid []Value
	for _, v := range items {
		f.Slots[st.Slot] = v
		if t.invalid(f, fp, st) == "" {
			valid = append(valid, v)
		}
	}
	if had {
		f.Slots[st.Slot] = old
	} else {
		delete(f.Slots, st.Slot)
	}
	return valid, len(items)
}

// noChoice ends a flow whose question has values to choose from but none the step accepts (a
// customer with no credit card asked which credit card): the flow's no_choice_FLOW reply, else
// the step's first validation message.
func (t *turn) noChoice(f *Frame, fp *flowProg, st *dialogs.Step) outcome {
	if !t.reply("no_choice_"+f.Flow, nil) {
		sc := t.scope(f, fp)
		t.say(sc.render(st.Validations[0].Message))
	}
	t.endFrame(f, false)
	return left
}
