package normalize

import (
	"bufio"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// TestSimplifiedPassesThrough is the regression test for 么 -> 幺 (the library's tw2s turned
// 怎么转账 into 怎幺转账): simplified customer messages come out of every conversion as they
// went in, and traditional spellings of them come out simplified.
func TestSimplifiedPassesThrough(t *testing.T) {
	msgs := []struct{ in, norm, ensures string }{
		{"怎么转账", "怎么转账", "怎么 stays in the most common banking question"},
		{"什么时候到账", "什么时候到账", "什么 stays"},
		{"这么多手续费", "这么多手续费", "这么 stays"},
		{"那么我的余额呢", "那么我的余额", "那么 stays (Normalize drops the final 呢)"},
		{"怎么办理信用卡", "怎么办理信用卡", "怎么办 stays"},
		{"要么今天还款要么明天", "要么今天还款要么明天", "要么 stays"},
		{"为什么转账失败了", "为什么转账失败了", "为什么 stays"},
		{"多么方便的网点", "多么方便的网点", "多么 stays"},
		{"手机打坏了怎么挂失", "手机打坏了怎么挂失", "simplified 打坏 (broke) is never read as traditional 打坯"},
		{"验证码收不到怎么回事", "验证码收不到怎么回事", "怎么回事 stays"},
		{"我想存钱理财", "我想存钱理财", "plain simplified text is unchanged"},
	}
	for _, m := range msgs {
		if got := Simplify(m.in); got != m.in {
			t.Errorf("%s: Simplify(%q) = %q", m.ensures, m.in, got)
		}
		for _, cfg := range []string{"t2s", "tw2s", "hk2s"} {
			got, err := SimplifyWith(cfg, m.in)
			if err != nil || got != m.in {
				t.Errorf("%s: SimplifyWith(%s, %q) = %q, %v", m.ensures, cfg, m.in, got, err)
			}
		}
		if got := Normalize(m.in).Norm; got != m.norm {
			t.Errorf("%s: Normalize(%q) = %q, want %q", m.ensures, m.in, got, m.norm)
		}
	}
	// tw2sp converts every text (it assumes Taiwan's writing), but never 么 -> 幺 either.
	for _, in := range []string{"怎么转账", "什么时候到账", "这么多手续费", "要么今天还款"} {
		if got, err := SimplifyWith("tw2sp", in); err != nil || got != in {
			t.Errorf("SimplifyWith(tw2sp, %q) = %q, %v", in, got, err)
		}
	}
	trad := []struct{ in, want, ensures string }{
		{"怎麼轉帳", "怎么转账", "traditional 怎麼 becomes 怎么, never 怎幺"},
		{"什麼時候到帳", "什么时候到账", "什麼 becomes 什么"},
		{"這麼多手續費", "这么多手续费", "這麼 becomes 这么"},
		{"我的帳戶怎么转账", "我的账户怎么转账", "mixed scripts keep the simplified 怎么"},
	}
	for _, tt := range trad {
		for _, cfg := range []string{"t2s", "tw2s", "tw2sp", "hk2s"} {
			got, err := SimplifyWith(cfg, tt.in)
			if err != nil || got != tt.want {
				t.Errorf("%s: SimplifyWith(%s, %q) = %q, %v; want %q", tt.ensures, cfg, tt.in, got, err, tt.want)
			}
		}
		if got := Normalize(tt.in).Norm; got != tt.want {
			t.Errorf("%s: Normalize(%q) = %q, want %q", tt.ensures, tt.in, got, tt.want)
		}
	}
}

// TestSimplifyBankingWords ensures traditional banking vocabulary gives the simplified words
// the NLU matches, whichever traditional standard it was written in.
func TestSimplifyBankingWords(t *testing.T) {
	words := []struct{ in, want string }{
		{"帳戶", "账户"}, {"餘額", "余额"}, {"轉賬", "转账"}, {"轉帳", "转账"}, {"匯款", "汇款"},
		{"信用卡帳單", "信用卡账单"}, {"還款", "还款"}, {"網點", "网点"}, {"預約", "预约"},
		{"掛失", "挂失"}, {"理財", "理财"}, {"手續費", "手续费"}, {"驗證碼", "验证码"},
		{"綁定", "绑定"}, {"積分", "积分"}, {"帳號", "账号"}, {"對帳單", "对账单"}, {"到帳", "到账"},
		{"存款", "存款"}, {"貸款", "贷款"}, {"利率", "利率"}, {"銀行卡", "银行卡"}, {"密碼", "密码"},
	}
	for _, w := range words {
		if got := Simplify(w.in); got != w.want {
			t.Errorf("Simplify(%q) = %q, want %q", w.in, got, w.want)
		}
		for _, cfg := range []string{"tw2s", "hk2s"} {
			if got, err := SimplifyWith(cfg, w.in); err != nil || got != w.want {
				t.Errorf("SimplifyWith(%s, %q) = %q, %v; want %q", cfg, w.in, got, err, w.want)
			}
		}
	}
}

// TestSimplifyClasses checks each character rule of dict/TSExtra.txt together with its
// exceptions, on words other than the corpus's.
func TestSimplifyClasses(t *testing.T) {
	tests := []struct{ in, want, ensures string }{
		{"擡舉", "抬举", "擡 is always 抬"},
		{"狐貍", "狐狸", "貍 is always 狸"},
		{"剋扣工資", "克扣工资", "剋 as 克 converts"},
		{"又被剋了", "又被剋了", "剋 (scold) alone is kept"},
		{"提昇額度", "提升额度", "昇 in a word converts"},
		{"陳昇的歌", "陈昇的歌", "昇 in a name is kept"},
		{"晉陞經理", "晋升经理", "陞 in a word converts"},
		{"經濟復甦", "经济复苏", "復甦 converts"},
		{"神祕的禮物", "神秘的礼物", "祕 in a word converts"},
		{"蒐集資料", "搜集资料", "蒐 as 搜 converts"},
		{"三公釐", "三公厘", "釐 as a unit converts"},
		{"洪水氾濫", "洪水泛滥", "氾濫 converts"},
		{"乾淨的帳戶", "干净的账户", "乾 is 干 by default"},
		{"乾隆年間", "乾隆年间", "乾 in an era name is kept"},
		{"吉林乾安縣", "吉林乾安县", "乾 in a place name is kept"},
		{"一瓶乾紅", "一瓶干红", "乾紅 is dry red wine"},
		{"沈先生很沈默嗎", "沈先生很沉默吗", "沈 the surname is kept, 沈默 converts"},
		{"沈先生很沈默", "沈先生很沈默", "text without a traditional-only character is left as written"},
		{"問一下沈經理", "问一下沈经理", "the surname 沈 after 一下 is kept"},
		{"餅乾德國製", "饼干德国制", "乾 before 德 (not an era name here) is 干"},
		{"慰藉著我們", "慰藉著我们", "慰藉 is never split into 藉著 -> 借着"},
		{"藉口說得太多", "借口说得太多", "藉口 converts"},
		{"蚊帳和帳篷", "蚊帐和帐篷", "帳 outside money words is 帐"},
		{"記帳和結帳", "记账和结账", "帳 in money words is 账"},
		{"走出帳篷回到帳篷裡", "走出帐篷回到帐篷里", "a money word (出帳, 到帳) never swallows the 帳 of 帳篷"},
		{"陶坏燒製", "陶坯烧制", "坏 is 坯 in traditional text"},
		{"劄記", "札记", "劄 is 札"},
		{"扞衛", "捍卫", "扞 is 捍"},
	}
	for _, tt := range tests {
		if got := Simplify(tt.in); got != tt.want {
			t.Errorf("%s: Simplify(%q) = %q, want %q", tt.ensures, tt.in, got, tt.want)
		}
	}
	// tw2sp localises Taiwan's words even where both scripts share their characters.
	if got, err := SimplifyWith("tw2sp", "演算法"); err != nil || got != "算法" {
		t.Errorf("SimplifyWith(tw2sp, 演算法) = %q, %v; want 算法", got, err)
	}
}

// TestOverlayEntriesApply ensures every overlay entry is reachable: converting its key alone
// with its own stage gives its value (no library phrase shadows it, no line is malformed).
func TestOverlayEntriesApply(t *testing.T) {
	for _, cfg := range []struct{ config, overlay string }{
		{"t2s", "dict/TSExtra.txt"},
		{"tw2s", "dict/TWVariantsRevExtra.txt"},
		{"hk2s", "dict/HKVariantsRevExtra.txt"},
	} {
		c, err := chainFor(cfg.config)
		if err != nil {
			t.Fatal(err)
		}
		st := c.stages[0]
		f, err := dictFS.Open(cfg.overlay)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		n := 0
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			key, val, _ := strings.Cut(line, "\t")
			val = strings.Fields(val)[0]
			items := textItems(key)
			if got := itemsString(st.convertRuns(items)); got != val {
				t.Errorf("%s: %s -> %q, want %q", cfg.overlay, key, got, val)
			}
			n++
		}
		f.Close()
		if n == 0 {
			t.Errorf("%s: no entries", cfg.overlay)
		}
	}
}

