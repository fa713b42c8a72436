package dialogs

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// File is one parsed dialog file: its declarations converted to the semantic types, in source
// order, not yet resolved against the other files of the bot. ParseFile builds it; Load merges
// files into a Bundle; the formatter prints it back.
type File struct {
	Name     string
	Version  int
	Entities []*Entity
	Intents  []*Intent // intents and faqs
	Replies  []*Reply
	Menus    []*Menu
	Flows    []*Flow
	Comments []Comment

	src   []byte
	ast   *fileAST
	spans map[any]span // positions of names inside the semantic nodes
}

// Menu maps a WeChat custom-menu CLICK key to an intent.
type Menu struct {
	Key    string
	Intent string
	Pos    Pos
}

// Comment is a `#` comment: Text includes the #. Trailing is true when code precedes it on its line.
type Comment struct {
	Text     string
	Pos      Pos
	Trailing bool
}

// ParseFile parses one dialog file. It returns the file (nil when the text could not be parsed
// at all) and the syntax, version and per-file diagnostics. Names are not resolved: Load does that.
func ParseFile(name string, src []byte) (*File, Diagnostics) {
	f, d := parseFile(name, src)
	fillSnippets(d.list, map[string][]byte{name: src})
	return f, d.list.Sort()
}

func parseFile(name string, src []byte) (*File, *diags) {
	d := &diags{}
	toks, lerr := lex(name, src)
	if lerr != nil {
		c := &converter{}
		d.errorf(c.pos(lerr.pos), c.pos(lerr.end), CodeSyntax, "%s", lerr.msg)
		return nil, d
	}
	f := &File{Name: name, src: src, spans: map[any]span{}}
	lastCode := 0 // line of the last non-comment token
	for _, t := range toks {
		switch t.Type {
		case tokComment:
			f.Comments = append(f.Comments, Comment{Text: t.Value, Pos: lexPos(t.Pos), Trailing: lastCode == t.Pos.Line})
		case tokWhitespace, tokEOF:
		default:
			lastCode = t.Pos.Line
		}
	}
	if first := firstCode(toks); first.Value != "weiyin" {
		p := lexPos(first.Pos)
		dg := d.errorf(p, p, CodeVersion, "the file does not start with the version marker \"weiyin 1\"")
		dg.Hint = "add this first line to the file: weiyin 1"
	}
	peek, err := lexer.Upgrade(&sliceLexer{toks: toks}, tokWhitespace, tokComment)
	if err != nil {
		d.errorf(Pos{File: name, Line: 1, Column: 1}, Pos{}, CodeSyntax, "%v", err)
		return nil, d
	}
	ast, err := grammar.ParseFromLexer(peek)
	if err != nil {
		d.add(syntaxDiagnostic(err, toks))
		return nil, d
	}
	f.ast = ast
	c := &converter{d: d, spans: f.spans}
	if ast.Version != nil {
		v, err := strconv.Atoi(ast.Version.Number)
		if err != nil || v != Version {
			dg := d.errorf(c.pos(ast.Version.Pos), c.pos(ast.Version.EndPos), CodeVersion,
				"this file is written for dialog language version %s, but this weiyin reads version %d", ast.Version.Number, Version)
			dg.Hint = fmt.Sprintf("write \"weiyin %d\" on the first line", Version)
		}
		f.Version = v
	}
	c.file(f, ast)
	return f, d
}

func lexPos(p lexer.Position) Pos {
	return Pos{File: p.Filename, Line: p.Line, Column: p.Column, Offset: p.Offset}
}

func firstCode(toks []lexer.Token) lexer.Token {
	for _, t := range toks {
		if t.Type != tokWhitespace && t.Type != tokComment {
			return t
		}
	}
	return toks[len(toks)-1]
}

// keywords are the words of the language, for "did you mean" on syntax errors.
var keywords = []string{"weiyin", "entity", "value", "from", "bank", "intent", "faq", "examples", "keywords", "answer",
	"reply", "menu", "flow", "start", "on", "requires", "binding", "interruptible", "not", "timeout", "slot", "sensitive",
	"ask", "retry", "fallback", "validate", "default", "first", "choices", "confirm", "yes", "no", "verify", "call", "as",
	"say", "each", "if", "else", "set", "goto", "end", "handoff", "and", "or", "filled", "true", "false"}

