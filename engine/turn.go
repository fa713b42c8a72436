package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/weiyin-bank/weiyin/dialogs"
	"github.com/weiyin-bank/weiyin/intents"
)

// turn is the work of one message: it owns the session value for the duration of the turn.
// What a message means is decided here (turn.go); flows run in flow.go, slots are filled in
// slots.go and bank calls pass the money guard in guard.go.
type turn struct {
	b     *Bot
	ctx   context.Context
	user  string
	lease *Lease // the user's lease when the store is shared (lease.go), else nil
	s     *Session
	now   time.Time
	prog  *Program
	cust  *Customer
	// bankDown is set when the customer could not be looked up because the bank failed: the
	// customer may well be bound, so account flows report the outage, never "not bound".
	bankDown bool

	res   intents.Result
	lists map[string][]Value // bank list values by entity name, fetched once per turn

	out     []string
	buttons []string
	handoff bool
	intent  string
	conf    float64
}

// maxFrames bounds the flow stack: the active flow and the interrupted ones below it.
const maxFrames = 3

// maxSteps bounds the steps one turn may run, so a dialog loop without a wait cannot hang.
const maxSteps = 200

func (t *turn) resolveCustomer(as string) error {
	key := "openid\x00" + t.user
	if as != "" {
		key = "customer\x00" + as
	}
	if c, ok := t.b.customers.get(key, t.now); ok {
		t.cust = c
		return nil
	}
	var c Customer
	var err error
	if as != "" {
		c, err = t.b.cfg.Bank.Customer(t.ctx, as)
	} else {
		c, err = t.b.cfg.Bank.CustomerByOpenID(t.ctx, t.user)
	}
	switch {
	case err == nil:
		t.cust = &c
		t.b.customers.put(key, &c, t.now)
	case errors.Is(err, ErrNotFound):
	default:
		// The bank is down: the turn still runs; account flows report the outage.
		t.bankDown = true
		t.b.log.Warn("customer lookup failed", "user", maskUser(t.user), "err", err)
	}
	return nil
}

func (t *turn) bundle() *dialogs.Bundle { return t.prog.Bundle }

func (t *turn) say(s string) {
	if s = strings.TrimSpace(s); s != "" {
		t.out = append(t.out, s)
	}
}

// reply says a reserved or named reply of the current bundle, rotating its variants; a
// reserved reply the bundle lacks falls back to the engine's default wording (replies.go).
// It reports whether anything was said.
func (t *turn) reply(name string, extra map[string]any) bool {
	r := t.bundle().Replies[name]
	if r == nil || len(r.Variants) == 0 {
		if d, ok := dialogs.DefaultReplies[name]; ok {
			t.say(renderDefault(d, extra))
			return true
		}
		return false
	}
	if t.s.Variants == nil {
		t.s.Variants = map[string]int{}
	}
	i := t.s.Variants[name] % len(r.Variants)
	t.s.Variants[name]++
	sc := &scope{customer: t.cust, now: t.now, extra: extra}
	t.say(sc.render(r.Variants[i]))
	return true
}

func (t *turn) result() Reply {
	r := Reply{Texts: t.out, Buttons: t.buttons, Intent: t.intent, Confidence: t.conf, Handoff: t.handoff}
	if r.Intent == "" {
		r.Intent = t.res.Intent
	}
	if r.Confidence == 0 && r.Intent == t.res.Intent {
		r.Confidence = t.res.Confidence
	}
	for _, e := range t.res.Entities {
		r.Entities = append(r.Entities, ReplyEntity{Type: e.Type, Value: e.Value, Text: e.Text})
	}
	if f := t.s.top(); f != nil {
		r.Flow = f.Flow
		if fp := t.flowOf(f); fp != nil && f.PC < len(fp.Steps) {
			r.Step = stepName(fp.Steps[f.PC])
			r.Slots = map[string]string{}
			for name, v := range f.Slots {
				if sl := fp.Slot(name); sl != nil && sl.Sensitive {
					r.Slots[name] = maskValue(v)
				} else {
					r.Slots[name] = v.V
				}
			}
		}
	}
	return r
}

func stepName(st *dialogs.Step) string {
	if st.Label != "" {
		return st.Label
	}
	if st.Kind == dialogs.StepAsk {
		return st.Slot
	}
	return st.Kind.String()
}

// flowOf is the compiled flow a frame runs on: the one of the frame's own version.
func (t *turn) flowOf(f *Frame) *flowProg {
	if p := t.b.program(f.Version); p != nil {
		return p.flow(f.Flow)
	}
	return nil
}

