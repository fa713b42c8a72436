package dialogs

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

// What the bank operations are for, in words staff read (`weiyin ops`, docs/dialogs-guide.zh.md).

var opTitles = map[string]text{
	"balance":        tr("the customer's accounts and their balances", "查询客户名下账户及余额"),
	"transactions":   tr("an account's recent transactions", "查询某个账户的收支明细"),
	"transfer":       tr("send money to a payee", "向收款人转账"),
	"fund_collect":   tr("collect money from another bank's card into a Weiyin account", "把他行卡里的钱归集到微银账户"),
	"credit_bill":    tr("a credit card's current statement", "查询信用卡本期账单"),
	"credit_repay":   tr("repay a credit card", "还信用卡"),
	"points":         tr("a credit card's reward points", "查询信用卡积分"),
	"branches":       tr("branches near a place or in a district", "查找附近或某区的网点"),
	"booking_slots":  tr("free appointment times at a branch on a day", "查询网点某天可预约的时间"),
	"book":           tr("book a branch appointment", "预约网点办理业务"),
	"bookings":       tr("the customer's branch appointments", "查询客户的网点预约"),
	"cancel_booking": tr("cancel a branch appointment", "取消网点预约"),
	"advisor":        tr("the customer's personal advisor", "查询客户的专属客户经理"),
	"loan_apply":     tr("apply for a loan", "申请贷款"),
	"card_apply":     tr("apply for a card", "申请办卡"),
	"phone_topup":    tr("top up a mobile phone", "手机话费充值"),
	"bill_pay":       tr("pay a utility bill", "缴纳水电燃气等费用"),
	"products":       tr("wealth products on sale and the customer's holdings", "查询在售理财产品和客户持有的产品"),
	"wealth_buy":     tr("buy a wealth product", "购买理财产品"),
	"bind":           tr("bind the WeChat user to a bank customer", "把微信用户绑定到银行客户"),
	"card_lost":      tr("report a card lost and freeze it", "挂失并冻结银行卡"),
}

// argTitles explains argument and result names shared by several operations.
var argTitles = map[string]text{
	"account": tr("an account of the customer", "客户的账户"), "from": tr("the account paying", "付款账户"),
	"to": tr("who or what receives the money", "收款方"), "amount": tr("an amount of money", "金额"),
	"card": tr("a card of the customer", "客户的卡"), "period": tr("a time span", "时间范围"),
	"mode": tr("full or minimum repayment", "全额或最低还款"), "branch": tr("a branch", "网点"),
	"date": tr("a day", "日期"), "datetime": tr("a day and time", "日期和时间"), "business": tr("what to do at the branch", "要办的业务"),
	"booking": tr("an appointment", "预约"), "term": tr("a term in months", "期限(月)"), "purpose": tr("what the loan is for", "贷款用途"),
	"type": tr("the kind of card", "卡的种类"), "phone": tr("a mobile number", "手机号"), "utility": tr("water, power, gas ...", "水费、电费、燃气费等"),
	"account_no": tr("the customer's number at the utility", "缴费户号"), "product": tr("a wealth product", "理财产品"),
	"risk": tr("a risk level", "风险等级"), "card_no": tr("a card number", "卡号"), "lat": tr("latitude", "纬度"),
	"lng": tr("longitude", "经度"), "district": tr("a district", "区县"),
}

// errorTitles explains error codes.
var errorTitles = map[string]text{
	"unavailable": tr("the bank cannot answer now", "银行系统暂时不可用"), "rejected": tr("the bank refused", "银行拒绝办理"),
	"insufficient_funds": tr("not enough money", "余额不足"), "over_limit": tr("over a limit", "超过限额"),
	"unknown_payee": tr("no such payee", "没有这个收款人"), "account_frozen": tr("the account is frozen", "账户已冻结"),
	"unknown_card": tr("no such card", "没有这张卡"), "nothing_due": tr("nothing to repay", "没有需要还的款"),
	"closed": tr("the branch is closed then", "网点那时不营业"), "slot_taken": tr("the time was just taken", "这个时间刚被约走"),
	"past": tr("the time is past", "时间已经过去"), "unknown_booking": tr("no such appointment", "没有这个预约"),
	"no_advisor": tr("no advisor assigned", "没有专属客户经理"), "not_eligible": tr("the customer does not qualify", "客户不符合条件"),
	"invalid_phone": tr("not a valid mobile number", "手机号不正确"), "unknown_biller": tr("no such utility", "没有这个缴费单位"),
	"below_minimum": tr("below the product's minimum", "低于起购金额"), "no_match": tr("card and phone do not match", "卡号和手机号不匹配"),
	"already_frozen": tr("the card is frozen already", "卡已经冻结"), "no_credit_card": tr("the customer has no credit card", "客户没有信用卡"),
}

