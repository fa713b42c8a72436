package normalize

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		in, want string
		ensures  string
	}{
		{"帳戶餘額多少？", "账户余额多少", "traditional input is simplified and punctuation dropped"},
		{"ＡＢＣ１２３，转帐５００块", "abc123 转账500块", "full-width folds to ASCII, lower-cased; 转帐 becomes 转账"},
		{"嗯，那个，我想查一下余額啊啊啊！！！", "我想查一下余额", "interjections, a head 那个 and repeats go"},
		{"这个月的账单呢", "这个月的账单", "这个月 stays; a final 呢 goes"},
		{"第二个", "第二个", "那个/这个 inside 第二个 are never touched"},
		{"哪个账户", "哪个账户", "哪个 stays"},
		{"那个我要转账吧", "我要转账", "那个 before a clause opener goes, final 吧 goes"},
		{"那个账户", "那个账户", "那个 before a noun stays"},
		{"就是这个", "就是这个", "就是 before 这 stays (it is meant)"},
		{"谢谢谢谢谢", "谢谢", "reduplicated words keep two"},
		{"看看", "看看", "a reduplicated word stays"},
		{"好好好好", "好好", "runs of reduplicable characters collapse to two"},
		{"酒吧", "酒吧", "吧 inside a word stays"},
		{"额度多少", "额度多少", "额 in 额度 stays"},
		{"额，我想问下", "我想问下", "a head 额 filler goes"},
		{"尾号幺二三四", "尾号一二三四", "幺 inside a digit string reads 一"},
		{"我戶口仲有幾多錢", "我账户还有多少钱", "Hong Kong wording reads as the mainland says it"},
		{"開戶要帶戶口本嗎", "开户要带户口本吗", "户口本 is a household register, not an account"},
		{"過數畀阿may三百蚊", "转账给阿may三百块", "过数 is a transfer, 畀 is 给, 蚊 after a number is 块"},
		{"邊度有櫃員機", "哪里有atm", "Cantonese 边度 is where, 柜员机 an ATM"},
		{"卡數還款", "信用卡还款", "卡数 before 还款 is paying the card, not its bill"},
		{"蚊子好多", "蚊子好多", "蚊 not after a number stays a mosquito"},
		{"收唔到簡訊", "收不到短信", "Taiwan's 简讯 is an SMS"},
		{"唔該幫我轉真人", "请帮我转真人", "唔该 before a request is please"},
		{"唔該晒", "谢谢", "唔该晒 alone is thanks"},
		{"嗨嗨", "嗨", "repeated 嗨 collapses like other interjections"},
		{"幺", "幺", "a lone 幺 stays"},
		{"转1000元😀好的", "转1000元 好的", "emoji becomes a space"},
		{"1000000", "1000000", "digit runs never collapse"},
		{"蚊帐", "蚊帐", "帐 in 蚊帐 stays"},
		{" \x01a\u200bb ", "ab", "control and zero-width characters are removed, spaces trimmed"},
		{"\xff中", "\ufffd中", "invalid UTF-8 becomes U+FFFD"},
		{"82，225.00元", "82,225.00元", "a full-width comma between digits is a thousands separator"},
		{"你好,我想转账", "你好 我想转账", "a comma between words is a space"},
		{"10：13", "10:13", "full-width colon in a time"},
		{"嗯", "嗯", "a text that is all filler is kept"},
		{"信用咭", "信用卡", "Hong Kong 咭 is 卡"},
	}
	for _, tt := range tests {
		got := Normalize(tt.in)
		if got.Norm != tt.want {
			t.Errorf("%s: Normalize(%q) = %q, want %q", tt.ensures, tt.in, got.Norm, tt.want)
		}
		checkMap(t, got)
	}
}

func TestSpanMapsToOriginal(t *testing.T) {
	// Ensure a Norm range maps back to the customer's own words.
	n := Normalize("嗯我想轉帳５００塊給媽媽")
	i := strings.Index(n.Norm, "500")
	ns := utf8.RuneCountInString(n.Norm[:i])
	s, e, ok := n.Span(ns, ns+4)
	if !ok || n.OriginalSlice(s, e) != "５００塊" {
		t.Fatalf("Span = %d,%d,%v -> %q, want ５００塊", s, e, ok, n.OriginalSlice(s, e))
	}
}

func TestSimplify(t *testing.T) {
	tests := []struct{ in, want, ensures string }{
		{"轉帳", "转账", "money words take 账, the simplified standard (帳 alone is 帐)"},
		{"蚊帳", "蚊帐", "帳 outside money words is 帐"},
		{"hello", "hello", "ASCII is unchanged"},
		{"人民幣", "人民币", "characters convert"},
	}
	for _, tt := range tests {
		if got := Simplify(tt.in); got != tt.want {
			t.Errorf("%s: Simplify(%q) = %q, want %q", tt.ensures, tt.in, got, tt.want)
		}
	}
}

// checkMap asserts the map invariants: one entry per Norm rune, offsets within the original,
// non-empty and monotone.
func checkMap(t *testing.T, n Text) {
	t.Helper()
	count := utf8.RuneCountInString(n.Norm)
	if len(n.Map) != count || len(n.OrigEnd) != count {
		t.Fatalf("Normalize(%q): %d runes but Map %d, OrigEnd %d", n.Original, count, len(n.Map), len(n.OrigEnd))
	}
	orig := utf8.RuneCountInString(n.Original)
	for i := range n.Map {
		if n.Map[i] < 0 || n.OrigEnd[i] > orig || n.Map[i] >= n.OrigEnd[i] {
			t.Fatalf("Normalize(%q): rune %d maps to [%d,%d) of %d", n.Original, i, n.Map[i], n.OrigEnd[i], orig)
		}
		if i > 0 && (n.Map[i] < n.Map[i-1] || n.OrigEnd[i] < n.OrigEnd[i-1]) {
			t.Fatalf("Normalize(%q): map not monotone at %d: %v %v", n.Original, i, n.Map, n.OrigEnd)
		}
	}
}

func TestNormalizeLinear(t *testing.T) {
	// Ensure 100 KB of hostile input (long runs, all traditional, digits, fillers) is fast.
	parts := []string{strings.Repeat("啊", 20000), strings.Repeat("轉帳餘額", 5000), strings.Repeat("1", 20000), strings.Repeat("那个，", 3000)}
	for _, p := range parts {
		start := time.Now()
		n := Normalize(p)
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Normalize of %d bytes took %v", len(p), d)
		}
		checkMap(t, n)
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"嗯，那个，我想查一下余額啊啊啊！！！", "ＡＢＣ１２３", "\xff\xfe", "幺幺零", "那个那个那个", "帳帐賬", "😀😀", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if n.Original != s || !utf8.ValidString(n.Norm) {
			t.Fatalf("Normalize(%q) = %+v", s, n)
		}
		checkMap(t, n)
	})
}

func BenchmarkNormalize(b *testing.B) {
	benchNormalize(b, []string{"我想给妈妈转五百块钱", "查一下我尾号1234的卡上个月的账单", "帳戶餘額多少？", "嗯那个明天下午三点提醒我还信用卡"})
}

// BenchmarkNormalizeTraditional measures messages written in traditional script throughout.
func BenchmarkNormalizeTraditional(b *testing.B) {
	benchNormalize(b, []string{"帳戶餘額多少？", "我想轉帳五百塊給媽媽", "信用卡帳單什麼時候還款", "怎麼綁定銀行卡收驗證碼"})
}

func benchNormalize(b *testing.B, msgs []string) {
	Normalize("warm up")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Normalize(msgs[i%len(msgs)])
	}
}
