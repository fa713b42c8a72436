package entity

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/weiyin-bank/weiyin/intents/normalize"
)

// now is Wednesday 2026-11-25 15:10 in Shanghai.
var now = time.Date(2026, 11, 25, 15, 10, 0, 0, shanghai)

func extract(s string, lists map[string][]ListValue) []Entity {
	return New().Extract(normalize.Normalize(s), Context{Now: now, Lists: lists})
}

func render(es []Entity) string {
	out := ""
	for _, e := range es {
		if out != "" {
			out += " "
		}
		out += e.Type + ":" + e.Value
		if e.End2 != "" {
			out += ".." + e.End2
		}
		if e.Unit != "" {
			out += "/" + e.Unit
		}
		if e.Role != "" {
			out += "@" + e.Role
		}
		out += "[" + e.Text + "]"
	}
	return out
}

func TestExtract(t *testing.T) {
	tests := []struct {
		in, want string
		ensures  string
	}{
		{"给妈妈转五百块钱", "money:500.00[五百块钱]", "Chinese numerals with 块钱"},
		{"转1.5万元", "money:15000.00[1.5万元]", "decimal with 万 and 元"},
		{"转账一万二千元", "money:12000.00[一万二千元]", "Chinese numerals with units"},
		{"一万二块", "money:12000.00[一万二块]", "elided 千: 一万二 = 12000"},
		{"三千五元", "money:3500.00[三千五元]", "elided 百: 三千五 = 3500"},
		{"两百元", "money:200.00[两百元]", "两 is 2"},
		{"壹仟贰佰元整", "money:1200.00[壹仟贰佰元整]", "financial numerals with 元整"},
		{"转5K", "money:5000.00[5K]", "5k is 5000 yuan"},
		{"五块五", "money:5.50[五块五]", "elided 角"},
		{"三块零四", "money:3.04[三块零四]", "零 before 分"},
		{"¥300", "money:300.00[¥300]", "yen sign prefix"},
		{"人民币 8千元", "money:8000.00[人民币 8千元]", "人民币 prefix with a space"},
		{"RMB500", "money:500.00[RMB500]", "RMB prefix, any case"},
		{"三到五万", "money:30000.00..50000.00[三到五万]", "a bare range with 万 is a money range"},
		{"100-200元", "money:100.00..200.00[100-200元]", "dash range"},
		{"100美元", "money:100.00/USD[100美元]", "a foreign currency is named in Unit, never taken for yuan"},
		{"3.14港幣", "money:3.14/HKD[3.14港幣]", "traditional currency names"},
		{"五角大楼宣布", "", "五角大楼 is a building"},
		{"等了二十分钟", "duration:20/minute[二十分钟]", "分钟 is a duration, not money"},
		{"订单号 A202107211321363588510367", "", "digits after letters are an identifier"},
		{"转500", "money:500.00[500]", "after a verb that moves money a number is an amount"},
		{"转1.5万给妈妈", "money:15000.00[1.5万]", "1.5万 after 转 is an amount"},
		{"转了2次", "number:2[2]", "a count after 转 is not an amount"},
		{"我有500个", "number:500[500]", "a bare number is a number"},
		{"明天下午三点", "datetime:2026-11-26T15:00:00+08:00[明天下午三点]", "date and time make a datetime"},
		{"明天", "date:2026-11-26[明天]", "relative day"},
		{"后天", "date:2026-11-27[后天]", "relative day"},
		{"大后天", "date:2026-11-28[大后天]", "longest relative day"},
		{"周五", "date:2026-11-27[周五]", "bare weekday: the next one"},
		{"星期三", "date:2026-12-02[星期三]", "bare weekday equal to today: next week's"},
		{"下周五", "date:2026-12-04[下周五]", "next calendar week"},
		{"这周三", "date:2026-11-25[这周三]", "this calendar week"},
		{"下下周一", "date:2026-12-07[下下周一]", "two weeks on"},
		{"上周日", "date:2026-11-22[上周日]", "last calendar week's Sunday"},
		{"11月30日", "date:2026-11-30[11月30日]", "month and day"},
		{"11月30号", "date:2026-11-30[11月30号]", "号 for the day"},
		{"12月1日", "date:2026-12-01[12月1日]", "month and day"},
		{"2026-12-01", "date:2026-12-01[2026-12-01]", "ISO date"},
		{"11.30还款", "date:2026-11-30[11.30]", "M.DD date"},
		{"月底", "date:2026-11-30[月底]", "end of month"},
		{"下个月5号", "date:2026-12-05[下个月5号]", "day of next month"},
		{"下午3点半", "time:15:30[下午3点半]", "day part and half hour"},
		{"15:30", "time:15:30[15:30]", "24-hour clock"},
		{"上午十点", "time:10:00[上午十点]", "morning"},
		{"晚上八点", "time:20:00[晚上八点]", "evening adds 12"},
		{"三点一刻", "time:15:15[三点一刻]", "quarter past, next occurrence after now"},
		{"下午两点四十", "time:14:40[下午两点四十]", "两点四十"},
		{"上个月", "period:2026-10-01..2026-10-31[上个月]", "last month"},
		{"这个月", "period:2026-11-01..2026-11-30[这个月]", "this month"},
		{"本月", "period:2026-11-01..2026-11-30[本月]", "this month"},
		{"近三个月", "period:2026-08-25..2026-11-25[近三个月]", "last three months up to today"},
		{"最近3个月", "period:2026-08-25..2026-11-25[最近3个月]", "Arabic count"},
		{"这周", "period:2026-11-23..2026-11-29[这周]", "this calendar week"},
		{"上周", "period:2026-11-16..2026-11-22[上周]", "last calendar week"},
		{"近一周", "period:2026-11-19..2026-11-25[近一周]", "the last seven days"},
		{"最近7天", "period:2026-11-19..2026-11-25[最近7天]", "the last seven days"},
		{"今年", "period:2026-01-01..2026-12-31[今年]", "this year"},
		{"去年", "period:2025-01-01..2025-12-31[去年]", "last year"},
		{"2026年10月", "period:2026-10-01..2026-10-31[2026年10月]", "year and month"},
		{"10月份", "period:2026-10-01..2026-10-31[10月份]", "month of this year"},
		{"国庆节", "date:2027-10-01[国庆节]", "a fixed festival: the next one"},
		{"电话13812345678", "phone:13812345678[13812345678]", "mobile number"},
		{"138-1234-5678", "phone:13812345678[138-1234-5678]", "dashes"},
		{"+86 138 1234 5678", "phone:13812345678[+86 138 1234 5678]", "country code and spaces"},
		{"一三八一二三四五六七八", "phone:13812345678[一三八一二三四五六七八]", "spoken digits"},
		{"幺三八幺二三四五六七八", "phone:13812345678[幺三八幺二三四五六七八]", "幺 for 1"},
		{"尾号1234的卡", "card_tail:1234[尾号1234]", "card tail"},
		{"后四位是5678", "card_tail:5678[后四位是5678]", "后四位是"},
		{"尾号幺二三四", "card_tail:1234[尾号幺二三四]", "spoken tail"},
		{"活期余额", "account_type:current[活期]", "活期 is current"},
		{"工资卡", "account_type:current[工资卡]", "工资卡 is current"},
		{"定期", "account_type:fixed[定期]", "定期 is fixed"},
		{"信用卡账单", "account_type:credit[信用卡]", "信用卡 is credit"},
		{"第二个", "ordinal:2[第二]", "ordinal"},
		{"一百零五", "number:105[一百零五]", "Chinese number"},
		{"大陆", "", "陆 alone is not 6"},
		{"两岸关系", "", "两 alone is not 2"},
		{"一起去", "", "一 alone is not a number"},
		{"百分之八", "percent:8[百分之八]", "percent"},
		{"嗯我想轉帳５００塊", "money:500.00[５００塊]", "spans point at the original full-width text"},
	}
	for _, tt := range tests {
		got := render(extract(tt.in, nil))
		if got != tt.want {
			t.Errorf("%s: Extract(%q) = %q, want %q", tt.ensures, tt.in, got, tt.want)
		}
	}
}

