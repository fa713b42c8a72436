package intents

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Report is the accuracy of an Understander on labelled lines (`weiyin eval`).
type Report struct {
	Lines    int     `json:"lines"`
	InScope  int     `json:"in_scope"`  // lines whose label is not none
	Correct  int     `json:"correct"`   // in-scope lines given their label
	Accuracy float64 `json:"accuracy"`  // Correct / InScope
	OutScope int     `json:"out_scope"` // lines labelled none
	// FalseAccepts are out-of-scope lines given an intent; FalseAcceptRate their share.
	FalseAccepts    int     `json:"false_accepts"`
	FalseAcceptRate float64 `json:"false_accept_rate"`
	Rejected        int     `json:"rejected"` // in-scope lines answered none
	// RankedFirst are in-scope lines whose best-scoring intent, whatever the threshold, is
	// their label (another system's top-1); TopOne their share.
	RankedFirst int           `json:"ranked_first"`
	TopOne      float64       `json:"top_one"`
	PerIntent   []IntentScore `json:"per_intent"`
	Confusions  []Confusion   `json:"confusions"` // most frequent first
	Errors      []EvalError   `json:"errors"`
	// Unknown are the labels, other than none, that name no intent of the Understander (a
	// typo, another bot's intent): their lines can only be misses.
	Unknown []UnknownLabel `json:"unknown_labels"`
	// Calibration is how the Understander's threshold was chosen.
	Calibration Calibration `json:"calibration"`
	byLabel     map[string]*IntentScore
}

