package transcript

import (
	"strings"
	"testing"
)

func TestParseConvo(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		ensures string
		wantErr string // substring of the error; "" none
		check   func(t *testing.T, c *Convo)
	}{
		{
			name:    "title-description-sections",
			ensures: "the title, description, begin hooks, me and bot sections and asserters are read with their lines",
			src:     "标题\n说明一\n说明二\n\n#begin\nUSER o_1\nNOW 2026-11-25T10:00:00+08:00\n\n#me\n你好\n\n#bot\n您好*\nINTENT greet\n!BUTTONS\n",
			check: func(t *testing.T, c *Convo) {
				if c.Name != "标题" || c.Description != "说明一\n说明二" {
					t.Errorf("name %q desc %q", c.Name, c.Description)
				}
				if len(c.Begin) != 2 || c.Begin[0].Name != "USER" || c.Begin[0].Args[0] != "o_1" {
					t.Errorf("begin %+v", c.Begin)
				}
				if len(c.Steps) != 2 || c.Steps[0].Text != "你好" || c.Steps[0].Line != 9 || c.Steps[1].TextLine != 13 {
					t.Fatalf("steps %+v", c.Steps)
				}
				ds := c.Steps[1].Directives
				if len(ds) != 2 || ds[0].String() != "INTENT greet" || !ds[1].Not || ds[1].Line != 15 {
					t.Errorf("directives %+v", ds)
				}
			},
		},
		{
			name:    "negated-text-and-multiline",
			ensures: "a leading ! negates the bot text and several text lines join with a newline",
			src:     "t\n#me\nhi\n#bot\n!第一行\n第二行\n",
			check: func(t *testing.T, c *Convo) {
				if s := c.Steps[1]; !s.Not || s.Text != "第一行\n第二行" {
					t.Errorf("step %+v", s)
				}
			},
		},
		{
			name:    "args-split-on-bar",
			ensures: "asserter arguments split on | and are trimmed",
			src:     "t\n#me\nhi\n#bot\nTEXT_CONTAINS_ANY 转账 | 汇款|打钱\n",
			check: func(t *testing.T, c *Convo) {
				if a := c.Steps[1].Directives[0].Args; strings.Join(a, ",") != "转账,汇款,打钱" {
					t.Errorf("args %q", a)
				}
			},
		},
		{
			name:    "include-and-crlf",
			ensures: "#include names a partial, CRLF line ends and a BOM are accepted",
			src:     "\ufefft\r\n#include LOGIN\r\n#me\r\nhi\r\n",
			check: func(t *testing.T, c *Convo) {
				if c.Name != "t" || c.Steps[0].Sender != Include || c.Steps[0].Text != "LOGIN" || c.Steps[1].Text != "hi" {
					t.Errorf("steps %+v", c.Steps)
				}
			},
		},
		{
			name:    "me-hooks",
			ensures: "logic hooks in #me are not part of the message",
			src:     "t\n#me\nWAIT 16m\nID m1\n你好\n",
			check: func(t *testing.T, c *Convo) {
				if s := c.Steps[0]; s.Text != "你好" || len(s.Directives) != 2 {
					t.Errorf("step %+v", s)
				}
			},
		},
		{name: "unknown-section", ensures: "an unknown section is reported with its line", src: "t\n#me\nhi\n#robot\nx\n", wantErr: "x.convo.txt:4: unknown section \"#robot\""},
		{name: "misspelt-asserter", ensures: "a misspelt asserter is an error with a suggestion, not silently text", src: "t\n#me\nhi\n#bot\nINTNET balance\n", wantErr: "did you mean INTENT?"},
		{name: "underscore-word", ensures: "an unknown upper-case word with an underscore is an error", src: "t\n#me\nhi\n#bot\nTEXT_CONTAIN 转账\n", wantErr: ":5: unknown #bot line \"TEXT_CONTAIN\""},
		{name: "bad-now", ensures: "NOW must be RFC 3339", src: "t\n#begin\nNOW tomorrow\n#me\nhi\n", wantErr: ":3: NOW: want an RFC 3339 time"},
		{name: "begin-not-first", ensures: "#begin after a #me is an error", src: "t\n#me\nhi\n#begin\nUSER x\n", wantErr: ":4: #begin must be the first section"},
		{name: "empty-me", ensures: "a #me without a message is an error", src: "t\n#me\n\n#bot\nx\n", wantErr: ":2: #me section without a message"},
		{name: "bad-regex", ensures: "a bad TEXT_REGEX is reported at parse time", src: "t\n#me\nhi\n#bot\nTEXT_REGEX ([\n", wantErr: ":5: TEXT_REGEX: bad regular expression"},
		{name: "bad-threshold", ensures: "TEXT_SIMILAR's threshold must be in [0,1]", src: "t\n#me\nhi\n#bot\nTEXT_SIMILAR 你好|1.5\n", wantErr: "threshold must be a number between 0 and 1"},
		{name: "bad-wait", ensures: "WAIT needs a duration", src: "t\n#me\nWAIT soon\nhi\n", wantErr: ":3: WAIT: want a duration"},
		{name: "no-sections", ensures: "a convo with no sections is an error", src: "only a title\n", wantErr: "convo without #me or #bot sections"},
		{name: "unknown-begin", ensures: "unknown #begin lines are errors", src: "t\n#begin\nUSR x\n#me\nhi\n", wantErr: ":3: unknown line in #begin: \"USR x\" (did you mean USER?)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ParseConvo("x.convo.txt", tc.src, false)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ensures %s: error %v, want it to contain %q", tc.ensures, err, tc.wantErr)
				}
				if c == nil {
					t.Fatal("no partial result")
				}
				return
			}
			if err != nil {
				t.Fatalf("ensures %s: %v", tc.ensures, err)
			}
			tc.check(t, c)
		})
	}
}

