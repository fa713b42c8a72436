package intents_test

import (
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/weiyin-bank/weiyin/intents"
)

var testNow = time.Date(2026, 11, 25, 15, 0, 0, 0, time.FixedZone("CST", 8*3600))

func TestUnderstand(t *testing.T) {
	u := devUnderstander(t, intents.Options{})
	tests := []struct {
		text, want string
		why        string
	}{
		{"我的余额是多少", "balance", "an example as written is recognised"},
		{"查下余额", "balance", "a paraphrase shares enough words"},
		{"余额", "balance", "a one-word keyword message works"},
		{"明细", "transactions", "a one-word keyword message works"},
		{"转账", "transfer", "a one-word keyword message works"},
		{"确认", "affirm", "a short answer is an intent of its own"},
		{"取消", "cancel", "a short answer is an intent of its own"},
		{"餘額查詢", "balance", "traditional script is simplified before matching"},
		{"轉賬給張三", "transfer", "traditional script with a name"},
		{"鱼额多少", "balance", "an ASR homophone (鱼额) matches through pinyin"},
		{"转帐", "transfer", "the variant 帐 for 账 matches"},
		{"还宽", "credit_repay", "an ASR homophone of 还款 is corrected"},
		{"机分多少", "points", "an ASR homophone of 积分 is corrected"},
		{"嗯那个我想查一下余额", "balance", "fillers of speech do not hide the intent"},
		{"就是我的余额是多少啊", "balance", "filler words give no feature"},
		{"给李四转两百块", "transfer", "slot values stand for their type"},
		{"交电费", "bill_pay", "an enum value (电费) keeps its word"},
		{"1", intents.None, "a bare number is for the engine to pick an option"},
		{"2", intents.None, "a bare number is for the engine to pick an option"},
		{"今天天气怎么样", intents.None, "out of scope: weather"},
		{"你喜欢什么电影", intents.None, "out of scope: chit-chat"},
		{"帮我订机票", intents.None, "out of scope: travel"},
		{"股票推荐", intents.None, "out of scope: stock tips"},
		{"怎么做红烧肉", intents.None, "out of scope: recipes"},
		{"asdfghjkl", intents.None, "random letters are not greetings"},
	}
	for _, tt := range tests {
		r := u.Understand(tt.text, intents.Context{Now: testNow})
		if r.Intent != tt.want {
			t.Errorf("%s: Understand(%q) = %s %.2f (alternatives %v), want %s", tt.why, tt.text, r.Intent, r.Confidence, r.Alternatives, tt.want)
		}
		checkResult(t, tt.text, r)
	}
}

// Ensure a message about another provider's service is none unless the intent's examples
// name other providers too (moving money in from another bank's card).
func TestUnderstandOtherProvider(t *testing.T) {
	u := bankUnderstander(t, intents.Options{})
	tests := []struct {
		text, want string
		ensures    string
	}{
		{"余额宝里有多少钱", intents.None, "another company's balance is not ours (余额 alone would be balance)"},
		{"招商银行的客服电话多少", intents.None, "another bank's hotline is not a handoff"},
		{"工商银行的网点在哪", intents.None, "another bank's branches are not ours"},
		{"花唄還要還多少", intents.None, "traditional script: another company's credit line"},
		{"把工行卡的钱转过来", "fund_collect", "fund collection names other banks in its examples"},
		{"给张三的建行卡转五百", "transfer", "a transfer to another bank's card stays a transfer"},
		{"我的余额", "balance", "no provider named: the usual intent"},
	}
	for _, tt := range tests {
		r := u.Understand(tt.text, intents.Context{Now: testNow})
		if r.Intent != tt.want {
			t.Errorf("%s: Understand(%q) = %s %.2f, want %s", tt.ensures, tt.text, r.Intent, r.Confidence, tt.want)
		}
	}
}

// Ensure a bare number comes back as none with its number entity.
func TestUnderstandNumberOnly(t *testing.T) {
	u := devUnderstander(t, intents.Options{})
	r := u.Understand("2", intents.Context{Now: testNow})
	if r.Intent != intents.None || len(r.Entities) != 1 || r.Entities[0].Type != "number" || r.Entities[0].Value != "2" {
		t.Fatalf("Understand(2) = %+v, want none with number 2", r)
	}
}

// Ensure invalid bytes around a word do not hide it.
func TestUnderstandInvalidBytesAroundWord(t *testing.T) {
	u := devUnderstander(t, intents.Options{})
	text := "\xff\xfe余额\xc3"
	r := u.Understand(text, intents.Context{Now: testNow})
	if r.Intent != "balance" {
		t.Errorf("Understand(%q) = %s, want balance", text, r.Intent)
	}
	checkResult(t, text, r)
}

// Ensure bad input gives a clean result: no panic, intent none, offsets inside the text.
func TestUnderstandBadInput(t *testing.T) {
	u := devUnderstander(t, intents.Options{})
	tests := []struct {
		name, text string
	}{
		{"empty", ""},
		{"spaces only", "   \t  "},
		{"100 KB", strings.Repeat("啊", 100*1024/3)},
		{"invalid UTF-8", "\xff\xfe\xc3\x80"},
		{"control characters", "\x00\x01\x1b[31m\x7f"},
		{"emoji only", "😀😂👍🏻🎉"},
		{"huge number", "99999999999999999999"},
		{"punctuation only", "?!。,,,…"},
	}
	for _, tt := range tests {
		r := u.Understand(tt.text, intents.Context{Now: testNow})
		if r.Intent != intents.None {
			t.Errorf("%s: intent %s, want none", tt.name, r.Intent)
		}
		checkResult(t, tt.text, r)
	}
	// Ensure a long message still finds its intent in its head.
	long := "我想查一下余额" + strings.Repeat("。", 50*1024)
	if r := u.Understand(long, intents.Context{}); r.Intent != "balance" {
		t.Errorf("long message: intent %s, want balance", r.Intent)
	}
}

