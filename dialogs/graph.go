package dialogs

import (
	"fmt"
	"strings"
)

// Graph draws a flow as Graphviz DOT and as Mermaid: one node per top-level step (label, kind
// and a short text), edges for the order of steps, goto and start jumps, confirm yes/no, call
// error handlers (labelled with the error code), ask retries and fallbacks, and terminal
// nodes for end, handoff and cancel. The two outputs describe the same graph.
func Graph(b *Bundle, flow string) (dot, mermaid string, err error) {
	if b == nil {
		return "", "", fmt.Errorf("graph: no bundle")
	}
	f, ok := b.Flows[flow]
	if !ok {
		names := append([]string(nil), b.FlowNames...)
		return "", "", fmt.Errorf("graph: unknown flow %q; %s", flow, didYouMean(flow, names, tr("the flows are: %s", "", listOf(names))).en)
	}
	g := buildGraph(f)
	return g.dot(f), g.mermaid(f), nil
}

type gnode struct {
	id    string
	text  string
	shape string // box, diamond, terminal
}

type gedge struct{ from, to, label string }

type flowGraph struct {
	nodes []gnode
	edges []gedge
	terms map[string]bool
}

func short(t *Template, n int) string {
	if t == nil {
		return ""
	}
	r := []rune(strings.ReplaceAll(t.Source, "\n", " "))
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return string(r)
}

func (g *flowGraph) terminal(id, text string) string {
	if !g.terms[id] {
		g.terms[id] = true
		g.nodes = append(g.nodes, gnode{id: id, text: text, shape: "terminal"})
	}
	return id
}

// target is the node a jump goes to.
func (g *flowGraph) target(f *Flow, j *Step) string {
	switch j.Kind {
	case StepGoto:
		if i, ok := f.Labels[j.Target]; ok {
			return fmt.Sprintf("s%d", i)
		}
		return g.terminal("unknown_"+j.Target, "? "+j.Target)
	case StepHandoff:
		return g.terminal("t_handoff", "handoff")
	case StepStart:
		return g.terminal("t_start_"+j.Target, "start "+j.Target)
	}
	return g.terminal("t_end", "end")
}

// block adds the edge for where a block of actions leaves to.
func (g *flowGraph) block(f *Flow, from string, acts []*Step, next, label string) {
	var says []string
	for _, a := range acts {
		if isJump(a) {
			g.edges = append(g.edges, gedge{from, g.target(f, a), joinLabel(label, says)})
			return
		}
		switch a.Kind {
		case StepSay:
			says = append(says, "say "+short(a.Prompt, 12))
		case StepSet:
			says = append(says, "set "+a.Slot)
		}
	}
	g.edges = append(g.edges, gedge{from, next, joinLabel(label, says)})
}

func joinLabel(label string, extra []string) string {
	if len(extra) == 0 {
		return label
	}
	return label + ": " + strings.Join(extra, "; ")
}

func stepText(s *Step) string {
	switch s.Kind {
	case StepAsk:
		return "ask " + s.Slot + "\n" + short(s.Prompt, 16)
	case StepConfirm, StepVerify, StepSay:
		t := s.Kind.String() + "\n" + short(s.Prompt, 16)
		if s.Each != nil {
			t += "\neach " + exprString(s.Each)
		}
		return t
	case StepCall:
		t := "call " + s.Op
		if s.Result != "" {
			t += " as " + s.Result
		}
		return t
	case StepIf:
		return "if " + exprString(s.Cond)
	case StepSet:
		return "set " + s.Slot + " = " + exprString(s.Value)
	case StepGoto, StepStart:
		return s.Kind.String() + " " + s.Target
	}
	if s.Prompt != nil {
		return s.Kind.String() + "\n" + short(s.Prompt, 16)
	}
	return s.Kind.String()
}

