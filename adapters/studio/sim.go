package studio

import (
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/weiyin-bank/weiyin/engine"
	"github.com/weiyin-bank/weiyin/intents"
)

// use makes p the simulator's program (after a clean save). Sessions in a flow of the old
// version restart their flow, as on a live server.
func (s *Server) use(p *program) {
	s.simMu.Lock()
	defer s.simMu.Unlock()
	s.prog = p
	s.bot.Swap(p.engine)
}

// simReply is one simulated turn as the debug panel shows it.
type simReply struct {
	engine.Reply
	// Alternatives are the runner-up intents of the message, best first.
	Alternatives []intents.Candidate `json:"alternatives"`
	Ambiguous    bool                `json:"ambiguous,omitempty"`
	// Why is what `weiyin nlu --explain` prints for the message.
	Why string `json:"why,omitempty"`
	// Explain is the same explanation as data.
	Explain *intents.Explanation `json:"explain,omitempty"`
	// Node is the diagram node of Step in Flow's graph ("" when the bot waits nowhere).
	Node string `json:"node,omitempty"`
	User string `json:"user"`
}

// simUser is the user id the simulator speaks from, one per customer and conversation, and
// the customer it speaks as (the sandbox login; "" = an unbound follower).
func (s *Server) simUser(customer string) (user, as string, err error) {
	if customer == "" {
		return fmt.Sprintf("studio_guest_%d", s.sessions), "", nil
	}
	for _, c := range s.o.Customers {
		if c.ID == customer {
			return fmt.Sprintf("studio_%s_%d", c.ID, s.sessions), c.ID, nil
		}
	}
	return "", "", fmt.Errorf("no sandbox customer %q", customer)
}

// simTurn answers POST /api/sim {text, customer}: the bot's reply and the debug panel.
func (s *Server) simTurn(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Text     string `json:"text"`
		Customer string `json:"customer"`
	}
	if !decode(w, r, &req) {
		return
	}
	req.Text = strings.TrimSpace(req.Text)
	if req.Text == "" || !utf8.ValidString(req.Text) || utf8.RuneCountInString(req.Text) > engine.MaxMessageRunes {
		writeError(w, http.StatusBadRequest, "bad_request", fmt.Sprintf("text must be 1 to %d characters", engine.MaxMessageRunes))
		return
	}
	s.simMu.Lock()
	defer s.simMu.Unlock()
	user, as, err := s.simUser(req.Customer)
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_customer", err.Error())
		return
	}
	s.trace.start()
	rep, err := s.bot.Turn(r.Context(), user, engine.Message{Text: req.Text, As: as})
	text, nctx, res, traced := s.trace.stop()
	if err != nil {
		writeError(w, http.StatusBadGateway, "turn_failed", err.Error())
		return
	}
	out := simReply{Reply: rep, User: user, Alternatives: []intents.Candidate{}}
	if traced {
		if res.Alternatives != nil {
			out.Alternatives = res.Alternatives
		}
		out.Ambiguous = res.Ambiguous
		x := s.prog.nlu.Explain(text, nctx)
		var b strings.Builder
		if x.Write(&b) == nil {
			out.Why = b.String()
		}
		out.Explain = &x
	}
	if f := s.prog.bundle.Flows[rep.Flow]; f != nil && rep.Step != "" {
		out.Node = stepNodes(f)[rep.Step]
	}
	writeJSON(w, http.StatusOK, out)
}

// simReset answers POST /api/sim/reset: the next turn starts a new conversation.
func (s *Server) simReset(w http.ResponseWriter, r *http.Request) {
	var req struct{}
	if !decode(w, r, &req) {
		return
	}
	s.simMu.Lock()
	s.sessions++
	s.simMu.Unlock()
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}
