package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/weiyin-bank/weiyin/dialogs"
)

// Stub operations: staff prototype a flow whose bank call does not exist yet by declaring it
// in the dialogs (`stub NAME { ... }`). On the sandbox bank (Config.AllowStubs) a call to a
// stub answers with the declared example results and reaches no bank; a money-moving stub
// still passes the money guard (read-back, confirmation, code). Elsewhere a bundle with stubs
// is refused: New and Accepts return an error, and a call to a stub fails as unavailable.

// Accepts reports whether the bot may run p: a program declaring stub operations runs only
// on a bot configured with AllowStubs (the sandbox bank).
func (b *Bot) Accepts(p *Program) error {
	return acceptStubs(p, b.cfg.AllowStubs)
}

func acceptStubs(p *Program, allow bool) error {
	if allow || p == nil || p.Bundle == nil || len(p.Bundle.Stubs) == 0 {
		return nil
	}
	return fmt.Errorf("the dialogs declare stub operations (%s), which answer with made-up results: they run only on the sandbox bank",
		strings.Join(p.Bundle.StubNames(), ", "))
}

// stubSpec is the operation a call to stub s runs.
func stubSpec(s *dialogs.Stub) *opSpec {
	return &opSpec{Name: s.Op.Name, MovesMoney: s.Op.MovesMoney, ReadOnly: !s.Op.MovesMoney,
		prepare: func(_ context.Context, _ Bank, c opCall) (prepared, error) {
			op := Operation{Name: s.Op.Name, Fields: map[string]string{}}
			for k, v := range c.args {
				op.Fields[k] = textOrV(v)
			}
			return prepared{op: op, run: func(context.Context, string, string) (map[string]any, error) {
				return s.Results(), nil
			}}, nil
		}}
}
