package transcript

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/weiyin-bank/weiyin/engine"
	"github.com/weiyin-bank/weiyin/engine/enginetest"
)

// Bot is what a transcript talks to: *engine.Bot implements it.
type Bot interface {
	Turn(ctx context.Context, user string, m engine.Message) (engine.Reply, error)
}

// Factory makes a fresh bot for one run: its own sandbox loaded from the fixture and its own
// store, with its clock reading s.Clock. The returned func releases it. Factories are called
// from several goroutines at once.
type Factory func(ctx context.Context, s Settings) (Bot, func(), error)

// Settings are what a run needs from its bot, from the Options defaults and the convo's
// #begin hooks.
type Settings struct {
	Convo   string    // convo file, for logs
	User    string    // WeChat openid the convo speaks from
	As      string    // sandbox customer id to speak as ("" none)
	Now     time.Time // the run's start time
	Fixture string    // sandbox fixture file ("" the factory's default)
	// Clock is the run's clock, starting at Now; WAIT hooks advance it. A factory wires it as
	// the bot's clock.
	Clock *enginetest.Clock
}

// DefaultNow is the replay clock when neither the options nor the convo set one.
var DefaultNow = time.Date(2026, 11, 25, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

// Options configure Run.
type Options struct {
	Factory  Factory
	Defaults Settings // User, As, Now and Fixture when a convo does not set them
	// Parallel bounds the runs in flight; 0 means GOMAXPROCS.
	Parallel int
	// Noise, when set, perturbs every #me text before it is sent.
	Noise *Noise
	// TurnTimeout bounds one bot turn; 0 means 30s.
	TurnTimeout time.Duration
}

// Result is the outcome of one run.
type Result struct {
	Name     string
	File     string
	Line     int // the convo's first line
	Passed   bool
	Failure  *Failure // nil when passed
	Turns    []TurnLog
	Duration time.Duration
	Settings Settings // what the run was started with
}

// TurnLog is one exchange of a run, kept for coverage and reports.
type TurnLog struct {
	Me      string         `json:"me"`
	Message engine.Message `json:"-"` // as sent
	Reply   engine.Reply   `json:"reply"`
}

// Failure says where and how a run failed: the first failing section stops the run.
type Failure struct {
	File    string   // the file holding the failing section (a partial convo's when included)
	Line    int      // the line of the failing text or asserter
	Turn    int      // 1-based #me count; 0 before the first message
	Section string   // "#bot", "#me", "#begin", "#end"
	Me      string   // what the customer said in this turn
	Said    []string // what the bot answered in this turn
	Checks  []Check  // the failed expectations
	Err     string   // a bot or setup error, when the run could not go on
}

// Check is one failed expectation.
type Check struct {
	Line     int    `json:"line"`
	What     string `json:"what"` // "text", "INTENT", ...
	Expected string `json:"expected"`
	Actual   string `json:"actual"`
	Diff     string `json:"diff,omitempty"` // character diff, when it helps
}

// Replay replays every run of the suite and returns the results in suite order. It fails only
// when the suite cannot be expanded; bot errors fail the run they happen in.
func Replay(ctx context.Context, s *Suite, o Options) (*Report, error) {
	runs, err := s.Runs()
	if err != nil {
		return nil, err
	}
	return ReplayRuns(ctx, runs, s.Utterances, o), nil
}

// ReplayRuns replays runs in parallel, bounded by o.Parallel, and returns their results in order.
// utts resolves #bot lines naming an utterance list (may be nil).
func ReplayRuns(ctx context.Context, runs []Run, utts map[string]*Utterances, o Options) *Report {
	par := o.Parallel
	if par <= 0 {
		par = runtime.GOMAXPROCS(0)
	}
	start := time.Now()
	results := make([]Result, len(runs))
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	for i := range runs {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer func() { <-sem; wg.Done() }()
			results[i] = replay(ctx, runs[i], o, utts)
		}(i)
	}
	wg.Wait()
	return &Report{Results: results, Duration: time.Since(start), Noise: o.Noise.String()}
}

// settingsFor merges the defaults with the convo's #begin hooks.
func settingsFor(r Run, o Options) Settings {
	st := o.Defaults
	st.Convo = r.Convo.File
	if st.User == "" {
		st.User = "o_test"
	}
	if st.Now.IsZero() {
		st.Now = DefaultNow
	}
	for _, d := range r.Convo.Begin {
		switch d.Name {
		case "USER":
			st.User = d.Args[0]
		case "AS":
			st.As = d.Args[0]
		case "NOW":
			if t, err := time.Parse(time.RFC3339, d.Args[0]); err == nil {
				st.Now = t
			}
		}
	}
	st.Clock = enginetest.NewClock(st.Now)
	return st
}

