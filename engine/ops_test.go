package engine

import (
	"slices"
	"strings"
	"testing"

	"github.com/weiyin-bank/weiyin/dialogs"
)

// TestRegistryMatchesCatalogue ensures the engine's operation registry and the dialog
// language's operation catalogue (what the checker lets a flow call) describe the same
// operations: the same names, the same money-moving ones, and error codes the dialogs can
// handle. A drift here is a flow the checker passes and the engine cannot run, or a money
// operation the guard does not know moves money.
func TestRegistryMatchesCatalogue(t *testing.T) {
	for name, op := range dialogs.Ops {
		spec := registry[name]
		if spec == nil {
			t.Errorf("dialogs.Ops declares %q; the engine cannot run it", name)
			continue
		}
		if spec.MovesMoney != op.MovesMoney {
			t.Errorf("%s: moves money in the engine %v, in the catalogue %v", name, spec.MovesMoney, op.MovesMoney)
		}
		if spec.prepare == nil && name != "bind" {
			t.Errorf("%s: no prepare function", name)
		}
		for generic, specific := range spec.Errors {
			if !slices.Contains(op.Errors, specific) && !slices.Contains(dialogs.CommonErrors, specific) {
				t.Errorf("%s: the engine reports %q (for %q), which the catalogue does not list: no dialog can handle it", name, specific, generic)
			}
		}
	}
	for name := range registry {
		if _, ok := dialogs.Ops[name]; !ok {
			t.Errorf("the engine registers %q; the catalogue does not declare it", name)
		}
	}
}

// TestErrorRepliesCoverCodes ensures every error code a dialog can meet has words: a reply
// error_CODE among the engine's defaults, so a flow without an `on CODE` handler still tells
// the customer what happened instead of "系统开小差".
func TestErrorRepliesCoverCodes(t *testing.T) {
	for name, op := range dialogs.Ops {
		for _, code := range op.Errors {
			if _, ok := dialogs.DefaultReplies["error_"+code]; !ok {
				t.Errorf("%s: error %q has no default reply error_%s", name, code, code)
			}
		}
	}
}

// TestMoneyContext ensures a bare number counts as an amount only where the words around it
// pay or lend, never beside the cue of another number.
func TestMoneyContext(t *testing.T) {
	cases := []struct {
		text, num string
		want      bool
		why       string
	}{
		{"把建行卡里的5000转到我微银账户", "5000", true, "money in a card is an amount"},
		{"我想贷款5万", "5万", true, "a loan of a sum"},
		{"归集1000到活期", "1000", true, "collecting a sum"},
		{"5000转给张三", "5000", true, "a sum that moves"},
		{"交燃气费 户号123", "123", false, "a household number"},
		{"等我5分钟", "5", false, "a wait"},
		{"分3年还", "3", false, "a term"},
		{"卡号尾号1234", "1234", false, "a card tail"},
	}
	for _, c := range cases {
		rs := []rune(c.text)
		start := len([]rune(c.text[:strings.Index(c.text, c.num)]))
		if got := moneyContext(rs, start, start+len([]rune(c.num))); got != c.want {
			t.Errorf("%s (%s): moneyContext(%q) = %v, want %v", c.text, c.why, c.num, got, c.want)
		}
	}
}