func TestExtractLists(t *testing.T) {
	lists := map[string][]ListValue{
		"contact": {{Value: "c1", Names: []string{"妈妈", "老妈"}}, {Value: "c2", Names: []string{"張三"}}},
		"branch":  {{Value: "b9", Names: []string{"中关村支行", "中关村"}}},
	}
	tests := []struct{ in, want, ensures string }{
		{"给老妈转500块", "contact:c1@to[老妈] money:500.00[500块]", "a synonym gives the value"},
		{"转给张三", "contact:c2@to[张三]", "names are normalised: 張三 matches 张三"},
		{"轉給張三", "contact:c2@to[張三]", "traditional input matches"},
		{"中关村支行几点开门", "branch:b9[中关村支行]", "the longest name wins"},
	}
	for _, tt := range tests {
		if got := render(extract(tt.in, lists)); got != tt.want {
			t.Errorf("%s: Extract(%q) = %q, want %q", tt.ensures, tt.in, got, tt.want)
		}
	}
}

func TestParseMoney(t *testing.T) {
	tests := []struct {
		in      string
		want    Money
		ok      bool
		ensures string
	}{
		{"500", 50000, true, "a bare number is an amount when the whole answer is one"},
		{"500块钱", 50000, true, "块钱"},
		{"1.5万", 1500000, true, "decimal with 万"},
		{"一万二", 1200000, true, "elided 千"},
		{"三千五", 350000, true, "elided 百"},
		{"两百", 20000, true, "两百"},
		{"壹仟贰佰元整", 120000, true, "cheque form"},
		{"5k", 500000, true, "k"},
		{"五块五", 550, true, "elided 角"},
		{"两毛五", 25, true, "elided 分"},
		{"0.01", 1, true, "one fen"},
		{"三到五万", 0, false, "a range is not one amount"},
		{"100美元", 0, false, "foreign currency is not renminbi"},
		{"-5", 0, false, "negative amounts are rejected"},
		{"10000000000000元", 0, false, "absurd amounts are rejected"},
		{"12345678901234567890", 0, false, "20-digit numbers are rejected"},
		{"0.001", 0, false, "sub-fen bare numbers are rejected"},
		{"你好", 0, false, "words are not amounts"},
	}
	for _, tt := range tests {
		got, ok := ParseMoney(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: ParseMoney(%q) = %v, %v; want %v, %v", tt.ensures, tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseNumbers(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
		ensures  string
	}{
		{"一百零五", "105", true, "零 fills a gap"},
		{"十二", "12", true, "leading 十"},
		{"两千", "2000", true, "两"},
		{"负三点八", "-3.8", true, "negative decimal"},
		{"1,040,000", "1040000", true, "thousands separators"},
		{"二分之一", "0.5", true, "fraction"},
		{"百十一", "", false, "a leading 百 is malformed"},
		{"十一十二", "", false, "units must decrease"},
		{"零点", "", false, "a point needs digits"},
		{"", "", false, "empty"},
	}
	for _, tt := range tests {
		got, ok := ParseNumber(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: ParseNumber(%q) = %q, %v; want %q, %v", tt.ensures, tt.in, got, ok, tt.want, tt.ok)
		}
	}
	if v, ok := ParseChineseInt("一万二千"); !ok || v != 12000 {
		t.Errorf("ParseChineseInt(一万二千) = %d, %v", v, ok)
	}
	if _, ok := ParseChineseInt("一点五"); ok {
		t.Error("ParseChineseInt accepted a decimal")
	}
	if m, ok := MoneyFromNumber("500"); !ok || m.String() != "500.00" {
		t.Errorf("MoneyFromNumber(500) = %v, %v", m, ok)
	}
}

func checkSpans(t *testing.T, s string, es []Entity) {
	t.Helper()
	rs := []rune(s)
	for _, e := range es {
		if e.Start < 0 || e.End > len(rs) || e.Start >= e.End {
			t.Fatalf("Extract(%q): bad span %+v", s, e)
		}
		if string(rs[e.Start:e.End]) != e.Text {
			t.Fatalf("Extract(%q): Text %q != original[%d:%d] %q", s, e.Text, e.Start, e.End, string(rs[e.Start:e.End]))
		}
	}
	for i := 1; i < len(es); i++ {
		if es[i].Start < es[i-1].End {
			t.Fatalf("Extract(%q): overlapping %+v %+v", s, es[i-1], es[i])
		}
	}
}

func FuzzExtract(f *testing.F) {
	for _, s := range []string{"给妈妈转五百块钱", "明天下午三点", "三到五万", "尾号幺二三四", "+86 138 1234 5678", "嗯我想轉帳５００塊", "1.2.3.4", "第第第", "百分之", "\xff5元",
		"tomorrow at 3pm", "3pm on monday", "at 3 tomorrow", "the day after tomorrow", "5th of may 2027", "last 3 months", "in 2 hours", "tonight at 8", "明天 at 3", "on the 31st"} {
		f.Add(s)
	}
	x := New()
	lists := map[string][]ListValue{"contact": {{Value: "c1", Names: []string{"妈妈", "a"}}}}
	f.Fuzz(func(t *testing.T, s string) {
		es := x.Extract(normalize.Normalize(s), Context{Now: now, Lists: lists})
		if utf8.ValidString(s) {
			checkSpans(t, s, es)
		} else {
			checkSpans(t, string([]rune(s)), es)
		}
	})
}

func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"500块钱", "1.5万", "壹仟贰佰元整", "三到五万", "5k", "九千九百九十九亿九千九百九十九万", "0.001", "-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, ok := ParseMoney(s)
		if ok && (m < 0 || m > MaxYuan*100) {
			t.Fatalf("ParseMoney(%q) = %d", s, m)
		}
		if _, ok := ParseAmount(s); ok {
			_ = fmt.Sprint(m)
		}
		ParseNumber(s)
	})
}

