package dialogs

import (
	"cmp"
	"maps"
	"slices"
)

// The control-flow checks: which top-level steps can run; whether every path to a
// money-moving call passes a confirm and then a verify; and whether a value the call sends can
// change after the read-back the customer confirmed. Nodes are the flow's top-level steps;
// blocks (yes/no/on/if/else, fallbacks) contribute jumps and the slots they set.

// edge is a way out of a step: to step `to` (-1: the flow ends) carrying what happens on the
// way: a confirmation (which starts a new read-back), a verified code, and the names given
// a new value (slots set or asked, call results).
type edge struct {
	to        int
	confirmed bool
	verified  bool
	spent     bool    // a money-moving call ran: its confirmation and code are used up
	sets      []*Step // the set steps of the block taken, in order
}

const exitNode = -1

// blockExit is where a block of actions leaves to: the first jump in it, or next when it
// has none. It also returns the set steps that run before that jump.
func blockExit(f *Flow, acts []*Step, next int) (int, []*Step) {
	var sets []*Step
	for _, a := range acts {
		switch a.Kind {
		case StepSet:
			sets = append(sets, a)
		case StepGoto:
			if i, ok := f.Labels[a.Target]; ok {
				return i, sets
			}
			return exitNode, sets
		case StepEnd, StepHandoff, StepStart:
			return exitNode, sets
		}
	}
	return next, sets
}

func blockEdge(f *Flow, acts []*Step, next int) edge {
	to, sets := blockExit(f, acts, next)
	return edge{to: to, sets: sets}
}

func jumpTarget(f *Flow, j *Step) int {
	if j == nil {
		return exitNode
	}
	to, _ := blockExit(f, []*Step{j}, exitNode)
	return to
}

// stepEdges lists where control may go after top-level step i.
func stepEdges(f *Flow, i int) []edge {
	s := f.Steps[i]
	next := i + 1
	if next >= len(f.Steps) {
		next = exitNode
	}
	switch s.Kind {
	case StepGoto, StepEnd, StepHandoff, StepStart:
		return []edge{blockEdge(f, []*Step{s}, exitNode)}
	case StepIf:
		return []edge{blockEdge(f, s.Then, next), blockEdge(f, s.Else, next)}
	case StepAsk:
		return []edge{{to: next}, {to: jumpTarget(f, s.Fallback)}}
	case StepConfirm:
		no := edge{to: exitNode}
		if s.No != nil {
			no = blockEdge(f, s.No, next)
		}
		yes := blockEdge(f, s.Yes, next)
		yes.confirmed = true
		return []edge{yes, no}
	case StepVerify:
		return []edge{{to: next, verified: true}, {to: jumpTarget(f, s.Fallback)}}
	case StepCall:
		out := []edge{{to: next}}
		for _, h := range s.Handlers {
			out = append(out, blockEdge(f, h.Actions, next))
		}
		return out
	}
	return []edge{{to: next}}
}

// changed is where each name was given a new value since the last read-back, on some path.
type changed map[string]*Step

// facts are what holds on the paths reaching a step: reached on some path; confirmed, and
// verified after that confirmation, on every path; on some path: a confirmation seen
// (mayConfirm), a money-moving call already run since the last confirmation (spent), and the
// names changed since the last confirmation.
type facts struct {
	reached, confirmed, verified bool
	mayConfirm, spent            bool
	changed                      changed
}

func (a facts) equal(b facts) bool {
	return a.reached == b.reached && a.confirmed == b.confirmed && a.verified == b.verified &&
		a.mayConfirm == b.mayConfirm && a.spent == b.spent &&
		maps.EqualFunc(a.changed, b.changed, func(x, y *Step) bool { return x == y })
}

// merge joins the facts of two paths into one step: must-facts by and, may-facts by or.
func (a facts) merge(b facts) facts {
	if !a.reached {
		return b
	}
	m := facts{reached: true, confirmed: a.confirmed && b.confirmed, verified: a.verified && b.verified,
		mayConfirm: a.mayConfirm || b.mayConfirm, spent: a.spent || b.spent, changed: changed{}}
	for k, v := range a.changed {
		m.changed.change(k, v)
	}
	for k, v := range b.changed {
		m.changed.change(k, v)
	}
	return m
}

