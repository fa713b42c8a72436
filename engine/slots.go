package engine

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/weiyin-bank/weiyin/dialogs"
	"github.com/weiyin-bank/weiyin/intents"
)

// Slot filling. A slot is filled by role, not by type alone: an entity annotated with a slot in
// an example, or carrying a role from the words around it ("给张三": to), goes to that slot; a
// bare number is an amount only when the message is about that number; a value the customer
// names again replaces the one given before (the last word counts).

// entityValues turns the message's entities into values keyed by slot role (the last wins).
func (t *turn) entityValues() map[string]Value {
	out := map[string]Value{}
	for _, e := range t.res.Entities {
		if e.Slot != "" {
			out[e.Slot] = t.valueOf(e)
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
	if e.Unit != "" {
		f := map[string]string{"unit": e.Unit}
		for k, x := range v.Fields {
			f[k] = x
		}
		v.Fields = f
	}
	return v
}

// compatible reports whether a value of type got can fill a slot of entity want.
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
		return got == "ordinal" || got == "duration"
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
	case sl.Entity == "number" && v.Type == "duration":
		return Value{Type: "number", V: v.V, Text: v.Text}
	}
	v.Type = sl.Entity
	return v
}

// admit reports whether a value may fill a slot at all, telling the customer why not: an
// amount in a foreign currency is never taken as yuan.
func (t *turn) admit(sl *dialogs.Slot, v Value) (Value, bool) {
	if unit := v.Fields["unit"]; v.Type == "money" && unit != "" && unit != "CNY" {
		t.reply("foreign_currency", map[string]any{"currency": currencyName(unit), "amount": v.Text})
		return Value{}, false
	}
	return v, true
}

// fits reports whether entity e can fill slot sl. loose lets a bare number fill a money slot
// when the message is about that number.
func (t *turn) fits(sl *dialogs.Slot, e intents.Entity, loose bool) bool {
	switch {
	case e.Role == intents.RoleNot:
		return false // 不是张三: the value the customer rejects fills nothing
	case sl.Entity == "text" && e.Type == "account_no":
		return true // 户号123 answers the bill's account number
	case e.Type == sl.Entity:
		return true
	case e.Type == "datetime" && (sl.Entity == "date" || sl.Entity == "time"):
		return true
	case t.accountTypeFits(sl, e):
		return true
	case sl.Entity == "number" && e.Type == "duration":
		return e.Unit == "month" // a loan term: 分3年 is 36 months; 等我5分钟 is no number
	case sl.Entity == "money" && e.Type == "number":
		return loose && t.aboutNumber(e)
	}
	return compatible(sl.Entity, e.Type) && e.Type != "number" && e.Type != "duration"
}

// slotFor picks the slot of fp an entity goes to among those it fits: the slot an example
// names, else the slot named by the entity's role, else the only slot of its type, else the
// first one accepted by want (nil: any).
func (t *turn) slotFor(fp *flowProg, e intents.Entity, loose bool, want func(*dialogs.Slot) bool) *dialogs.Slot {
	if e.Slot != "" {
		if sl := fp.Slot(e.Slot); sl != nil && t.fits(sl, e, loose) && (want == nil || want(sl)) {
			return sl
		}
		return nil
	}
	var cands []*dialogs.Slot
	for _, sl := range fp.Slots {
		if t.fits(sl, e, loose) && (want == nil || want(sl)) {
			cands = append(cands, sl)
		}
	}
	if len(cands) > 1 && e.Type == "number" {
		// A bare number goes to the amount when the words around it pay or lend ("贷款5万"),
		// else to a slot that counts (a term, a quantity).
		money := moneyContext([]rune(t.res.Text), e.Start, e.End)
		for _, sl := range cands {
			if (sl.Entity == "money") == money {
				return sl
			}
		}
	}
	if len(cands) <= 1 || e.Role == "" {
		if len(cands) == 0 {
			return nil
		}
		if r := roleOf(cands[0].Name); e.Role != "" && r != "" && r != e.Role {
			return nil // 李四的卡里 is a source; the only slot is a payee: it does not fill it
		}
		return cands[0]
	}
	for _, sl := range cands {
		if roleOf(sl.Name) == e.Role {
			return sl
		}
	}
	for _, sl := range cands {
		if roleOf(sl.Name) == "" {
			return sl
		}
	}
	return nil
}

