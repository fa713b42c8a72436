package wechat

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// Ensure Split keeps parts within the limit and cuts where a reader expects.
func TestSplit(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		limit int
		want  []string
	}{
		// Short text is one part.
		{"short", "您的余额是 100.00 元。", 0, []string{"您的余额是 100.00 元。"}},
		// Empty text is no part.
		{"empty", "  \n ", 0, nil},
		// Lines are packed greedily and cut at line breaks.
		{"lines", "aaaa\nbbbb\ncccc", 9, []string{"aaaa\nbbbb", "cccc"}},
		// A long line is cut after a sentence end in the second half of the window.
		{"sentence", "一二三。四五六七八九", 15, []string{"一二三。", "四五六七八", "九"}},
		// Without punctuation, cut at a rune boundary, never inside a UTF-8 sequence.
		{"runes", "一二三四五", 7, []string{"一二", "三四", "五"}},
		// Limit smaller than a rune still makes progress.
		{"tiny limit", "一二", 2, []string{"一", "二"}},
	}
	for _, tt := range tests {
		got := Split(tt.text, tt.limit)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
			t.Errorf("%s: Split = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// FuzzSplit ensures parts fit, are valid UTF-8 when the input is, and lose no content.
func FuzzSplit(f *testing.F) {
	f.Add("您的余额是 100.00 元。\n明细如下：\n1. 工资 +8000", 16)
	f.Add(strings.Repeat("很长的句子，", 500), 2048)
	f.Fuzz(func(t *testing.T, text string, limit int) {
		if limit < 4 || limit > 4096 {
			limit = 4 + (limit%64+64)%64
		}
		parts := Split(text, limit)
		var joined strings.Builder
		for _, p := range parts {
			if len(p) > limit {
				t.Fatalf("part of %d bytes over limit %d", len(p), limit)
			}
			if p == "" {
				t.Fatal("empty part")
			}
			if utf8.ValidString(text) && !utf8.ValidString(p) {
				t.Fatalf("part %q is not valid UTF-8", p)
			}
			joined.WriteString(p)
		}
		strip := func(s string) string { return strings.Join(strings.Fields(s), "") }
		if strip(joined.String()) != strip(text) {
			t.Fatalf("content changed:\n%q\n%q", joined.String(), text)
		}
	})
}
