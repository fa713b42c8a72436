package intents_test

import (
	"fmt"
	"testing"

	"github.com/weiyin-bank/weiyin/intents"
)

// TestRomanizedNames holds the customer's contacts written in pinyin to the contacts: the
// contact entity, its value and role, and the text as written.
func TestRomanizedNames(t *testing.T) {
	u := bankUnderstander(t, intents.Options{})
	lists := map[string][]intents.ListValue{"contact": {
		{Value: "c-li", Names: []string{"李四"}}, {Value: "c-zhang", Names: []string{"张三"}}, {Value: "c-mum", Names: []string{"妈妈"}},
	}}
	tests := []struct {
		text, want string // want: value@role[text] of the contact found, "" for none
		why        string
	}{
		{"Transfer RMB 1,200 to Li Si", "c-li@to[Li Si]", "syllables as words, after to"},
		{"send 300 to zhangsan", "c-zhang@to[zhangsan]", "syllables run together"},
		{"LI SI", "c-li@[LI SI]", "upper case, no cue"},
		{"transfer 100 to mama", "c-mum@to[mama]", "a kinship name in pinyin"},
		{"给李四转100", "c-li@to[李四]", "the Chinese name as before"},
		{"I like lisa", "", "a word that only starts with the syllables is no name"},
		{"lis", "", "part of a syllable is no name"},
	}
	for _, tt := range tests {
		r := u.Understand(tt.text, intents.Context{Now: testNow, Lists: lists})
		got := ""
		for _, e := range r.Entities {
			if e.Type == "contact" {
				got = fmt.Sprintf("%s@%s[%s]", e.Value, e.Role, e.Text)
			}
		}
		if got != tt.want {
			t.Errorf("%s: %q gives contact %q, want %q", tt.why, tt.text, got, tt.want)
		}
	}
}
