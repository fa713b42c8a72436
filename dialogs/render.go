package dialogs

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/mattn/go-runewidth"
)

// MaxShown is how many diagnostics the renderers print before "... and N more".
const MaxShown = 50

// WriteText renders diagnostics like a compiler, one block each:
//
//	dialogs/bank/transfer.dlg:12:7: error[unknown-slot]: unknown slot "ammount"
//	   |
//	12 |   ask ammount "转账金额是多少?"
//	   |       ^^^^^^^
//	   = hint: did you mean "amount"? (declared at dialogs/bank/slots.dlg:3:8)
//
// then a summary line ("1 error", "2 errors, 1 warning"). The caret is padded by display
// width (a CJK character takes two cells; a tab is copied so the terminal aligns it).
// At most max diagnostics are shown (max <= 0: MaxShown). WriteText writes Chinese, the
// default; WriteTextIn chooses the language.
func (ds Diagnostics) WriteText(w io.Writer, max int) error { return ds.WriteTextIn(w, ZH, max) }

// WriteTextIn is WriteText in lang: messages, hints and the fixed words. The first line of
// each diagnostic keeps its layout (`file:line:col: error[code]: message`) in every language,
// so tools and editors can read it.
func (ds Diagnostics) WriteTextIn(w io.Writer, lang Lang, max int) error {
	if max <= 0 {
		max = MaxShown
	}
	wd := wordsFor(lang)
	var b strings.Builder
	for i, d := range ds.In(lang) {
		if i == max {
			fmt.Fprintf(&b, wd.more+"\n", len(ds)-max)
			break
		}
		writeOne(&b, d, wd)
	}
	b.WriteString(ds.SummaryIn(lang))
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}

// Summary is the count line in English: "1 error", "2 errors, 1 warning", "0 errors, 0 warnings".
func (ds Diagnostics) Summary() string { return ds.SummaryIn(EN) }

// SummaryIn is the count line in lang.
func (ds Diagnostics) SummaryIn(lang Lang) string {
	return wordsFor(lang).summary(ds.Errors(), ds.Warnings())
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

func writeOne(b *strings.Builder, d Diagnostic, wd words) {
	where := d.Pos.File
	if d.Pos.Line > 0 {
		where = d.Pos.String()
	}
	fmt.Fprintf(b, "%s: %s[%s]: %s\n", where, d.Severity, d.Code, d.Message)
	gutter := strings.Repeat(" ", len(strconv.Itoa(d.Pos.Line)))
	if d.Pos.Line > 0 && d.Snippet != "" || d.Pos.Line > 0 && d.Pos.Column == 1 {
		fmt.Fprintf(b, "%s |\n", gutter)
		fmt.Fprintf(b, "%d | %s\n", d.Pos.Line, d.Snippet)
		fmt.Fprintf(b, "%s | %s\n", gutter, caretLine(d))
	}
	related := ""
	if d.Related.Line > 0 {
		note := d.RelatedNote
		if note == "" {
			note = wd.see
		}
		related = note + " " + d.Related.String()
	}
	switch {
	case d.Hint != "" && related != "":
		fmt.Fprintf(b, "%s = %s: %s (%s)\n", gutter, wd.hint, d.Hint, related)
	case d.Hint != "":
		fmt.Fprintf(b, "%s = %s: %s\n", gutter, wd.hint, d.Hint)
	case related != "":
		fmt.Fprintf(b, "%s = %s: %s\n", gutter, wd.note, related)
	}
}

// caretLine pads to the diagnostic's column by the display width of the snippet before it
// and underlines the span (to the end of the line when the span continues past it).
func caretLine(d Diagnostic) string {
	var pad strings.Builder
	runes := []rune(d.Snippet)
	first := max(1, d.SnippetColumn)
	if d.SnippetColumn < 0 || d.SnippetColumn > 1 {
		first = d.SnippetColumn
	}
	col := d.Pos.Column - first
	for i := 0; i < col && i < len(runes); i++ {
		if runes[i] == '\t' {
			pad.WriteByte('\t')
			continue
		}
		pad.WriteString(strings.Repeat(" ", runewidth.RuneWidth(runes[i])))
	}
	width := 0
	endCol := d.End.Column - first
	if d.End.Line > d.Pos.Line {
		endCol = len(runes)
	}
	for i := col; i < endCol && i < len(runes); i++ {
		if runes[i] == '\t' {
			width += 4
			continue
		}
		width += runewidth.RuneWidth(runes[i])
	}
	return pad.String() + strings.Repeat("^", max(1, width))
}

// jsonDiagnostic is the JSON shape of one diagnostic (same fields as the text).
type jsonDiagnostic struct {
	Severity    string   `json:"severity"`
	Code        string   `json:"code"`
	Message     string   `json:"message"`
	File        string   `json:"file"`
	Line        int      `json:"line"`
	Column      int      `json:"column"`
	EndLine     int      `json:"end_line,omitempty"`
	EndColumn   int      `json:"end_column,omitempty"`
	Hint        string   `json:"hint,omitempty"`
	Related     *jsonPos `json:"related,omitempty"`
	RelatedNote string   `json:"related_note,omitempty"`
	Snippet     string   `json:"snippet,omitempty"`
}

type jsonPos struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

// WriteJSON writes {"diagnostics": [...], "errors": N, "warnings": M}, indented, with every
// diagnostic (JSON readers do their own capping), messages in Chinese. The code of each
// diagnostic is stable across languages; tools match on it, never on the message.
func (ds Diagnostics) WriteJSON(w io.Writer) error { return ds.WriteJSONIn(w, ZH) }

// WriteJSONIn is WriteJSON with messages, hints and notes in lang; "lang" names it.
func (ds Diagnostics) WriteJSONIn(w io.Writer, lang Lang) error {
	out := struct {
		Lang        Lang             `json:"lang"`
		Diagnostics []jsonDiagnostic `json:"diagnostics"`
		Errors      int              `json:"errors"`
		Warnings    int              `json:"warnings"`
	}{Lang: lang, Diagnostics: []jsonDiagnostic{}, Errors: ds.Errors(), Warnings: ds.Warnings()}
	for _, d := range ds.In(lang) {
		j := jsonDiagnostic{Severity: d.Severity.String(), Code: d.Code, Message: d.Message, File: d.Pos.File,
			Line: d.Pos.Line, Column: d.Pos.Column, Hint: d.Hint, RelatedNote: d.RelatedNote, Snippet: d.Snippet}
		if d.End.Line > 0 {
			j.EndLine, j.EndColumn = d.End.Line, d.End.Column
		}
		if d.Related.Line > 0 {
			j.Related = &jsonPos{d.Related.File, d.Related.Line, d.Related.Column}
		}
		out.Diagnostics = append(out.Diagnostics, j)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}
