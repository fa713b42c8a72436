package dialogs

import (
	"fmt"
	"strings"
	"testing"
)

func TestLex(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want string // tokens as type:value@line:col, whitespace left out
	}{
		// Ensure identifiers, strings and punctuation get 1-based positions.
		{"basic", `ask x "好"`, `I:ask@1:1 I:x@1:5 S:"好"@1:7`},
		// Ensure columns count runes, not bytes, after Chinese text.
		{"rune columns", `"中文" x`, `S:"中文"@1:1 I:x@1:6`},
		// Ensure two-character operators are one token and single ones stay single.
		{"operators", `a<=b!=c==d>=e<f>g=h->i|j`, `I:a@1:1 P:<=@1:2 I:b@1:4 P:!=@1:5 I:c@1:7 P:==@1:8 I:d@1:10 P:>=@1:11 I:e@1:13 P:<@1:14 I:f@1:15 P:>@1:16 I:g@1:17 P:=@1:18 I:h@1:19 P:->@1:20 I:i@1:22 P:|@1:23 I:j@1:24`},
		// Ensure numbers, decimals and durations are told apart.
		{"numbers", "1 2.5 90s 10m 3.x", `N:1@1:1 N:2.5@1:3 D:90s@1:7 D:10m@1:11 N:3@1:15 P:.@1:16 I:x@1:17`},
		// Ensure escapes stay inside one string token and comments run to the end of line.
		{"escapes and comments", "\"a\\\"b\\\\\\n\" # 注释 \"x\"\ny", `S:"a\"b\\\n"@1:1 C:# 注释 "x"@1:12 I:y@2:1`},
		// Ensure a byte order mark is skipped and does not shift columns.
		{"bom", "\uFEFFweiyin 1", `I:weiyin@1:1 N:1@1:8`},
		// Ensure CRLF line ends count as one line break.
		{"crlf", "a\r\nb # c\r\n", `I:a@1:1 I:b@2:1 C:# c@2:3`},
	}
	short := map[int]string{int(tokIdent): "I", int(tokString): "S", int(tokNumber): "N", int(tokDuration): "D", int(tokPunct): "P", int(tokComment): "C"}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			toks, err := lex("f", []byte(c.src))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, tk := range toks {
				if tk.Type == tokWhitespace || tk.Type == tokEOF {
					continue
				}
				got = append(got, fmt.Sprintf("%s:%s@%d:%d", short[int(tk.Type)], tk.Value, tk.Pos.Line, tk.Pos.Column))
			}
			if g := strings.Join(got, " "); g != c.want {
				t.Errorf("got  %s\nwant %s", g, c.want)
			}
		})
	}
}

func TestLexErrors(t *testing.T) {
	cases := []struct {
		name, src string
		line, col int
		msg       string
	}{
		// Ensure Chinese outside quotes names the fix.
		{"unquoted chinese", "reply x 您好", 1, 9, "must be inside double quotes"},
		// Ensure Chinese quotation marks are explained.
		{"chinese quotes", "reply x “您好”", 1, 9, "Chinese quote “ (left double quote)"},
		// Ensure a closing Chinese quote is named too, at its own column.
		{"chinese closing quote", `reply x "您好”`, 1, 9, "no closing quote"},
		// Ensure a full-width space (an IME's space) is named with the fix.
		{"full-width space", "reply\u3000x \"您好\"", 1, 6, "full-width space"},
		// Ensure a full-width colon is named with the half-width one to type.
		{"full-width colon", "flow f {\n  a：say \"x\"\n}", 2, 4, "full-width colon"},
		// Ensure an unclosed string points at its opening quote.
		{"unclosed", "x\n  \"abc", 2, 3, "no closing quote"},
		// Ensure a line break inside a string is an unclosed string.
		{"newline in string", "\"ab\ncd\"", 1, 1, "no closing quote"},
		// Ensure unknown escapes are refused at the backslash.
		{"bad escape", `"中\t"`, 1, 3, "unknown escape"},
		// Ensure invalid UTF-8 is reported at the bad byte.
		{"invalid utf8", "ab \xff", 1, 4, "not valid UTF-8"},
		// Ensure invalid UTF-8 inside a string is reported at the bad byte.
		{"invalid utf8 in string", "\"a\xc3\"", 1, 3, "not valid UTF-8"},
		// Ensure invalid UTF-8 inside a comment is reported too.
		{"invalid utf8 in comment", "# \xfe", 1, 3, "not valid UTF-8"},
		// Ensure stray characters are named.
		{"stray", "a $ b", 1, 3, `unexpected character "$"`},
		// Ensure nesting deeper than MaxNesting stops with a diagnostic instead of recursing.
		{"deep nesting", strings.Repeat("(", MaxNesting+1), 1, MaxNesting + 1, "nested more than"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := lex("f", []byte(c.src))
			if err == nil {
				t.Fatal("no error")
			}
			if err.pos.Line != c.line || err.pos.Column != c.col || !strings.Contains(err.msg.en, c.msg) {
				t.Errorf("got %d:%d %q, want %d:%d containing %q", err.pos.Line, err.pos.Column, err.msg.en, c.line, c.col, c.msg)
			}
		})
	}
}
