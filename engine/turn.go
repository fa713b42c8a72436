package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/weiyin-bank/weiyin/dialogs"
	"github.com/weiyin-bank/weiyin/intents"
)

// turn is the work of one message: it owns the session value for the duration of the turn.
type turn struct {
	b    *Bot
	ctx  context.Context
	user string
	s    *Session
	now  time.Time
	prog *Program
	cust *Customer

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
		// The bank is down: the turn still runs; account flows will report the outage.
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

// sayReply says a named reply of the current bundle, rotating its variants.
func (t *turn) sayReply(name string, extra map[string]any) bool {
	r := t.bundle().Replies[name]
	if r == nil || len(r.Variants) == 0 {
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

func (t *turn) reply() Reply {
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
		if fl := t.flowOf(f); fl != nil && f.PC < len(fl.Steps) {
			r.Step = stepName(fl.Steps[f.PC])
			r.Slots = map[string]string{}
			for name, v := range f.Slots {
				if sl := fl.Slot(name); sl != nil && sl.Sensitive {
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

func (t *turn) progOf(f *Frame) *Program { return t.b.program(f.Version) }

func (t *turn) flowOf(f *Frame) *dialogs.Flow { return t.progOf(f).Bundle.Flows[f.Flow] }

// handle runs the turn for one message.
func (t *turn) handle(m Message) {
	t.expire()
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
			if !t.sayReply("voice_empty", nil) {
				t.say("抱歉,没有听清您的语音,请再说一次或直接输入文字。")
			}
			return
		}
	case "", "text":
	default:
		t.intent = "unsupported"
		if !t.sayReply("unsupported", nil) {
			t.say("暂时只能处理文字和语音消息,请直接输入您要办理的业务。")
		}
		return
	}
	if m.Text == "" {
		t.intent = intents.None
		t.sayReply("help", nil)
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
		if fl := t.flowOf(f); fl != nil && fl.Timeout > 0 && t.now.Sub(f.Active) > fl.Timeout {
			expired = true
		}
	}
	if expired {
		s.Frames, s.Pending = nil, nil
		if !t.sayReply("timeout", nil) {
			t.say("由于您长时间未操作,刚才的业务已结束。")
		}
	}
}

func (t *turn) handleEvent(m Message) {
	switch m.Event {
	case "subscribe":
		t.intent = "subscribe"
		t.sayReply("greeting", nil)
		if t.cust == nil {
			t.sayReply("unbound", nil)
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
			t.sayReply("help", nil)
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
	t.intent = "branch_search"
	t.conf = 1
	if f := t.s.top(); f != nil {
		if fl := t.flowOf(f); fl != nil && fl.Slot("lat") != nil && fl.Slot("lng") != nil {
			f.Slots["lat"], f.Slots["lng"] = lat, lng
			// The location may change the way through the flow ("if filled(lat)"): evaluate it
			// again from the top; slots already filled are not asked again.
			f.PC, f.Retries = 0, 0
			t.runFrame(f)
			return
		}
	}
	name, ok := t.bundle().StartedBy["branch_search"]
	if !ok {
		t.sayReply("unsupported", nil)
		return
	}
	t.startFlow(name, map[string]Value{"lat": lat, "lng": lng})
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
			if fl := t.flowOf(f); fl == nil || fl.Interruptible {
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
			if !t.sayReply("fallback_again", nil) {
				t.sayReply("help", nil)
			}
			return
		}
		t.sayReply("fallback", nil)
		return
	}
	t.s.Fallbacks = 0
	if res.Ambiguous && len(res.Alternatives) > 0 {
		opts := []string{res.Intent, res.Alternatives[0].Intent}
		t.s.Pending = &Pending{Kind: "choose", Options: opts, Slots: t.entityValues()}
		t.sayReply("ambiguous", nil)
		var lines []string
		for i, o := range opts {
			lines = append(lines, fmt.Sprintf("%d. %s", i+1, t.intentTitle(o)))
			t.buttons = append(t.buttons, t.intentTitle(o))
		}
		t.say(strings.Join(lines, "\n"))
		return
	}
	if res.Intent == "cancel" {
		t.sayReply("nothing_to_cancel", nil)
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
		t.startFlow(flow, prefill)
		return
	}
	if in := b.Intents[name]; in != nil && in.Answer != nil {
		sc := &scope{customer: t.cust, now: t.now}
		t.say(sc.render(in.Answer))
		return
	}
	if t.sayReply(name, nil) {
		return
	}
	if name == "greet" && t.sayReply("greeting", nil) {
		return
	}
	t.sayReply("help", nil)
}

// startFlow pushes a new instance of a flow and runs it until it waits or ends.
func (t *turn) startFlow(name string, prefill map[string]Value) {
	fl := t.bundle().Flows[name]
	if fl == nil {
		t.sayReply("error", nil)
		return
	}
	if fl.RequiresBinding && t.cust == nil {
		t.sayReply("unbound", nil)
		if bind, ok := t.bundle().StartedBy["bind_account"]; ok && bind != name {
			t.startFlow(bind, nil)
		}
		return
	}
	// One instance of a flow at a time: starting it again replaces an interrupted one, which
	// would otherwise be offered for resuming after the new one ends.
	t.s.Frames = slices.DeleteFunc(t.s.Frames, func(f *Frame) bool { return f.Flow == name })
	// A customer who digresses again and again must not grow the stack without bound: only the
	// most recent interrupted flows are kept.
	if len(t.s.Frames) >= maxFrames {
		t.s.Frames = append([]*Frame(nil), t.s.Frames[len(t.s.Frames)-maxFrames+1:]...)
	}
	t.s.Seq++
	f := &Frame{ID: fmt.Sprintf("f%d", t.s.Seq), Flow: name, Version: t.prog.Version, Slots: map[string]Value{},
		Started: t.now, Active: t.now}
	t.s.Frames = append(t.s.Frames, f)
	for _, sl := range fl.Slots {
		if v, ok := prefill[sl.Name]; ok && compatible(sl.Entity, v.Type) {
			f.Slots[sl.Name] = t.convert(sl, v)
		}
	}
	t.fillFromEntities(f, fl, "", nil, true)
	t.runFrame(f)
}

// entityValues turns the message's entities into values keyed by entity type (first wins) and by
// slot role.
func (t *turn) entityValues() map[string]Value {
	out := map[string]Value{}
	for _, e := range t.res.Entities {
		v := t.valueOf(e)
		if e.Slot != "" {
			if _, ok := out[e.Slot]; !ok {
				out[e.Slot] = v
			}
		}
	}
	return out
}

func (t *turn) valueOf(e intents.Entity) Value {
	v := Value{Type: e.Type, V: e.Value, Text: e.Text}
	if e.End2 != "" {
		v.Fields = map[string]string{"end": e.End2}
	}
	for _, lv := range t.lists[e.Type] {
		if lv.V == e.Value {
			v.Fields = lv.Fields
			break
		}
	}
	if ent := t.bundle().Entities[e.Type]; ent != nil && ent.Kind == dialogs.EntityEnum {
		for _, ev := range ent.Values {
			if ev.Value == e.Value && len(ev.Names) > 0 {
				v.Fields = map[string]string{"name": ev.Names[0]}
			}
		}
	}
	return v
}

// compatible reports whether an entity of type got fills a slot of entity want.
func compatible(want, got string) bool {
	if want == got {
		return true
	}
	switch want {
	case "date", "time":
		return got == "datetime"
	case "period":
		return got == "date"
	case "money":
		return got == "number"
	case "number":
		return got == "ordinal"
	}
	return false
}

// convert adapts a value to the slot's entity type (datetime -> date, number -> money ...).
func (t *turn) convert(sl *dialogs.Slot, v Value) Value {
	if v.Type == sl.Entity {
		return v
	}
	switch {
	case sl.Entity == "date" && v.Type == "datetime":
		if tm, _, ok := parseTimeish(v.V); ok {
			return Value{Type: "date", V: tm.Format("2006-01-02"), Text: v.Text}
		}
	case sl.Entity == "time" && v.Type == "datetime":
		if tm, _, ok := parseTimeish(v.V); ok {
			return Value{Type: "time", V: tm.Format("15:04"), Text: v.Text}
		}
	case sl.Entity == "period" && v.Type == "date":
		return Value{Type: "period", V: v.V, Text: v.Text, Fields: map[string]string{"end": v.V}}
	case sl.Entity == "money" && v.Type == "number":
		if m, err := ParseYuan(v.V); err == nil {
			return Value{Type: "money", V: m.Yuan(), Text: v.Text}
		}
	}
	v.Type = sl.Entity
	return v
}

// fillFromEntities fills empty slots of a frame from the message's entities and returns the
// names of the slots it set. skip names a slot the caller fills itself; used marks entities
// already taken. loose lets a bare number fill a money slot: right for the message that starts a
// flow ("给张三转500"), wrong for later answers, where a number answers the question asked.
func (t *turn) fillFromEntities(f *Frame, fl *dialogs.Flow, skip string, used map[int]bool, loose bool) []string {
	var set []string
	if used == nil {
		used = map[int]bool{}
	}
	for _, sl := range fl.Slots {
		if sl.Name == skip {
			continue
		}
		if _, filled := f.Slots[sl.Name]; filled {
			continue
		}
		for i, e := range t.res.Entities {
			if used[i] || (e.Slot != "" && e.Slot != sl.Name) {
				continue
			}
			fits := e.Type == sl.Entity || e.Type == "datetime" && (sl.Entity == "date" || sl.Entity == "time") ||
				t.accountTypeFits(sl, e) || loose && compatible(sl.Entity, e.Type) && plausibleAmount(e)
			if !fits {
				continue
			}
			v, ok := t.slotValue(sl, e)
			if !ok {
				continue
			}
			f.Slots[sl.Name] = v
			set = append(set, sl.Name)
			if e.Type != "datetime" {
				used[i] = true
			}
			break
		}
	}
	return set
}

// plausibleAmount: a bare number that could be an amount, not a phone or account number.
func plausibleAmount(e intents.Entity) bool {
	if e.Type != "number" {
		return true
	}
	return len(e.Value) <= 9
}

// accountTypeFits: "活期" names an account of the customer.
func (t *turn) accountTypeFits(sl *dialogs.Slot, e intents.Entity) bool {
	ent := t.bundle().Entities[sl.Entity]
	return e.Type == "account_type" && ent != nil && ent.Kind == dialogs.EntityBank && ent.List == "accounts"
}

// slotValue turns an entity into a value for a slot.
func (t *turn) slotValue(sl *dialogs.Slot, e intents.Entity) (Value, bool) {
	if t.accountTypeFits(sl, e) {
		for _, v := range t.lists[sl.Entity] {
			if v.Fields["type"] == e.Value {
				v.Text = e.Text
				return v, true
			}
		}
		return Value{}, false
	}
	if e.End2 != "" && sl.Entity == "money" {
		return Value{}, false // a range is not one amount
	}
	if e.Type == "datetime" && e.End2 != "" && (sl.Entity == "datetime" || sl.Entity == "time") {
		return Value{}, false // "明天下午" is not a time yet: the flow asks for one
	}
	return t.convert(sl, t.valueOf(e)), true
}

// corrections applies entities that change slots already filled ("不对,是五百", "换成李四").
// It returns the slots it changed. loose lets a bare number correct an amount: right at the
// read-back ("不对,是五百"), wrong while another question is open.
func (t *turn) corrections(f *Frame, fl *dialogs.Flow, loose bool) []string {
	var changed []string
	for _, e := range t.res.Entities {
		for _, sl := range fl.Slots {
			old, filled := f.Slots[sl.Name]
			if !filled || e.Type != sl.Entity && !t.accountTypeFits(sl, e) && !(loose && compatible(sl.Entity, e.Type) && plausibleAmount(e)) {
				continue
			}
			v, ok := t.slotValue(sl, e)
			if ok && v.V != old.V {
				f.Slots[sl.Name] = v
				changed = append(changed, sl.Name)
			}
			break
		}
	}
	return changed
}

// corrects reports whether the message changes a slot already filled ("不对,是五百"): such a
// message is a correction even when it reads like a refusal.
func (t *turn) corrects(f *Frame) bool {
	fl := t.flowOf(f)
	if fl == nil || len(t.res.Entities) == 0 {
		return false
	}
	probe := &Frame{Slots: map[string]Value{}}
	for k, v := range f.Slots {
		probe.Slots[k] = v
	}
	return len(t.corrections(probe, fl, f.Wait != "ask")) > 0
}

// continueFrame offers the message to the waiting step of the active flow. It returns false
// when the message does not belong to the flow (a digression or a failed answer).
func (t *turn) continueFrame(f *Frame) bool {
	fl := t.flowOf(f)
	if fl == nil || f.PC >= len(fl.Steps) {
		t.s.pop()
		return false
	}
	f.Active = t.now
	st := fl.Steps[f.PC]
	switch f.Wait {
	case "ask":
		sl := fl.Slot(st.Slot)
		if sl == nil {
			return false
		}
		if v, idx, ok := t.answer(f, fl, sl); ok {
			f.Slots[sl.Name] = v
			if idx >= 0 {
				t.fillFromEntities(f, fl, sl.Name, map[int]bool{idx: true}, false)
			}
			f.Retries = 0
			t.runFrame(f)
			return true
		}
		if len(t.corrections(f, fl, false)) > 0 || len(t.fillFromEntities(f, fl, sl.Name, nil, false)) > 0 {
			t.runFrame(f)
			return true
		}
		if t.res.Intent == f.Flow || t.bundle().StartedBy[t.res.Intent] == f.Flow {
			t.runFrame(f)
			return true
		}
		return false
	case "confirm":
		if changed := t.corrections(f, fl, true); len(changed) > 0 {
			t.intent = "correction"
			t.runFrame(f) // validations run again, then the read-back
			return true
		}
		switch t.res.Intent {
		case "affirm":
			f.Retries = 0
			f.Wait = ""
			f.PC++
			if t.actions(f, fl, st.Yes) {
				return true
			}
			t.runFrame(f)
			return true
		case "deny":
			f.Wait = ""
			if len(st.No) == 0 {
				t.cancelFlow()
				return true
			}
			f.PC++
			if t.actions(f, fl, st.No) {
				return true
			}
			t.runFrame(f)
			return true
		}
		return false
	case "verify":
		code := otpIn(t.res.Text)
		if code == "" {
			code = t.digitsEntity(4, 8) // 幺二三四五六
		}
		if code == "" {
			if changed := t.corrections(f, fl, true); len(changed) > 0 {
				t.backToConfirm(f, fl)
				return true
			}
			return false
		}
		err := t.b.cfg.Bank.VerifyOTP(t.ctx, f.Challenge, code)
		switch {
		case err == nil:
			f.Wait, f.Retries, f.Verified = "", 0, true
			f.PC++
			t.runFrame(f)
		case errors.Is(err, ErrBadCode):
			f.Retries++
			t.say("验证码不正确,请重新输入短信验证码。")
		case errors.Is(err, ErrLocked):
			t.say("验证码错误次数过多,本次操作已取消。为了您的资金安全,请稍后再试。")
			f.Wait = ""
			if st.Fallback != nil {
				if t.actions(f, fl, []*dialogs.Step{st.Fallback}) {
					return true
				}
			}
			t.endFrame(f, false)
		default:
			t.bankError(f, err)
		}
		return true
	}
	return false
}

// backToConfirm returns a flow to its last confirm step before the current one, after a
// correction, so the customer sees the new read-back.
func (t *turn) backToConfirm(f *Frame, fl *dialogs.Flow) {
	for i := f.PC; i >= 0; i-- {
		if fl.Steps[i].Kind == dialogs.StepConfirm {
			f.PC = i
			break
		}
	}
	f.Wait = ""
	t.runFrame(f)
}

// digitSeparators drops the spaces and dashes customers type inside codes and numbers. Built
// once: a Replacer builds its tables on first use, 6 KB each time (a tenth of what a turn
// allocated when it was built per call).
var digitSeparators = strings.NewReplacer(" ", "", "-", "")

// answer reads the message as the value of the slot being asked for. idx is the entity it used,
// or -1 when the message as a whole is the answer (a list pick, a code, free text).
func (t *turn) answer(f *Frame, fl *dialogs.Flow, sl *dialogs.Slot) (v Value, idx int, ok bool) {
	text := strings.TrimSpace(t.res.Text)
	// A number picks from the list the bot just showed.
	if n, ok := pickNumber(text, t.res); ok && t.s.LastList != nil && t.s.LastList.Entity == sl.Entity {
		if n >= 1 && n <= len(t.s.LastList.Items) {
			return t.s.LastList.Items[n-1], -1, true
		}
	}
	if sl.Entity == "number" || sl.Entity == "otp" {
		if d := digitSeparators.Replace(text); len(d) >= 4 && strings.Trim(d, "0123456789") == "" {
			return Value{Type: sl.Entity, V: d, Text: text}, -1, true
		}
	}
	for i, e := range t.res.Entities {
		if e.Type == sl.Entity || compatible(sl.Entity, e.Type) || t.accountTypeFits(sl, e) {
			if v, ok := t.slotValue(sl, e); ok {
				return v, i, true
			}
		}
	}
	ent := t.bundle().Entities[sl.Entity]
	switch {
	case sl.Entity == "text":
		if text != "" && t.res.Intent != "cancel" {
			return Value{Type: "text", V: text, Text: text}, -1, true
		}
	case sl.Entity == "otp":
		if c := otpIn(text); c != "" {
			return Value{Type: "otp", V: c, Text: text}, -1, true
		}
	case sl.Entity == "money":
		if m, err := ParseYuan(strings.TrimSuffix(strings.TrimSuffix(text, "元"), "块")); err == nil && m > 0 {
			return Value{Type: "money", V: m.Yuan(), Text: text}, -1, true
		}
	case sl.Entity == "number":
		if _, err := strconv.ParseFloat(text, 64); err == nil {
			return Value{Type: "number", V: text, Text: text}, -1, true
		}
	case ent != nil && ent.Kind == dialogs.EntityEnum:
		for _, ev := range ent.Values {
			for _, n := range ev.Names {
				if strings.Contains(t.res.Normalized, n) || strings.Contains(text, n) {
					return Value{Type: sl.Entity, V: ev.Value, Text: n, Fields: map[string]string{"name": ev.Names[0]}}, -1, true
				}
			}
		}
	case ent != nil && ent.Kind == dialogs.EntityBank && (ent.List == "cards" || ent.List == "accounts"):
		// "尾号1234" picks a card or an account.
		for _, e := range t.res.Entities {
			if e.Type != "card_tail" {
				continue
			}
			for _, v := range t.lists[sl.Entity] {
				if tail(v.Fields["number"], 4) == e.Value {
					return v, -1, true
				}
			}
		}
	}
	return Value{}, -1, false
}

func pickNumber(text string, res intents.Result) (int, bool) {
	for _, e := range res.Entities {
		if e.Type == "ordinal" || (e.Type == "number" && len([]rune(e.Text)) == len([]rune(text))) {
			if n, err := strconv.Atoi(e.Value); err == nil {
				return n, true
			}
		}
	}
	n, err := strconv.Atoi(strings.TrimSpace(text))
	return n, err == nil
}

// otpIn finds a one-time code (4 to 8 digits) in a message.
func otpIn(s string) string {
	var digits []rune
	for _, r := range s {
		if r >= '0' && r <= '9' {
			digits = append(digits, r)
		} else if r >= '０' && r <= '９' {
			digits = append(digits, '0'+(r-'０'))
		} else if !unicode.IsSpace(r) && len(digits) > 0 && len(digits) < 4 {
			digits = digits[:0]
		}
	}
	if len(digits) >= 4 && len(digits) <= 8 {
		return string(digits)
	}
	return ""
}

// digitsEntity returns the value of a number entity of min to max digits, if the message has one.
func (t *turn) digitsEntity(min, max int) string {
	for _, e := range t.res.Entities {
		if e.Type != "number" && e.Type != "phone" {
			continue
		}
		if n := len(e.Value); n >= min && n <= max && strings.Trim(e.Value, "0123456789") == "" {
			return e.Value
		}
	}
	return ""
}

func (t *turn) otpPurpose(f *Frame) string { return t.user + ":" + t.s.Nonce + ":" + f.ID }

// retry handles a message the waiting step could not use: the retry ladder, then the fallback.
func (t *turn) retry(f *Frame) {
	fl := t.flowOf(f)
	if fl == nil || f.PC >= len(fl.Steps) {
		t.s.pop()
		t.fresh()
		return
	}
	st := fl.Steps[f.PC]
	f.Retries++
	sc := t.scope(f, fl)
	switch f.Wait {
	case "confirm":
		if f.Retries > 2 {
			t.cancelFlow()
			return
		}
		t.say("请回复\"确认\"继续办理,或回复\"取消\"放弃。")
		t.buttons = []string{"确认", "取消"}
		return
	case "verify":
		if f.Retries > 3 {
			t.endFrame(f, false)
			t.sayReply("cancelled", nil)
			return
		}
		t.say("请输入短信中的6位数字验证码,或回复\"取消\"放弃。")
		return
	}
	if f.Retries <= len(st.Retries) {
		t.say(sc.render(st.Retries[f.Retries-1]))
		t.offerChoices(f, fl, st)
		return
	}
	if len(st.Retries) == 0 && f.Retries <= 2 {
		t.say("抱歉,没有听懂。" + sc.render(st.Prompt))
		t.offerChoices(f, fl, st)
		return
	}
	fb := st.Fallback
	if fb == nil {
		fb = &dialogs.Step{Kind: dialogs.StepHandoff}
	}
	if fb.Kind == dialogs.StepEnd && fb.Prompt == nil && !t.sayReply("gave_up", nil) {
		t.say("抱歉,这次没能帮您办好,本次办理已结束。需要时可以重新开始,或回复“转人工”。")
	}
	f.Wait = ""
	if !t.actions(f, fl, []*dialogs.Step{fb}) {
		t.runFrame(f)
	}
}

// offerChoices lists the values of a bank-list or enum slot as numbered options.
func (t *turn) offerChoices(f *Frame, fl *dialogs.Flow, st *dialogs.Step) {
	sl := fl.Slot(st.Slot)
	if sl == nil {
		return
	}
	var items []Value
	if vs, ok := t.lists[sl.Entity]; ok {
		items = vs
	} else if ent := t.bundle().Entities[sl.Entity]; ent != nil && ent.Kind == dialogs.EntityEnum {
		for _, ev := range ent.Values {
			items = append(items, Value{Type: sl.Entity, V: ev.Value, Fields: map[string]string{"name": ev.Names[0]}})
		}
	}
	if len(items) == 0 || len(items) > 9 {
		return
	}
	var lines []string
	t.buttons = nil
	for i, v := range items {
		lines = append(lines, fmt.Sprintf("%d. %s", i+1, v.Display()))
		t.buttons = append(t.buttons, v.Display())
	}
	t.say(strings.Join(lines, "\n"))
	t.s.LastList = &List{Entity: sl.Entity, Items: items}
}

func (t *turn) scope(f *Frame, fl *dialogs.Flow) *scope {
	return &scope{frame: f, flow: fl, customer: t.cust, now: t.now}
}

// runFrame runs the active flow from its current step until it waits for the customer or ends.
func (t *turn) runFrame(f *Frame) {
	fl := t.flowOf(f)
	if fl == nil {
		t.s.pop()
		return
	}
	if t.lists == nil {
		_, t.lists = t.b.nluLists(t.ctx, t.bundle(), t.cust)
	}
	f.Wait = ""
	for n := 0; n < maxSteps; n++ {
		if t.s.top() != f {
			return // the flow ended or started another
		}
		if f.PC >= len(fl.Steps) {
			t.endFrame(f, true)
			return
		}
		st := fl.Steps[f.PC]
		sc := t.scope(f, fl)
		switch st.Kind {
		case dialogs.StepAsk:
			if _, ok := f.Slots[st.Slot]; !ok && st.Default != nil {
				if v, ok := t.defaultValue(f, fl, st); ok {
					f.Slots[st.Slot] = v
				}
			}
			if _, ok := f.Slots[st.Slot]; ok {
				if msg := t.invalid(f, fl, st); msg != "" {
					delete(f.Slots, st.Slot)
					t.say(msg)
				} else {
					f.PC++
					continue
				}
			}
			t.say(sc.render(st.Prompt))
			if st.Choices {
				t.offerChoices(f, fl, st)
			}
			f.Wait = "ask"
			return
		case dialogs.StepConfirm:
			t.say(sc.render(st.Prompt))
			t.buttons = []string{"确认", "取消"}
			f.Wait = "confirm"
			return
		case dialogs.StepVerify:
			if sent, goOn := t.sendCode(f, fl); !sent {
				if goOn {
					continue
				}
				return
			}
			t.say(sc.render(st.Prompt))
			f.Wait = "verify"
			return
		case dialogs.StepCall:
			if t.call(f, fl, st) {
				continue
			}
			return
		default:
			if t.actions(f, fl, []*dialogs.Step{st}) {
				continue
			}
			f.PC++
		}
	}
	t.b.log.Error("flow ran too many steps in one turn", "flow", f.Flow)
	t.endFrame(f, false)
	t.sayReply("error", nil)
}

// invalid returns the message of the first validation the slot of an ask step fails.
func (t *turn) invalid(f *Frame, fl *dialogs.Flow, st *dialogs.Step) string {
	sc := t.scope(f, fl)
	for _, v := range st.Validations {
		if !truthy(sc.eval(v.Cond)) {
			return sc.render(v.Message)
		}
	}
	return ""
}

func (t *turn) defaultValue(f *Frame, fl *dialogs.Flow, st *dialogs.Step) (Value, bool) {
	sl := fl.Slot(st.Slot)
	if sl == nil {
		return Value{}, false
	}
	if st.Default.Op == "first" {
		if vs := t.lists[sl.Entity]; len(vs) > 0 {
			return vs[0], true
		}
		return Value{}, false
	}
	v := t.scope(f, fl).eval(st.Default)
	if v == nil {
		return Value{}, false
	}
	if val, ok := v.(Value); ok {
		return val, true
	}
	return Value{Type: sl.Entity, V: text(v)}, true
}

// actions runs say/set/goto/start/end/handoff steps. It returns true when it jumped (the
// caller must not advance the program counter) or ended the flow.
func (t *turn) actions(f *Frame, fl *dialogs.Flow, steps []*dialogs.Step) bool {
	for _, st := range steps {
		sc := t.scope(f, fl)
		switch st.Kind {
		case dialogs.StepSay:
			t.sayStep(f, sc, st)
		case dialogs.StepSet:
			if sl := fl.Slot(st.Slot); sl != nil {
				v := sc.eval(st.Value)
				if val, ok := v.(Value); ok {
					f.Slots[st.Slot] = val
				} else if v == nil {
					delete(f.Slots, st.Slot)
				} else {
					f.Slots[st.Slot] = Value{Type: sl.Entity, V: text(v)}
				}
			}
		case dialogs.StepIf:
			branch := st.Else
			if truthy(sc.eval(st.Cond)) {
				branch = st.Then
			}
			if t.actions(f, fl, branch) {
				return true
			}
		case dialogs.StepGoto:
			if i, ok := fl.Labels[st.Target]; ok {
				f.PC = i
				f.Retries = 0
				// Going back to an ask re-asks it: forget the slot it collects.
				if fl.Steps[i].Kind == dialogs.StepAsk {
					delete(f.Slots, fl.Steps[i].Slot)
				}
			}
			return true
		case dialogs.StepEnd:
			if st.Prompt != nil {
				t.say(sc.render(st.Prompt))
			}
			t.endFrame(f, true)
			return true
		case dialogs.StepHandoff:
			if st.Prompt != nil {
				t.say(sc.render(st.Prompt))
			} else {
				t.sayReply("handoff", nil)
			}
			t.handoff = true
			t.endFrame(f, false)
			return true
		case dialogs.StepStart:
			t.endFrame(f, false)
			carry := map[string]Value{}
			for k, v := range f.Slots {
				carry[k] = v
			}
			t.s.Pending = nil
			t.startFlow(st.Target, carry)
			return true
		default:
			return false
		}
	}
	return false
}

func (t *turn) sayStep(f *Frame, sc *scope, st *dialogs.Step) {
	t.say(sc.render(st.Prompt))
	if st.Each == nil {
		return
	}
	items, _ := sc.eval(st.Each).([]any)
	var lines []string
	var list []Value
	for i, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			continue
		}
		isc := &scope{frame: f, flow: sc.flow, customer: t.cust, now: t.now, item: m, index: i + 1}
		lines = append(lines, isc.render(st.EachItem))
		v := Value{V: text(m["id"]), Fields: map[string]string{}}
		for k, x := range m {
			v.Fields[k] = text(x)
		}
		list = append(list, v)
	}
	if len(lines) > 0 {
		t.say(strings.Join(lines, "\n"))
		l := &List{Entity: t.entityForItems(list), Items: list}
		if l.Entity == "" {
			// Items that are no list entity's values (a statement's movements) can only be
			// shown again: keep the lines, not every field of every item in the session.
			l.Items, l.Lines = nil, lines
		}
		t.s.LastList = l
	}
}

// entityForItems names the bank-list entity whose values the listed items are (a branch search
// lists branches), so "第二个" can fill a slot of that entity; "" when the items are no list's.
func (t *turn) entityForItems(items []Value) string {
	if len(items) == 0 || items[0].V == "" {
		return ""
	}
	for _, name := range t.bundle().EntityNames() {
		for _, v := range t.lists[name] {
			if v.V == items[0].V {
				return name
			}
		}
	}
	return ""
}

// call runs a bank operation step. It returns true when the flow goes on in this turn.
func (t *turn) call(f *Frame, fl *dialogs.Flow, st *dialogs.Step) bool {
	sc := t.scope(f, fl)
	args := map[string]any{}
	for _, a := range st.Args {
		args[a.Name] = sc.eval(a.Value)
	}
	key := fmt.Sprintf("%s:%s:%s:%d", t.user, t.s.Nonce, f.ID, f.Calls)
	f.Calls++
	var result map[string]any
	var err error
	if st.Op == "bind" {
		result, err = t.bind(args, f.Challenge)
	} else if fn, ok := ops[st.Op]; !ok {
		err = fmt.Errorf("%w: unknown operation %q", ErrInvalid, st.Op)
	} else if t.cust == nil && !publicOps[st.Op] {
		err = fmt.Errorf("%w: no bound customer", ErrNotFound)
	} else {
		result, err = fn(t.ctx, t.b.cfg.Bank, opCall{cust: t.cust, args: args, key: key, now: t.now, challenge: f.Challenge})
	}
	if f.Results == nil {
		f.Results = map[string]any{}
	}
	if err == nil {
		if st.Result != "" {
			f.Results[st.Result] = result
		}
		if t.cust != nil && !readOnlyOps[st.Op] {
			t.b.lists.forget(t.cust.ID) // balances and lists may have changed
			_, t.lists = t.b.nluLists(t.ctx, t.bundle(), t.cust)
		}
		f.PC++
		return true
	}
	code := opErrorCode(st.Op, err)
	t.b.log.Info("bank operation failed", "op", st.Op, "code", code, "err", err)
	f.Results["error"] = map[string]any{"code": code, "message": err.Error()}
	for _, h := range st.Handlers {
		if h.Code == code || h.Code == "any" {
			if !t.actions(f, fl, h.Actions) {
				f.PC++
			}
			return t.s.top() == f
		}
	}
	t.bankError(f, err)
	return false
}

func (t *turn) bind(args map[string]any, challenge string) (map[string]any, error) {
	c, err := t.b.cfg.Bank.Bind(t.ctx, t.user, textOrV(args["card_no"]), textOrV(args["phone"]), challenge)
	if err != nil {
		return nil, err
	}
	t.cust = &c
	t.b.customers.forget("openid\x00" + t.user)
	return map[string]any{"customer": c.ID, "name": c.Name}, nil
}

// bankError reports a failed bank call and ends the flow.
func (t *turn) bankError(f *Frame, err error) {
	t.b.log.Warn("bank error", "flow", f.Flow, "code", ErrorCode(err), "err", err)
	t.endFrame(f, false)
	if !t.sayReply("error", nil) {
		t.say("系统繁忙,请稍后再试。")
	}
}

// endFrame removes a finished flow; a flow interrupted below it is offered again.
func (t *turn) endFrame(f *Frame, done bool) {
	for i, x := range t.s.Frames {
		if x == f {
			t.s.Frames = append(t.s.Frames[:i], t.s.Frames[i+1:]...)
			break
		}
	}
	if done {
		t.s.LastFlow, t.s.LastSlots, t.s.LastAt = f.Flow, f.Slots, t.now
	}
	t.offerResume()
}

func (t *turn) offerResume() {
	below := t.s.top()
	if below == nil {
		return
	}
	fl := t.flowOf(below)
	title := below.Flow
	if fl != nil && fl.Title != "" {
		title = fl.Title
	}
	t.s.Pending = &Pending{Kind: "resume", Options: []string{below.Flow}}
	if !t.sayReply("resume", map[string]any{"flow": title}) {
		t.say("继续刚才的" + title + "吗?")
	}
	t.buttons = []string{"继续", "取消"}
}

// cancelFlow cancels the active flow at the customer's request.
func (t *turn) cancelFlow() {
	f := t.s.top()
	if f == nil {
		t.sayReply("nothing_to_cancel", nil)
		return
	}
	t.intent = "cancel"
	t.s.pop()
	t.sayReply("cancelled", nil)
	t.offerResume()
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
	t.offerResume()
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
		t.say(fmt.Sprintf("请回复1到%d之间的序号。", size))
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
		t.say("如需" + title + ",请回复“" + title + "”。")
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
	fl := t.bundle().Flows[t.s.LastFlow]
	if fl == nil {
		return false
	}
	f := &Frame{Slots: map[string]Value{}}
	if len(t.fillFromEntities(f, fl, "", nil, false)) == 0 {
		return false
	}
	prefill := map[string]Value{}
	for k, v := range t.s.LastSlots {
		prefill[k] = v
	}
	for k, v := range f.Slots {
		prefill[k] = v
	}
	t.intent = t.s.LastFlow
	for in, name := range t.bundle().StartedBy {
		if name == t.s.LastFlow {
			t.intent = in
		}
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
