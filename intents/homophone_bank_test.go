package intents_test

import (
	"os"
	"strings"
	"testing"

	"github.com/weiyin-bank/weiyin/intents"
)

// TestHomophonesOnBankBot holds the shipped bot's correction to the guards of homophone.go:
// transcripts' misspellings of banking terms are corrected, ordinary words never are.
func TestHomophonesOnBankBot(t *testing.T) {
	u := bankUnderstander(t, intents.Options{})
	tests := []struct {
		text, matched string
		why           string
	}{
		{"鱼额多少", "余额多少", "an exact homophone of 余额"},
		{"我要查月额", "我要查余额", "a near homophone of 余额 (yue for yu)"},
		{"挂湿", "挂失", "a homophone of 挂失"},
		{"我要鸡分", "我要积分", "a homophone of 积分"},
		{"请教一下", "请教一下", "请教 and 一下 are words: 教一 is no 交易"},
		{"建设银行", "建设银行", "a bank's name is a word"},
		{"请问一下建设银行在哪", "请问一下建设银行在哪", "a bank's name inside a question is a word"},
		{"给张三转账", "给<contact>转账", "a name is an entity, and 给张 is no word to correct"},
		{"给王五打电话", "给王五打电话", "an unknown name is not corrected either"},
		{"给于娥转账", "给于娥转账", "a name sounding like a term (yu e) after 给 stays a name"},
		{"收款人是俞娥", "收款人是俞娥", "a name after 收款人是 stays"},
		{"我朋友叫余鹅", "我朋友叫余鹅", "a name after 叫 stays"},
		{"给纪芬转两百", "给纪芬转<money>", "a name sounding like 积分 after 给 stays"},
		{"帮我查一下于额", "帮我查一下余额", "the surname rune without a name cue is still corrected"},
		{"我要砖账", "我要转账", "转账 is no longer drowned by 专长 read zhuan zhang (长 there is chang)"},
		{"支航在哪", "支行在哪", "支行 is not drowned by 执行: a dictionary word keeps its first reading (zhi xing)"},
		{"玉约网点", "预约网点", "预约 is not drowned by 娱乐 (yu le, never yu yue)"},
		{"娱乐新闻", "娱乐新闻", "the word 娱乐 itself stays"},
		{"执行合同", "执行合同", "the word 执行 itself stays"},
		{"时间过得真快", "时间过得真快", "everyday words stay"},
		{"我想请假", "我想请假", "请假 is a word"},
		{"这家饭店几点开门", "这家饭店几点开门", "words that sound like no term stay"},
		{"现在网速不卡了", "<datetime>网速不卡了", "a negation before a verb is text as meant: 不卡 (not lagging) is no 补卡"},
		{"手机终于不卡了", "手机终于不卡了", "不卡 after another word stays too"},
		{"打游戏不卡吗", "打游戏不卡吗", "不 never starts a corrected run, in a question too"},
	}
	for _, tt := range tests {
		if got := u.Explain(tt.text, intents.Context{}).Matched; got != tt.matched {
			t.Errorf("%s: %q matched as %q, want %q", tt.why, tt.text, got, tt.matched)
		}
	}
}

// TestHomophonesKeepEverydayText ensures no line of the everyday background or the rivals
// (questions no bank answers) is rewritten by homophone correction: it is where corruption
// showed.
func TestHomophonesKeepEverydayText(t *testing.T) {
	var data []byte
	for _, name := range []string{"background.txt", "rivals.txt"} {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		data = append(append(data, b...), '\n')
	}
	u := bankUnderstander(t, intents.Options{})
	n, changed := 0, 0
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		// Lines with English are translated by the synonym layer, which is not correction.
		if line == "" || strings.HasPrefix(line, "#") || strings.ContainsAny(strings.ToLower(line), "abcdefghijklmnopqrstuvwxyz") {
			continue
		}
		n++
		x := u.Explain(line, intents.Context{})
		if !strings.Contains(x.Matched, "<") && x.Matched != x.Normalized {
			changed++
			t.Errorf("everyday line %q rewritten as %q", x.Normalized, x.Matched)
		}
	}
	t.Logf("%d everyday lines, %d rewritten", n, changed)
}