// roleOf is the role a slot's name suggests: "from" for a source, "to" for a destination, ""
// when the name says neither.
func roleOf(slot string) string {
	switch {
	case slot == "from" || strings.HasPrefix(slot, "from_") || strings.HasSuffix(slot, "_from") || slot == "source":
		return "from"
	case slot == "to" || strings.HasPrefix(slot, "to_") || strings.HasSuffix(slot, "_to") || slot == "payee" || slot == "target":
		return "to"
	}
	return ""
}

// fillFromEntities fills empty slots of a frame from the message's entities and returns the
// names of the slots it set. skip names a slot the caller fills itself; used marks entities
// already taken. loose lets a bare number fill a money slot ("给张三转500").
func (t *turn) fillFromEntities(f *Frame, fp *flowProg, skip string, used map[int]bool, loose bool) []string {
	return t.assign(f, fp, used, loose, func(sl *dialogs.Slot) bool {
		_, filled := f.Slots[sl.Name]
		return sl.Name != skip && !filled
	})
}

// assign gives the message's entities to the slots of f that want accepts, each entity to the
// slot slotFor picks, in text order (a later value for the same slot wins), and returns the
// slots whose value changed. A slot given a new value drops the earlier values of the slots
// whose question depends on it (flowProg.dependents). Entities in used are skipped; those it takes are added to used.
func (t *turn) assign(f *Frame, fp *flowProg, used map[int]bool, loose bool, want func(*dialogs.Slot) bool) []string {
	var changed, replaced []string
	if used == nil {
		used = map[int]bool{}
	}
	for i, e := range t.res.Entities {
		if used[i] {
			continue
		}
		sl := t.slotFor(fp, e, loose, want)
		if sl == nil {
			continue
		}
		v, ok := t.slotValue(sl, e)
		if !ok {
			continue
		}
		if e.Type != "datetime" { // a datetime may fill both a date and a time
			used[i] = true
		}
		if v, ok = t.admit(sl, v); !ok {
			continue
		}
		if old, had := f.Slots[sl.Name]; !had || old.V != v.V {
			f.Slots[sl.Name] = v
			if !contains(changed, sl.Name) {
				changed = append(changed, sl.Name)
			}
			if had {
				replaced = append(replaced, sl.Name)
			}
		}
	}
	for _, name := range replaced {
		for _, dep := range fp.dependents[name] {
			if !contains(changed, dep) {
				delete(f.Slots, dep) // 户号 of the water bill does not pay the electricity bill
			}
		}
	}
	return changed
}

// aboutNumber reports whether a bare number is what the message is about ("500", "不对,是五百",
// "转800吧") rather than a detail of something else ("等我5分钟", "户号123").
func (t *turn) aboutNumber(e intents.Entity) bool {
	if e.Type != "number" {
		return true
	}
	if len(strings.TrimLeft(e.Value, "-")) > 9 {
		return false // a phone or an account number, not an amount
	}
	if moneyContext([]rune(t.res.Text), e.Start, e.End) {
		return true
	}
	rest := strings.Replace(t.res.Text, e.Text, "", 1)
	n := 0
	for _, r := range rest {
		if unicode.IsPunct(r) || unicode.IsSpace(r) || strings.ContainsRune(amountCues, r) {
			continue
		}
		n++
	}
	return n == 0
}

