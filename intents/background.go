package intents

import (
	_ "embed"
	"strings"
	"sync"
)

//go:embed background.txt
var backgroundText string

//go:embed rivals.txt
var rivalText string

// backgroundExamples returns the built-in out-of-scope utterances: a rival class for intent
// none, so that a message about the weather or a film lands nearer to them than to a banking
// intent it shares a word or two with. The calibration holds them out in folds: they are a
// sample of everyday messages. Read once; callers never modify the slice.
var backgroundExamples = sync.OnceValue(func() []string { return lines(backgroundText) })

// rivalExamples returns the built-in near-business utterances (rivals.txt): everyday
// messages that use a bank's words (医保卡丢了, 电费怎么这么贵, 支付宝余额怎么提现), learnt
// as intent none's examples beside the background. The calibration never holds them out:
// chosen to look like banking, they are no sample of what customers send. Read once; callers
// never modify the slice.
var rivalExamples = sync.OnceValue(func() []string { return lines(rivalText) })

// lines returns the non-blank lines of text that are not # comments, trimmed.
func lines(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out
}
