package transcript

import (
	"fmt"
	"sort"
	"strings"

	"github.com/weiyin-bank/weiyin/engine"
)

// noMoreText stands for a missing bot message in failures.
const noMoreText = "(机器人没有更多回复)"

// checkBot checks one #bot section against the message it consumed (present is false when
// the reply had no text left) and the turn's reply. It returns the failed checks.
func checkBot(step Step, msg string, present bool, rep engine.Reply, utts map[string]*Utterances) []Check {
	var out []Check
	actual := msg
	if !present {
		actual = noMoreText
	}
	if step.Text != "" {
		cands := []string{step.Text}
		if u, ok := utts[step.Text]; ok {
			cands = u.Lines
		}
		ok := false
		for _, c := range cands {
			if present && matchWildcard(msg, c) {
				ok = true
				break
			}
		}
		if step.Not && present {
			ok = !ok
		}
		if !ok {
			c := Check{Line: step.TextLine, What: "text", Expected: step.Text, Actual: actual}
			if step.Not {
				c.Expected = "不包含: " + step.Text
			} else if len(cands) == 1 && present && !strings.Contains(step.Text, "*") {
				c.Diff = inlineDiff(step.Text, msg)
			}
			out = append(out, c)
		}
	}
	for _, d := range step.Directives {
		if c, failed := assert(d, actual, present, rep); failed {
			out = append(out, c)
		}
	}
	return out
}

// assert evaluates one asserter; it returns the check and whether it failed.
func assert(d Directive, msg string, present bool, rep engine.Reply) (Check, bool) {
	ok, expected, actual, diff := evaluate(d, msg, rep)
	if d.Not {
		ok = !ok
		expected = "不应: " + expected
	}
	if strings.HasPrefix(d.Name, "TEXT_") && !present && !d.Not {
		ok, actual = false, noMoreText
	}
	return Check{Line: d.Line, What: d.Name, Expected: expected, Actual: actual, Diff: diff}, !ok
}

func evaluate(d Directive, msg string, rep engine.Reply) (ok bool, expected, actual, diff string) {
	args := d.Args
	switch d.Name {
	case "INTENT":
		return rep.Intent == args[0], args[0], fmt.Sprintf("%s (%.2f)", orDash(rep.Intent), rep.Confidence), ""
	case "INTENT_CONFIDENCE":
		v, _ := parseConfidence(args[0])
		return rep.Confidence >= v, fmt.Sprintf(">= %.2f", v), fmt.Sprintf("%.2f (%s)", rep.Confidence, orDash(rep.Intent)), ""
	case "ENTITIES":
		got := make([]string, len(rep.Entities))
		for i, e := range rep.Entities {
			got[i] = e.Type
		}
		return matchList(args, got), listString(args), listString(entityStrings(rep.Entities)), ""
	case "ENTITY_VALUES":
		got := make([]string, len(rep.Entities))
		for i, e := range rep.Entities {
			got[i] = e.Value
		}
		return matchList(args, got), listString(args), listString(entityStrings(rep.Entities)), ""
	case "TEXT_CONTAINS_ANY", "TEXT_CONTAINS_ALL":
		return anyAll(d.Name == "TEXT_CONTAINS_ALL", args, func(a string) bool {
			return strings.Contains(foldText(msg), foldText(a))
		}), describeArgs(d.Name, args), msg, ""
	case "TEXT_WILDCARD_ANY", "TEXT_WILDCARD_ALL":
		return anyAll(d.Name == "TEXT_WILDCARD_ALL", args, func(a string) bool {
			return matchWildcard(msg, a)
		}), describeArgs(d.Name, args), msg, ""
	case "TEXT_REGEX", "TEXT_REGEXP_ANY", "TEXT_REGEXP_ALL":
		return anyAll(d.Name == "TEXT_REGEXP_ALL", args, func(a string) bool {
			re, err := compileRegex(a)
			return err == nil && re.MatchString(msg)
		}), describeArgs(d.Name, args), msg, ""
	case "TEXT_EQUALS":
		want := strings.Join(args, "|")
		return foldText(msg) == foldText(want), want, msg, inlineDiff(want, msg)
	case "TEXT_SIMILAR":
		text, th, _ := similarArgs(args)
		sim := similarity(text, msg)
		return sim >= th, fmt.Sprintf("%s (相似度 >= %.2f)", text, th), fmt.Sprintf("%s (相似度 %.2f)", msg, sim), inlineDiff(text, msg)
	case "BUTTONS":
		got := listString(rep.Buttons)
		if len(args) == 0 {
			return len(rep.Buttons) == 0, "(无按钮)", got, ""
		}
		return anyAll(true, args, func(a string) bool {
			for _, b := range rep.Buttons {
				if foldText(b) == foldText(a) {
					return true
				}
			}
			return false
		}), listString(args), got, ""
	case "STATE":
		got := stateString(rep.Flow, rep.Step)
		if len(args) == 0 || args[0] == "" || args[0] == "-" {
			return rep.Flow == "", "-", got, ""
		}
		if len(args) == 1 {
			return rep.Flow == args[0], args[0], got, ""
		}
		return rep.Flow == args[0] && rep.Step == args[1], stateString(args[0], args[1]), got, ""
	}
	return false, d.String(), "(unknown asserter)", ""
}

func stateString(flow, step string) string {
	if flow == "" {
		return "-"
	}
	if step == "" {
		return flow
	}
	return flow + "|" + step
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func anyAll(all bool, args []string, f func(string) bool) bool {
	for _, a := range args {
		if f(a) != all {
			return !all
		}
	}
	return all
}

func describeArgs(name string, args []string) string {
	sep := " 或 "
	if strings.HasSuffix(name, "_ALL") {
		sep = " 且 "
	}
	return strings.Join(args, sep)
}

func entityStrings(es []engine.ReplyEntity) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = fmt.Sprintf("%s=%s(%s)", e.Type, e.Value, e.Text)
	}
	return out
}

func listString(l []string) string {
	if len(l) == 0 {
		return "(无)"
	}
	return strings.Join(l, "|")
}

// matchList compares want (a list that may contain ".." to allow extra items) with got, as
// multisets.
func matchList(want, got []string) bool {
	extra := false
	count := map[string]int{}
	for _, g := range got {
		count[g]++
	}
	for _, w := range want {
		if w == ".." {
			extra = true
			continue
		}
		if count[w] == 0 {
			return false
		}
		count[w]--
	}
	if extra {
		return true
	}
	for _, n := range count {
		if n > 0 {
			return false
		}
	}
	return true
}

// sortedKeys returns the keys of a set, sorted.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
