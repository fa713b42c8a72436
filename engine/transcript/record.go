package transcript

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/weiyin-bank/weiyin/engine"
)

// RecordOptions configure a Recorder.
type RecordOptions struct {
	Title string // first line of the convo; default "recorded conversation"
	User  string // written as `USER` in #begin when set
	As    string // written as `AS` when set
	// Start, when set, is written as `NOW` so that a replay runs at the recorded time, and
	// dates the description.
	Start time.Time
	// OTP is the one-time code the bank accepts in tests (the sandbox fixture's "otp"): typed
	// codes are written as it when they are it, as "000000" otherwise. Leave it empty against a
	// bank with real codes: accepted codes are then written as "******".
	OTP string
	// State adds weiyin's STATE asserter to every turn (real Botium does not know it).
	State bool
	// KeepInput writes customer lines as sent, unmasked: for snapshots of authored convos
	// whose inputs are test data, never for live conversations.
	KeepInput bool
	// MaskMoney writes the bot's amounts (¥1,234.56: balances, limits) as a wildcard, ¥*:
	// for live conversations, whose balances are a customer's.
	MaskMoney bool
	// Continue appends to a recording begun earlier (after a restart): no title or #begin,
	// and, as the step the bot waited at is not known, a code-like first message is masked
	// as a one-time code.
	Continue bool
}

// Recorder writes a live conversation as a BotiumScript convo: every customer message as a
// #me section, every reply text as a #bot section, the first with an INTENT asserter.
// Sensitive values are masked: one-time codes, and the middle digits of card, account and phone
// numbers (in the bot's texts as a `*` wildcard, so the line still matches on replay). Safe for
// concurrent use; each turn is written as it happens.
type Recorder struct {
	mu       sync.Mutex
	w        io.Writer
	o        RecordOptions
	started  bool
	lastStep string // the step the bot waited at after the previous turn
	err      error
}

// NewRecorder returns a recorder writing to w.
func NewRecorder(w io.Writer, o RecordOptions) *Recorder {
	if o.Title == "" {
		o.Title = "recorded conversation"
	}
	r := &Recorder{w: w, o: o}
	if o.Continue {
		r.started, r.lastStep = true, "verify"
	}
	return r
}

var (
	longDigits = regexp.MustCompile(`\d[\d ]{9,}\d`)                         // card, account, phone numbers
	codeLike   = regexp.MustCompile(`^\s*\d{4,8}\s*$`)                       // a one-time code typed alone
	mePhone    = regexp.MustCompile(`1[3-9]\d{9}`)                           // mainland mobile numbers
	meCard     = regexp.MustCompile(`\d{4}[ -]?\d{4}[ -]?\d{4}[ -]?\d{1,7}`) // card numbers
	botMoney   = regexp.MustCompile(`[¥￥]-?[\d,]+(?:\.\d+)?`)                // an amount as the bot writes it
)

// Record appends one exchange: the customer's message and the bot's reply.
func (r *Recorder) Record(m engine.Message, rep engine.Reply) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return r.err
	}
	var b strings.Builder
	if !r.started {
		r.started = true
		b.WriteString(oneLine(r.o.Title) + "\n")
		if !r.o.Start.IsZero() {
			fmt.Fprintf(&b, "Recorded on %s.\n", r.o.Start.Format("2006-01-02 15:04"))
		}
		var hooks []string
		if r.o.User != "" {
			hooks = append(hooks, "USER "+r.o.User)
		}
		if r.o.As != "" {
			hooks = append(hooks, "AS "+r.o.As)
		}
		if !r.o.Start.IsZero() {
			hooks = append(hooks, "NOW "+r.o.Start.Format(time.RFC3339))
		}
		if len(hooks) > 0 {
			b.WriteString("\n#begin\n" + strings.Join(hooks, "\n") + "\n")
		}
	}
	b.WriteString("\n#me\n")
	// Text first, then hooks: Botium accepts no text after a logic hook in #me.
	if m.Text != "" {
		b.WriteString(r.maskMe(m.Text, rep) + "\n")
	}
	switch m.Kind {
	case "location":
		fmt.Fprintf(&b, "LOCATION %g,%g %s\n", m.Lat, m.Lng, m.Label)
	case "event":
		if m.Event == "click" {
			fmt.Fprintf(&b, "CLICK %s\n", m.Key)
		} else {
			fmt.Fprintf(&b, "EVENT %s\n", m.Event)
		}
	case "voice":
		b.WriteString("VOICE\n")
	}
	texts := rep.Texts
	if len(texts) == 0 {
		texts = []string{""}
	}
	for i, t := range texts {
		b.WriteString("\n#bot\n")
		if r.o.MaskMoney {
			t = botMoney.ReplaceAllString(t, "¥*")
		}
		for _, l := range strings.Split(maskBot(t), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				b.WriteString(safeLine(l) + "\n")
			}
		}
		if i == 0 && rep.Intent != "" {
			b.WriteString("INTENT " + rep.Intent + "\n")
		}
		if i == 0 && r.o.State {
			b.WriteString("STATE " + stateString(rep.Flow, rep.Step) + "\n")
		}
	}
	r.lastStep = rep.Step
	if _, err := io.WriteString(r.w, b.String()); err != nil {
		r.err = fmt.Errorf("recording: %w", err)
	}
	return r.err
}

