package intents

import (
	_ "embed"
	"strings"
)

//go:embed background.txt
var backgroundText string

// backgroundExamples returns the built-in out-of-scope utterances: a rival class for intent
// none, so that a message about the weather or a film lands nearer to them than to a banking
// intent it shares a word or two with.
func backgroundExamples() []string {
	var out []string
	for _, line := range strings.Split(backgroundText, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out
}
