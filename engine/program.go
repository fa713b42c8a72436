package engine

import (
	"fmt"
	"slices"
	"strconv"
	"sync"

	"github.com/weiyin-bank/weiyin/dialogs"
)

// Program is a loaded bot: a checked bundle, the NLU built from it and what the engine
// resolved from them once (step labels, guarded calls, follow-up intents). Immutable once it
// runs; safe for concurrent use.
type Program struct {
	Bundle *dialogs.Bundle
	NLU    NLU
	// Version identifies the bundle (a content hash); sessions in a flow keep theirs and never
	// resume on another version's steps.
	Version string

	once  sync.Once
	flows map[string]*flowProg
}

// Compile returns the program for a checked bundle. Bot.New and Bot.Swap compile a Program
// built as a literal too; compiling twice is harmless.
func Compile(b *dialogs.Bundle, nlu NLU, version string) *Program {
	p := &Program{Bundle: b, NLU: nlu, Version: version}
	p.compile()
	return p
}

func (p *Program) compile() {
	p.once.Do(func() {
		p.flows = make(map[string]*flowProg, len(p.Bundle.Flows))
		for name, fl := range p.Bundle.Flows {
			p.flows[name] = compileFlow(fl)
		}
	})
}

// flow returns the compiled flow called name, or nil.
func (p *Program) flow(name string) *flowProg {
	p.compile()
	return p.flows[name]
}

// flowProg is one flow as the runtime walks it.
type flowProg struct {
	*dialogs.Flow
	// labels names every top-level step stably: its own label, else its kind and subject
	// ("confirm", "call:transfer", "say#2"). Sessions store labels, never indices.
	labels []string
	index  map[string]int
	// guards maps a confirm or verify step to the call step it protects: the next call after
	// it. A money-moving call is run only with a confirmation and a code for exactly its
	// arguments (see guard.go).
	guards map[int]int
	// confirmOf and verifyOf map a call step to the confirm and verify steps guarding it.
	confirmOf, verifyOf map[int]int
	// askOf maps a slot to the first step asking for it, for validation and corrections.
	askOf map[string]int
	// intent is the first intent that starts the flow (deterministic follow-ups).
	intent string
	// dependents maps a slot to the slots whose question names it: the account number asked
	// as "请输入{utility}缴费户号" depends on utility. When a slot gets a new value, the values
	// of its dependents given earlier no longer answer the question asked and are asked again.
	dependents map[string][]string
}

func compileFlow(fl *dialogs.Flow) *flowProg {
	fp := &flowProg{Flow: fl, index: map[string]int{}, guards: map[int]int{}, confirmOf: map[int]int{},
		verifyOf: map[int]int{}, askOf: map[string]int{}, dependents: map[string][]string{}}
	if len(fl.StartOn) > 0 {
		fp.intent = fl.StartOn[0]
	}
	seen := map[string]int{}
	for i, st := range fl.Steps {
		label := st.Label
		if label == "" {
			label = st.Kind.String()
			switch st.Kind {
			case dialogs.StepAsk, dialogs.StepSet:
				label += ":" + st.Slot
			case dialogs.StepCall:
				label += ":" + st.Op
			case dialogs.StepGoto, dialogs.StepStart:
				label += ":" + st.Target
			}
			seen[label]++
			if n := seen[label]; n > 1 {
				label += "#" + strconv.Itoa(n)
			}
		}
		if _, dup := fp.index[label]; dup { // the checker refuses duplicate labels; stay total
			label = fmt.Sprintf("%s@%d", label, i)
		}
		fp.labels = append(fp.labels, label)
		fp.index[label] = i
		if st.Kind == dialogs.StepAsk {
			if _, ok := fp.askOf[st.Slot]; !ok {
				fp.askOf[st.Slot] = i
			}
			for _, ref := range askRefs(st) {
				if ref != st.Slot && fl.Slot(ref) != nil && !slices.Contains(fp.dependents[ref], st.Slot) {
					fp.dependents[ref] = append(fp.dependents[ref], st.Slot)
				}
			}
		}
	}
	for i, st := range fl.Steps {
		if st.Kind != dialogs.StepConfirm && st.Kind != dialogs.StepVerify {
			continue
		}
		for j := i + 1; j < len(fl.Steps); j++ {
			if fl.Steps[j].Kind == dialogs.StepCall {
				fp.guards[i] = j
				if st.Kind == dialogs.StepConfirm {
					fp.confirmOf[j] = i
				} else {
					fp.verifyOf[j] = i
				}
				break
			}
		}
	}
	return fp
}

// askRefs lists the names an ask step's question and validations refer to (first path
// element of each placeholder and expression).
func askRefs(st *dialogs.Step) []string {
	var refs []string
	var expr func(e *dialogs.Expr)
	expr = func(e *dialogs.Expr) {
		if e == nil {
			return
		}
		if len(e.Path) > 0 {
			refs = append(refs, e.Path[0])
		}
		for _, a := range e.Args {
			expr(a)
		}
	}
	tmpl := func(t *dialogs.Template) {
		if t == nil {
			return
		}
		for _, p := range t.Parts {
			if len(p.Path) > 0 {
				refs = append(refs, p.Path[0])
			}
		}
	}
	tmpl(st.Prompt)
	for _, v := range st.Validations {
		expr(v.Cond)
		tmpl(v.Message)
	}
	return refs
}

// label is the stable name of step i.
func (fp *flowProg) label(i int) string {
	if i >= 0 && i < len(fp.labels) {
		return fp.labels[i]
	}
	return ""
}