// handle runs the turn for one message.
func (t *turn) handle(m Message) {
	t.expire()
	if t.restoreFrames() {
		return
	}
	if f := t.s.top(); f != nil && f.Pending != nil {
		t.completePending(f)
		return
	}
	switch m.Kind {
	case "event":
		t.handleEvent(m)
		return
	case "location":
		t.handleLocation(m)
		return
	case "voice":
		if m.Text == "" {
			t.intent = "voice_empty"
			t.reply("voice_empty", nil)
			return
		}
	case "", "text":
	default:
		t.intent = "unsupported"
		t.reply("unsupported", nil)
		return
	}
	if m.Text == "" {
		t.intent = intents.None
		t.reply("help", nil)
		return
	}
	t.understand(m.Text)
	t.handleResult()
}

func (t *turn) understand(text string) {
	lists, vals := t.b.nluLists(t.ctx, t.bundle(), t.cust)
	t.lists = vals
	t.res = t.prog.NLU.Understand(text, intents.Context{Now: t.now, Lists: lists})
	t.res.Text = text
}

// expire drops flows the customer left idle for too long, and says so.
func (t *turn) expire() {
	s := t.s
	if len(s.Frames) == 0 && s.Pending == nil {
		return
	}
	idle := t.now.Sub(s.LastActive)
	expired := !s.LastActive.IsZero() && idle > t.b.cfg.SessionTTL
	if f := s.top(); f != nil && !expired {
		if fp := t.flowOf(f); fp != nil && fp.Timeout > 0 && t.now.Sub(f.Active) > fp.Timeout {
			expired = true
		}
	}
	if expired {
		// A money-moving call recorded as sent must still be completed and told: keep its frame.
		var keep []*Frame
		for _, f := range s.Frames {
			if f.Pending != nil {
				keep = append(keep, f)
			}
		}
		s.Frames, s.Pending = keep, nil
		t.reply("timeout", nil)
	}
}

func (t *turn) handleEvent(m Message) {
	switch m.Event {
	case "subscribe":
		t.intent = "subscribe"
		t.reply("greeting", nil)
		if t.cust == nil {
			t.reply("unbound", nil)
		}
		if key := strings.TrimPrefix(m.Key, "qrscene_"); key != "" {
			if in, ok := t.bundle().Menus[key]; ok {
				t.startIntent(in, 1, nil)
			}
		}
	case "click", "CLICK":
		in, ok := t.bundle().Menus[m.Key]
		if !ok {
			t.intent = "unsupported"
			t.reply("help", nil)
			return
		}
		t.res = intents.Result{Intent: in, Confidence: 1}
		t.handleResult()
	default:
		t.intent = "event"
	}
}

// handleLocation fills lat/lng of a waiting flow, or starts the flow that searches branches.
func (t *turn) handleLocation(m Message) {
	lat := Value{Type: "number", V: strconv.FormatFloat(m.Lat, 'f', 6, 64), Text: m.Label}
	lng := Value{Type: "number", V: strconv.FormatFloat(m.Lng, 'f', 6, 64), Text: m.Label}
	t.conf = 1
	if f := t.s.top(); f != nil {
		if fp := t.flowOf(f); fp != nil && fp.Slot("lat") != nil && fp.Slot("lng") != nil {
			t.intent = fp.intent
			f.Slots["lat"], f.Slots["lng"] = lat, lng
			// The location may change the way through the flow ("if filled(lat)"): evaluate it
			// again from the top; slots already filled are not asked again.
			f.PC, f.Retries = 0, 0
			t.runFrame(f)
			return
		}
	}
	// The flow that takes a location: the first (in declaration order) with lat and lng slots.
	for _, in := range t.bundle().IntentNames {
		name, ok := t.bundle().StartedBy[in]
		if fp := t.prog.flow(name); ok && fp != nil && fp.Slot("lat") != nil && fp.Slot("lng") != nil {
			t.intent = in
			t.startFlow(name, map[string]Value{"lat": lat, "lng": lng})
			return
		}
	}
	t.intent = "unsupported"
	t.reply("unsupported", nil)
}

// ends reports whether an intent closes the conversation's current business rather than
// starting something new: a goodbye, thanks or handoff never asks "continue?" afterwards.
func ends(intent string) bool {
	return intent == "goodbye" || intent == "thanks" || intent == "handoff"
}