func BenchmarkExtract(b *testing.B) {
	msgs := []string{"我想给妈妈转五百块钱", "查一下我尾号1234的卡上个月的账单", "明天下午三点提醒我还信用卡", "余额多少"}
	texts := make([]normalize.Text, len(msgs))
	for i, m := range msgs {
		texts[i] = normalize.Normalize(m)
	}
	x := New()
	c := Context{Now: now, Lists: map[string][]ListValue{"contact": {{Value: "c1", Names: []string{"妈妈"}}}}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		x.Extract(texts[i%len(texts)], c)
	}
}

func TestExtractConcurrent(t *testing.T) {
	// Ensure one Extractor and Normalize serve many goroutines (run with -race).
	x := New()
	lists := map[string][]ListValue{"contact": {{Value: "c1", Names: []string{"媽媽"}}}}
	done := make(chan string, 8)
	for g := 0; g < 8; g++ {
		go func(g int) {
			got := ""
			for i := 0; i < 50; i++ {
				got = render(x.Extract(normalize.Normalize(fmt.Sprintf("給媽媽轉%d塊，明天下午三點", 100+g)), Context{Now: now, Lists: lists}))
			}
			done <- got
		}(g)
	}
	for g := 0; g < 8; g++ {
		if got := <-done; got == "" {
			t.Error("no entities from a concurrent Extract")
		}
	}
}