// syntaxDiagnostic turns a participle error into a diagnostic a non-programmer can act on:
// the message says what was found and, from the words just before it, what belongs there.
func syntaxDiagnostic(err error, toks []lexer.Token) Diagnostic {
	var perr participle.Error
	if !errors.As(err, &perr) {
		return Diagnostic{Severity: SeverityError, Code: CodeSyntax, Message: err.Error()}
	}
	p := lexPos(perr.Position())
	dg := Diagnostic{Severity: SeverityError, Code: CodeSyntax, Pos: p, End: p}
	var ute *participle.UnexpectedTokenError
	if !errors.As(err, &ute) {
		dg.Message = perr.Message()
		return dg
	}
	t := ute.Unexpected
	dg.End = nameEnd(p, t.Value)
	prev := previousTokens(toks, t.Pos.Offset, 3)
	expect, hint := expectAfter(prev, t)
	if expect == "" && hint == "" {
		expect = friendlyExpect(ute.Expect)
		if expect == "" {
			if i := strings.Index(perr.Message(), "(expected "); i >= 0 {
				expect = friendlyExpect(strings.TrimSuffix(perr.Message()[i+len("(expected "):], ")"))
			}
		}
	}
	dg.Message = "unexpected " + describeToken(t)
	if expect != "" {
		dg.Message += "; expected " + expect
	}
	dg.Hint = hint
	if dg.Hint != "" {
		return dg
	}
	switch t.Type {
	case tokIdent:
		if c, ok := closest(t.Value, keywords); ok {
			dg.Hint = fmt.Sprintf("did you mean %q?", c)
		} else {
			dg.Hint = "a step starts with ask, confirm, verify, call, say, if, set, goto, start, end or handoff; a declaration with entity, intent, faq, reply, menu or flow"
		}
	case tokString:
		dg.Hint = "a text in quotes must follow a word that says what it is for, such as say, ask SLOT, reply NAME or inside examples { }"
	case tokEOF:
		dg.Hint = "a { is probably missing its closing }"
	case tokDuration:
		dg.Hint = "a number and a word must be separated by a space"
	}
	return dg
}

// previousTokens returns up to n code tokens before offset, nearest last.
func previousTokens(toks []lexer.Token, off, n int) []lexer.Token {
	var out []lexer.Token
	for i := len(toks) - 1; i >= 0 && len(out) < n; i-- {
		t := toks[i]
		if t.Pos.Offset >= off || t.Type == tokWhitespace || t.Type == tokComment || t.Type == tokEOF {
			continue
		}
		out = append([]lexer.Token{t}, out...)
	}
	return out
}

var textAfter = map[string]string{
	"say": "say", "confirm": "confirm", "verify": "verify", "retry": "retry", "answer": "answer", "menu": "menu",
}

// expectAfter says what belongs after the words before the unexpected token t, when the
// context is clear; "" leaves it to participle's expectation.
func expectAfter(prev []lexer.Token, t lexer.Token) (expect, hint string) {
	if len(prev) == 0 {
		return "", ""
	}
	last := prev[len(prev)-1]
	before := ""
	if len(prev) >= 2 {
		before = prev[len(prev)-2].Value
	}
	isKeyword := func(v string) bool { return slices.Contains(keywords, v) }
	switch {
	case last.Type == tokIdent && before == "slot" && t.Pos.Line > last.Pos.Line:
		return "the entity of slot " + last.Value, fmt.Sprintf("write the entity after the slot name: slot %s money (or date, text, a declared entity...)", last.Value)
	case len(prev) >= 3 && prev[0].Value == "slot" && isKeyword(last.Value) && t.Pos.Line > prev[1].Pos.Line:
		return "", fmt.Sprintf("the line before probably lacks an entity: slot %s ENTITY (here %q was taken as the entity)", prev[1].Value, last.Value)
	case last.Value == "flow" && before == "goto":
		return "", fmt.Sprintf("goto jumps inside this flow; to continue in flow %s write: start %s", t.Value, t.Value)
	case last.Value == "ask":
		return "the name of the slot to ask for", `e.g. ask amount "转多少钱?"; the slot is declared with: slot amount money`
	case last.Value == "slot":
		return "a slot name and its entity", "e.g. slot amount money"
	case last.Value == "goto":
		return "the label of a step", "an ask is labelled by its slot, confirm and verify by their word, other steps with NAME: before them"
	case last.Value == "timeout":
		return "a duration such as 10m", "write the number and the unit together: 90s, 10m or 2h"
	case last.Type == tokNumber && before == "timeout":
		return "", fmt.Sprintf("write the unit right after the number, without a space: %s%s", last.Value, t.Value)
	case textAfter[last.Value] != "" && t.Type != tokString:
		return "a text in quotes", fmt.Sprintf(`e.g. %s "..."`, last.Value)
	case last.Value == "==" || last.Value == "!=" || last.Value == "<" || last.Value == "<=" || last.Value == ">" || last.Value == ">=":
		return "a value to compare with: a number, a text in quotes or a name", "e.g. amount > 0, mode == \"full\""
	case last.Type == tokIdent && (before == "(" || before == ",") && t.Value != ":":
		return `":" and the value of argument ` + last.Value, fmt.Sprintf("write each argument as NAME: VALUE, e.g. %s: %s", last.Value, last.Value)
	case last.Value == "on" && before != "start":
		return "an error code of the call, or any", "e.g. on insufficient_funds { say \"余额不足\" }"
	}
	return "", ""
}

