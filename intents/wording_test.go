package intents_test

import (
	"strings"
	"testing"

	"github.com/weiyin-bank/weiyin/intents"
)

// TestBankWording holds the shipped bot to messages written the way customers write that its
// examples do not spell out: English and mixed, negation and contrast, near siblings and
// misspelt terms. Each case names the class of wording it stands for.
func TestBankWording(t *testing.T) {
	u := bankUnderstander(t, intents.Options{})
	tests := []struct {
		text, want string
		why        string
	}{
		{"check my balance", "balance", "English: the synonym layer translates balance, check; my is left out"},
		{"what is my account balance please", "balance", "English with more function words"},
		{"transfer 500 to 张三", "transfer", "mixed English and a Chinese name"},
		{"cancel", "cancel", "one English word of a catalogue intent"},
		{"help", "help", "one English word of a catalogue intent"},
		{"查下balance", "balance", "an English term glued to Chinese"},
		{"I lost my card", "card_lost", "English: lost and card"},
		{"what's the weather like tomorrow", intents.None, "English out of scope stays out of scope"},
		{"never mind", "cancel", "an English phrase (two words) of calling off"},
		{"forget it", "cancel", "another phrase of calling off"},
		{"stop", "cancel", "one English verb of calling off"},
		{"I changed my mind", "cancel", "English phrase of calling off, holding a left-out word (my)"},
		{"算了，我不想要了", "cancel", "calling off without naming the operation"},
		{"what can you do", "help", "an English phrase asking for the menu, its words each left out alone"},
		{"block my card", "card_lost", "English: blocking a card is reporting it"},
		{"freeze my debit card", "card_lost", "English: freezing a card"},
		{"my card was stolen", "card_lost", "English: a stolen card"},
		{"where is the nearest ATM", "branch_search", "English: nearest is 附近"},
		{"ATM near me", "branch_search", "English: near"},
		{"I want to speak to a real person", "handoff", "English phrase: a real person"},
		{"customer service", "handoff", "English phrase: customer service"},
		{"wire money to 王五", "transfer", "English: wire is a transfer"},
		{"pay bills", "bill_pay", "English phrase: paying bills is the utility payment"},
		{"I need to pay my bills", "bill_pay", "English phrase with a left-out word between its words"},
		{"apply for a credit card", "card_apply", "English: apply is 申请, credit card the card"},
		{"I'd like to apply for a loan", "loan_apply", "English: apply with a loan"},
		{"pay my electricity bill", "bill_pay", "English utility words make a bill payment, not the card bill"},
		{"top up my phone", "phone_topup", "English phrase: top up"},
		{"how much is left in my account", "balance", "English: what is left in an account"},
		{"good morning", "greet", "English greeting phrase"},
		{"I want to buy a wealth product", "wealth_buy", "English buy vs browse: buy glued to its object as in Chinese"},
		{"buy 50000 yuan of wealth products", "wealth_buy", "English buy with an amount"},
		{"what wealth products do you have", "wealth_products", "English browse"},
		{"I need to borrow money", "loan_apply", "English: borrow is a loan"},
		{"where can I withdraw cash", "branch_search", "English: where to withdraw cash is a branch or ATM search"},
		{"goodbye", "goodbye", "English farewell"},
		{"I need to find an ATM", "branch_search", "English: find"},
		{"pay off my credit card", "credit_repay", "English phrase: pay off is a repayment, not the bill"},
		{"someone stole my card", "card_lost", "English: stole"},
		{"what services do you offer", "help", "English: services are what the bot offers"},
		{"I need to talk to someone", "handoff", "English phrase: talk to someone"},
		{"i want to buy a car", intents.None, "an English verb that is a term (buy) does not carry an unknown object"},
		{"不是查余额,我是要转账", "transfer", "contrast: the part after the comma is what is wanted"},
		{"不是查明细是转账", "transfer", "contrast without punctuation"},
		{"不想转账了，帮我查下余额", "balance", "a change of mind with the new request"},
		{"我不是要转账", "cancel", "a wish denied calls it off"},
		{"不要预约了", "cancel", "不要X了 calls X off"},
		{"信用卡先不还了", "cancel", "X先不V了 calls X off"},
		{"不申请贷款了", "cancel", "不V X了 calls X off"},
		{"我的卡不能用了", "!cancel", "an inability is a problem, never calling off"},
		{"不用预约吗", "branch_booking", "a question is never calling off"},
		{"别帮我预约了", "cancel", "别X了 calls X off (别 as a cue)"},
		{"还是别买理财了", "cancel", "别 after a lead word"},
		{"别查余额了，帮我转账", "transfer", "别X了, Y: Y is wanted"},
		{"不转了，查余额", "balance", "a clause calling off, then the new request (even when the whole reads as cancel)"},
		{"不要预约了，谢谢", "cancel", "thanks after calling off does not replace it"},
		{"我要转账，不是查余额", "transfer", "Y first, then 不是X"},
		{"查明细不是查余额", "transactions", "Y不是X without punctuation"},
		{"别人给我转了钱", "!cancel", "别人 is a word, not 别"},
		{"余额不是这么多", "balance", "不是 before no operation contrasts nothing"},
		{"I don't want to transfer anymore", "cancel", "English: a wish denied calls it off"},
		{"no need to book an appointment", "cancel", "English: no need to"},
		{"do not block my card", "cancel", "English: a bare cue before a banking verb"},
		{"I don't want to check my balance, I want to send money", "transfer", "English contrast: the second wish is wanted"},
		{"don't transfer, just check my balance", "balance", "English: don't X, Y"},
		{"check my balance, not transfer", "balance", "English: Y, not X"},
		{"I don't know my balance", "!cancel", "English: don't before no banking verb is a statement"},
		{"I don't have enough balance", "!cancel", "English: a statement about money, not calling off"},
		{"not sure", "!cancel", "English: not before an answer word (sure) calls nothing off"},
		{"confirm", "affirm", "English answer: confirm"},
		{"go ahead", "affirm", "English answer phrase: go ahead"},
		{"that's right", "affirm", "English answer phrase with an apostrophe"},
		{"wrong", "deny", "English answer: wrong"},
		{"我想买五万的理财产品", "wealth_buy", "buy vs browse: an amount and 买 make a purchase"},
		{"帮我买个基金", "wealth_buy", "buy vs browse: a fund named with 买 is a purchase"},
		{"我想買基金", "wealth_buy", "buy vs browse in traditional script"},
		{"信用卡账单还款", "credit_repay", "repaying the bill is a repayment, not the bill"},
		{"把这期的账单交了", "credit_repay", "paying (交) this period's bill is a repayment"},
		{"卡數還款", "credit_repay", "Hong Kong 卡数 before 还款 is a card repayment"},
		{"邊度有櫃員機", "branch_search", "Cantonese where (边度) and Hong Kong ATM (柜员机)"},
		{"幫我轉帳給王小明", "transfer", "traditional script: 转帐 with an unknown name"},
		{"金融卡不見了怎麼辦", "card_lost", "Taiwan 金融卡 lost"},
		{"ATM在哪", "branch_search", "where an ATM is: branch search, not the swallowed-card FAQ"},
		{"房贷怎么申请", "loan_apply", "a mortgage is a loan"},
		{"我要查月额", "balance", "a near homophone of 余额 (yue for yu)"},
		{"鱼额多少", "balance", "an exact homophone of 余额"},
		{"this is not the right amount", "!deny", "a plain phrase (not right) with a word between its words is no answer"},
		{"I forget to do it every time", "!cancel", "forget it across other words (to, do) is no calling off"},
		{"I will pay you back tomorrow", "!credit_repay", "paying a person (you) back is no card repayment"},
		{"call it off", "cancel", "a banking phrase around its object (it)"},
		{"pay it off", "credit_repay", "a repayment phrase around its object (it)"},
		{"send some money to 张三", "transfer", "send money around a quantifier (some)"},
		{"does this apply to me", intents.None, "apply to is 适用, not applying for a product"},
		{"download the application", "!card_apply", "an application is also an app: not 申请 alone"},
		{"credit card application", "card_apply", "a card application is applying for a card"},
		{"how do I close my account", "faq_close_account", "English: closing an account is 销户"},
		{"cancel my credit card", "faq_close_account", "English: cancelling a card is closing it, not calling off"},
		{"when is my statement date", "credit_bill", "English: the statement date is 账单日, not the transactions"},
		{"when is my payment due", "credit_bill", "English: the payment due date is 还款日"},
		{"pay the water bill", "bill_pay", "English: a utility's bill is a utility payment, not the card bill"},
		{"pay my gas bill of 120 yuan", "bill_pay", "English utility bill with an amount"},
		{"I want to pay my credit card", "credit_repay", "English: paying the credit card is a repayment"},
		{"cancel booking", "booking_cancel", "English: a booking is an appointment"},
		{"show my appointments", "booking_list", "English: appointments in the plural"},
		{"I need assistance", "help", "English: assistance is help"},
		{"I can't find my card", "card_lost", "English: a card one cannot find is lost"},
		{"现在房贷利率高不高", "loan_apply", "a loan's rate is the loan's business, not the deposit rates'"},
		{"车贷利息怎么算", "loan_apply", "another loan, another word for the rate"},
		{"定期存款利率多少", "faq_deposit_rates", "a deposit's rate stays the deposit rates"},
		{"change my phone number", "faq_change_phone", "English: phone number is 手机号, change is 修改"},
		{"update my mobile number", "faq_change_phone", "English: another verb and noun of the same request"},
		{"what are your opening hours", "branch_search", "English: opening hours are the branches' 营业时间"},
		{"change the music", intents.None, "English: change alone is everyday talk (plain language)"},
		{"recommend a good book", intents.None, "English: book is not an appointment"},
		{"send me a photo", intents.None, "English: send alone is no transfer (send money is)"},
		{"the bus is gone", intents.None, "English: gone is no card loss"},
		{"现在网速不卡了", "!faq_lost_card", "a negation (不卡, not lagging) is never corrected to a term (补卡)"},
	}
	// want "!x": anything but x.
	for _, tt := range tests {
		r := u.Understand(tt.text, intents.Context{Now: testNow})
		if not, ok := strings.CutPrefix(tt.want, "!"); ok && r.Intent != not || !ok && r.Intent == tt.want {
			continue
		}
		t.Errorf("%s: %q -> %s (%.2f, alternatives %v), want %s", tt.why, tt.text, r.Intent, r.Confidence, r.Alternatives, tt.want)
	}
}