// handleResult decides what the understood message means in the conversation.
func (t *turn) handleResult() {
	res := t.res
	if p := t.s.Pending; p != nil {
		t.s.Pending = nil
		if t.answerPending(p) {
			return
		}
	}
	if f := t.s.top(); f != nil {
		if res.Intent == "cancel" && !t.corrects(f) {
			t.cancelFlow()
			return
		}
		if t.continueFrame(f) {
			return
		}
		if res.Intent != intents.None && res.Intent != "affirm" && res.Intent != "deny" {
			if fp := t.flowOf(f); fp == nil || fp.Interruptible || ends(res.Intent) {
				t.digress()
				return
			}
		}
		t.retry(f)
		return
	}
	t.fresh()
}

// fresh handles a message outside any flow.
func (t *turn) fresh() {
	res := t.res
	if res.Intent == intents.None {
		if t.pickFromList() || t.followUp() {
			return
		}
		t.s.Fallbacks++
		if t.s.Fallbacks >= 2 {
			if !t.reply("fallback_again", nil) {
				t.reply("help", nil)
			}
			return
		}
		t.reply("fallback", nil)
		return
	}
	t.s.Fallbacks = 0
	if res.Ambiguous && len(res.Alternatives) > 0 {
		opts := []string{res.Intent, res.Alternatives[0].Intent}
		t.s.Pending = &Pending{Kind: "choose", Options: opts, Slots: t.entityValues()}
		t.reply("ambiguous", nil)
		var lines []string
		for i, o := range opts {
			lines = append(lines, fmt.Sprintf("%d. %s", i+1, t.intentTitle(o)))
			t.buttons = append(t.buttons, t.intentTitle(o))
		}
		t.say(strings.Join(lines, "\n"))
		return
	}
	if res.Intent == "cancel" {
		t.reply("nothing_to_cancel", nil)
		return
	}
	t.startIntent(res.Intent, res.Confidence, t.entityValues())
}

func (t *turn) intentTitle(name string) string {
	if in := t.bundle().Intents[name]; in != nil && in.Title != "" {
		return in.Title
	}
	return name
}

// startIntent answers an intent: its flow, its FAQ answer or its reply.
func (t *turn) startIntent(name string, conf float64, prefill map[string]Value) {
	t.intent, t.conf = name, conf
	b := t.bundle()
	if flow, ok := b.StartedBy[name]; ok {
		if t.othersData(flow) {
			return
		}
		t.startFlow(flow, prefill)
		return
	}
	if in := b.Intents[name]; in != nil && in.Answer != nil {
		sc := &scope{customer: t.cust, now: t.now}
		t.say(sc.render(in.Answer))
		return
	}
	if t.reply(name, nil) {
		return
	}
	if name == "greet" && t.reply("greeting", nil) {
		return
	}
	t.reply("help", nil)
}

// digress answers another intent in the middle of a flow, keeping the flow to come back to.
func (t *turn) digress() {
	res := t.res
	t.intent, t.conf = res.Intent, res.Confidence
	if _, ok := t.bundle().StartedBy[res.Intent]; ok {
		// The digression is a flow: it runs on top, the interrupted one waits below it and is
		// offered again when this one ends.
		t.startIntent(res.Intent, res.Confidence, t.entityValues())
		return
	}
	t.startIntent(res.Intent, res.Confidence, nil)
	switch {
	case res.Intent == "goodbye" || t.handoff:
		// A goodbye or a handoff closes what was open: nothing is left half done.
		t.s.Frames = keepPending(t.s.Frames)
	case res.Intent == "thanks":
		// Politeness, not a change of subject: the open question stays open, unasked.
	default:
		t.offerResume()
	}
}

// keepPending drops frames except those with a money-moving call in flight.
func keepPending(fs []*Frame) []*Frame {
	var out []*Frame
	for _, f := range fs {
		if f.Pending != nil {
			out = append(out, f)
		}
	}
	return out
}

// answerPending handles the reply to a question asked outside a flow.
func (t *turn) answerPending(p *Pending) bool {
	switch p.Kind {
	case "choose":
		if n, ok := pickNumber(t.res.Text, t.res); ok && n >= 1 && n <= len(p.Options) {
			t.startIntent(p.Options[n-1], 1, p.Slots)
			return true
		}
		for _, o := range p.Options {
			if t.res.Intent == o || strings.Contains(t.res.Text, t.intentTitle(o)) {
				t.startIntent(o, 1, p.Slots)
				return true
			}
		}
	case "resume":
		f := t.s.top()
		if f == nil {
			return false
		}
		switch t.res.Intent {
		case "affirm":
			t.intent = "affirm"
			f.Retries = 0
			t.runFrame(f)
			return true
		case "deny", "cancel":
			t.cancelFlow()
			return true
		}
		if strings.Contains(t.res.Text, "继续") {
			t.runFrame(f)
			return true
		}
	}
	return false
}