// moneyContext reports whether the words right around text[start:end] make a number an amount:
// a paying verb or a balance just before it ("转800", "卡里的5000") or a moving verb right after
// it ("5000转到…"). Cues of other numbers (户号, 尾号, 分钟) never count.
func moneyContext(text []rune, start, end int) bool {
	if start < 0 || end > len(text) || start >= end {
		return false
	}
	before := string(text[max(0, start-2):start])
	after := string(text[end:min(len(text), end+2)])
	if start > 0 && isASCIILetter(text[start-1]) || end < len(text) && isASCIILetter(text[end]) {
		return false // 1e5, A100: not a sum written out
	}
	if a := []rune(after); len(a) > 0 && strings.ContainsRune(countWords, a[0]) {
		return false // 转两次, 还3次, 借2本书: a count
	}
	if strings.Contains(string(text[max(0, start-5):start]), "金额") {
		return true // 金额改成20万
	}
	for _, cue := range []string{"转", "汇", "付", "还", "充", "缴", "交", "买", "存", "取", "贷", "借", "贷款", "借款", "归集", "转账", "汇款", "付款", "还款", "充值", "缴费", "取款", "存款", "里的", "里", "内的"} {
		if strings.HasSuffix(before, cue) {
			return true
		}
	}
	for _, cue := range []string{"转", "汇", "打", "付"} {
		if strings.HasPrefix(after, cue) {
			return true
		}
	}
	return false
}

// serviceIntents are the conversation's own moves: "确认", "取消", "谢谢" never answer a question
// asking for free text (a 户号 is never "确认").
var serviceIntents = map[string]bool{"affirm": true, "deny": true, "cancel": true, "thanks": true, "goodbye": true,
	"greet": true, "help": true, "handoff": true}

// glued reports whether an entity's text runs into Latin letters ("1e5"): a value read out of
// such a token is a guess.
func (t *turn) glued(e intents.Entity) bool {
	rs := []rune(t.res.Text)
	return e.Start > 0 && e.Start <= len(rs) && isASCIILetter(rs[e.Start-1]) || e.End >= 0 && e.End < len(rs) && isASCIILetter(rs[e.End])
}

// selfPayee matches a customer naming themself as the one who receives ("转给我", "打到我卡上").
var selfPayee = regexp.MustCompile(`(转|打|汇|还)给我($|[,,。!!吧呢啊的钱]|[0-9一二三四五六七八九十百千万两])|(转|打|汇)到我(的)?(卡|账户|账上)`)

// paysSelf reports whether the message asks a flow paying a saved payee to pay the customer:
// money moves only out of the customer's own accounts, never in from someone else's.
func (t *turn) paysSelf(fp *flowProg) bool {
	if !selfPayee.MatchString(t.res.Text) {
		return false
	}
	for _, sl := range fp.Slots {
		if ent := t.bundle().Entities[sl.Entity]; roleOf(sl.Name) == "to" && ent != nil && ent.Kind == dialogs.EntityBank && ent.List == "contacts" {
			return true
		}
	}
	return false
}

// countWords are measure words that make the number before them a count, not a sum.
const countWords = "次个张本笔期年月天日周号位条岁分秒页遍趟"

func isASCIILetter(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }

// amountCues are the characters that may stand around an amount without making it something
// else: corrections (不对, 是, 改成), verbs of paying, particles and currency words of yuan.
const amountCues = "不对是改成为换就转汇打付还充交缴买存要我先给吧呢啊呀哦嗯了的那个元块圆钱人民币金额算"

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
	if sl.Entity == "money" && t.glued(e) {
		return Value{}, false // 1e5, 100k: not a sum written in a way the customer can be read back
	}
	if e.Type == "datetime" && e.End2 != "" && (sl.Entity == "datetime" || sl.Entity == "time") {
		return Value{}, false // "明天下午" is not a time yet: the flow asks for one
	}
	return t.convert(sl, t.valueOf(e)), true
}