func buildGraph(f *Flow) *flowGraph {
	g := &flowGraph{terms: map[string]bool{}}
	g.nodes = append(g.nodes, gnode{id: "start", text: "start " + f.Name, shape: "terminal"})
	if len(f.Steps) == 0 {
		g.edges = append(g.edges, gedge{"start", g.terminal("t_end", "end"), ""})
		return g
	}
	g.edges = append(g.edges, gedge{"start", "s0", ""})
	for i, s := range f.Steps {
		id := fmt.Sprintf("s%d", i)
		text := stepText(s)
		if s.Label != "" && s.Kind != StepAsk && s.Label != s.Kind.String() {
			text = s.Label + ": " + text
		}
		shape := "box"
		if s.Kind == StepIf || s.Kind == StepConfirm {
			shape = "diamond"
		}
		g.nodes = append(g.nodes, gnode{id: id, text: text, shape: shape})
		next := fmt.Sprintf("s%d", i+1)
		if i+1 == len(f.Steps) {
			next = g.terminal("t_end", "end")
		}
		switch s.Kind {
		case StepGoto, StepEnd, StepHandoff, StepStart:
			g.edges = append(g.edges, gedge{id, g.target(f, s), ""})
		case StepIf:
			g.block(f, id, s.Then, next, "then")
			g.block(f, id, s.Else, next, "else")
		case StepAsk:
			g.edges = append(g.edges, gedge{id, next, "filled"})
			if s.Fallback != nil {
				g.edges = append(g.edges, gedge{id, g.target(f, s.Fallback), fallbackLabel(len(s.Retries))})
			}
		case StepConfirm:
			g.block(f, id, s.Yes, next, "yes")
			if s.No == nil {
				g.edges = append(g.edges, gedge{id, g.terminal("t_cancel", "cancelled"), "no"})
			} else {
				g.block(f, id, s.No, next, "no")
			}
		case StepVerify:
			g.edges = append(g.edges, gedge{id, next, "code ok"})
			if s.Fallback != nil {
				g.edges = append(g.edges, gedge{id, g.target(f, s.Fallback), "locked"})
			}
		case StepCall:
			g.edges = append(g.edges, gedge{id, next, "ok"})
			handledAny := false
			for _, h := range s.Handlers {
				g.block(f, id, h.Actions, next, h.Code)
				handledAny = handledAny || h.Code == "any"
			}
			if !handledAny {
				g.edges = append(g.edges, gedge{id, g.terminal("t_error", "error reply"), "other errors"})
			}
		default:
			g.edges = append(g.edges, gedge{id, next, ""})
		}
	}
	return g
}

func dotQuote(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, `"`, `\"`)
	return `"` + strings.ReplaceAll(s, "\n", `\n`) + `"`
}

func (g *flowGraph) dot(f *Flow) string {
	var b strings.Builder
	fmt.Fprintf(&b, "digraph %s {\n", dotQuote(f.Name))
	title := f.Name
	if f.Title != "" {
		title += " " + f.Title
	}
	fmt.Fprintf(&b, "  label=%s;\n  labelloc=t;\n  node [fontname=\"sans-serif\", shape=box, style=rounded];\n  edge [fontname=\"sans-serif\", fontsize=10];\n", dotQuote(title))
	for _, n := range g.nodes {
		attrs := ""
		switch n.shape {
		case "diamond":
			attrs = ", shape=diamond, style=solid"
		case "terminal":
			attrs = ", shape=ellipse, style=filled, fillcolor=lightgrey"
		}
		fmt.Fprintf(&b, "  %s [label=%s%s];\n", n.id, dotQuote(n.text), attrs)
	}
	for _, e := range g.edges {
		if e.label != "" {
			fmt.Fprintf(&b, "  %s -> %s [label=%s];\n", e.from, e.to, dotQuote(e.label))
		} else {
			fmt.Fprintf(&b, "  %s -> %s;\n", e.from, e.to)
		}
	}
	b.WriteString("}\n")
	return b.String()
}

func mermaidText(s string) string {
	r := strings.NewReplacer(`"`, "#quot;", "\n", "<br/>", "|", "#124;", "<", "#lt;", ">", "#gt;")
	return r.Replace(s)
}

func (g *flowGraph) mermaid(f *Flow) string {
	var b strings.Builder
	b.WriteString("flowchart TD\n")
	for _, n := range g.nodes {
		t := mermaidText(n.text)
		switch n.shape {
		case "diamond":
			fmt.Fprintf(&b, "  %s{\"%s\"}\n", n.id, t)
		case "terminal":
			fmt.Fprintf(&b, "  %s([\"%s\"])\n", n.id, t)
		default:
			fmt.Fprintf(&b, "  %s[\"%s\"]\n", n.id, t)
		}
	}
	for _, e := range g.edges {
		if e.label != "" {
			fmt.Fprintf(&b, "  %s -->|\"%s\"| %s\n", e.from, mermaidText(e.label), e.to)
		} else {
			fmt.Fprintf(&b, "  %s --> %s\n", e.from, e.to)
		}
	}
	return b.String()
}

func fallbackLabel(retries int) string {
	if retries == 0 {
		return "fallback"
	}
	return fmt.Sprintf("fallback after %d retries", retries)
}