func TestParseUtterances(t *testing.T) {
	// Ensure the first line names the list and blank lines are skipped.
	u, err := ParseUtterances("a.utterances.txt", "ASK\n\n我的余额\n查余额\n")
	if err != nil || u.Name != "ASK" || len(u.Lines) != 2 || u.Line != 3 {
		t.Fatalf("got %+v, %v", u, err)
	}
	// Ensure a list without utterances is an error.
	if _, err := ParseUtterances("b.utterances.txt", "ASK\n"); err == nil {
		t.Fatal("want an error for an empty list")
	}
}

func FuzzParseConvo(f *testing.F) {
	for _, s := range []string{
		"t\n#begin\nUSER x\n#me\nhi\n#bot\nINTENT a\n#end\nINTENT b\n",
		"#me\n#bot\n!\n#include\n", "t\n#me\nLOCATION 1,2|x\n", "t\n#bot\nTEXT_SIMILAR |\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		c, _ := ParseConvo("f.convo.txt", src, false)
		if c == nil {
			t.Fatal("nil convo")
		}
		s, err := Parse([]string{"f.convo.txt"}, map[string]string{"f.convo.txt": src})
		if err == nil {
			_, _ = s.Runs()
		}
	})
}

func TestParseSettings(t *testing.T) {
	tests := []struct {
		src, want, wantErr, ensures string
	}{
		{"# c\nFIXTURE ../f/test.json\nUSER o_1\nAS C2\nNOW 2026-11-25T10:00:00+08:00\n", "f/test.json o_1 C2 2026-11-25T10:00:00+08:00", "", "every setting is read and FIXTURE is relative to the file"},
		{"FIXTURE /abs/f.json\n", "/abs/f.json   0001-01-01T00:00:00Z", "", "absolute fixture paths stay as they are"},
		{"COLOR red\n", "", "dir/weiyin-test.conf:1: unknown setting \"COLOR\"", "unknown settings are errors with their line"},
		{"\nNOW later\n", "", ":2: NOW: want an RFC 3339 time", "NOW must be RFC 3339"},
		{"USER\n", "", ":1: USER needs a value", "a setting needs a value"},
	}
	for _, tc := range tests {
		st, err := ParseSettings("dir/weiyin-test.conf", tc.src)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ensures %s: error %v, want %q", tc.ensures, err, tc.wantErr)
			}
			continue
		}
		got := strings.Join([]string{st.Fixture, st.User, st.As, st.Now.Format("2006-01-02T15:04:05Z07:00")}, " ")
		if err != nil || got != tc.want {
			t.Errorf("ensures %s: got %q, %v; want %q", tc.ensures, got, err, tc.want)
		}
	}
}
