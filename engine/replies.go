package engine

import (
	"sort"
	"strings"

	"github.com/weiyin-bank/weiyin/dialogs"
)

// DefaultReplyNames lists the reserved replies the engine has default words for, sorted.
func DefaultReplyNames() []string {
	names := make([]string, 0, len(dialogs.DefaultReplies))
	for n := range dialogs.DefaultReplies {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// renderDefault fills a default reply's {name} placeholders.
func renderDefault(s string, extra map[string]any) string {
	for k, v := range extra {
		s = strings.ReplaceAll(s, "{"+k+"}", text(v))
	}
	return s
}

// currencyName is how a customer reads an ISO 4217 code.
func currencyName(code string) string {
	if n, ok := currencyNames[code]; ok {
		return n
	}
	return code
}

var currencyNames = map[string]string{"USD": "美元", "HKD": "港币", "TWD": "新台币", "EUR": "欧元", "JPY": "日元",
	"GBP": "英镑", "AUD": "澳元", "CAD": "加元", "SGD": "新加坡元", "KRW": "韩元", "MOP": "澳门元", "CHF": "瑞士法郎"}