// IntentScore is precision and recall of one label (none included).
type IntentScore struct {
	Intent    string  `json:"intent"`
	Support   int     `json:"support"`   // lines with this label
	Predicted int     `json:"predicted"` // lines given this intent
	Correct   int     `json:"correct"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
}

// Confusion counts lines of label Want understood as Got.
type Confusion struct {
	Want  string `json:"want"`
	Got   string `json:"got"`
	Count int    `json:"count"`
}

// UnknownLabel is a label no intent of the Understander has, the number of lines that carry
// it and where the first is.
type UnknownLabel struct {
	Label string `json:"label"`
	Lines int    `json:"lines"`
	File  string `json:"file,omitempty"`
	Line  int    `json:"line"`
}

// EvalError is one misunderstood line: its line number and, when the lines came from
// several files (EvaluateLines), its file.
type EvalError struct {
	File       string  `json:"file,omitempty"`
	Line       int     `json:"line"`
	Text       string  `json:"text"`
	Want       string  `json:"want"`
	Got        string  `json:"got"`
	Confidence float64 `json:"confidence"`
}

// Evaluate understands every `text<TAB>intent` line of r (blank and # lines skipped) with
// Context c and scores the answers. name names r in errors.
func Evaluate(u *Understander, r io.Reader, name string, c Context) (*Report, error) {
	lines, err := ReadLabelled(r, name)
	if err != nil {
		return nil, err
	}
	for i := range lines {
		lines[i].File = "" // one file: the errors give its line numbers alone
	}
	return EvaluateLines(context.Background(), u, lines, c)
}

// ReadLabelled reads the `text<TAB>intent` lines of r (blank and # lines skipped), each with
// its line number and name as its file.
func ReadLabelled(r io.Reader, name string) ([]Labelled, error) {
	var lines []Labelled
	err := readLabelled(r, name, func(line int, text, label string) error {
		lines = append(lines, Labelled{Text: text, Intent: label, File: name, Line: line})
		return nil
	})
	return lines, err
}

// EvaluateLines understands every line with Context c and scores the answers. It stops with
// ctx's error when ctx is done.
func EvaluateLines(ctx context.Context, u *Understander, lines []Labelled, c Context) (*Report, error) {
	rep := &Report{byLabel: map[string]*IntentScore{}, Calibration: u.Calibration()}
	conf := map[[2]string]int{}
	score := func(label string) *IntentScore {
		s := rep.byLabel[label]
		if s == nil {
			s = &IntentScore{Intent: label}
			rep.byLabel[label] = s
		}
		return s
	}
	known := map[string]bool{None: true}
	for _, in := range u.intents {
		known[in] = true
	}
	unknown := map[string]int{} // label -> index in rep.Unknown
	for i, l := range lines {
		if i%64 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		text, want := l.Text, l.Intent
		if !known[want] {
			if i, ok := unknown[want]; ok {
				rep.Unknown[i].Lines++
			} else {
				unknown[want] = len(rep.Unknown)
				rep.Unknown = append(rep.Unknown, UnknownLabel{Label: want, Lines: 1, File: l.File, Line: l.Line})
			}
		}
		res, first := u.understand(text, c)
		got := res.Intent
		rep.Lines++
		score(want).Support++
		score(got).Predicted++
		if got == want {
			score(want).Correct++
		} else {
			conf[[2]string{want, got}]++
			rep.Errors = append(rep.Errors, EvalError{File: l.File, Line: l.Line, Text: text, Want: want, Got: got, Confidence: res.Confidence})
		}
		if want == None {
			rep.OutScope++
			if got != None {
				rep.FalseAccepts++
			}
			continue
		}
		rep.InScope++
		if first == want {
			rep.RankedFirst++
		}
		if got == want {
			rep.Correct++
		} else if got == None {
			rep.Rejected++
		}
	}
	if rep.InScope > 0 {
		rep.Accuracy = float64(rep.Correct) / float64(rep.InScope)
		rep.TopOne = float64(rep.RankedFirst) / float64(rep.InScope)
	}
	if rep.OutScope > 0 {
		rep.FalseAcceptRate = float64(rep.FalseAccepts) / float64(rep.OutScope)
	}
	for _, s := range rep.byLabel {
		if s.Predicted > 0 {
			s.Precision = float64(s.Correct) / float64(s.Predicted)
		}
		if s.Support > 0 {
			s.Recall = float64(s.Correct) / float64(s.Support)
		}
		rep.PerIntent = append(rep.PerIntent, *s)
	}
	slices.SortFunc(rep.PerIntent, func(a, b IntentScore) int { return cmp.Compare(a.Intent, b.Intent) })
	for k, n := range conf {
		rep.Confusions = append(rep.Confusions, Confusion{Want: k[0], Got: k[1], Count: n})
	}
	slices.SortFunc(rep.Confusions, func(a, b Confusion) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Want, b.Want); c != 0 {
			return c
		}
		return cmp.Compare(a.Got, b.Got)
	})
	if rep.PerIntent == nil {
		rep.PerIntent = []IntentScore{}
	}
	if rep.Confusions == nil {
		rep.Confusions = []Confusion{}
	}
	if rep.Errors == nil {
		rep.Errors = []EvalError{}
	}
	if rep.Unknown == nil {
		rep.Unknown = []UnknownLabel{}
	}
	return rep, nil
}

// Write prints the report for people: the totals, per-intent precision and recall, the
// confusions and every misunderstood line.
func (r *Report) Write(w io.Writer) error {
	var b strings.Builder
	if r.InScope > 0 {
		fmt.Fprintf(&b, "in-scope accuracy: %d/%d = %.1f%% (%d rejected as none)\n", r.Correct, r.InScope, 100*r.Accuracy, r.Rejected)
	} else {
		fmt.Fprintf(&b, "in-scope accuracy: no in-scope lines\n")
	}
	if r.OutScope > 0 {
		fmt.Fprintf(&b, "out-of-scope false accepts: %d/%d = %.1f%% (rejection %.1f%%)\n", r.FalseAccepts, r.OutScope, 100*r.FalseAcceptRate, 100*(1-r.FalseAcceptRate))
	} else {
		fmt.Fprintf(&b, "out-of-scope false accepts: no out-of-scope lines (label none)\n")
	}
	if r.InScope > 0 {
		fmt.Fprintf(&b, "in-scope ranked first: %d/%d = %.1f%% (the best intent whatever the threshold: top-1)\n", r.RankedFirst, r.InScope, 100*r.TopOne)
	}
	fmt.Fprintf(&b, "threshold: %s\n", r.Calibration)
	for _, u := range r.Unknown {
		at := fmt.Sprintf("line %d", u.Line)
		if u.File != "" {
			at = fmt.Sprintf("%s:%d", u.File, u.Line)
		}
		fmt.Fprintf(&b, "warning: label %q is no intent of the bot: %d lines (first at %s) can only be misses\n", u.Label, u.Lines, at)
	}
	fmt.Fprintf(&b, "\n%-20s %7s %9s %9s %7s\n", "intent", "support", "predicted", "precision", "recall")
	for _, s := range r.PerIntent {
		fmt.Fprintf(&b, "%-20s %7d %9d %8.1f%% %6.1f%%\n", s.Intent, s.Support, s.Predicted, 100*s.Precision, 100*s.Recall)
	}
	if len(r.Confusions) > 0 {
		fmt.Fprintf(&b, "\nconfusions (want -> got):\n")
		for _, c := range r.Confusions {
			fmt.Fprintf(&b, "%4d  %s -> %s\n", c.Count, c.Want, c.Got)
		}
		if len(r.Errors) > 0 {
			fmt.Fprintf(&b, "\nerrors:\n")
		}
		for _, e := range r.Errors {
			at := fmt.Sprintf("line %d", e.Line)
			if e.File != "" {
				at = fmt.Sprintf("%s:%d", e.File, e.Line)
			}
			fmt.Fprintf(&b, "  %s: %s\twant %s, got %s (%.2f)\n", at, e.Text, e.Want, e.Got, e.Confidence)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