// Ensure names normalised beforehand (ListValue.Norm) match as the names themselves do, and
// that Norm is what is matched when it is set.
func TestListNorm(t *testing.T) {
	x := New()
	text := normalize.Normalize("給媽媽轉100塊")
	plain := map[string][]ListValue{"contact": {{Value: "c1", Names: []string{"媽媽"}}}}
	pre := map[string][]ListValue{"contact": {{Value: "c1", Names: []string{"媽媽"}, Norm: NormNames([]string{"媽媽"})}}}
	if a, b := render(x.Extract(text, Context{Now: now, Lists: plain})), render(x.Extract(text, Context{Now: now, Lists: pre})); a != b || !strings.Contains(a, "c1") {
		t.Errorf("without Norm %s, with Norm %s: want the same, with c1", a, b)
	}
	other := map[string][]ListValue{"contact": {{Value: "c2", Names: []string{"老王"}, Norm: NormNames([]string{"妈妈"})}}}
	if got := render(x.Extract(text, Context{Now: now, Lists: other})); !strings.Contains(got, "c2") {
		t.Errorf("Norm set: %s, want c2 found through its normalised name", got)
	}
}

// TestEndsWith ensures endsWith says what hasStr says of the runes before end, at every end
// in and around a text, for words longer than the text and the empty word.
func TestEndsWith(t *testing.T) {
	rs := []rune("给张三转500块不要")
	for _, w := range []string{"", "要", "不要", "块不要", "张三", "给张", "给张三转500块不要", "x给张三转500块不要", "三转"} {
		for end := -2; end <= len(rs)+2; end++ {
			want := hasStr(rs, end-utf8.RuneCountInString(w), w)
			if got := endsWith(rs, end, w); got != want {
				t.Errorf("endsWith(%q, %d, %q) = %v, hasStr says %v", string(rs), end, w, got, want)
			}
		}
	}
}

// TestHasStr ensures hasStr, which compares encoded bytes, says what comparing decoded runes
// says, at every position in and around texts of one-, two-, three- and four-byte runes and
// for words of each kind, longer than the text and empty.
func TestHasStr(t *testing.T) {
	decoded := func(rs []rune, i int, w string) bool {
		if i < 0 {
			return false
		}
		k := i
		for _, r := range w {
			if k >= len(rs) || rs[k] != r {
				return false
			}
			k++
		}
		return true
	}
	for _, text := range []string{"给张三转500块不要", "café ß 转账", "𠀋𠀋余额 ok", "", "\uFFFD余"} {
		rs := []rune(text)
		words := []string{"", "要", "不要", "张三转", "500块", "é", "ß 转", "𠀋余", "𠀋𠀋余额 ok!", "ok", "o", "\uFFFD", "余额", "块不要x"}
		for _, w := range words {
			for i := -2; i <= len(rs)+2; i++ {
				if got, want := hasStr(rs, i, w), decoded(rs, i, w); got != want {
					t.Errorf("hasStr(%q, %d, %q) = %v, decoding says %v", text, i, w, got, want)
				}
			}
		}
	}
}
