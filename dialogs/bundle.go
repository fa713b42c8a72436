package dialogs

import (
	"slices"
	"time"
)

// Version is the dialog-language version this package reads (`weiyin 1`).
const Version = 1

// Pos is a position in a dialog file: 1-based line and column, columns in runes.
type Pos struct {
	File   string
	Line   int
	Column int
	Offset int // byte offset in the file
}

// Bundle is a checked bot: every dialog file of one directory, resolved into one immutable,
// concurrency-safe program. The engine and the NLU only ever see a Bundle, never the syntax
// tree. A Bundle must not be modified after Load returns it.
type Bundle struct {
	Dir      string
	Files    []string // file names relative to Dir, sorted
	Intents  map[string]*Intent
	Entities map[string]*Entity // declared entities (builtins are not listed)
	Flows    map[string]*Flow
	Replies  map[string]*Reply
	Menus    map[string]string // WeChat menu key -> intent name

	// IntentNames lists Intents in declaration order (files sorted, then by position).
	IntentNames []string
	// FlowNames lists Flows in declaration order.
	FlowNames []string
	// StartedBy maps an intent to the flow it starts, if any.
	StartedBy map[string]string
	// Stubs are the operations declared with `stub`: prototypes of bank calls that do not
	// exist yet. A call to one has Step.Stub set. A bundle with stubs runs only on the
	// sandbox bank (`weiyin serve` refuses it otherwise).
	Stubs map[string]*Stub
}