// change records that step s gives name a new value; of several, the earliest in the
// file is kept, so the result does not depend on the order paths are explored.
func (ch changed) change(name string, s *Step) {
	if cur, ok := ch[name]; !ok || cmp.Compare(s.Pos.Offset, cur.Pos.Offset) < 0 {
		ch[name] = s
	}
}

// assigns is the name step s gives a value to at the top level: the slot it asks or sets, or
// its call result.
func assigns(s *Step) string {
	switch s.Kind {
	case StepAsk, StepSet:
		return s.Slot
	case StepCall:
		return s.Result
	}
	return ""
}

// flowOut is what holds after leaving step s (with facts in) along edge e. Changes count
// only once a confirmation may have happened: before the read-back, values are free to
// change.
func flowOut(s *Step, in facts, e edge) facts {
	out := facts{reached: true, confirmed: in.confirmed || e.confirmed, verified: in.verified || e.verified && in.confirmed,
		mayConfirm: in.mayConfirm || e.confirmed, spent: in.spent, changed: changed{}}
	switch {
	case e.confirmed:
		out.verified, out.spent = false, false // a new read-back needs a new code
	case e.spent:
		out.confirmed, out.verified, out.spent = false, false, true // one code moves money once
		maps.Copy(out.changed, in.changed)
	default:
		maps.Copy(out.changed, in.changed)
		if n := assigns(s); n != "" && in.mayConfirm {
			out.changed.change(n, s)
		}
	}
	if out.mayConfirm {
		for _, st := range e.sets {
			out.changed.change(st.Slot, st)
		}
	}
	return out
}

func (c *checker) checkPaths(f *Flow) {
	n := len(f.Steps)
	if n == 0 {
		sp := c.at(&f.Name, f.Pos)
		c.d.errorf(sp.pos, sp.end, CodeMissingPrompt, tr("flow %q has no steps", "流程 %q 没有任何步骤", f.Name)).
			hint(tr(`add what the bot should do, e.g. say "..."`, `写上机器人要做的事, 例如 say "..."`))
		return
	}
	in := make([]facts, n)
	in[0] = facts{reached: true, changed: changed{}}
	// A fixed point: must-facts (confirmed, verified) hold when they hold on every edge in;
	// may-facts (changed) when on some edge in.
	for again := true; again; {
		again = false
		for i := 0; i < n; i++ {
			if !in[i].reached {
				continue
			}
			edges := stepEdges(f, i)
			if s := f.Steps[i]; s.Kind == StepCall && c.movesMoney(s.Op) {
				edges[0].spent = true // the call succeeded and moved money
			}
			for _, e := range edges {
				if e.to == exitNode {
					continue
				}
				merged := in[e.to].merge(flowOut(f.Steps[i], in[i], e))
				if e.to == 0 {
					merged.confirmed, merged.verified = false, false // the flow's entry has no facts
				}
				if !merged.equal(in[e.to]) {
					in[e.to] = merged
					again = true
				}
			}
		}
	}
	for i, s := range f.Steps {
		if !in[i].reached {
			if (i == 0 || in[i-1].reached) && !c.badGoto[f] {
				dg := c.d.errorf(s.Pos, nameEnd(s.Pos, s.Kind.String()), CodeUnreachable,
					tr("this step can never run: the step before it always goes elsewhere, and no goto jumps here", "这一步永远执行不到: 前一步总是跳到别处, 也没有 goto 跳到这里"))
				if s.Label == "" {
					dg.hint(tr("give it a label (NAME: %[1]s ...) and goto it, or move it before the jump", "给它加个标签(名字: %[1]s ...)再 goto 过来, 或把它移到跳转之前", s.Kind.String()))
				} else {
					dg.hint(tr("add goto %s where it should run, or remove it", "在需要执行它的地方加 goto %s, 或者删掉它", s.Label))
				}
			}
			continue
		}
		if s.Kind != StepCall {
			continue
		}
		if !c.movesMoney(s.Op) {
			continue
		}
		sp := c.at(&s.Op, s.Pos)
		if in[i].spent && (!in[i].confirmed || !in[i].verified) {
			dg := c.d.errorf(sp.pos, sp.end, CodeUnsafeMoney, tr("call %s moves money, and a path comes back to it after a money-moving call ran, with no new confirm and verify: one code would move money twice",
				"调用 %s 会动钱, 但有的路径在一次动钱的调用之后又回到这里, 中间没有重新 confirm 和 verify: 一个验证码会动两次钱", s.Op))
			dg.hint(tr("after the call, end the flow or goto the confirm step (not past it), so the customer confirms and verifies again",
				"调用之后请结束流程, 或 goto 回到 confirm 步骤(不要跳过它), 让客户重新确认并输入验证码"))
			c.checkChangedArgs(s, in[i].changed)
			continue
		}
		var missing text
		switch {
		case !in[i].confirmed && !in[i].verified:
			missing = tr("a confirm step and then a verify step", "先 confirm(复述确认)再 verify(验证码)")
		case !in[i].confirmed:
			missing = tr("a confirm step", "confirm(复述确认)")
		case !in[i].verified:
			missing = tr("a verify step after the confirm", "confirm 之后的 verify(验证码)")
		}
		if !missing.empty() {
			dg := c.d.errorf(sp.pos, sp.end, CodeUnsafeMoney, tr("call %s moves money, but some path reaches it without %s", "调用 %s 会动钱, 但有的路径到达它之前没有经过%s", s.Op, missing))
			dg.hint(tr("put confirm \"...\" and then verify \"...\" before it, and make sure no goto jumps past them", "在它前面依次写 confirm \"...\" 和 verify \"...\", 并确保没有 goto 跳过它们"))
		}
		c.checkChangedArgs(s, in[i].changed)
	}
}

