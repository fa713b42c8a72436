package transcript

import (
	"fmt"
	"io"
	"sort"

	"github.com/weiyin-bank/weiyin/dialogs"
)

// idle is the state between flows in transition names.
const idle = "-"

// Coverage tells which parts of a bot a replay exercised.
type Coverage struct {
	Intents     Tally `json:"intents"`
	Flows       Tally `json:"flows"`
	Steps       Tally `json:"steps"`       // flow.step for every step the bot can wait at
	Transitions Tally `json:"transitions"` // flow.step -> flow.step along each flow's order and gotos
	// Unplanned lists transitions seen that are not in the flows' order (slot prefill, retries,
	// digressions), for information.
	Unplanned []string `json:"unplanned,omitempty"`
}

// Tally counts the defined items of one kind and those hit.
type Tally struct {
	Total  int      `json:"total"`
	Hit    int      `json:"hit"`
	Missed []string `json:"missed"` // defined, never hit, sorted
}

// Percent is the share of defined items hit, 100 when nothing is defined.
func (t Tally) Percent() float64 {
	if t.Total == 0 {
		return 100
	}
	return 100 * float64(t.Hit) / float64(t.Total)
}

func tally(defined []string, hit map[string]bool) Tally {
	t := Tally{Total: len(defined), Missed: []string{}}
	for _, d := range defined {
		if hit[d] {
			t.Hit++
		} else {
			t.Missed = append(t.Missed, d)
		}
	}
	sort.Strings(t.Missed)
	return t
}

// waitSteps returns the labels of a flow's top-level steps the bot can wait at (ask, confirm,
// verify), in order, with the implicit labels the language gives them.
func waitSteps(f *dialogs.Flow) []string {
	var out []string
	for _, s := range f.Steps {
		if l := WaitLabel(s); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// WaitLabel is the label the engine gives a step the bot waits at (Reply.Step): its label,
// else an ask's slot or a confirm's or verify's kind; "" for steps the bot never waits at.
func WaitLabel(s *dialogs.Step) string {
	switch s.Kind {
	case dialogs.StepAsk:
		if s.Label != "" {
			return s.Label
		}
		return s.Slot
	case dialogs.StepConfirm, dialogs.StepVerify:
		if s.Label != "" {
			return s.Label
		}
		return s.Kind.String()
	}
	return ""
}

// plannedTransitions lists a flow's transitions: entering at its first waiting step, each
// waiting step to the next, the last one to the end, and every goto back to a waiting step
// from the waiting step before it.
func plannedTransitions(f *dialogs.Flow) []string {
	name := func(l string) string {
		if l == idle {
			return idle
		}
		return f.Name + "." + l
	}
	set := map[string]bool{}
	add := func(from, to string) { set[name(from)+" -> "+name(to)] = true }
	prev := idle
	for _, s := range f.Steps {
		if l := WaitLabel(s); l != "" {
			add(prev, l)
			prev = l
		}
		for _, target := range gotoTargets(s) {
			if to := waitAtOrAfter(f, target); to != "" && prev != idle {
				add(prev, to)
			}
		}
	}
	add(prev, idle)
	return sortedKeys(set)
}

// gotoTargets lists the labels a step's blocks jump to.
func gotoTargets(s *dialogs.Step) []string {
	var out []string
	var walk func([]*dialogs.Step)
	walk = func(ss []*dialogs.Step) {
		for _, a := range ss {
			if a == nil {
				continue
			}
			if a.Kind == dialogs.StepGoto && a.Target != "" {
				out = append(out, a.Target)
			}
			walk(a.Then)
			walk(a.Else)
			walk(a.Yes)
			walk(a.No)
			for _, h := range a.Handlers {
				walk(h.Actions)
			}
		}
	}
	walk([]*dialogs.Step{s})
	return out
}

// waitAtOrAfter is the first waiting step at or after the step labelled label.
func waitAtOrAfter(f *dialogs.Flow, label string) string {
	i, ok := f.Labels[label]
	if !ok {
		for k, s := range f.Steps {
			if WaitLabel(s) == label {
				i, ok = k, true
				break
			}
		}
	}
	if !ok {
		return ""
	}
	for ; i < len(f.Steps); i++ {
		if l := WaitLabel(f.Steps[i]); l != "" {
			return l
		}
	}
	return ""
}

// ComputeCoverage compares what the report's runs exercised with what the bundle defines.
// An intent is hit when a reply named it; a flow when a reply left it active or named an
// intent that starts it (flows may finish within one turn); a step when the bot waited at it.
func ComputeCoverage(b *dialogs.Bundle, r *Report) *Coverage {
	hitIntent, hitFlow, hitStep, hitTrans := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, res := range r.Results {
		prev := idle
		for _, t := range res.Turns {
			rep := t.Reply
			if rep.Intent != "" {
				hitIntent[rep.Intent] = true
				if f := b.StartedBy[rep.Intent]; f != "" {
					hitFlow[f] = true
				}
			}
			state := idle
			if rep.Flow != "" {
				hitFlow[rep.Flow] = true
				state = rep.Flow
				if rep.Step != "" {
					state = rep.Flow + "." + rep.Step
					hitStep[state] = true
				}
			}
			hitTrans[prev+" -> "+state] = true
			prev = state
		}
	}
	var steps, trans []string
	planned := map[string]bool{}
	for _, fn := range b.FlowNames {
		f := b.Flows[fn]
		for _, l := range waitSteps(f) {
			steps = append(steps, fn+"."+l)
		}
		for _, t := range plannedTransitions(f) {
			trans = append(trans, t)
			planned[t] = true
		}
	}
	c := &Coverage{
		Intents:     tally(b.IntentNames, hitIntent),
		Flows:       tally(b.FlowNames, hitFlow),
		Steps:       tally(steps, hitStep),
		Transitions: tally(trans, hitTrans),
	}
	for _, t := range sortedKeys(hitTrans) {
		if !planned[t] && t != idle+" -> "+idle {
			c.Unplanned = append(c.Unplanned, t)
		}
	}
	return c
}

// WriteText writes the coverage summary and what was never hit.
func (c *Coverage) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	for _, row := range []struct {
		name string
		t    Tally
	}{{"intents", c.Intents}, {"flows", c.Flows}, {"steps", c.Steps}, {"transitions", c.Transitions}} {
		ew.printf("coverage: %-11s %3d/%-3d %5.1f%%\n", row.name, row.t.Hit, row.t.Total, row.t.Percent())
		for _, m := range row.t.Missed {
			ew.printf("  never hit: %s\n", m)
		}
	}
	if len(c.Unplanned) > 0 {
		ew.printf("coverage: %d other transitions seen (prefilled slots, retries, digressions)\n", len(c.Unplanned))
	}
	return ew.err
}

// String is a one-line summary.
func (c *Coverage) String() string {
	return fmt.Sprintf("intents %.0f%%, flows %.0f%%, steps %.0f%%, transitions %.0f%%",
		c.Intents.Percent(), c.Flows.Percent(), c.Steps.Percent(), c.Transitions.Percent())
}