// TestLongMessageCut ensures that only the first Options.MaxRunes runes of a message are read,
// contrast and calling off included: what follows the cut changes nothing, however long the
// message is (the English contrast reader once read a 10 MB message whole, in minutes).
func TestLongMessageCut(t *testing.T) {
	u := bankUnderstander(t, intents.Options{MaxRunes: 64})
	c := intents.Context{}
	head := "check my balance"
	want := u.Understand(head, c).Intent
	tests := []struct {
		tail string
		why  string
	}{
		{strings.Repeat(" ", 100) + "no, I don't want that, transfer 500 to 张三 instead", "an English contrast after the cut is not read"},
		{strings.Repeat("。", 100) + "不是查余额,我是要转账", "a Chinese contrast after the cut is not read"},
		{" " + strings.Repeat("a", 1<<20) + " not balance, transfer", "a megabyte of letters after the cut"},
	}
	for _, tt := range tests {
		if got := u.Understand(head+tt.tail, c).Intent; got != want {
			t.Errorf("%s: intent %s, want %s (the head's)", tt.why, got, want)
		}
	}
}

// TestLongExampleCut ensures an example is cut as a message is: a line of 20,000 runes written
// into a bundle by mistake compiles at once and matches by its head.
func TestLongExampleCut(t *testing.T) {
	tsv := "查余额\tbalance\n我的余额" + strings.Repeat("啊", 20000) + "\tbalance\n转账\ttransfer\n给张三转账\ttransfer\n"
	b, err := intents.ReadExamples(strings.NewReader(tsv), "long.tsv")
	if err != nil {
		t.Fatal(err)
	}
	u, err := intents.New(b, intents.Options{MaxRunes: 64})
	if err != nil {
		t.Fatal(err)
	}
	if got := u.Understand("我的余额", intents.Context{}).Intent; got != "balance" {
		t.Errorf("intent %s, want balance", got)
	}
}