// movesMoney reports whether the operation (or stub) called name moves money.
func (c *checker) movesMoney(name string) bool {
	op, _, ok := c.op(name)
	return ok && op.MovesMoney
}

// checkChangedArgs reports the slots and results a money-moving call sends that some path
// may change after the customer confirmed the read-back (and so after the code was sent for
// it): the money would go where the customer did not confirm.
func (c *checker) checkChangedArgs(call *Step, ch changed) {
	reported := map[string]bool{}
	for _, a := range call.Args {
		for _, name := range exprRoots(a.Value) {
			at, ok := ch[name]
			if !ok || reported[name] {
				continue
			}
			reported[name] = true
			what := tr("set %s", "set %s", name)
			switch at.Kind {
			case StepAsk:
				what = tr("ask %s", "ask %s", name)
			case StepCall:
				what = tr("call %s(...) as %s", "call %s(...) as %s", at.Op, name)
			}
			sp := c.at(&at.Slot, at.Pos)
			if at.Kind == StepCall {
				sp = c.at(&at.Result, at.Pos)
			}
			if _, ok := c.spans[&at.Slot]; !ok && at.Kind != StepCall {
				sp = span{at.Pos, nameEnd(at.Pos, at.Kind.String())}
			}
			dg := c.d.errorf(sp.pos, sp.end, CodeUnsafeMoney, tr("%s may change %s after the customer confirmed it, before call %s sends it: money could go where the customer did not confirm",
				"%[1]s 可能在客户确认之后、调用 %[3]s 发送之前改变 %[2]s: 钱可能转到客户没有确认的地方", what, name, call.Op))
			dg.related(c.at(&call.Op, call.Pos).pos, tr("the call is at", "调用在"))
			dg.hint(tr("change values before the confirm step, or go back to it (goto confirm) so the customer confirms and verifies the new values",
				"请在 confirm 之前改值, 或改完后回到确认步骤(goto confirm), 让客户重新确认并输入验证码"))
		}
	}
}

// exprRoots lists the first names of the paths an expression reads, in order.
func exprRoots(e *Expr) []string {
	if e == nil {
		return nil
	}
	var out []string
	switch e.Op {
	case "path", "filled":
		if len(e.Path) > 0 {
			out = append(out, e.Path[0])
		}
	}
	for _, a := range e.Args {
		out = append(out, exprRoots(a)...)
	}
	return slices.Compact(out)
}
