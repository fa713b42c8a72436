package dialogs

import (
	"sync"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The grammar structs below are participle's view of a file. They stay unexported: convert.go
// turns them into the semantic types of bundle.go, and the formatter prints them back.

type fileAST struct {
	Pos     lexer.Position
	EndPos  lexer.Position
	Version *versionAST `parser:"@@?"`
	Decls   []*declAST  `parser:"@@*"`
}

type versionAST struct {
	Pos     lexer.Position
	EndPos  lexer.Position
	Keyword string `parser:"@\"weiyin\""`
	Number  string `parser:"@(Number | Duration)"`
}

type identAST struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Name   string `parser:"@Ident"`
}

type strAST struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Raw    string `parser:"@String"`
}

type declAST struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Entity *entityAST `parser:"  @@"`
	Intent *intentAST `parser:"| @@"`
	Reply  *replyAST  `parser:"| @@"`
	Menu   *menuAST   `parser:"| @@"`
	Flow   *flowAST   `parser:"| @@"`
	Stub   *stubAST   `parser:"| @@"`
}

// stubAST declares a bank operation that does not exist yet, with example results.
type stubAST struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Name   *identAST      `parser:"\"stub\" @@"`
	Title  *strAST        `parser:"@@?"`
	Items  []*stubItemAST `parser:"\"{\" @@* \"}\""`
}

type stubItemAST struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Arg    *identAST      `parser:"  \"arg\" @@"`
	Opt    bool           `parser:"  @\"optional\"?"`
	Result *stubResultAST `parser:"| \"result\" @@"`
	Error  *identAST      `parser:"| \"error\" @@"`
	Moves  bool           `parser:"| @\"moves\" \"money\""`
}

type stubResultAST struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Name   *identAST `parser:"@@"`
	Str    *strAST   `parser:"( @@"`
	Number string    `parser:"| @Number )?"`
}

type entityAST struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Name   *identAST   `parser:"\"entity\" @@"`
	Title  *strAST     `parser:"@@?"`
	List   *identAST   `parser:"( \"from\" \"bank\" @@"`
	Values []*valueAST `parser:"| \"{\" @@* \"}\" )"`
}

type valueAST struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Name   *identAST `parser:"\"value\" @@"`
	Names  []*strAST `parser:"@@+"`
}

type intentAST struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Kind   string           `parser:"@(\"intent\" | \"faq\")"`
	Name   *identAST        `parser:"@@"`
	Title  *strAST          `parser:"@@?"`
	Items  []*intentItemAST `parser:"\"{\" @@* \"}\""`
}

type intentItemAST struct {
	Pos      lexer.Position
	EndPos   lexer.Position
	Examples *stringBlockAST `parser:"  \"examples\" @@"`
	Keywords *stringBlockAST `parser:"| \"keywords\" @@"`
	Answer   *strAST         `parser:"| \"answer\" @@"`
}

// stringBlockAST is `parser:"{ \"a\" \"b\" }"` or, for keywords, a plain run `parser:"\"a\" \"b\""`.
type stringBlockAST struct {
	Pos     lexer.Position
	EndPos  lexer.Position
	Braced  bool      `parser:"( @\"{\""`
	Strings []*strAST `parser:"  @@* \"}\" | @@+ )"`
}

type replyAST struct {
	Pos      lexer.Position
	EndPos   lexer.Position
	Name     *identAST `parser:"\"reply\" @@"`
	Variants []*strAST `parser:"@@+"`
}

type menuAST struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Key    *strAST   `parser:"\"menu\" @@"`
	Intent *identAST `parser:"@@"`
}

type flowAST struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Name   *identAST      `parser:"\"flow\" @@"`
	Title  *strAST        `parser:"@@?"`
	Items  []*flowItemAST `parser:"\"{\" @@* \"}\""`
}

type flowItemAST struct {
	Pos           lexer.Position
	EndPos        lexer.Position
	StartOn       []*identAST   `parser:"  \"start\" \"on\" @@ ( \",\" @@ )*"`
	Requires      *identAST     `parser:"| \"requires\" @@"`
	Interruptible *interruptAST `parser:"| @@"`
	Timeout       *durationAST  `parser:"| \"timeout\" @@"`
	Slot          *slotAST      `parser:"| @@"`
	Step          *stepAST      `parser:"| @@"`
}

type interruptAST struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Not    bool `parser:"@\"not\"? \"interruptible\""`
}

type durationAST struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Text   string `parser:"@(Duration | Number)"`
}

type slotAST struct {
	Pos       lexer.Position
	EndPos    lexer.Position
	Name      *identAST `parser:"\"slot\" @@"`
	Entity    *identAST `parser:"@@"`
	Sensitive bool      `parser:"@\"sensitive\"?"`
}

type stepAST struct {
	Pos     lexer.Position
	EndPos  lexer.Position
	Label   *identAST   `parser:"( @@ \":\" )?"`
	Ask     *askAST     `parser:"(  @@"`
	Confirm *confirmAST `parser:" | @@"`
	Verify  *verifyAST  `parser:" | @@"`
	Call    *callAST    `parser:" | @@"`
	If      *ifAST      `parser:" | @@"`
	Action  *actionAST  `parser:" | @@ )"`
}

type askAST struct {
	Pos     lexer.Position
	EndPos  lexer.Position
	Slot    *identAST       `parser:"\"ask\" @@"`
	Prompt  *strAST         `parser:"@@?"`
	Block   bool            `parser:"( @\"{\""`
	Options []*askOptionAST `parser:"  @@* \"}\" )?"`
}