func replay(ctx context.Context, r Run, o Options, utts map[string]*Utterances) (res Result) {
	start := time.Now()
	res = Result{Name: r.Name, File: r.Convo.File, Line: 1}
	defer func() { res.Duration = time.Since(start); res.Passed = res.Failure == nil }()
	st := settingsFor(r, o)
	res.Settings = st
	if o.Factory == nil {
		res.Failure = &Failure{File: r.Convo.File, Line: 1, Section: "#begin", Err: "no bot factory"}
		return res
	}
	bot, done, err := o.Factory(ctx, st)
	if err != nil {
		res.Failure = &Failure{File: r.Convo.File, Line: 1, Section: "#begin", Err: fmt.Sprintf("starting the bot: %v", err)}
		return res
	}
	if done != nil {
		defer done()
	}
	timeout := o.TurnTimeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}

	var (
		turn    int
		reply   engine.Reply
		me      string
		queue   []string // reply texts not yet consumed by a #bot section
		haveRep bool
	)
	fail := func(f *Failure) Result {
		f.Turn, f.Me = turn, me
		if haveRep {
			f.Said = reply.Texts
		}
		res.Failure = f
		return res
	}
	for _, step := range r.Steps {
		switch step.Sender {
		case Me:
			turn++
			m, err := buildMessage(step, r, turn, st, o.Noise)
			if err != nil {
				me = step.Text
				return fail(&Failure{File: step.File, Line: step.Line, Section: "#me", Err: err.Error()})
			}
			me = m.Text
			if me == "" {
				me = describeMessage(m)
			}
			tctx, cancel := context.WithTimeout(ctx, timeout)
			rep, err := bot.Turn(tctx, st.User, m)
			cancel()
			if err != nil {
				haveRep = false
				return fail(&Failure{File: step.File, Line: step.Line, Section: "#me", Err: fmt.Sprintf("bot error: %v", err)})
			}
			reply, haveRep = rep, true
			queue = append([]string(nil), rep.Texts...)
			res.Turns = append(res.Turns, TurnLog{Me: me, Message: m, Reply: rep})
		case BotSays:
			if !haveRep {
				return fail(&Failure{File: step.File, Line: step.Line, Section: "#bot", Err: "#bot before the first #me: weiyin speaks only when spoken to"})
			}
			var msg string
			present := len(queue) > 0
			if present {
				msg, queue = queue[0], queue[1:]
			}
			if checks := checkBot(step, msg, present, reply, utts); len(checks) > 0 {
				return fail(&Failure{File: step.File, Line: checkLine(checks), Section: "#bot", Checks: checks})
			}
		}
	}
	if len(r.Convo.End) > 0 {
		if !haveRep {
			return fail(&Failure{File: r.Convo.File, Line: r.Convo.End[0].Line, Section: "#end", Err: "#end asserters without any turn"})
		}
		var checks []Check
		for _, d := range r.Convo.End {
			if c, failed := assert(d, strings.Join(reply.Texts, "\n"), true, reply); failed {
				checks = append(checks, c)
			}
		}
		if len(checks) > 0 {
			return fail(&Failure{File: r.Convo.File, Line: checkLine(checks), Section: "#end", Checks: checks})
		}
	}
	return res
}

func checkLine(cs []Check) int { return cs[0].Line }

// buildMessage makes the message a #me step sends, applying its logic hooks (WAIT advances
// the run's clock) and the noise model.
func buildMessage(step Step, r Run, turn int, st Settings, noise *Noise) (engine.Message, error) {
	m := engine.Message{ID: fmt.Sprintf("%s#%d", r.Name, turn), Kind: "text", Text: step.Text, As: st.As}
	for _, d := range step.Directives {
		switch d.Name {
		case "WAIT":
			dur, err := time.ParseDuration(d.Args[0])
			if err != nil {
				return m, fmt.Errorf("WAIT: %w", err)
			}
			st.Clock.Advance(dur)
		case "ID":
			m.ID = d.Args[0]
		case "VOICE":
			m.Kind = "voice"
		case "LOCATION":
			lat, lng, label, err := parseLocation(d.Args)
			if err != nil {
				return m, err
			}
			m.Kind, m.Lat, m.Lng, m.Label = "location", lat, lng, label
		case "EVENT":
			m.Kind, m.Event = "event", d.Args[0]
		case "CLICK":
			m.Kind, m.Event, m.Key = "event", "click", d.Args[0]
		}
	}
	if noise != nil && m.Text != "" && (m.Kind == "text" || m.Kind == "voice") {
		m.Text = noise.Apply(m.Text, r.Name, turn)
	}
	return m, nil
}

// describeMessage names a message without text, for reports.
func describeMessage(m engine.Message) string {
	switch m.Kind {
	case "location":
		return fmt.Sprintf("[位置 %.5f,%.5f %s]", m.Lat, m.Lng, m.Label)
	case "event":
		if m.Key != "" {
			return fmt.Sprintf("[%s %s]", m.Event, m.Key)
		}
		return "[" + m.Event + "]"
	}
	return ""
}
