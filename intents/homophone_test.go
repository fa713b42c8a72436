package intents

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/weiyin-bank/weiyin/dialogs"
	"github.com/weiyin-bank/weiyin/dialogs/bank"
	"github.com/weiyin-bank/weiyin/intents/normalize"
)

func TestPinyinReadings(t *testing.T) {
	py := sharedPinyin()
	tests := []struct {
		text string
		want string // readings per rune, alternatives joined by /
		why  string
	}{
		{"余额", "yu e", "toneless first readings"},
		{"银行", "yin hang", "the phrase table fixes 行 in 银行"},
		{"还款", "huan kuan", "the phrase table fixes 还 in 还款"},
		{"还宽", "hai/huan kuan", "an unfixed polyphone offers its common second reading"},
		{"绿", "lv", "ü is written v"},
		{"a余", "- yu", "a rune without pinyin has none"},
	}
	for _, tt := range tests {
		rs, offs := runeOffsets(tt.text)
		var got []string
		for _, r := range py.readings(tt.text, rs, offs) {
			if len(r) == 0 {
				got = append(got, "-")
			} else {
				got = append(got, strings.Join(r, "/"))
			}
		}
		if g := strings.Join(got, " "); g != tt.want {
			t.Errorf("%s: readings(%s) = %s, want %s", tt.why, tt.text, g, tt.want)
		}
	}
}

func TestHomophoneCorrect(t *testing.T) {
	py := sharedPinyin()
	tok, err := sharedTokenizer()
	if err != nil {
		t.Fatal(err)
	}
	terms := map[string]bool{"余额": true, "积分": true, "还款": true, "挂失": true, "网点": true, "交易": true, "转账": true, "理财": true, "支出": true, "换汇": true}
	vocab := map[string]bool{"一下": true, "下雨": true, "张三": true}
	for w := range terms {
		vocab[w] = true
	}
	h := newHomophones(terms, vocab, py)
	tests := []struct {
		in, want string
		why      string
	}{
		{"查一下鱼额", "查一下余额", "a homophone of a banking term is corrected"},
		{"还宽", "还款", "a polyphone's second reading counts"},
		{"鸡分多少", "积分多少", "the corrected word keeps the rest"},
		{"挂湿银行卡", "挂失银行卡", "correction at the start"},
		{"我要查月额", "我要查余额", "a near homophone (yue for yu) keeping a rune of the term is corrected"},
		{"查一下余额", "查一下余额", "runes of a real word are never corrected (下余 sounds like 下雨)"},
		{"余额", "余额", "a banking term stays"},
		{"abc鱼额", "abc余额", "ASCII around is kept"},
		{"请教一下", "请教一下", "never across a word boundary: 教一 sounds like 交易 but splits 请教 and 一下"},
		{"娇艺多少", "交易多少", "two runes that are no word become the term"},
		{"理睬", "理睬", "a word of the dictionary is no misspelling (li cai)"},
		{"有什么共同之处", "有什么共同之处", "a rare word (之处) the tokeniser cuts in runes is still a word"},
		{"比特币还会涨吗", "比特币还会涨吗", "common function runes (还 会) are text as meant"},
		{"我想转战", "我想转战", "a word of the dictionary is no misspelling (zhuan zhan, fuzzy 转账)"},
		{"月饼多少钱", "月饼多少钱", "a near homophone must be no word either"},
		{"", "", "empty stays empty"},
	}
	for _, tt := range tests {
		if got := h.correct(tt.in, tok.cut(tt.in, false), py); got != tt.want {
			t.Errorf("%s: correct(%q) = %q, want %q (tokens %q)", tt.why, tt.in, got, tt.want, tok.cut(tt.in, false))
		}
	}
	// Ensure words sharing a sound are left out: the transcript cannot tell which was meant.
	h2 := newHomophones(map[string]bool{"挂失": true, "卦失": true}, map[string]bool{}, py)
	if got := h2.correct("挂湿", tok.cut("挂湿", false), py); got != "挂湿" {
		t.Errorf("ambiguous sound corrected to %q", got)
	}
}

func TestFuzzySyllables(t *testing.T) {
	tests := []struct{ in, want, why string }{
		{"zhang", "zan", "retroflex and back nasal fold"},
		{"yue", "yu", "ü and üe fold"},
		{"ning", "lin", "n and l fold"},
		{"ng", "ng", "the syllable ng stays"},
		{"e", "e", "a bare final stays"},
	}
	for _, tt := range tests {
		if got := fuzzy(tt.in); got != tt.want {
			t.Errorf("%s: fuzzy(%q) = %q, want %q", tt.why, tt.in, got, tt.want)
		}
	}
}

