package dialogs

import (
	"errors"
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
	Stubs    []*Stub
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
		dg := d.errorf(c.pos(lerr.pos), c.pos(lerr.end), CodeSyntax, lerr.msg)
		if !lerr.hint.empty() {
			dg.hint(lerr.hint)
		}
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
		dg := d.errorf(p, p, CodeVersion, tr("the file does not start with the version marker \"weiyin 1\"", "文件开头缺少版本行 \"weiyin 1\""))
		dg.hint(tr("add this first line to the file: weiyin 1", "在文件第一行写上: weiyin 1"))
	}
	peek, err := lexer.Upgrade(&sliceLexer{toks: toks}, tokWhitespace, tokComment)
	if err != nil {
		d.errorf(Pos{File: name, Line: 1, Column: 1}, Pos{}, CodeSyntax, same(err.Error()))
		return nil, d
	}
	ast, err := grammar().ParseFromLexer(peek)
	if err != nil {
		d.add(syntaxDiagnostic(err, toks))
		if ub, ok := unclosedBrace(toks); ok && d.list[len(d.list)-1].Pos.Offset >= ub.open.Pos.Offset {
			// A { left open explains the error better than where the parser noticed it.
			p := lexPos(ub.open.Pos)
			dg := &d.list[len(d.list)-1]
			*dg = Diagnostic{Severity: SeverityError, Code: CodeSyntax, Pos: p, End: nameEnd(p, "{")}
			dg.setMessage(tr("this { is never closed", "这个 { 没有配对的 }"))
			if ub.left.Type == tokEOF {
				dg.hint(tr("add } at the end of its block (the file ends first)", "在这一段结束的地方补上 }(文件先结束了)"))
			} else {
				dg.hint(tr("add } before line %d, where the next part starts at the same indentation", "在第 %d 行之前补上 }: 那一行的缩进表明这一段已经结束", ub.left.Pos.Line))
			}
		}
		return nil, d
	}
	f.ast = ast
	c := &converter{d: d, spans: f.spans}
	if ast.Version != nil {
		v, err := strconv.Atoi(ast.Version.Number)
		if err != nil || v != Version {
			dg := d.errorf(c.pos(ast.Version.Pos), c.pos(ast.Version.EndPos), CodeVersion,
				tr("this file is written for dialog language version %s, but this weiyin reads version %d", "这个文件按对话语言第 %s 版编写, 但本程序读的是第 %d 版", ast.Version.Number, Version))
			dg.hint(tr("write \"weiyin %d\" on the first line", "第一行写成 \"weiyin %d\"", Version))
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
	"say", "each", "if", "else", "set", "goto", "end", "handoff", "and", "or", "filled", "true", "false",
	"stub", "arg", "optional", "result", "error", "moves"}

// syntaxDiagnostic turns a participle error into a diagnostic a non-programmer can act on:
// the message says what was found and, from the words just before it, what belongs there.
func syntaxDiagnostic(err error, toks []lexer.Token) Diagnostic {
	var perr participle.Error
	if !errors.As(err, &perr) {
		dg := Diagnostic{Severity: SeverityError, Code: CodeSyntax}
		dg.setMessage(same(err.Error()))
		return dg
	}
	p := lexPos(perr.Position())
	dg := Diagnostic{Severity: SeverityError, Code: CodeSyntax, Pos: p, End: p}
	var ute *participle.UnexpectedTokenError
	if !errors.As(err, &ute) {
		dg.setMessage(tr("%s", "语法错误: %s", perr.Message()))
		return dg
	}
	t := ute.Unexpected
	dg.End = nameEnd(p, t.Value)
	prev := previousTokens(toks, t.Pos.Offset, 3)
	expect, hint := expectAfter(prev, t)
	if expect.empty() && hint.empty() {
		expect = friendlyExpect(ute.Expect)
		if expect.empty() {
			if i := strings.Index(perr.Message(), "(expected "); i >= 0 {
				expect = friendlyExpect(strings.TrimSuffix(perr.Message()[i+len("(expected "):], ")"))
			}
		}
	}
	msg := tr("unexpected %s", "这里不应出现%s", describeToken(t))
	if !expect.empty() {
		msg = join(msg, tr("; expected %s", "; 这里应该是%s", expect))
	}
	dg.setMessage(msg)
	if !hint.empty() {
		dg.hint(hint)
		return dg
	}
	switch t.Type {
	case tokIdent:
		if c, ok := closest(t.Value, keywords); ok {
			dg.hint(meant(c))
		} else {
			dg.hint(tr("a step starts with ask, confirm, verify, call, say, if, set, goto, start, end or handoff; a declaration with entity, intent, faq, reply, menu, flow or stub",
				"步骤以 ask、confirm、verify、call、say、if、set、goto、start、end 或 handoff 开头; 声明以 entity、intent、faq、reply、menu、flow 或 stub 开头"))
		}
	case tokString:
		dg.hint(tr("a text in quotes must follow a word that says what it is for, such as say, ask SLOT, reply NAME or inside examples { }",
			"引号里的文字前面要有说明用途的词, 如 say、ask 槽位、reply 名字, 或写在 examples { } 里"))
	case tokEOF:
		dg.hint(tr("a { is probably missing its closing }", "可能有一个 { 缺少配对的 }"))
	case tokDuration:
		dg.hint(tr("a number and a word must be separated by a space", "数字和单词之间要有空格"))
	}
	return dg
}

// openBrace is a { that unclosedBrace found open: left is the first token that shows its
// block ended (a line starting at or left of the brace's line, or the end of the file).
type openBrace struct{ open, left lexer.Token }

// unclosedBrace finds the { most likely missing its }: the innermost open brace whose block
// is left by indentation before it is closed (a later line starts at or left of the indent
// of the brace's line and is not a }), or the innermost one still open at the end of file.
// ok is false when nothing points at one.
func unclosedBrace(toks []lexer.Token) (openBrace, bool) {
	type frame struct {
		tok    lexer.Token
		indent int
	}
	var stack []frame
	line, indent := 0, 0
	for _, t := range toks {
		if t.Type == tokWhitespace || t.Type == tokComment {
			continue
		}
		if t.Type == tokEOF {
			if len(stack) > 0 {
				return openBrace{stack[len(stack)-1].tok, t}, true
			}
			return openBrace{}, false
		}
		if t.Pos.Line != line {
			line, indent = t.Pos.Line, t.Pos.Column
			if n := len(stack); n > 0 && t.Value != "}" && indent <= stack[n-1].indent && t.Pos.Line > stack[n-1].tok.Pos.Line {
				return openBrace{stack[n-1].tok, t}, true
			}
		}
		switch {
		case t.Type == tokPunct && t.Value == "{":
			stack = append(stack, frame{t, indent})
		case t.Type == tokPunct && t.Value == "}" && len(stack) > 0:
			stack = stack[:len(stack)-1]
		}
	}
	return openBrace{}, false
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
// context is clear; empty texts leave it to participle's expectation.
func expectAfter(prev []lexer.Token, t lexer.Token) (expect, hint text) {
	if len(prev) == 0 {
		return text{}, text{}
	}
	last := prev[len(prev)-1]
	before := ""
	if len(prev) >= 2 {
		before = prev[len(prev)-2].Value
	}
	isKeyword := func(v string) bool { return slices.Contains(keywords, v) }
	switch {
	case last.Type == tokIdent && before == "slot" && t.Pos.Line > last.Pos.Line:
		return tr("the entity of slot %s", "槽位 %s 的实体类型", last.Value),
			tr("write the entity after the slot name: slot %s money (or date, text, a declared entity...)", "在槽位名后面写实体类型: slot %s money(或 date、text、自己声明的实体……)", last.Value)
	case len(prev) >= 3 && prev[0].Value == "slot" && isKeyword(last.Value) && t.Pos.Line > prev[1].Pos.Line:
		return text{}, tr("the line before probably lacks an entity: slot %s ENTITY (here %q was taken as the entity)", "上一行可能缺了实体类型: slot %s 实体(这里把 %q 当成了实体)", prev[1].Value, last.Value)
	case last.Value == "flow" && before == "goto":
		return text{}, tr("goto jumps inside this flow; to continue in flow %[1]s write: start %[1]s", "goto 只能在本流程内跳转; 要转到流程 %[1]s, 请写: start %[1]s", t.Value)
	case last.Value == "ask":
		return tr("the name of the slot to ask for", "要提问的槽位名"), tr(`e.g. ask amount "转多少钱?"; the slot is declared with: slot amount money`, `例如 ask amount "转多少钱?"; 槽位先用 slot amount money 声明`)
	case last.Value == "slot":
		return tr("a slot name and its entity", "槽位名和实体类型"), tr("e.g. slot amount money", "例如 slot amount money")
	case last.Value == "goto":
		return tr("the label of a step", "步骤的标签"), tr("an ask is labelled by its slot, confirm and verify by their word, other steps with NAME: before them",
			"ask 的标签就是它的槽位名, confirm 和 verify 的标签就是这两个词, 其他步骤在前面写 名字: 作标签")
	case last.Value == "timeout":
		return tr("a duration such as 10m", "时长, 如 10m"), tr("write the number and the unit together: 90s, 10m or 2h", "数字和单位连写: 90s、10m 或 2h")
	case last.Type == tokNumber && before == "timeout":
		return text{}, tr("write the unit right after the number, without a space: %s%s", "单位紧跟在数字后面, 中间不要空格: %s%s", last.Value, t.Value)
	case textAfter[last.Value] != "" && t.Type != tokString:
		return tr("a text in quotes", "英文双引号里的文字"), tr(`e.g. %s "..."`, `例如 %s "..."`, last.Value)
	case last.Value == "==" || last.Value == "!=" || last.Value == "<" || last.Value == "<=" || last.Value == ">" || last.Value == ">=":
		return tr("a value to compare with: a number, a text in quotes or a name", "要比较的值: 数字、引号里的文字或名字"),
			tr(`e.g. amount > 0, mode == "full"`, `例如 amount > 0、mode == "full"`)
	case last.Type == tokIdent && (before == "(" || before == ",") && t.Value != ":":
		return tr(`":" and the value of argument %s`, `":" 和参数 %s 的值`, last.Value), tr("write each argument as NAME: VALUE, e.g. %[1]s: %[1]s", "每个参数写成 名字: 值, 例如 %[1]s: %[1]s", last.Value)
	case last.Value == "on" && before != "start":
		return tr("an error code of the call, or any", "调用的错误码, 或 any"), tr(`e.g. on insufficient_funds { say "余额不足" }`, `例如 on insufficient_funds { say "余额不足" }`)
	}
	return text{}, text{}
}

func describeToken(t lexer.Token) text {
	switch t.Type {
	case tokEOF:
		return tr("end of file", "文件结尾")
	case tokString:
		v := []rune(t.Value)
		if len(v) > 24 {
			return tr("text %s...\"", "文字 %s...\"", string(v[:20]))
		}
		return tr("text %s", "文字 %s", t.Value)
	case tokIdent:
		return tr("word %q", "单词 %q", t.Value)
	case tokNumber, tokDuration:
		return tr("number %s", "数字 %s", t.Value)
	}
	return tr("%q", " %q", t.Value)
}

// expectNames are participle's names for grammar nodes, as staff would say them: English,
// then Chinese.
var expectNames = [][3]string{
	{"identAST", "a name", "名字"}, {"strAST", "a text in quotes", "引号里的文字"}, {"stepAST", "a step", "步骤"},
	{"flowItemAST", "a flow line", "流程里的一行"}, {"declAST", "a declaration", "声明"}, {"exprAST", "a condition", "条件"},
	{"operandAST", "a value", "值"}, {"actionAST", "an action", "动作"},
	{"askOptionAST", "retry, fallback, validate, default or choices", "retry、fallback、validate、default 或 choices"},
	{"branchAST", "yes or no", "yes 或 no"}, {"handlerAST", "on ERROR { ... }", "on 错误码 { ... }"},
	{"intentItemAST", "examples, keywords or answer", "examples、keywords 或 answer"}, {"valueAST", "value NAME \"text\"", "value 名字 \"文字\""},
	{"argAST", "an argument NAME: VALUE", "参数 名字: 值"}, {"cmpAST", "a comparison", "比较"}, {"notAST", "a condition", "条件"},
	{"andAST", "a condition", "条件"}, {"durationAST", "a duration such as 10m", "时长, 如 10m"}, {"stringBlockAST", "texts in quotes", "引号里的文字"},
	{"stubItemAST", "arg, result, error or moves money", "arg、result、error 或 moves money"}, {"stubResultAST", "a result field and its example", "结果字段和示例值"},
	{"entityAST", "entity", "entity"}, {"intentAST", "intent", "intent"}, {"replyAST", "reply", "reply"}, {"menuAST", "menu", "menu"},
	{"flowAST", "flow", "flow"}, {"stubAST", "stub", "stub"}, {"slotAST", "slot", "slot"}, {"askAST", "ask", "ask"}, {"confirmAST", "confirm", "confirm"},
	{"verifyAST", "verify", "verify"}, {"callAST", "call", "call"}, {"ifAST", "if", "if"}, {"elseAST", "else", "else"}, {"sayAST", "say", "say"},
	{"setAST", "set", "set"}, {"endAST", "end or handoff", "end 或 handoff"}, {"validateAST", "a condition and a message", "条件和提示语"},
	{"defaultAST", "first or a value", "first 或一个值"}, {"interruptAST", "interruptible", "interruptible"}, {"versionAST", "weiyin 1", "weiyin 1"},
	{"<ident>", "a name", "名字"}, {"<string>", "a text in quotes", "引号里的文字"}, {"<number>", "a number", "数字"},
}

var expectEN, expectZH = expectReplacers()

func expectReplacers() (en, zh *strings.Replacer) {
	var e, z []string
	for _, n := range expectNames {
		// participle names nodes by their Go type, sometimes capitalised.
		up := strings.ToUpper(n[0][:1]) + n[0][1:]
		e = append(e, n[0], n[1], up, n[1])
		z = append(z, n[0], n[2], up, n[2])
	}
	return strings.NewReplacer(e...), strings.NewReplacer(z...)
}

func friendlyExpect(s string) text {
	clean := func(s string) string {
		s = strings.ReplaceAll(s, "<", "")
		return strings.ReplaceAll(s, ">", "")
	}
	if s == "" {
		return text{}
	}
	return text{en: clean(expectEN.Replace(s)), zh: clean(strings.ReplaceAll(expectZH.Replace(s), " or ", " 或 "))}
}

// fillSnippets sets each diagnostic's Snippet to its source line.
func fillSnippets(ds Diagnostics, srcs map[string][]byte) {
	lines := map[string][]string{}
	for i := range ds {
		d := &ds[i]
		d.Message, d.Hint = clip(d.Message), clip(d.Hint)
		for l := range d.loc {
			d.loc[l].message, d.loc[l].hint = clip(d.loc[l].message), clip(d.loc[l].hint)
		}
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
