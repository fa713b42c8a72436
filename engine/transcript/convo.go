package transcript

import (
	"fmt"
	"strings"
)

// Sender tells who speaks in a step.
type Sender int

const (
	// Me is the customer: the step's text is sent to the bot.
	Me Sender = iota
	// BotSays is the bot: the step's text and asserters check one message of the reply.
	BotSays
	// Include inserts the steps of a partial convo named by the step's text.
	Include
)

func (s Sender) String() string {
	switch s {
	case Me:
		return "#me"
	case BotSays:
		return "#bot"
	default:
		return "#include"
	}
}

// Convo is one parsed .convo.txt or .pconvo.txt file.
type Convo struct {
	File        string // path as given to Load
	Name        string // title line
	Description string
	Partial     bool        // a .pconvo.txt
	Begin       []Directive // logic hooks of #begin
	End         []Directive // asserters of #end, checked against the last reply
	Steps       []Step
}

// Step is one #me, #bot or #include section.
type Step struct {
	Sender Sender
	File   string
	Line   int // line of the section header, 1-based
	// Text is the #me message, the expected #bot text (lines joined by "\n"; empty: no text
	// check) or the included partial's name.
	Text     string
	TextLine int  // line of the first text line (the header line when there is none)
	Not      bool // #bot text negated with "!"
	// Directives are the logic hooks of a #me section or the asserters of a #bot section.
	Directives []Directive
}

// Directive is an asserter or logic-hook line: `NAME arg|arg`, negated with a leading `!`.
type Directive struct {
	Name string
	Args []string
	Not  bool
	Line int
}

func (d Directive) String() string {
	s := d.Name
	if d.Not {
		s = "!" + s
	}
	if len(d.Args) > 0 {
		s += " " + strings.Join(d.Args, "|")
	}
	return s
}

// Utterances is a named list of utterances (.utterances.txt).
type Utterances struct {
	File  string
	Name  string
	Lines []string
	Line  int // line of the first utterance
}

// Error is a problem in a transcript file, with its position.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// ErrorList is every problem found while loading a suite, in file and line order.
type ErrorList []*Error

func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// err returns the list as an error, or nil when it is empty.
func (l ErrorList) err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}