// wrongCode stands for a one-time code the bot refused.
const wrongCode = "000000"

// maskMe masks what the customer typed. A code answered to a verify step is never written as
// typed: the test code RecordOptions.OTP stays, a code the bot refused (it still waits at
// verify) becomes "000000", and a code that ended the verification is the test code when it was
// typed, a wrong code when another was typed with OTP set (the bank locked the operation),
// "******" without OTP. Card and phone numbers keep only their ends.
func (r *Recorder) maskMe(s string, rep engine.Reply) string {
	if r.o.KeepInput {
		return s
	}
	if r.lastStep == "verify" && codeLike.MatchString(s) {
		typed := strings.TrimSpace(s)
		switch {
		case r.o.OTP != "" && typed == r.o.OTP:
			return r.o.OTP
		case rep.Step == "verify", r.o.OTP != "":
			return wrongCode
		}
		return "******"
	}
	s = meCard.ReplaceAllStringFunc(s, func(n string) string {
		d := strings.NewReplacer(" ", "", "-", "").Replace(n)
		if len(d) < 12 {
			return n
		}
		return d[:6] + strings.Repeat("*", len(d)-10) + d[len(d)-4:]
	})
	return mePhone.ReplaceAllStringFunc(s, func(p string) string { return p[:3] + "****" + p[7:] })
}

// starRuns are masked groups such as "**** ****": one wildcard matches them all, and Botium
// refuses lines with more than ten wildcards.
var starRuns = regexp.MustCompile(`\*+(?:[ \t]*\*+)*`)

// maskBot replaces the middle of long digit runs in a bot text by a `*` wildcard and collapses
// runs of masking stars into one.
func maskBot(s string) string {
	s = longDigits.ReplaceAllStringFunc(s, func(n string) string {
		return n[:3] + "*" + n[len(n)-4:]
	})
	return starRuns.ReplaceAllString(s, "*")
}

// safeLine keeps a text line from reading as a section, asserter or negation on replay.
func safeLine(l string) string {
	if strings.HasPrefix(l, "#") || strings.HasPrefix(l, "!") || looksLikeDirective(l) ||
		isOneOf(firstWord(l), asserterNames) || isOneOf(firstWord(l), meHookNames) {
		return "*" + l
	}
	return l
}

// RecordResult writes what happened in a replayed run as a convo: its settings in #begin and
// every exchange the run got through, with the bot's actual replies. It turns a draft of
// customer lines into a transcript to review ("snapshot" mode of `weiyin test --record`).
func RecordResult(w io.Writer, res Result, o RecordOptions) error {
	if o.Title == "" {
		o.Title = res.Name
	}
	if o.User == "" {
		o.User = res.Settings.User
	}
	if o.As == "" {
		o.As = res.Settings.As
	}
	if o.Start.IsZero() {
		o.Start = res.Settings.Now
	}
	rec := NewRecorder(w, o)
	for _, t := range res.Turns {
		if err := rec.Record(t.Message, t.Reply); err != nil {
			return err
		}
	}
	return nil
}