type askOptionAST struct {
	Pos      lexer.Position
	EndPos   lexer.Position
	Retry    *strAST      `parser:"  \"retry\" @@"`
	Fallback *actionAST   `parser:"| \"fallback\" @@"`
	Validate *validateAST `parser:"| \"validate\" @@"`
	Default  *defaultAST  `parser:"| \"default\" @@"`
	Choices  bool         `parser:"| @\"choices\""`
}

type validateAST struct {
	Pos     lexer.Position
	EndPos  lexer.Position
	Cond    *exprAST `parser:"@@"`
	Message *strAST  `parser:"@@?"`
}

type defaultAST struct {
	Pos    lexer.Position
	EndPos lexer.Position
	First  bool     `parser:"( @\"first\""`
	Expr   *exprAST `parser:"| @@ )"`
}

type confirmAST struct {
	Pos      lexer.Position
	EndPos   lexer.Position
	Text     *strAST      `parser:"\"confirm\" @@?"`
	Block    bool         `parser:"( @\"{\""`
	Branches []*branchAST `parser:"  @@* \"}\" )?"`
}

type branchAST struct {
	Pos     lexer.Position
	EndPos  lexer.Position
	Kind    string       `parser:"@(\"yes\" | \"no\")"`
	Braced  bool         `parser:"( @\"{\""`
	Actions []*actionAST `parser:"  @@* \"}\" | @@ )"`
}

type verifyAST struct {
	Pos       lexer.Position
	EndPos    lexer.Position
	Text      *strAST      `parser:"\"verify\" @@?"`
	Block     bool         `parser:"( @\"{\""`
	Fallbacks []*actionAST `parser:"  ( \"fallback\" @@ )* \"}\" )?"`
}

type callAST struct {
	Pos      lexer.Position
	EndPos   lexer.Position
	Op       *identAST     `parser:"\"call\" @@"`
	Args     []*argAST     `parser:"\"(\" ( @@ ( \",\" @@ )* \",\"? )? \")\""`
	Result   *identAST     `parser:"( \"as\" @@ )?"`
	Block    bool          `parser:"( @\"{\""`
	Handlers []*handlerAST `parser:"  @@* \"}\" )?"`
}

type argAST struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Name   *identAST `parser:"@@ \":\""`
	Value  *exprAST  `parser:"@@"`
}

type handlerAST struct {
	Pos     lexer.Position
	EndPos  lexer.Position
	Code    *identAST    `parser:"\"on\" @@"`
	Braced  bool         `parser:"( @\"{\""`
	Actions []*actionAST `parser:"  @@* \"}\" | @@ )"`
}

type ifAST struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Cond   *exprAST     `parser:"\"if\" @@"`
	Then   []*actionAST `parser:"\"{\" @@* \"}\""`
	Else   *elseAST     `parser:"@@?"`
}

type elseAST struct {
	Pos     lexer.Position
	EndPos  lexer.Position
	Actions []*actionAST `parser:"\"else\" \"{\" @@* \"}\""`
}

// actionAST is a step that may stand inside a block: say, set, goto, start, end, handoff.
type actionAST struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Say    *sayAST   `parser:"  @@"`
	Set    *setAST   `parser:"| @@"`
	Goto   *identAST `parser:"| \"goto\" @@"`
	Start  *identAST `parser:"| \"start\" @@"`
	End    *endAST   `parser:"| @@"`
}

type sayAST struct {
	Pos      lexer.Position
	EndPos   lexer.Position
	Text     *strAST  `parser:"\"say\" @@"`
	Each     *exprAST `parser:"( \"each\" @@"`
	EachItem *strAST  `parser:"  @@? )?"`
}

type setAST struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Slot   *identAST `parser:"\"set\" @@ \"=\""`
	Value  *exprAST  `parser:"@@"`
}

type endAST struct {
	Pos     lexer.Position
	EndPos  lexer.Position
	Keyword string  `parser:"@(\"end\" | \"handoff\")"`
	Text    *strAST `parser:"@@?"`
}

// Expressions: or binds loosest, then and, then not, then comparison.

type exprAST struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Left   *andAST   `parser:"@@"`
	Right  []*andAST `parser:"( \"or\" @@ )*"`
}

type andAST struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Left   *notAST   `parser:"@@"`
	Right  []*notAST `parser:"( \"and\" @@ )*"`
}

type notAST struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Not    *notAST `parser:"  \"not\" @@"`
	Cmp    *cmpAST `parser:"| @@"`
}

type cmpAST struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Left   *operandAST `parser:"@@"`
	Op     string      `parser:"( @(\"==\" | \"!=\" | \"<=\" | \">=\" | \"<\" | \">\")"`
	Right  *operandAST `parser:"  @@ )?"`
}

type operandAST struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Paren  *exprAST    `parser:"  \"(\" @@ \")\""`
	Filled *identAST   `parser:"| \"filled\" \"(\" @@ \")\""`
	Str    *strAST     `parser:"| @@"`
	Number string      `parser:"| @Number"`
	Bool   string      `parser:"| @(\"true\" | \"false\")"`
	Path   []*identAST `parser:"| @@ ( \".\" @@ )*"`
}

// grammar is built at its first use, not at package init: building it is 12 ms and 8,500
// allocations that every weiyin process paid before main, while loading dialogs runs beside
// other start-up work (the tokeniser's dictionary).
var grammar = sync.OnceValue(func() *participle.Parser[fileAST] {
	return participle.MustBuild[fileAST](
		participle.Lexer(lexDefinition{}),
		participle.Elide("Whitespace", "Comment"),
		participle.UseLookahead(4),
	)
})
