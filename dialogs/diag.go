package dialogs

import (
	"cmp"
	"fmt"
	"slices"
)

// Severity tells whether a diagnostic stops a bot from loading.
type Severity int

const (
	// SeverityError is a finding that stops Load from returning a Bundle.
	SeverityError Severity = iota
	// SeverityWarning is a finding worth fixing that does not stop loading.
	SeverityWarning
)

// String is "error" or "warning".
func (s Severity) String() string {
	if s == SeverityWarning {
		return "warning"
	}
	return "error"
}

// MarshalText writes "error" or "warning".
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Diagnostic codes (docs/dsl-spec.md, "Diagnostics"). They are stable: tests and tools match on
// them. unknown-field and missing-arg refine unknown-slot and unknown-arg for result fields and
// required operation arguments.
const (
	CodeSyntax          = "syntax"
	CodeVersion         = "version"
	CodeDuplicate       = "duplicate"
	CodeUnknownIntent   = "unknown-intent"
	CodeUnknownSlot     = "unknown-slot"
	CodeUnknownEntity   = "unknown-entity"
	CodeUnknownFlow     = "unknown-flow"
	CodeUnknownOp       = "unknown-op"
	CodeUnknownArg      = "unknown-arg"
	CodeMissingArg      = "missing-arg"
	CodeUnknownField    = "unknown-field"
	CodeUnknownLabel    = "unknown-label"
	CodeUnknownFilter   = "unknown-filter"
	CodeUnknownList     = "unknown-list"
	CodeUnreachable     = "unreachable"
	CodeExampleConflict = "example-conflict"
	CodeUnusedFlow      = "unused-flow"
	CodeUnusedIntent    = "unused-intent"
	CodeMissingPrompt   = "missing-prompt"
	CodeUnsafeMoney     = "unsafe-money"
	CodeTypeMismatch    = "type-mismatch"
	CodeBadTemplate     = "bad-template"
	CodeBadDuration     = "bad-duration"
	CodeTooFewExamples  = "too-few-examples"
	CodeReservedReply   = "reserved-reply"
	CodeUnknownError    = "unknown-error"
	CodeUnmasked        = "unmasked"
	CodeStub            = "stub"
	CodeIO              = "io"
)

// Diagnostic is one finding about the dialog files: where (a span), what (code and message) and
// how to fix it (hint, and a related position such as the declaration a name refers to).
type Diagnostic struct {
	Severity Severity
	Code     string
	Message  string
	Pos      Pos // start of the span
	End      Pos // end of the span (exclusive); End.Line == 0 means one character
	Hint     string
	// Related is another place that explains this one ("declared at ..."); Related.Line == 0
	// means none. RelatedNote says what it is ("declared at", "first declared at", ...).
	Related     Pos
	RelatedNote string
	// Snippet is the source line of Pos, filled in by Load and ParseFile for the renderer. A
	// very long line is cut to a window around Pos, marked with "...".
	Snippet string
	// SnippetColumn is the column of the line that Snippet's first rune stands for (0 or 1:
	// the snippet starts at the line's start).
	SnippetColumn int
	// Lang is the language of Message, Hint and RelatedNote ("" is Chinese, the default);
	// Diagnostics.In switches it.
	Lang Lang

	loc [2]localized // Chinese and English texts, for In
}

// Error formats the diagnostic as `file:line:col: severity[code]: message`.
func (d Diagnostic) Error() string {
	return fmt.Sprintf("%s: %s[%s]: %s", d.Pos, d.Severity, d.Code, d.Message)
}

// String formats a position as file:line:col.
func (p Pos) String() string {
	if p.File == "" {
		return fmt.Sprintf("%d:%d", p.Line, p.Column)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
}

// Diagnostics is a list of findings; the front end returns them sorted by file and position.
type Diagnostics []Diagnostic

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool { return ds.Errors() > 0 }

// Errors counts the errors.
func (ds Diagnostics) Errors() int {
	n := 0
	for _, d := range ds {
		if d.Severity == SeverityError {
			n++
		}
	}
	return n
}

// Warnings counts the warnings.
func (ds Diagnostics) Warnings() int { return len(ds) - ds.Errors() }

// Sort orders the diagnostics by file, line, column, then code, and drops exact repeats.
func (ds Diagnostics) Sort() Diagnostics {
	slices.SortStableFunc(ds, func(a, b Diagnostic) int {
		return cmp.Or(
			cmp.Compare(a.Pos.File, b.Pos.File),
			cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Column, b.Pos.Column),
			cmp.Compare(codeRank(a.Code), codeRank(b.Code)), // a missing version marker explains the rest
			cmp.Compare(a.Code, b.Code),
			cmp.Compare(a.Message, b.Message),
		)
	})
	return slices.CompactFunc(ds, func(a, b Diagnostic) bool {
		return a.Pos == b.Pos && a.Code == b.Code && a.Message == b.Message
	})
}

func codeRank(code string) int {
	if code == CodeVersion {
		return 0
	}
	return 1
}

// Err returns the diagnostics as an error when there is at least one error, else nil.
func (ds Diagnostics) Err() error {
	if !ds.HasErrors() {
		return nil
	}
	return &DiagnosticsError{Diags: ds}
}

// DiagnosticsError wraps diagnostics that contain errors as a Go error.
type DiagnosticsError struct{ Diags Diagnostics }

// Error is the first error, with the count of the others.
func (e *DiagnosticsError) Error() string {
	for _, d := range e.Diags {
		if d.Severity == SeverityError {
			if n := e.Diags.Errors(); n > 1 {
				if d.Lang == EN {
					return fmt.Sprintf("%s (and %d more errors)", d.Error(), n-1)
				}
				return fmt.Sprintf("%s (另有 %d 个错误)", d.Error(), n-1)
			}
			return d.Error()
		}
	}
	return "no errors"
}

// diags collects diagnostics while parsing and checking.
type diags struct{ list Diagnostics }

func (d *diags) add(diag Diagnostic) { d.list = append(d.list, diag) }

// errorf records an error with message t. The pointer it returns is valid until the next
// diagnostic is added.
func (d *diags) errorf(pos, end Pos, code string, t text) *Diagnostic {
	d.list = append(d.list, Diagnostic{Severity: SeverityError, Code: code, Pos: pos, End: end})
	dg := &d.list[len(d.list)-1]
	dg.setMessage(t)
	return dg
}

// clip shortens a message or hint that quotes something huge (a name or text from the file).
func clip(s string) string {
	const limit = 300
	if len(s) <= limit {
		return s
	}
	n := 0
	for i := range s {
		if n == limit {
			return s[:i] + "..."
		}
		n++
	}
	return s
}

func (d *diags) warnf(pos, end Pos, code string, t text) *Diagnostic {
	dg := d.errorf(pos, end, code, t)
	dg.Severity = SeverityWarning
	return dg
}

// nameEnd is the end of an identifier or other one-line token of text s starting at p.
func nameEnd(p Pos, s string) Pos {
	n := 0
	for range s {
		n++
	}
	e := p
	e.Column += n
	e.Offset += len(s)
	return e
}
