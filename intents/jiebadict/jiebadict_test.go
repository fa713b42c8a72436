package jiebadict

import (
	"os"
	"strings"
	"testing"
)

func TestFiles(t *testing.T) {
	dir := t.TempDir()
	p, err := Files(dir)
	if err != nil {
		t.Fatal(err)
	}
	// Ensure every path exists and the dictionary is the embedded one.
	for _, path := range p.Args() {
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	want, _ := files.ReadFile("jieba.dict.utf8")
	got, err := os.ReadFile(p.Dict)
	if err != nil || len(got) != len(want) {
		t.Fatalf("dict: %d bytes, want %d (%v)", len(got), len(want), err)
	}
	// Ensure a second call reuses the files, and a damaged copy is rewritten.
	if err := os.WriteFile(p.HMM, []byte("broken"), 0o600); err != nil {
		t.Fatal(err)
	}
	p2, err := Files(dir)
	if err != nil || p2 != p {
		t.Fatalf("second call: %+v %v", p2, err)
	}
	hmm, _ := os.ReadFile(p.HMM)
	if string(hmm) == "broken" {
		t.Error("damaged file not rewritten")
	}
	// Ensure an unwritable directory is an error, not a panic.
	if _, err := Files("/proc/weiyin-cannot-write"); err == nil {
		t.Error("unwritable directory accepted")
	}
}

func TestIsWord(t *testing.T) {
	tests := []struct {
		w    string
		want bool
		why  string
	}{
		{"一一", true, "the first line"},
		{"之处", true, "a rare word the cut dictionary lacks"},
		{"建设", true, "a frequent word"},
		{"周星驰", true, "a name of three runes"},
		{"鱼额", false, "a misspelling of 余额 is no word"},
		{"月额", false, "nor a near homophone"},
		{"", false, "empty is no word"},
		{"银行卡号码信息", false, "longer than four runes"},
	}
	for _, tt := range tests {
		if got := IsWord(tt.w); got != tt.want {
			t.Errorf("%s: IsWord(%q) = %v, want %v", tt.why, tt.w, got, tt.want)
		}
	}
	// Ensure the last line is found too.
	last := wordText[strings.LastIndexByte(wordText[:len(wordText)-1], '\n')+1 : len(wordText)-1]
	if !IsWord(last) {
		t.Errorf("last word %q not found", last)
	}
}