// checkResult holds the invariants of every Result.
func checkResult(t *testing.T, text string, r intents.Result) {
	t.Helper()
	if r.Text != text {
		t.Errorf("%q: Result.Text = %q", text, r.Text)
	}
	if r.Intent == "" || r.Confidence < 0 || r.Confidence > 1 {
		t.Errorf("%q: intent %q confidence %v", text, r.Intent, r.Confidence)
	}
	if r.Entities == nil || r.Alternatives == nil {
		t.Errorf("%q: nil slices in %+v", text, r)
	}
	for _, a := range r.Alternatives {
		if a.Intent == r.Intent || a.Confidence < 0 || a.Confidence > 1 {
			t.Errorf("%q: bad alternative %+v of %s", text, a, r.Intent)
		}
	}
	if r.Ambiguous && len(r.Alternatives) == 0 {
		t.Errorf("%q: ambiguous without a runner-up", text)
	}
	orig := []rune(text)
	for _, e := range r.Entities {
		if e.Start < 0 || e.End > len(orig) || e.Start >= e.End {
			t.Errorf("%q: entity %+v out of range", text, e)
			continue
		}
		if utf8.ValidString(text) && string(orig[e.Start:e.End]) != e.Text {
			t.Errorf("%q: entity text %q, original says %q", text, e.Text, string(orig[e.Start:e.End]))
		}
	}
}

// Ensure Understand is safe for concurrent use and gives every goroutine the same answers.
func TestUnderstandConcurrent(t *testing.T) {
	u := devUnderstander(t, intents.Options{})
	texts := []string{"我的余额", "给张三转500块", "还宽", "1", "今天天气怎么样", "轉賬"}
	want := make([]intents.Result, len(texts))
	for i, s := range texts {
		want[i] = u.Understand(s, intents.Context{Now: testNow})
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < 50; n++ {
				i := (g + n) % len(texts)
				got := u.Understand(texts[i], intents.Context{Now: testNow})
				if got.Intent != want[i].Intent || got.Confidence != want[i].Confidence {
					t.Errorf("%q: concurrent %s %.3f, sequential %s %.3f", texts[i], got.Intent, got.Confidence, want[i].Intent, want[i].Confidence)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// Ensure two runes of the same type become one feature: examples with different values
// match the same message equally, and the entity is reported with its original text.
func TestUnderstandEntitiesReported(t *testing.T) {
	u := devUnderstander(t, intents.Options{})
	r := u.Understand("交 水费", intents.Context{})
	if r.Intent != "bill_pay" {
		t.Fatalf("intent %s, want bill_pay", r.Intent)
	}
	if len(r.Entities) != 1 || r.Entities[0].Type != "utility" || r.Entities[0].Text != "水费" || r.Entities[0].Start != 2 {
		t.Fatalf("entities %+v, want utility 水费 at 2", r.Entities)
	}
}

// Ensure a customer's list values (contacts) are found and reported with their id.
func TestUnderstandListedValues(t *testing.T) {
	u := devUnderstander(t, intents.Options{})
	c := intents.Context{Now: testNow, Lists: map[string][]intents.ListValue{
		"contact": {{Value: "P7", Names: []string{"赵六"}}},
	}}
	r := u.Understand("给赵六转账", c)
	if r.Intent != "transfer" {
		t.Fatalf("intent %s, want transfer", r.Intent)
	}
	if len(r.Entities) != 1 || r.Entities[0].Value != "P7" || r.Entities[0].Text != "赵六" {
		t.Fatalf("entities %+v, want contact P7", r.Entities)
	}
}

// Ensure a value the examples mark as two entities (陆家嘴支行: a branch to book, a booking to
// cancel) stands for the same one in every compilation: the first declared intent's. It was
// the type of whichever intent a map range met first, so the same message got another
// confidence from one start to the next.
func TestUnderstandMarkedValueSameEveryRun(t *testing.T) {
	for i := range 6 {
		x := bankUnderstander(t, intents.Options{}).Explain("帮我约一下陆家嘴支行", intents.Context{Now: testNow})
		if x.Matched != "帮我约一下<branch>" {
			t.Fatalf("compilation %d: matched %q, want 帮我约一下<branch>", i+1, x.Matched)
		}
	}
}

// Ensure close scores are flagged as ambiguous with the runner-up first among alternatives.
func TestUnderstandAmbiguous(t *testing.T) {
	u := devUnderstander(t, intents.Options{Threshold: 0.1, AmbiguityMargin: 0.9})
	r := u.Understand("信用卡还款账单", intents.Context{})
	if !r.Ambiguous || len(r.Alternatives) == 0 {
		t.Fatalf("%+v: want ambiguous with alternatives", r)
	}
	if r.Intent != "credit_bill" && r.Intent != "credit_repay" {
		t.Fatalf("intent %s, want a credit card intent", r.Intent)
	}
}

// Ensure New refuses a bundle without intents.
func TestNewRejectsEmptyBundle(t *testing.T) {
	b, err := intents.ReadExamples(strings.NewReader("你好\tgreet\n"), "x")
	if err != nil {
		t.Fatal(err)
	}
	delete(b.Intents, "greet")
	b.IntentNames = nil
	if _, err := intents.New(b, intents.Options{}); err == nil {
		t.Fatal("New accepted a bundle without intents")
	}
	if _, err := intents.New(nil, intents.Options{}); err == nil {
		t.Fatal("New accepted a nil bundle")
	}
}
