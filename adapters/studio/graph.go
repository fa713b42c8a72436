package studio

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/weiyin-bank/weiyin/dialogs"
	"github.com/weiyin-bank/weiyin/engine/transcript"
)

// listFlows answers GET /api/flows: the simulator's flows, in declaration order.
func (s *Server) listFlows(w http.ResponseWriter, r *http.Request) {
	s.simMu.Lock()
	b := s.prog.bundle
	s.simMu.Unlock()
	type flow struct {
		Name  string `json:"name"`
		Title string `json:"title"`
	}
	out := []flow{}
	for _, n := range b.FlowNames {
		out = append(out, flow{n, b.Flows[n].Title})
	}
	writeJSON(w, http.StatusOK, map[string]any{"flows": out})
}

// stepNodes maps the labels a flow can wait at (Reply.Step) to their diagram nodes (the ids
// dialogs.Graph gives top-level steps: s0, s1, ...). A step without a label is named as the
// engine names it: an ask by its slot, a confirm or verify by its kind.
func stepNodes(f *dialogs.Flow) map[string]string {
	m := map[string]string{}
	for i, st := range f.Steps {
		id := fmt.Sprintf("s%d", i)
		if st.Label != "" {
			m[st.Label] = id
		}
		if l := transcript.WaitLabel(st); l != "" {
			m[l] = id
		}
	}
	return m
}

// graphAnswer is a flow's diagram: Mermaid source with the coverage classes applied, and where
// each waiting step is drawn.
type graphAnswer struct {
	Flow    string            `json:"flow"`
	Mermaid string            `json:"mermaid"`
	Nodes   map[string]string `json:"nodes"` // step label -> node id
	// Coverage is set when asked for (?coverage=1) and a transcript suite is configured.
	Coverage *flowCoverage `json:"coverage,omitempty"`
}

type flowCoverage struct {
	Hit    []string `json:"hit"`    // waiting steps some transcript reached
	Missed []string `json:"missed"` // waiting steps none reached
	Suite  struct {
		Runs   int `json:"runs"`
		Failed int `json:"failed"`
	} `json:"suite"`
}

// graph answers GET /api/graph?flow=NAME[&coverage=1][&current=STEP].
func (s *Server) graph(w http.ResponseWriter, r *http.Request) {
	s.simMu.Lock()
	p := s.prog
	s.simMu.Unlock()
	name := r.URL.Query().Get("flow")
	_, mer, err := dialogs.Graph(p.bundle, name)
	if err != nil {
		writeError(w, http.StatusNotFound, "unknown_flow", err.Error())
		return
	}
	f := p.bundle.Flows[name]
	ans := graphAnswer{Flow: name, Nodes: stepNodes(f)}
	var classes []string
	if r.URL.Query().Get("coverage") == "1" && s.o.Replay != nil {
		cov, rep, err := s.coverage(r.Context(), p)
		if err != nil {
			writeError(w, http.StatusInternalServerError, "replay_failed", err.Error())
			return
		}
		fc := &flowCoverage{Hit: []string{}, Missed: []string{}}
		fc.Suite.Runs, fc.Suite.Failed = len(rep.Results), rep.Failed()
		missed := map[string]bool{}
		for _, m := range cov.Steps.Missed {
			if l, ok := strings.CutPrefix(m, name+"."); ok {
				missed[l] = true
			}
		}
		for _, st := range f.Steps {
			l := transcript.WaitLabel(st)
			if l == "" {
				continue
			}
			id := ans.Nodes[l]
			if missed[l] {
				fc.Missed = append(fc.Missed, l)
				classes = append(classes, "class "+id+" missed")
			} else {
				fc.Hit = append(fc.Hit, l)
				classes = append(classes, "class "+id+" covered")
			}
		}
		ans.Coverage = fc
	}
	if id := ans.Nodes[r.URL.Query().Get("current")]; id != "" {
		classes = append(classes, "class "+id+" current")
	}
	var b strings.Builder
	b.WriteString(strings.TrimRight(mer, "\n"))
	b.WriteString("\n  classDef covered fill:#e3f6e8,stroke:#2e8b57,stroke-width:2px\n")
	b.WriteString("  classDef missed fill:#fff4e0,stroke:#d98a00,stroke-width:2px,stroke-dasharray:5 3\n")
	b.WriteString("  classDef current fill:#ffe066,stroke:#c0392b,stroke-width:4px\n")
	for _, c := range classes {
		b.WriteString("  " + c + "\n")
	}
	ans.Mermaid = b.String()
	writeJSON(w, http.StatusOK, ans)
}

// coverage replays the transcript suite against p once per program version.
func (s *Server) coverage(ctx context.Context, p *program) (*transcript.Coverage, *transcript.Report, error) {
	s.covMu.Lock()
	defer s.covMu.Unlock()
	if c, ok := s.cov[p.engine.Version]; ok {
		return c.cov, c.rep, nil
	}
	rep, err := s.o.Replay(ctx, p.engine)
	if err != nil {
		return nil, nil, err
	}
	c := &covered{cov: transcript.ComputeCoverage(p.bundle, rep), rep: rep}
	s.cov[p.engine.Version] = c
	return c.cov, c.rep, nil
}

type covered struct {
	cov *transcript.Coverage
	rep *transcript.Report
}