// corrections applies entities that name a new value for slots already filled ("不对,是五百",
// "给李四转100吧" after 张三): the last value named for a slot replaces the one it had. used
// marks entities already taken for another purpose. It returns the slots it changed.
func (t *turn) corrections(f *Frame, fp *flowProg, used map[int]bool, loose bool) []string {
	return t.assign(f, fp, used, loose, func(sl *dialogs.Slot) bool {
		_, filled := f.Slots[sl.Name]
		return filled
	})
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// corrects reports whether the message changes a slot already filled ("不对,是五百"): such a
// message is a correction even when it reads like a refusal.
func (t *turn) corrects(f *Frame) bool {
	fp := t.flowOf(f)
	if fp == nil || len(t.res.Entities) == 0 {
		return false
	}
	probe := &Frame{Slots: map[string]Value{}}
	for k, v := range f.Slots {
		probe.Slots[k] = v
	}
	saved := t.out
	defer func() { t.out = saved }() // a probe says nothing
	return len(t.corrections(probe, fp, nil, f.Wait != "ask")) > 0
}

// continueFrame offers the message to the waiting step of the active flow. It returns false
// when the message does not belong to the flow (a digression or a failed answer).
func (t *turn) continueFrame(f *Frame) bool {
	fp := t.flowOf(f)
	if fp == nil || f.PC >= len(fp.Steps) {
		t.s.pop()
		return false
	}
	f.Active = t.now
	st := fp.Steps[f.PC]
	switch f.Wait {
	case "ask":
		sl := fp.Slot(st.Slot)
		if sl == nil {
			return false
		}
		if v, idx, ok := t.answer(f, fp, sl); ok {
			if v, ok = t.admit(sl, v); !ok {
				t.say(t.scope(f, fp).render(st.Prompt))
				return true
			}
			f.Slots[sl.Name] = v
			if idx >= 0 {
				// The rest of the message may name other values: new ones replace old ones
				// ("给李四转100吧" while asked for the amount changes the payee too). A message
				// that answered as a whole (a list pick, a code, free text) names nothing else.
				used := map[int]bool{idx: true}
				t.corrections(f, fp, used, false)
				t.fillFromEntities(f, fp, sl.Name, used, false)
			}
			f.Retries = 0
			t.runFrame(f)
			return true
		}
		used := map[int]bool{}
		changed := t.corrections(f, fp, used, false)
		if len(changed) > 0 || len(t.fillFromEntities(f, fp, sl.Name, used, false)) > 0 {
			t.runFrame(f)
			return true
		}
		if t.res.Intent == f.Flow || t.bundle().StartedBy[t.res.Intent] == f.Flow {
			t.runFrame(f)
			return true
		}
		return false
	case "confirm":
		if onlyCode(t.res.Text) && len(t.codeIn()) == 6 {
			t.reply("confirm_again", nil) // a code typed before the read-back was confirmed is no amount
			return true
		}
		used := map[int]bool{}
		changed := t.corrections(f, fp, used, true)
		added := t.fillFromEntities(f, fp, "", used, false)
		if len(changed)+len(added) > 0 {
			t.intent = "correction"
			t.runFrame(f) // validations and pre-checks run again, then the new read-back
			return true
		}
		switch t.res.Intent {
		case "affirm":
			return t.affirm(f, fp, f.PC)
		case "deny":
			f.Wait = ""
			if len(st.No) == 0 {
				t.cancelFlow()
				return true
			}
			f.PC++
			if t.actions(f, fp, st.No) != left {
				t.runFrame(f)
			}
			return true
		}
		return false
	case "verify":
		return t.enterCode(f, fp, st)
	}
	return false
}

// answer reads the message as the value of the slot being asked for. idx is the entity it used,
// or -1 when the message as a whole is the answer (a list pick, a code, free text).
func (t *turn) answer(f *Frame, fp *flowProg, sl *dialogs.Slot) (v Value, idx int, ok bool) {
	text := strings.TrimSpace(t.res.Text)
	// A number picks from the list the bot just showed.
	if n, ok := pickNumber(text, t.res); ok && t.s.LastList != nil && t.s.LastList.Entity == sl.Entity {
		if n >= 1 && n <= len(t.s.LastList.Items) {
			return t.s.LastList.Items[n-1], -1, true
		}
	}
	// A yes to a list of one ("要取消哪个预约? 1. …" → "对") is that one.
	if t.res.Intent == "affirm" && t.s.LastList != nil && t.s.LastList.Entity == sl.Entity && len(t.s.LastList.Items) == 1 {
		return t.s.LastList.Items[0], -1, true
	}
	if sl.Entity == "number" || sl.Entity == "otp" {
		if d := digitSeparators.Replace(text); len(d) >= 4 && strings.Trim(d, "0123456789") == "" {
			return Value{Type: sl.Entity, V: d, Text: text}, -1, true
		}
	}
	// The entity answering the question: the last one that fits (the customer's final word).
	best := -1
	for i, e := range t.res.Entities {
		if e.Slot != "" && e.Slot != sl.Name {
			continue
		}
		if e.Role != "" && roleOf(sl.Name) != "" && roleOf(sl.Name) != e.Role {
			continue
		}
		if t.fits(sl, e, true) {
			if _, ok := t.slotValue(sl, e); ok {
				best = i
			}
		}
	}
	if best >= 0 {
		v, _ := t.slotValue(sl, t.res.Entities[best])
		return v, best, true
	}
	ent := t.bundle().Entities[sl.Entity]
	switch {
	case sl.Entity == "text":
		if text != "" && !serviceIntents[t.res.Intent] && !t.corrects(f) { // "不对,是9000" corrects, it is no 户号
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
		// The longest name mentioned wins ("信用卡" over "卡"); ties go to declaration order.
		var found Value
		longest := 0
		for _, ev := range ent.Values {
			for _, n := range ev.Names {
				if l := len([]rune(n)); l > longest && (strings.Contains(t.res.Normalized, n) || strings.Contains(text, n)) {
					found, longest = Value{Type: sl.Entity, V: ev.Value, Text: n, Fields: map[string]string{"name": ev.Names[0]}}, l
				}
			}
		}
		if longest > 0 {
			return found, -1, true
		}
	case ent != nil && ent.Kind == dialogs.EntityBank:
		if v, ok := t.pickByWords(sl, text); ok {
			return v, -1, true
		}
	}
	return Value{}, -1, false
}

// pickByWords picks a value of a bank-list slot from what the customer said about it: "尾号1234",
// or the kind of card or account ("信用卡", "借记卡", "活期") when exactly one value is of that kind.
func (t *turn) pickByWords(sl *dialogs.Slot, text string) (Value, bool) {
	vals := t.lists[sl.Entity]
	for _, e := range t.res.Entities {
		if e.Type != "card_tail" {
			continue
		}
		for _, v := range vals {
			if tail(v.Fields["number"], 4) == e.Value {
				return v, true
			}
		}
	}
	for _, e := range t.res.Entities {
		if e.Type != "account_type" {
			continue
		}
		kinds := kindWords[e.Value]
		var match []Value
		for _, v := range vals {
			if contains(kinds, v.Fields["kind"]) || contains(kinds, v.Fields["type"]) {
				match = append(match, v)
			}
		}
		if len(match) == 1 {
			return match[0], true
		}
	}
	return Value{}, false
}

// kindWords maps an account_type value to the kind or type fields of the bank's list values
// it describes: a debit card is a current account's card.
var kindWords = map[string][]string{
	"current": {"current", "debit"},
	"fixed":   {"fixed"},
	"credit":  {"credit"},
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

// digitSeparators drops the spaces and dashes customers type inside codes and numbers. Built
// once: a Replacer builds its tables on first use.
var digitSeparators = strings.NewReplacer(" ", "", "-", "")

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

// chineseDigits reads a code said digit by digit in Chinese ("幺二三四五六", "一二三 四五六").
func chineseDigits(s string) string {
	var out []rune
	for _, r := range s {
		if d, ok := chineseDigit[r]; ok {
			out = append(out, d)
		} else if unicode.IsSpace(r) || unicode.IsPunct(r) {
			continue
		} else if len(out) > 0 {
			break
		}
	}
	if len(out) >= 4 && len(out) <= 8 {
		return string(out)
	}
	return ""
}

var chineseDigit = map[rune]rune{'零': '0', '〇': '0', '洞': '0', '幺': '1', '一': '1', '壹': '1', '二': '2', '两': '2', '贰': '2',
	'三': '3', '叁': '3', '四': '4', '肆': '4', '五': '5', '伍': '5', '六': '6', '陆': '6', '七': '7', '柒': '7', '拐': '7',
	'八': '8', '捌': '8', '九': '9', '玖': '9', '勾': '9'}

// codeIn finds a one-time code in the message: Arabic or full-width digits, or Chinese digits.
func (t *turn) codeIn() string {
	if c := otpIn(t.res.Text); c != "" {
		return c
	}
	return chineseDigits(t.res.Text)
}

// othersData answers a question about someone else's money ("张三的余额", "我老婆卡里还有多少钱")
// for a flow that only shows the customer's own: it says so instead of showing the customer's
// data as if it were theirs. It reports whether it answered.
func (t *turn) othersData(flow string) bool {
	fp := t.prog.flow(flow)
	if fp == nil || !fp.RequiresBinding || !t.readsOwnData(fp) {
		return false
	}
	for _, e := range t.res.Entities {
		if e.Type == "contact" && possessive(t.res.Text, e.End) {
			t.reply("others_data", map[string]any{"person": e.Text})
			return true
		}
	}
	if who := personBefore(t.res.Text); who != "" {
		t.reply("others_data", map[string]any{"person": who})
		return true
	}
	return false
}

// readsOwnData: a flow that shows the customer's data and takes no person (a balance, a
// statement), as opposed to one that names a payee.
func (t *turn) readsOwnData(fp *flowProg) bool {
	for _, sl := range fp.Slots {
		if sl.Entity == "contact" {
			return false
		}
	}
	for _, st := range fp.Steps {
		if st.Kind == dialogs.StepCall {
			if spec, ok := registry[st.Op]; ok && spec.MovesMoney || st.Stub != nil && st.Stub.Op.MovesMoney {
				return false
			}
		}
	}
	return true
}

// possessive reports whether the words right after rune offset end make what came before an
// owner: "的", "卡里", "账户", "账上".
func possessive(text string, end int) bool {
	rs := []rune(text)
	if end < 0 || end >= len(rs) {
		return false
	}
	rest := string(rs[end:])
	for _, p := range []string{"的", "卡里", "卡上", "账户", "帐户", "账上", "账号", "戶口", "户口"} {
		if strings.HasPrefix(rest, p) {
			return true
		}
	}
	return false
}

// personBefore finds a person other than the customer named as the owner of an account:
// "我老婆卡里", "我妈的余额", "他的账户". It returns the word, or "".
func personBefore(text string) string {
	for _, w := range otherPeople {
		i := strings.Index(text, w)
		if i < 0 {
			continue
		}
		if possessive(text, len([]rune(text[:i+len(w)]))) {
			return w
		}
	}
	return ""
}

// otherPeople are words for people other than the customer, longest first.
var otherPeople = []string{"我老婆", "我老公", "我爸爸", "我妈妈", "我儿子", "我女儿", "我朋友", "我同事", "我家人",
	"老婆", "老公", "妻子", "丈夫", "爱人", "爸爸", "妈妈", "我爸", "我妈", "父亲", "母亲", "儿子", "女儿", "孩子",
	"朋友", "同事", "哥哥", "姐姐", "弟弟", "妹妹", "爷爷", "奶奶", "外公", "外婆", "别人", "他人"}
