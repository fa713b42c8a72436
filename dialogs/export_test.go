package dialogs

import (
	"strings"
	"testing"
)

// TestExportGolden pins the TSV and Rasa exports of the test bot.
func TestExportGolden(t *testing.T) {
	b := loadTestBot(t)
	var tsv, rasa strings.Builder
	if err := WriteTSV(&tsv, b); err != nil {
		t.Fatal(err)
	}
	if err := WriteRasa(&rasa, b); err != nil {
		t.Fatal(err)
	}
	golden(t, "testdata/out/examples.tsv", tsv.String())
	golden(t, "testdata/out/nlu.yml", rasa.String())
}

func TestAnnotated(t *testing.T) {
	cases := []struct {
		name string
		ex   Example
		want string
	}{
		// Ensure an example without marks is written as is.
		{"plain", Example{Text: "查余额"}, "查余额"},
		// Ensure marks become [text](entity) at their rune offsets, with Chinese around them.
		{"marks", Example{Text: "给张三转500块", Marks: []Mark{{Start: 1, End: 3, Slot: "payee", Entity: "contact"}, {Start: 4, End: 8, Entity: "money"}}},
			"给[张三](contact)转[500块](money)"},
		// Ensure a mark out of range is dropped rather than panicking.
		{"bad mark", Example{Text: "ab", Marks: []Mark{{Start: 1, End: 9, Entity: "x"}}}, "ab"},
		// Ensure a line break cannot split a line-based format.
		{"newline", Example{Text: "a\nb"}, "a b"},
	}
	for _, c := range cases {
		if got := annotated(c.ex); got != c.want {
			t.Errorf("%s: annotated = %q, want %q", c.name, got, c.want)
		}
	}
}
