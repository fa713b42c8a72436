package dialogs

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// A bank never shows a whole card or account number in a chat: a message may be forwarded,
// screenshotted or read over a shoulder. Templates show the last digits ({x.number|tail}) or
// a masked form ({x.number|mask}); a full number is an error (code unmasked).

// cardNumberFields are the names of values that hold a full card or account number.
var cardNumberFields = []string{"number", "account", "card_no", "card_number", "account_number", "to_account"}

// maskingFilters show only part of a number.
var maskingFilters = []string{"tail", "mask"}

// fullNumber finds a card or account number written out in a text: 12 to 19 digits, alone or
// in groups separated by single spaces or dashes, not part of a longer run of digits.
var fullNumber = regexp.MustCompile(`(?:^|[^0-9])([0-9](?:[ -]?[0-9]){11,18})(?:[^0-9]|$)`)

// checkMasking reports placeholders showing a full card or account number without a
// masking filter, and card or account numbers written into the text.
func (c *checker) checkMasking(t *Template) {
	if t == nil {
		return
	}
	for i := range t.Parts {
		p := &t.Parts[i]
		if p.Path == nil {
			continue
		}
		if !slices.Contains(cardNumberFields, p.Path[len(p.Path)-1]) || slices.ContainsFunc(p.Filters, func(f Filter) bool {
			return slices.Contains(maskingFilters, f.Name)
		}) {
			continue
		}
		sp := c.at(p, t.Pos)
		name := strings.Join(p.Path, ".")
		dg := c.d.errorf(sp.pos, sp.end, CodeUnmasked, tr("{%s} shows a full card or account number to the customer's chat",
			"{%s} 会把完整的卡号或账号发到客户的聊天里", name))
		dg.hint(tr("show the last four digits, {%[1]s|tail}, or a masked number, {%[1]s|mask}",
			"只显示后四位 {%[1]s|tail}, 或显示遮掩后的号码 {%[1]s|mask}", name))
	}
	src := t.Source
	for _, m := range fullNumber.FindAllStringSubmatchIndex(src, -1) {
		start, end := m[2], m[3]
		if strings.ContainsAny(src[:start], "{}") && inPlaceholder(src, start) {
			continue
		}
		pos := t.Pos
		if prefix := src[:start]; !strings.ContainsAny(prefix, "\n\t\"\\") {
			pos.Column += 1 + utf8.RuneCountInString(prefix) // after the opening quote
			pos.Offset += 1 + len(prefix)
		}
		digits := src[start:end]
		dg := c.d.errorf(pos, nameEnd(pos, digits), CodeUnmasked, tr("%q looks like a full card or account number written into the text",
			"%q 看起来是写进文字里的完整卡号或账号", digits))
		dg.hint(tr("never write a customer's number into a reply; show it from the bank with {x.number|tail}, or write only the last four digits",
			"不要把号码写进回复里; 用 {x.number|tail} 显示银行返回的号码, 或只写后四位"))
	}
}

// inPlaceholder reports whether byte i of a template's source lies inside {...}.
func inPlaceholder(src string, i int) bool {
	open := strings.LastIndexByte(src[:i], '{')
	return open >= 0 && strings.LastIndexByte(src[:i], '}') < open
}
