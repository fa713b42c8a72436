package engine_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/weiyin-bank/weiyin/dialogs"
	"github.com/weiyin-bank/weiyin/engine"
)

// TestDefaultRepliesKnownToChecker ensures the checker and the engine agree on the reserved
// replies: every reply the engine has default words for is one the checker knows as optional
// (or error_CODE for a code it knows), and every optional reply has default words, so that a
// bot leaving it out still answers and a misspelt one is caught.
func TestDefaultRepliesKnownToChecker(t *testing.T) {
	optional := dialogs.OptionalReplies()
	codes := dialogs.ErrorCodes(dialogs.DefaultCatalogue())
	defaults := engine.DefaultReplyNames()
	for _, name := range defaults {
		if code, ok := strings.CutPrefix(name, dialogs.ErrorReplyPrefix); ok {
			if !slices.Contains(codes, code) {
				t.Errorf("engine default %s: the checker knows no error code %q", name, code)
			}
			continue
		}
		if !slices.Contains(optional, name) {
			t.Errorf("engine default %s is not an optional reply of the checker (dialogs/ops.go)", name)
		}
	}
	for _, name := range optional {
		if !slices.Contains(defaults, name) {
			t.Errorf("optional reply %s has no default words in the engine (dialogs.DefaultReplies)", name)
		}
	}
	for _, name := range dialogs.RequiredReplies() {
		if slices.Contains(defaults, name) {
			t.Errorf("required reply %s has default words: make it optional", name)
		}
	}
}