// OpDoc is an operation as `weiyin ops` prints it.
type OpDoc struct {
	Name       string   `json:"name"`
	Title      string   `json:"title"`
	MovesMoney bool     `json:"moves_money"`
	Args       []ArgDoc `json:"args"`
	Results    []string `json:"results"`
	Errors     []string `json:"errors"`
	Call       string   `json:"call"` // an example call step
}

// ArgDoc is one argument of an OpDoc.
type ArgDoc struct {
	Name     string `json:"name"`
	Optional bool   `json:"optional"`
	Title    string `json:"title,omitempty"`
}

// DocOps describes the named operations of cat (all when names is empty) in lang. An unknown
// name is an error with a suggestion.
func DocOps(cat Catalogue, lang Lang, names ...string) ([]OpDoc, error) {
	if len(names) == 0 {
		names = cat.OpNames()
	}
	var out []OpDoc
	for _, n := range names {
		op, ok := cat.Op(n)
		if !ok {
			return nil, fmt.Errorf("%s", tr("no bank operation %q; %s", "没有银行操作 %q; %s", n,
				didYouMean(n, cat.OpNames(), tr("the operations are: %s", "全部操作: %s", strings.Join(cat.OpNames(), ", ")))).in(lang))
		}
		d := OpDoc{Name: n, Title: opTitles[n].in(lang), MovesMoney: op.MovesMoney, Results: []string{}, Errors: []string{}}
		var args []string
		for _, a := range op.Args {
			d.Args = append(d.Args, ArgDoc{Name: a.Name, Optional: a.Optional, Title: argTitles[a.Name].in(lang)})
			if !a.Optional {
				args = append(args, a.Name+": "+a.Name)
			}
		}
		for _, f := range op.Results {
			s := f.Name
			if f.List {
				s += "[" + strings.Join(f.Fields, ", ") + "]"
			}
			d.Results = append(d.Results, s)
		}
		d.Errors = append(slices.Clone(op.Errors), CommonErrors...)
		d.Call = fmt.Sprintf("call %s(%s) as r", n, strings.Join(args, ", "))
		out = append(out, d)
	}
	return out, nil
}

// WriteOpsText prints docs for people, in lang.
func WriteOpsText(w io.Writer, docs []OpDoc, lang Lang) error {
	l := opWords(lang)
	var b strings.Builder
	for i, d := range docs {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%s  %s", d.Name, d.Title)
		if d.MovesMoney {
			b.WriteString("  " + l.money)
		}
		b.WriteByte('\n')
		for _, a := range d.Args {
			opt := ""
			if a.Optional {
				opt = " " + l.optional
			}
			fmt.Fprintf(&b, "  %s %s%s", l.arg, a.Name, opt)
			if a.Title != "" {
				fmt.Fprintf(&b, "  %s", a.Title)
			}
			b.WriteByte('\n')
		}
		if len(d.Results) > 0 {
			fmt.Fprintf(&b, "  %s %s\n", l.result, strings.Join(d.Results, ", "))
		}
		var errs []string
		for _, e := range d.Errors {
			if t := errorTitles[e].in(lang); t != "" {
				e += " (" + t + ")"
			}
			errs = append(errs, e)
		}
		fmt.Fprintf(&b, "  %s %s\n", l.errors, strings.Join(errs, ", "))
		fmt.Fprintf(&b, "  %s %s\n", l.example, d.Call)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteOpsJSON prints docs as JSON, for tools (the studio).
func WriteOpsJSON(w io.Writer, docs []OpDoc) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(map[string]any{"operations": docs})
}

type opLabels struct{ money, arg, optional, result, errors, example string }

func opWords(lang Lang) opLabels {
	if lang == EN {
		return opLabels{"[moves money: confirm and verify before the call]", "arg", "(optional)", "results:", "errors:", "e.g.:"}
	}
	return opLabels{"[动钱: 调用前必须 confirm 和 verify]", "参数", "(可选)", "结果:", "错误码:", "示例:"}
}