// cancelFlow cancels the active flow at the customer's request.
func (t *turn) cancelFlow() {
	f := t.s.top()
	if f == nil {
		t.reply("nothing_to_cancel", nil)
		return
	}
	t.intent = "cancel"
	t.s.pop()
	t.reply("cancelled", nil)
	t.offerResume()
}

func (t *turn) offerResume() {
	below := t.s.top()
	if below == nil {
		return
	}
	title := below.Flow
	if fp := t.flowOf(below); fp != nil && fp.Title != "" {
		title = fp.Title
	}
	t.s.Pending = &Pending{Kind: "resume", Options: []string{below.Flow}}
	t.reply("resume", map[string]any{"flow": title})
	t.buttons = []string{"继续", "取消"}
}

// pickFromList handles "第二个" after a numbered list.
func (t *turn) pickFromList() bool {
	l := t.s.LastList
	if l == nil {
		return false
	}
	n, ok := 0, false
	for _, e := range t.res.Entities {
		if e.Type == "ordinal" {
			n, _ = strconv.Atoi(e.Value)
			ok = true
		}
	}
	if !ok {
		if n, ok = pickNumber(t.res.Text, t.res); !ok || len([]rune(t.res.Text)) > 3 {
			return false
		}
	}
	if size := max(len(l.Items), len(l.Lines)); n < 1 || n > size {
		t.reply("pick_range", map[string]any{"max": float64(size)})
		return true
	}
	if n > len(l.Items) { // a list of lines: show the one picked again
		t.intent = "select"
		t.say(l.Lines[n-1])
		return true
	}
	it := l.Items[n-1]
	t.intent = "select"
	var parts []string
	for _, k := range []string{"name", "address", "hours", "distance"} {
		if v := it.Fields[k]; v != "" {
			parts = append(parts, v)
		}
	}
	if q := it.Fields["queue"]; q != "" {
		parts = append(parts, "当前排队"+q+"人")
	}
	t.say(strings.Join(parts, "\n"))
	// Offer the service that takes such a value (a branch -> booking, a product -> purchase).
	if in, slot := t.serviceFor(l.Entity); in != "" {
		it.Type = l.Entity
		title := t.intentTitle(in)
		t.reply("offer_service", map[string]any{"service": title})
		t.s.Pending = &Pending{Kind: "choose", Options: []string{in}, Slots: map[string]Value{slot: it}}
	}
	return true
}

// serviceFor finds an intent whose flow has a slot of the entity, other than the flow that
// listed it, and that slot's name.
func (t *turn) serviceFor(entity string) (intent, slot string) {
	if entity == "" {
		return "", ""
	}
	b := t.bundle()
	for _, in := range b.IntentNames {
		fl := b.Flows[b.StartedBy[in]]
		if fl == nil || fl.Name == t.s.LastFlow {
			continue
		}
		for _, s := range fl.Slots {
			if s.Entity == entity {
				return in, s.Name
			}
		}
	}
	return "", ""
}

// followUp re-runs the last flow with new values ("那上个月的呢?").
func (t *turn) followUp() bool {
	if t.s.LastFlow == "" || t.now.Sub(t.s.LastAt) > 10*time.Minute || len(t.res.Entities) == 0 {
		return false
	}
	fp := t.prog.flow(t.s.LastFlow)
	if fp == nil {
		return false
	}
	f := &Frame{Slots: map[string]Value{}}
	if len(t.fillFromEntities(f, fp, "", nil, false)) == 0 {
		return false
	}
	prefill := map[string]Value{}
	for k, v := range t.s.LastSlots {
		prefill[k] = v
	}
	for k, v := range f.Slots {
		prefill[k] = v
	}
	t.intent = fp.intent
	if t.intent == "" {
		t.intent = t.s.LastFlow
	}
	t.conf = t.res.Confidence
	t.startFlowWith(t.s.LastFlow, prefill)
	return true
}

// startFlowWith starts a flow with slots already known (follow-ups, carried values).
func (t *turn) startFlowWith(name string, prefill map[string]Value) {
	saved := t.res.Entities
	t.res.Entities = nil
	t.startFlow(name, prefill)
	t.res.Entities = saved
}