// TestLibraryDictionariesRead ensures the library's embedded dictionaries were read whole: a
// broken read would silently leave most traditional text unconverted.
func TestLibraryDictionariesRead(t *testing.T) {
	c, err := chainFor("t2s")
	if err != nil {
		t.Fatal(err)
	}
	st := c.stages[0]
	phrases := 0
	for _, ps := range st.phrases {
		phrases += len(ps)
	}
	if len(st.chars) < 4000 || phrases < 250 {
		t.Fatalf("t2s: %d characters, %d phrases; want the library's TSCharacters (4000+) and TSPhrases (250+)", len(st.chars), phrases)
	}
	for _, cfg := range []string{"tw2s", "hk2s"} {
		c, err := chainFor(cfg)
		if err != nil || len(c.stages) != 2 {
			t.Fatalf("%s: %v stages, %v; want variants then t2s", cfg, c, err)
		}
	}
}

// TestLengthChangingPhraseKeepsMap ensures a phrase whose output has another length spreads
// its runes over the phrase's original range, keeping Map monotone and in bounds.
func TestLengthChangingPhraseKeepsMap(t *testing.T) {
	st := newStage()
	st.add("體", "体")
	st.add("甲乙丙", "丁戊")
	st.add("子丑", "寅卯辰")
	items := textItems("a甲乙丙體 子丑b")
	got := st.convertRuns(items)
	if s := itemsString(got); s != "a丁戊体 寅卯辰b" {
		t.Fatalf("convertRuns = %q", s)
	}
	tx := Text{Original: "a甲乙丙體 子丑b", Norm: itemsString(got)}
	for _, it := range got {
		tx.Map = append(tx.Map, int(it.s))
		tx.OrigEnd = append(tx.OrigEnd, int(it.e))
	}
	checkMap(t, tx)
}

