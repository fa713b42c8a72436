package dialogs

// The control-flow checks: which top-level steps can run, and whether every path to a
// money-moving call passes a confirm and a verify. Nodes are the flow's top-level steps;
// blocks (yes/no/on/if/else, fallbacks) only contribute jumps.

// edge is a way out of a step: to step `to` (-1: the flow ends) carrying the facts gained
// on the way (confirmed, verified).
type edge struct {
	to        int
	confirmed bool
	verified  bool
}

const exitNode = -1

// blockExit is where a block of actions leaves to: the first jump in it, or next when it has none.
func blockExit(f *Flow, acts []*Step, next int) int {
	for _, a := range acts {
		switch a.Kind {
		case StepGoto:
			if i, ok := f.Labels[a.Target]; ok {
				return i
			}
			return exitNode
		case StepEnd, StepHandoff, StepStart:
			return exitNode
		}
	}
	return next
}

func jumpTarget(f *Flow, j *Step) int {
	if j == nil {
		return exitNode
	}
	return blockExit(f, []*Step{j}, exitNode)
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
		return []edge{{to: blockExit(f, []*Step{s}, exitNode)}}
	case StepIf:
		return []edge{{to: blockExit(f, s.Then, next)}, {to: blockExit(f, s.Else, next)}}
	case StepAsk:
		return []edge{{to: next}, {to: jumpTarget(f, s.Fallback)}}
	case StepConfirm:
		no := exitNode
		if s.No != nil {
			no = blockExit(f, s.No, next)
		}
		return []edge{{to: blockExit(f, s.Yes, next), confirmed: true}, {to: no}}
	case StepVerify:
		return []edge{{to: next, verified: true}, {to: jumpTarget(f, s.Fallback)}}
	case StepCall:
		out := []edge{{to: next}}
		for _, h := range s.Handlers {
			out = append(out, edge{to: blockExit(f, h.Actions, next)})
		}
		return out
	}
	return []edge{{to: next}}
}

// facts are what holds on every path reaching a step.
type facts struct{ reached, confirmed, verified bool }

func (c *checker) checkPaths(f *Flow) {
	n := len(f.Steps)
	if n == 0 {
		sp := c.at(&f.Name, f.Pos)
		c.d.errorf(sp.pos, sp.end, CodeMissingPrompt, "flow %q has no steps", f.Name).Hint = `add what the bot should do, e.g. say "..."`
		return
	}
	in := make([]facts, n)
	in[0] = facts{reached: true}
	// Must-analysis to a fixed point: a fact holds at a step when it holds on every edge in.
	for changed := true; changed; {
		changed = false
		for i := 0; i < n; i++ {
			if !in[i].reached {
				continue
			}
			for _, e := range stepEdges(f, i) {
				if e.to == exitNode {
					continue
				}
				out := facts{reached: true, confirmed: in[i].confirmed || e.confirmed, verified: in[i].verified || e.verified}
				cur := in[e.to]
				var merged facts
				if !cur.reached {
					merged = out
				} else {
					merged = facts{reached: true, confirmed: cur.confirmed && out.confirmed, verified: cur.verified && out.verified}
				}
				if e.to == 0 {
					merged.confirmed, merged.verified = false, false // the flow's entry has no facts
				}
				if merged != cur {
					in[e.to] = merged
					changed = true
				}
			}
		}
	}
	for i, s := range f.Steps {
		if !in[i].reached {
			if (i == 0 || in[i-1].reached) && !c.badGoto[f] {
				msg := "this step can never run: the step before it always goes elsewhere, and no goto jumps here"
				dg := c.d.errorf(s.Pos, nameEnd(s.Pos, s.Kind.String()), CodeUnreachable, "%s", msg)
				if s.Label == "" {
					dg.Hint = "give it a label (NAME: " + s.Kind.String() + " ...) and goto it, or move it before the jump"
				} else {
					dg.Hint = "add goto " + s.Label + " where it should run, or remove it"
				}
			}
			continue
		}
		if s.Kind != StepCall {
			continue
		}
		op, ok := Ops[s.Op]
		if !ok || !op.MovesMoney {
			continue
		}
		var missing string
		switch {
		case !in[i].confirmed && !in[i].verified:
			missing = "a confirm step and a verify step"
		case !in[i].confirmed:
			missing = "a confirm step"
		case !in[i].verified:
			missing = "a verify step"
		default:
			continue
		}
		sp := c.at(&s.Op, s.Pos)
		dg := c.d.errorf(sp.pos, sp.end, CodeUnsafeMoney, "call %s moves money, but some path reaches it without %s", s.Op, missing)
		dg.Hint = "put confirm \"...\" and verify \"...\" before it, and make sure no goto jumps past them"
	}
}