// StubNames returns the names of the stub operations, sorted.
func (b *Bundle) StubNames() []string {
	names := make([]string, 0, len(b.Stubs))
	for n := range b.Stubs {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Stub is a bank operation declared in the dialogs (`stub NAME { ... }`) so that staff can
// prototype a flow before the bank offers the call. The checker checks calls to it like any
// operation (arguments, result fields, error codes, confirm and verify before it when it
// moves money); on the sandbox the engine answers a call with the declared example results
// and moves nothing.
type Stub struct {
	Op    Op     // the declared signature; Op.Name is the stub's name
	Title string // what it does, for people
	// Example holds the declared result values by field name, as written (texts and numbers
	// as their source text).
	Example map[string]string
	Pos     Pos
}

// Results is what a call to the stub returns: a fresh map of the example values, each a
// string, ready for the engine's call results.
func (s *Stub) Results() map[string]any {
	out := make(map[string]any, len(s.Example))
	for k, v := range s.Example {
		out[k] = v
	}
	return out
}

// EntityNames returns the declared entities' names, sorted.
func (b *Bundle) EntityNames() []string {
	names := make([]string, 0, len(b.Entities))
	for n := range b.Entities {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Intent is something the customer wants, learnt from examples.
type Intent struct {
	Name     string
	Title    string
	Examples []Example
	Keywords []string
	Answer   *Template // set for faq intents
	Pos      Pos
}

// IsFAQ reports whether the intent is a knowledge answer.
func (i *Intent) IsFAQ() bool { return i.Answer != nil }

// Example is one utterance with its slot marks resolved: Text is what the customer would type,
// the marks point into it by rune offsets.
type Example struct {
	Text  string
	Marks []Mark
	Pos   Pos
}

// Mark is a slot value inside an example: Text[Start:End] in runes is a value of Entity, for
// Slot (Slot may be empty: then the entity name is the slot name).
type Mark struct {
	Start, End int
	Slot       string
	Entity     string
}

// EntityKind tells where an entity's values come from.
type EntityKind int

const (
	EntityBuiltin EntityKind = iota // money, date, ... extracted by code
	EntityEnum                      // values declared in the dialog files
	EntityBank                      // values listed per customer by the bank adapter
)

// BuiltinEntities are the entity types extracted by code; they need no declaration.
var BuiltinEntities = []string{"money", "number", "date", "time", "datetime", "period", "phone", "card_tail", "otp", "text"}

// BankLists are the lists an entity may take from the bank (`entity X from bank LIST`).
var BankLists = []string{"contacts", "accounts", "cards", "other_cards", "branches", "districts", "products", "billers", "advisors", "business_types", "bookings"}

// Entity is a declared entity type.
type Entity struct {
	Name   string
	Title  string
	Kind   EntityKind
	Values []EnumValue // EntityEnum
	List   string      // EntityBank: one of BankLists
	Pos    Pos
}

// EnumValue is one value of an enum entity: Value is what the engine and bank see, Names[0] the
// display name, Names[1:] synonyms.
type EnumValue struct {
	Value string
	Names []string
}

// Reply is a named reply with one or more variants.
type Reply struct {
	Name     string
	Variants []*Template
	Pos      Pos
}

// Flow is a state machine started by intents.
type Flow struct {
	Name            string
	Title           string
	StartOn         []string
	RequiresBinding bool
	Interruptible   bool
	Timeout         time.Duration // 0: the engine's default
	Slots           []*Slot
	Steps           []*Step // top level, in order; Index(label) finds one
	Labels          map[string]int
	Pos             Pos
}

// Slot returns the slot declaration called name, or nil.
func (f *Flow) Slot(name string) *Slot {
	for _, s := range f.Slots {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Slot is a named value a flow collects.
type Slot struct {
	Name      string
	Entity    string // builtin name or declared entity
	Sensitive bool
	Pos       Pos
}

// StepKind is what a step does.
type StepKind int

const (
	StepAsk StepKind = iota
	StepConfirm
	StepVerify
	StepCall
	StepSay
	StepIf
	StepSet
	StepGoto
	StepStart
	StepEnd
	StepHandoff
)

var stepKindNames = [...]string{"ask", "confirm", "verify", "call", "say", "if", "set", "goto", "start", "end", "handoff"}

func (k StepKind) String() string {
	if int(k) < len(stepKindNames) {
		return stepKindNames[k]
	}
	return "?"
}

// Step is one step of a flow, or one action inside a block (on/if/yes/no).
type Step struct {
	Kind  StepKind
	Label string // may be empty
	Pos   Pos

	// ask
	Slot        string
	Prompt      *Template // ask prompt, confirm read-back, verify prompt, say/end/handoff text
	Retries     []*Template
	Fallback    *Step // a jump: goto/end/handoff/start
	Validations []Validation
	Default     *Expr // nil: none; Expr{Op: "first"} means the first bank value
	Choices     bool

	// confirm
	Yes, No []*Step

	// call
	Op       string
	Args     []Arg
	Result   string
	Handlers []Handler
	// Stub is set when Op is a stub operation declared in the dialogs: the engine answers
	// the call with Stub.Results() on the sandbox and never sends it to a bank.
	Stub *Stub

	// say ... each
	Each     *Expr
	EachItem *Template

	// if
	Cond *Expr
	Then []*Step
	Else []*Step

	// set
	Value *Expr

	// goto (label), start (flow)
	Target string
}

// Arg is a named operation argument.
type Arg struct {
	Name  string
	Value *Expr
	Pos   Pos
}

// Handler handles one error code of a call ("any" catches the rest).
type Handler struct {
	Code    string
	Actions []*Step
	Pos     Pos
}

// Validation is a condition a filled slot must meet.
type Validation struct {
	Cond    *Expr
	Message *Template
	Pos     Pos
}

// Expr is a small expression tree.
//
//	Op "lit":   Lit (string, float64 or bool)
//	Op "path":  Path (e.g. ["receipt","id"], ["customer","bound"], ["amount"])
//	Op "filled": Path[0] is the slot
//	Op "first": default first
//	Op "not": Args[0]
//	Op "and", "or", "==", "!=", "<", "<=", ">", ">=": Args[0], Args[1]
type Expr struct {
	Op   string
	Lit  any
	Path []string
	Args []*Expr
	Pos  Pos
}

// Template is a parsed text with placeholders.
type Template struct {
	Source string // the string as written, without quotes, escapes resolved
	Parts  []TemplatePart
	Pos    Pos
}

// TemplatePart is either literal text or a placeholder.
type TemplatePart struct {
	Text    string   // literal, when Path is nil
	Path    []string // placeholder
	Filters []Filter
}

// Filter is one `|name:arg` of a placeholder.
type Filter struct {
	Name string
	Arg  string
}

// Filters lists the template filters the engine implements.
var Filters = []string{"money", "yuan", "tail", "mask", "phone", "date", "time", "datetime", "weekday", "default", "count"}