// TestConcurrentUse ensures the chains are built once and shared safely (run with -race).
func TestConcurrentUse(t *testing.T) {
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			cfg := []string{"t2s", "tw2s", "hk2s", "s2t"}[g%4]
			for i := 0; i < 50; i++ {
				if got := Normalize("怎麼轉帳到我的帳戶").Norm; got != "怎么转账到我的账户" {
					t.Errorf("Normalize = %q", got)
					return
				}
				if _, err := SimplifyWith(cfg, "帳戶餘額"); err != nil {
					t.Error(err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
}

func textItems(s string) []item {
	var items []item
	for i, r := range []rune(s) {
		items = append(items, item{r: r, s: int32(i), e: int32(i + 1)})
	}
	return items
}

func itemsString(items []item) string {
	var b strings.Builder
	for _, it := range items {
		b.WriteRune(it.r)
	}
	return b.String()
}

func BenchmarkSimplify(b *testing.B) {
	msgs := []string{"帳戶餘額多少", "我想轉帳五百塊給媽媽", "怎么转账", "信用卡帳單什麼時候還款"}
	Simplify("warm up")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Simplify(msgs[i%len(msgs)])
	}
}

// TestConvertDoesNotAllocate ensures the conversion layer works in place: Normalize's t2s step
// allocates nothing for a traditional message (only a phrase changing length would copy).
func TestConvertDoesNotAllocate(t *testing.T) {
	src := textItems("我想轉帳五百塊給媽媽，帳戶餘額多少")
	items := make([]item, len(src))
	simplifyItems(append(items[:0], src...)) // build the chain outside the measurement
	allocs := testing.AllocsPerRun(100, func() {
		copy(items, src)
		simplifyItems(items)
	})
	if allocs != 0 {
		t.Errorf("simplifyItems allocates %.1f times per call, want 0", allocs)
	}
	if got := itemsString(items); got != "我想转账五百块给妈妈，账户余额多少" {
		t.Errorf("simplifyItems = %q", got)
	}
}

func FuzzSimplify(f *testing.F) {
	for _, s := range []string{"怎麼轉帳", "乾隆年間乾淨", "慰藉著", "\xff帳", "打坏", "老么 這", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, cfg := range []string{"t2s", "tw2s", "tw2sp", "hk2s"} {
			out, err := SimplifyWith(cfg, s)
			if err != nil {
				t.Fatalf("SimplifyWith(%s, %q): %v", cfg, s, err)
			}
			if utf8.ValidString(s) && !utf8.ValidString(out) {
				t.Fatalf("SimplifyWith(%s, %q) = %q: invalid UTF-8", cfg, s, out)
			}
			if utf8.RuneCountInString(out) > 4*utf8.RuneCountInString(s)+4 {
				t.Fatalf("SimplifyWith(%s, %q) = %q: output grew", cfg, s, out)
			}
		}
	})
}