func describeToken(t lexer.Token) string {
	switch t.Type {
	case tokEOF:
		return "end of file"
	case tokString:
		v := []rune(t.Value)
		if len(v) > 24 {
			return "text " + string(v[:20]) + "...\""
		}
		return "text " + t.Value
	case tokIdent:
		return fmt.Sprintf("word %q", t.Value)
	case tokNumber, tokDuration:
		return fmt.Sprintf("number %s", t.Value)
	}
	return fmt.Sprintf("%q", t.Value)
}

var expectNames = strings.NewReplacer(
	"IdentAST", "a name", "StrAST", "a text in quotes", "StepAST", "a step", "FlowItemAST", "a flow line",
	"DeclAST", "a declaration", "ExprAST", "a condition", "OperandAST", "a value", "ActionAST", "an action",
	"AskOptionAST", "retry, fallback, validate, default or choices", "BranchAST", "yes or no",
	"HandlerAST", "on ERROR { ... }", "IntentItemAST", "examples, keywords or answer", "ValueAST", "value NAME \"text\"",
	"ArgAST", "an argument NAME: VALUE", "CmpAST", "a comparison", "NotAST", "a condition", "AndAST", "a condition",
	"DurationAST", "a duration such as 10m", "StringBlockAST", "texts in quotes", "EntityAST", "entity", "IntentAST", "intent",
	"ReplyAST", "reply", "MenuAST", "menu", "FlowAST", "flow", "SlotAST", "slot", "AskAST", "ask", "ConfirmAST", "confirm",
	"VerifyAST", "verify", "CallAST", "call", "IfAST", "if", "ElseAST", "else", "SayAST", "say", "SetAST", "set",
	"EndAST", "end or handoff", "ValidateAST", "a condition and a message", "DefaultAST", "first or a value",
	"InterruptAST", "interruptible", "VersionAST", "weiyin 1",
	"identAST", "a name", "strAST", "a text in quotes", "stepAST", "a step", "flowItemAST", "a flow line",
	"declAST", "a declaration", "exprAST", "a condition", "operandAST", "a value", "actionAST", "an action",
	"askOptionAST", "retry, fallback, validate, default or choices", "branchAST", "yes or no",
	"handlerAST", "on ERROR { ... }", "intentItemAST", "examples, keywords or answer", "valueAST", "value NAME \"text\"",
	"argAST", "an argument NAME: VALUE", "cmpAST", "a comparison", "notAST", "a condition", "andAST", "a condition",
	"durationAST", "a duration such as 10m", "<ident>", "a name", "<string>", "a text in quotes", "<number>", "a number",
)

func friendlyExpect(s string) string {
	s = expectNames.Replace(s)
	s = strings.ReplaceAll(s, "<", "")
	return strings.ReplaceAll(s, ">", "")
}

// fillSnippets sets each diagnostic's Snippet to its source line.
func fillSnippets(ds Diagnostics, srcs map[string][]byte) {
	lines := map[string][]string{}
	for i := range ds {
		d := &ds[i]
		d.Message, d.Hint = clip(d.Message), clip(d.Hint)
		src, ok := srcs[d.Pos.File]
		if !ok || d.Pos.Line <= 0 {
			continue
		}
		ls, ok := lines[d.Pos.File]
		if !ok {
			ls = strings.Split(string(src), "\n")
			lines[d.Pos.File] = ls
		}
		if d.Pos.Line <= len(ls) {
			line := strings.TrimRight(ls[d.Pos.Line-1], "\r")
			if len(line) > 400 {
				line, d.SnippetColumn = snippetWindow(line, d.Pos.Column)
			}
			d.Snippet = line
		}
	}
}

// snippetWindow keeps a very long line renderable: about 40 runes before the column and 80
// after it, with "..." where it was cut. It returns the window and the column of the line its
// first rune stands for.
func snippetWindow(line string, col int) (string, int) {
	rs := []rune(line)
	start := max(0, col-1-40)
	end := min(len(rs), col-1+80)
	if start >= end {
		start = max(0, min(start, len(rs)))
		end = start
	}
	w := string(rs[start:end])
	first := start + 1
	if start > 0 {
		w = "..." + w
		first -= 3
	}
	if end < len(rs) {
		w += "..."
	}
	return w, first
}