func TestFeaturesDeduplicatedAndSorted(t *testing.T) {
	fs, content := features(nil, "余额余额", []string{"余额", "余额"}, func(rune) string { return "x" }, sharedPinyin(), nil)
	if content != 4 {
		t.Errorf("content = %d, want 4", content)
	}
	if !slices.IsSortedFunc(fs, func(a, b feat) int {
		if a.h < b.h {
			return -1
		}
		if a.h > b.h {
			return 1
		}
		return 0
	}) {
		t.Error("features not sorted")
	}
	seen := map[uint64]bool{}
	for _, f := range fs {
		if seen[f.h] {
			t.Fatalf("duplicate feature %x", f.h)
		}
		seen[f.h] = true
	}
	// 余 额 (chars), 余额 额余 (bigrams), yu-e e-yu (syllable pairs), 余额 (word)
	if len(fs) != 7 {
		t.Errorf("%d features, want 7", len(fs))
	}
}

func TestFillerMask(t *testing.T) {
	tests := []struct {
		s      string
		tokens []string
		want   string // 1 for a masked rune
		why    string
	}{
		{"就是查余额", []string{"就是", "查", "余额"}, "11000", "a filler token's runes are masked"},
		{"查余额吧", []string{"查", "余额", "吧"}, "0001", "a trailing particle is masked"},
		{"那个吧", []string{"那个", "吧"}, "", "a text of fillers only keeps them"},
		{"余额", []string{"余额"}, "", "no filler, no mask"},
		{"就是余额", []string{"余额"}, "", "tokens need not cover the text"},
	}
	for _, tt := range tests {
		_, offs := runeOffsets(tt.s)
		mask := fillerMask(tt.s, tt.tokens, len(offs)-1, offs)
		got := ""
		for _, m := range mask {
			if m {
				got += "1"
			} else {
				got += "0"
			}
		}
		if got != tt.want {
			t.Errorf("%s: fillerMask(%q) = %q, want %q", tt.why, tt.s, got, tt.want)
		}
	}
}

// foreignSentences returns the Han sentences of the public corpora in ../shared/corpora
// (relative to the repository root): questions and statements about anything but a bank,
// written by people who never saw weiyin. It skips when the corpora are absent.
func foreignSentences(t *testing.T) []string {
	t.Helper()
	files, _ := filepath.Glob("../../shared/corpora/*.tsv")
	if len(files) == 0 {
		t.Skip("public corpora absent (../shared/corpora relative to the repository root)")
	}
	seen := map[string]bool{}
	var out []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(line, "#") {
				continue
			}
			for _, col := range strings.Split(line, "\t") {
				if n := strings.Count(col, "") - 1; n < 4 || n > 200 || seen[col] {
					continue
				}
				if han := len(slices.DeleteFunc([]rune(col), func(r rune) bool { return !isHan(r) })); han >= 4 {
					seen[col] = true
					out = append(out, col)
				}
			}
		}
	}
	return out
}

// Ensure homophone correction leaves ordinary text alone: no sentence of the public corpora
// (news, dates, amounts, conversions; none about this bank) is rewritten, where correction
// across word boundaries once rewrote 3 to 5% of such questions. One classical line
// (插柳柳成阴: 柳成 sounds like 流程) is still rewritten: 0.13% of 3,040.
func TestHomophonesKeepForeignText(t *testing.T) {
	lines := foreignSentences(t)
	b, diags := dialogs.LoadFS(bank.Files, ".")
	if b == nil {
		t.Fatalf("shipped dialogs do not load: %v", diags)
	}
	u, err := New(b, Options{})
	if err != nil {
		t.Fatal(err)
	}
	changed := 0
	for _, line := range lines {
		s := normalize.Normalize(line).Norm
		if c := u.homo.correct(s, u.dict.apply(s, u.tok.cut(s, false)), u.py); c != s {
			changed++
			t.Logf("rewritten: %q -> %q", s, c)
		}
	}
	t.Logf("%d foreign sentences, %d rewritten", len(lines), changed)
	if changed*500 > len(lines) {
		t.Errorf("%d of %d foreign sentences rewritten (more than 0.2%%)", changed, len(lines))
	}
}
