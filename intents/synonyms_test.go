package intents

import (
	"slices"
	"strings"
	"testing"

	"github.com/weiyin-bank/weiyin/intents/normalize"
)

// Ensure the reviewed table is consistent: every member is written as normalize leaves it
// (else it could never be found in a normalised message) and belongs to one group only.
func TestSynonymTableConsistent(t *testing.T) {
	group := map[string]string{}
	for _, line := range strings.Split(synonymText, "\n") {
		line, _, _ = strings.Cut(line, "#")
		ws := strings.Fields(line)
		if len(ws) > 0 && ws[0] == "=" {
			ws = ws[1:] // a plain-language group
		}
		for _, w := range ws {
			// A phrase's words are joined by _, which normalize makes a space.
			if n := normalize.Normalize(w).Norm; n != strings.ReplaceAll(w, "_", " ") {
				t.Errorf("member %q normalises to %q: write it that way", w, n)
			}
			if g, ok := group[w]; ok && g != ws[0] {
				t.Errorf("member %q in the groups of %q and %q", w, g, ws[0])
			}
			group[w] = ws[0]
		}
	}
}

// Ensure plain-language groups (lines starting with =) translate and match like any group
// but are neither homophone targets nor evidence of the bank's domain, while banking groups
// are both.
func TestSynonymPlainGroups(t *testing.T) {
	tab := parseSynonyms("余额 balance\n= 附近 nearby near\n= 好的 okay\n")
	tests := []struct {
		term  string
		plain bool
		why   string
	}{
		{"余额", false, "a banking term is a homophone target and domain evidence"},
		{"附近", true, "nearby is everyday talk"},
		{"好的", true, "an answer is everyday talk"},
	}
	for _, tt := range tests {
		if got := tab.kindOf(tt.term) == kindPlain; got != tt.plain {
			t.Errorf("%s: plain = %v, want %v", tt.why, got, tt.plain)
		}
		if got := slices.Contains(tab.terms, tt.term); got == tt.plain {
			t.Errorf("%s: homophone target = %v, want %v", tt.why, got, !tt.plain)
		}
	}
	if tab.ascii["nearby"] != "附近" || tab.han["附近"] != "附近" {
		t.Errorf("a plain group's members are not matched: ascii %v, han %v", tab.ascii, tab.han)
	}
}

func TestSynonymFind(t *testing.T) {
	tab := theSynonyms()
	tests := []struct {
		text string
		want []string // member=term, in order
		why  string
	}{
		{"怎么解除绑定银行卡", []string{"怎么=怎么", "解除绑定=解绑", "银行卡=银行卡"}, "a long member wins over the short one inside it"},
		{"查下balance", []string{"balance=余额"}, "an English member glued to Chinese is a whole word"},
		{"check my balance please", []string{"check=查询", "balance=余额"}, "an English member among English words"},
		{"balances", nil, "no part of an English word"},
		{"刷卡机坏了", []string{"刷卡机=pos机"}, "a Han member of a group led by a mixed term"},
		{"過數俾我", nil, "the table holds normalised text only; the caller normalises first"},
		{"全数还清", []string{"全数=全额"}, "Hong Kong wording"},
		{"今天天气不错", nil, "no member, no term"},
		{"talk to customer service", []string{"customer service=人工"}, "a phrase member is found as its words"},
		{"customer  service", []string{"customer  service=人工"}, "a phrase's words may be apart by several spaces"},
		{"customers service", nil, "a phrase's words are whole words"},
		{"customer", nil, "a phrase's first word alone is no member"},
		{"微信零钱提现", nil, "提现 (a wallet's money to the bank) is no credit-card cash advance (取现)"},
		{"快递能补发吗", nil, "补发 alone is reshipping or back pay: only 补发卡 is a card"},
		{"排队的人还多了吗", nil, "还多了 reads hai duo le (still more): only 多还了 is an overpayment"},
		{"补发卡要多久", []string{"补发卡=补卡"}, "a card reissued is a replacement card"},
		{"金融卡挂失", []string{"金融卡=银行卡", "挂失=挂失"}, "Taiwan: 金融卡 is the debit card"},
		{"存折要补折", []string{"存折=存折", "补折=补登存折"}, "Taiwan: 補摺 (normalised 补折) is updating the passbook"},
		{"可以临柜办理吗", []string{"临柜=柜台"}, "Taiwan: 臨櫃 is at the counter"},
		{"定存利率多少", []string{"定存=定期存款", "利率=利息", "多少=多少"}, "Taiwan and mainland: 定存 is a fixed deposit"},
		{"收不到otp", []string{"otp=验证码"}, "English OTP is the one-time code"},
	}
	for _, tt := range tests {
		var got []string
		tab.find(tt.text, func(m, term string) { got = append(got, m+"="+term) })
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: find(%q) = %q, want %q", tt.why, tt.text, got, tt.want)
		}
	}
}

func TestSynonymTranslate(t *testing.T) {
	tab := theSynonyms()
	tests := []struct{ in, want, why string }{
		{"check my balance", "查询   余额", "English members become their Chinese term; function words go"},
		{"查下balance", "查下余额", "a member glued to Chinese"},
		{"transfer 500 to 张三", "转账 500   张三", "numbers and names stay for the extractor's placeholders"},
		{"atm在哪", "atm在哪", "a member of a group led by an ASCII term stays"},
		{"starbucks", "starbucks", "an unknown word stays"},
		{"余额", "余额", "Chinese alone is returned as is"},
		{"never mind", "取消", "a phrase becomes its term"},
		{"top up my phone", "充值   phone", "a phrase among other words"},
		{"what can you do", "帮助", "a phrase wins over the words it holds (can, do are left out alone)"},
		{"what time is it", "what time    ", "a phrase's first word outside the phrase stays"},
		{"wealth products", "理财产品", "translated terms that are one word together are glued"},
		{"buy a fund", "买理财", "a term of one rune is glued to its object"},
		{"account balance", "账户余额", "a member of the table glued from two English words"},
		{"balance 转账", "余额 转账", "terms that are no word together keep their space"},
		{"pos机坏了", "pos机坏了", "a member that begins its own mixed term, which the text already says, stays (not pos机机)"},
		{"pos坏了", "pos机坏了", "the same member alone becomes its term"},
		{"pay my bills", "生活缴费", "a phrase holding a left-out word (my) between its words"},
		{"pay the bills now", "生活缴费 now", "a left-out word inside a phrase, another word after it"},
		{"pay cash", "pay 钱", "a phrase's first word followed by another word stays"},
		{"call it off", "取消", "a pronoun (it) between a banking phrase's words"},
		{"send some money", "转账", "a quantifier (some) between a banking phrase's words"},
		{"pay the my bills", "pay     账单", "one left-out word between two words of a phrase, never two"},
		{"this is not the right amount", "    not   right amount", "a plain-language phrase (not right) is a fixed expression: no word between its words"},
		{"good for the morning", "good     morning", "a greeting phrase takes no word between its words"},
		{"i forget to do it", "  forget      ", "only an article, possessive or pronoun of an object goes between (to, do do not: forget it is no 取消)"},
		{"i will pay you back", "  will pay   back", "a person (you) between the words is not the object a repayment has"},
	}
	for _, tt := range tests {
		if got := tab.translate(tt.in); got != tt.want {
			t.Errorf("%s: translate(%q) = %q, want %q", tt.why, tt.in, got, tt.want)
		}
	}
}
