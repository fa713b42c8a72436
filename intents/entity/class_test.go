package entity

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/weiyin-bank/weiyin/intents/normalize"
)

// The tests here pin the classes of values that are not an amount in yuan: lengths of time,
// account and bill numbers, foreign currencies, negative amounts; and the roles cue words
// give to parties and accounts.

// classLists are the run-time lists of the role tests.
var classLists = map[string][]ListValue{
	"contact": {{Value: "c-zhang", Names: []string{"张三"}}, {Value: "c-li", Names: []string{"李四"}}, {Value: "c-mum", Names: []string{"妈妈", "老妈"}}},
	"account": {{Value: "a-ccb", Names: []string{"建行卡", "建设银行卡"}}, {Value: "a-cmb", Names: []string{"招商卡"}}, {Value: "a-wy", Names: []string{"微银账户"}}},
}

// classCase is one message, what Extract finds in it (with classLists) and what it ensures.
type classCase struct{ in, want, ensures string }

func checkTable(t *testing.T, tests []classCase) {
	t.Helper()
	for _, tt := range tests {
		if got := render(extract(tt.in, classLists)); got != tt.want {
			t.Errorf("%s: Extract(%q) = %q, want %q", tt.ensures, tt.in, got, tt.want)
		}
	}
}

func TestExtractDurations(t *testing.T) {
	tests := []classCase{
		{"等我5分钟", "duration:5/minute[5分钟]", "a wait in minutes is a duration, never money"},
		{"等我五分钟再转", "duration:5/minute[五分钟]", "Chinese numerals count minutes too"},
		{"过两个小时再说", "duration:2/hour[两个小时]", "两个小时 is two hours"},
		{"半小时", "duration:30/minute[半小时]", "a half hour is rewritten in minutes"},
		{"一个半小时", "duration:90/minute[一个半小时]", "一个半 is one and a half"},
		{"1.5小时", "duration:90/minute[1.5小时]", "a decimal count is rewritten in a smaller unit"},
		{"半天", "duration:12/hour[半天]", "half a day is 12 hours"},
		{"三天", "duration:3/day[三天]", "days"},
		{"两周", "duration:2/week[两周]", "weeks"},
		{"三个礼拜", "duration:3/week[三个礼拜]", "礼拜 counts weeks"},
		{"3个月", "duration:3/month[3个月]", "months need 个"},
		{"半年", "duration:6/month[半年]", "half a year is 6 months"},
		{"分3年还", "duration:36/month[3年]", "a term in years is counted in months"},
		{"一年半", "duration:18/month[一年半]", "a year and a half is 18 months"},
		{"两年零三个月", "duration:27/month[两年零三个月]", "years and months add up"},
		{"房贷分30年还清", "duration:360/month[30年]", "after 分 a two-digit year count is a term, not 2030"},
		{"贷款20万30年", "money:200000.00[20万] duration:360/month[30年]", "a count right after an amount is its term"},
		{"分12期", "duration:12/month[12期]", "instalments count months"},
		{"一年期定期", "duration:12/month[一年期] account_type:fixed[定期]", "a deposit term"},
		{"一刻钟", "duration:15/minute[一刻钟]", "a quarter of an hour"},
		{"5秒", "duration:5/second[5秒]", "seconds"},
		{"五分三十秒", "duration:330/second[五分三十秒]", "分 before a count of seconds counts minutes"},
		{"等我一分半钟", "duration:90/second[一分半钟]", "N分半 counts minutes"},
		{"一小时零十五秒", "duration:3615/second[一小时零十五秒]", "hours and seconds add up"},
		{"一个半钟", "duration:90/minute[一个半钟]", "钟 after 个半 counts hours"},
		{"半日", "duration:12/hour[半日]", "半日 is half a day (五日 alone is a date)"},
		{"转五分", "", "五分 alone is no duration"},
		{"第3期", "ordinal:3[第3]", "第3期 is an instalment's rank, not a duration"},
		{"十月", "period:2026-10-01..2026-10-31[十月]", "十月 is October, not ten months"},
		{"三年级", "number:3[三]", "三年级 is a school year"},
		{"五分钱", "money:0.05[五分钱]", "五分钱 is money, not minutes"},
		{"3点5分", "time:03:05[3点5分]", "a clock time is no duration"},
		{"三天后", "date:2026-11-28[三天后]", "a date counted in days is a date"},
		{"近三个月", "period:2026-08-25..2026-11-25[近三个月]", "a window of months is a period"},
	}
	checkTable(t, tests)
}

func TestExtractAccountNumbers(t *testing.T) {
	tests := []classCase{
		{"交燃气费 户号123", "account_no:123[户号123]", "a household number is never an amount"},
		{"户号是 1002-0030-01", "account_no:1002003001[户号是 1002-0030-01]", "dashes and 是 between cue and digits"},
		{"缴费户号:88776655", "account_no:88776655[缴费户号:88776655]", "the longest cue wins"},
		{"卡号6222 0200 1234 5678", "account_no:6222020012345678[卡号6222 0200 1234 5678]", "a card number in groups"},
		{"账号幺二三四五六七八", "account_no:12345678[账号幺二三四五六七八]", "spoken digits"},
		{"编号12345", "account_no:12345[编号12345]", "编号"},
		{"身份证号11010119900101123X", "account_no:11010119900101123X[身份证号11010119900101123X]", "an identity card's check character"},
		{"合同号 2026-0001", "account_no:20260001[合同号 2026-0001]", "a contract number"},
		{"尾号1234", "card_tail:1234[尾号1234]", "a card tail is not an account number"},
		{"卡号后四位1234", "card_tail:1234[卡号后四位1234]", "卡号后四位 is a card tail"},
		{"编号为3的产品", "number:3[3]", "too few digits for an account number"},
		{"快递单号SF123456", "", "digits after letters are an identifier"},
	}
	checkTable(t, tests)
}

func TestExtractForeignMoney(t *testing.T) {
	tests := []classCase{
		{"新台幣三千", "money:3000.00/TWD[新台幣三千]", "a currency before the amount, traditional script"},
		{"匯款給李四 新台幣三千", "contact:c-li@to[李四] money:3000.00/TWD[新台幣三千]", "a currency word after a space prefixes the next numeral"},
		{"港币500", "money:500.00/HKD[港币500]", "港币 prefix"},
		{"100美元", "money:100.00/USD[100美元]", "美元 suffix"},
		{"USD 200", "money:200.00/USD[USD 200]", "an ISO code prefix"},
		{"200 eur", "money:200.00/EUR[200 eur]", "an ISO code suffix, any case"},
		{"5000日元", "money:5000.00/JPY[5000日元]", "日元"},
		{"1万日元", "money:10000.00/JPY[1万日元]", "万 with a foreign currency"},
		{"五百块港币", "money:500.00/HKD[五百块港币]", "块 before a currency word is that currency"},
		{"500块美金", "money:500.00/USD[500块美金]", "美金"},
		{"100刀", "money:100.00/USD[100刀]", "刀 is dollars after a number"},
		{"200欧", "money:200.00/EUR[200欧]", "欧 is euros after a number"},
		{"HK$500", "money:500.00/HKD[HK$500]", "HK$"},
		{"$100", "money:100.00/USD[$100]", "$ is the US dollar"},
		{"一千韩币", "money:1000.00/KRW[一千韩币]", "韩币"},
		{"一刀切", "", "一刀切 is an idiom"},
		{"日元一直贬值", "", "a currency before a lone 一 running into a word is no amount"},
		{"美元一百", "money:100.00/USD[美元一百]", "a currency before a Chinese numeral"},
		{"人民币500", "money:500.00[人民币500]", "renminbi has no unit"},
		{"500元人民币", "money:500.00[500元人民币]", "元人民币 is renminbi"},
		{"CNY 300", "money:300.00[CNY 300]", "CNY is renminbi"},
	}
	checkTable(t, tests)
}

func TestExtractNegativeMoney(t *testing.T) {
	tests := []classCase{
		{"不对,是-5", "money:-5.00[-5]", "a signed amount keeps its sign"},
		{"-5元", "money:-5.00[-5元]", "a signed amount with 元"},
		{"转负五百块", "money:-500.00[负五百块]", "负 is a sign"},
		{"转-100", "money:-100.00[-100]", "after a money verb"},
		{"- 5元", "money:-5.00[- 5元]", "a spaced sign is still a sign: never +5"},
		{"负债率", "", "负 in a word"},
	}
	checkTable(t, tests)
}

func TestExtractRoles(t *testing.T) {
	tests := []classCase{
		{"从建行卡转到招商卡", "account:a-ccb@from[建行卡] account:a-cmb@to[招商卡]", "从 marks the source, 转到 the destination"},
		{"把建行卡里的5000转到我微银账户", "account:a-ccb@from[建行卡] money:5000.00[5000] account:a-wy@to[微银账户]", "卡里的 marks the source; the number moved is an amount"},
		{"用尾号1234的卡给张三转5000", "card_tail:1234@from[尾号1234] contact:c-zhang@to[张三] money:5000.00[5000]", "用 marks the source card, 给 the payee"},
		{"给张三转账", "contact:c-zhang@to[张三]", "给 marks the payee"},
		{"转给李四100", "contact:c-li@to[李四] number:100[100]", "转给 marks the payee"},
		{"向老妈汇款", "contact:c-mum@to[老妈]", "向 marks the payee"},
		{"收款人是张三", "contact:c-zhang@to[张三]", "收款人是"},
		{"收到张三的钱", "contact:c-zhang[张三]", "收到 is no transfer to"},
		{"张三", "contact:c-zhang[张三]", "no cue, no role"},
		{"不是张三是李四", "contact:c-zhang@not[张三] contact:c-li[李四]", "the negated payee is marked; the corrected one is not"},
		{"是李四不是张三", "contact:c-li[李四] contact:c-zhang@not[张三]", "the negation may come last"},
		{"不是给张三,是给李四", "contact:c-zhang@not[张三] contact:c-li@to[李四]", "a negation before the cue"},
		{"别转给张三,转给李四", "contact:c-zhang@not[张三] contact:c-li@to[李四]", "别"},
		{"不是从建行卡是招商卡", "account:a-ccb@not[建行卡] account:a-cmb@from[招商卡]", "the value in place of a negated one takes its cue's role"},
		{"不用建行卡,用招商卡", "account:a-ccb@not[建行卡] account:a-cmb@from[招商卡]", "不用 negates"},
		{"张三不对,是李四", "contact:c-zhang@not[张三] contact:c-li[李四]", "不对 after a value negates it"},
		{"500不对,是600", "number:500@not[500] number:600[600]", "any type may be negated"},
		{"给张三转500 不对 给妈妈", "contact:c-zhang@to[张三] money:500.00[500] contact:c-mum@to[妈妈]", "不对 after a request is about the request, not its last value"},
		{"不是张三吗", "contact:c-zhang[张三]", "a question negates nothing"},
		{"是不是张三", "contact:c-zhang[张三]", "是不是 asks"},
		{"特别是张三", "contact:c-zhang[张三]", "特别 is no 别"},
		{"不到500块", "money:500.00[500块]", "不到 is no negation of the amount"},
	}
	checkTable(t, tests)
}

// TestNeverYuan holds sentences whose numbers are no amount in yuan: whatever else the
// extractor finds, it finds no renminbi amount and no bare number a slot could take as one.
func TestNeverYuan(t *testing.T) {
	for _, in := range []string{
		"等我5分钟", "你等我十分钟", "过两个小时再说", "我等了30分钟了", "三天之内给我回复", "分3年还", "贷款分24期",
		"交燃气费 户号123", "户号是1234567890", "我的卡号是6222020012345678", "编号20231101", "订单号123456789",
		"匯款給李四 新台幣三千", "给他转100美元", "港币500", "转200刀给妈妈", "USD 200", "一万日元",
		"半年以后再说", "一个半小时后", "两周内",
	} {
		for _, e := range extract(in, classLists) {
			if e.Type == TypeMoney && e.Unit == "" || e.Type == TypeNumber {
				t.Errorf("Extract(%q) has %s %q (%q): a number that is not an amount in yuan", in, e.Type, e.Value, e.Text)
			}
		}
	}
}

var durationUnits = []string{UnitSecond, UnitMinute, UnitHour, UnitDay, UnitWeek, UnitMonth}

// checkEntity fails on an entity that breaks the extractor's promises for its type.
func checkEntity(t *testing.T, s string, e Entity) {
	t.Helper()
	switch e.Type {
	case TypeDuration:
		d, ok := parseDecimal(e.Value)
		if !ok || d.m <= 0 || d.cmp(dec{m: maxDurationCount}) > 0 || !slices.Contains(durationUnits, e.Unit) {
			t.Fatalf("Extract(%q): bad duration %+v", s, e)
		}
	case TypeAccountNo:
		v := strings.TrimSuffix(e.Value, "X")
		if len(v) < minAccountDigits || strings.Trim(v, "0123456789") != "" {
			t.Fatalf("Extract(%q): bad account number %+v", s, e)
		}
	case TypeMoney:
		if e.Unit != "" && (len(e.Unit) != 3 || strings.ToUpper(e.Unit) != e.Unit || e.Unit == CNY) {
			t.Fatalf("Extract(%q): bad currency %+v", s, e)
		}
		if _, ok := yuanValue(e.Value); !ok {
			t.Fatalf("Extract(%q): bad amount %+v", s, e)
		}
	default:
		if e.Unit != "" {
			t.Fatalf("Extract(%q): a unit on %+v", s, e)
		}
	}
	switch e.Role {
	case "", RoleNot:
	case RoleTo, RoleFrom:
		if _, builtin := priority[e.Type]; builtin && !rolesFor[e.Type] {
			t.Fatalf("Extract(%q): role %q on %+v", s, e.Role, e)
		}
	default:
		t.Fatalf("Extract(%q): unknown role %+v", s, e)
	}
}

// yuanValue reports whether v is a signed yuan amount with two decimals ("-5.00").
func yuanValue(v string) (dec, bool) {
	d, ok := parseDecimal(strings.TrimPrefix(v, "-"))
	return d, ok && d.s <= 2 && strings.Count(v, ".") == 1 && len(v)-strings.IndexByte(v, '.') == 3
}

var classSeeds = []string{
	"等我5分钟", "一个半小时", "两年零三个月", "分3年还", "个半钟", "五分半", "1.5小时", "半个", "一刻钟三十秒",
	"户号123", "卡号6222 0200-1234", "身份证号11010119900101123x", "编号:", "账号是幺二三",
	"新台幣三千", "100刀", "美元一直", "HK$5", "-5元", "负五百", "转-", "不是张三是李四", "别转给张三", "transfer 500 to 张三", "pay him 50", "top up 100", " up 5", "to 李四", "20 dollars", "transfer 3 times",
	"从建行卡转到招商卡", "把建行卡里的5000转到微银账户", "500不对,是600", "不是", "给", "分分分年年",
}

// FuzzExtractClasses checks every entity of the classes above against its promises.
func FuzzExtractClasses(f *testing.F) {
	for _, s := range classSeeds {
		f.Add(s)
	}
	x := New()
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			s = string([]rune(s))
		}
		es := x.Extract(normalize.Normalize(s), Context{Now: now, Lists: classLists})
		checkSpans(t, s, es)
		for _, e := range es {
			checkEntity(t, s, e)
		}
	})
}

// FuzzDuration drives the duration reader at every position: it never panics, never reads
// past the text, and what it reads is a positive count of a known unit.
func FuzzDuration(f *testing.F) {
	for _, s := range classSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rs := []rune(normalize.Normalize(s).Norm)
		for p := range rs {
			d, ok := durationAtRunes(rs, p)
			if !ok {
				continue
			}
			if d.start != p || d.end <= d.start || d.end > len(rs) || d.numStart < d.start || d.numEnd > d.end {
				t.Fatalf("durationAtRunes(%q, %d) = %+v: bad span", string(rs), p, d)
			}
			if d.val.m <= 0 || !slices.Contains(durationUnits, d.unit) {
				t.Fatalf("durationAtRunes(%q, %d) = %+v: bad value", string(rs), p, d)
			}
		}
	})
}

// FuzzAccountNo drives the account-number scanner: each one it adds starts with a cue and
// holds only digits.
func FuzzAccountNo(f *testing.F) {
	for _, s := range classSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rs := []rune(normalize.Normalize(s).Norm)
		scanAccountNo(rs, func(st, e int, typ, val, end2 string, extra int) {
			if st < 0 || e > len(rs) || st >= e || typ != TypeAccountNo {
				t.Fatalf("scanAccountNo(%q): bad candidate %d..%d %s", string(rs), st, e, typ)
			}
			cue := false
			for _, c := range accountCues {
				cue = cue || hasStr(rs, st, c)
			}
			v := strings.TrimSuffix(val, "X")
			if !cue || len(v) < minAccountDigits || strings.Trim(v, "0123456789") != "" {
				t.Fatalf("scanAccountNo(%q): bad account number %q at %d..%d", string(rs), val, st, e)
			}
		})
	})
}

// FuzzRoles drives the role reader on any candidates: it never panics and gives only the
// known roles.
func FuzzRoles(f *testing.F) {
	for _, s := range classSeeds {
		f.Add(s, 0, 2)
	}
	f.Fuzz(func(t *testing.T, s string, a, b int) {
		rs := []rune(normalize.Normalize(s).Norm)
		if len(rs) == 0 {
			return
		}
		a, b = int(uint(a)%uint(len(rs))), int(uint(b)%uint(len(rs)+1))
		if b <= a {
			return
		}
		cs := []cand{{start: a, end: b, typ: "contact"}, {start: b, end: b, typ: TypeMoney}, {start: 0, end: a, typ: "contact"}}
		assignRoles(rs, cs, isBuiltin)
		for _, c := range cs {
			if !slices.Contains([]string{"", RoleTo, RoleFrom, RoleNot}, c.role) || c.typ == TypeMoney && (c.role == RoleTo || c.role == RoleFrom) {
				t.Fatalf("assignRoles(%q): %+v", string(rs), c)
			}
		}
	})
}

func TestExtractEnglish(t *testing.T) {
	tests := []classCase{
		{"transfer 500 to 张三", "money:500.00[500] contact:c-zhang@to[张三]", "a number after an English money verb is an amount; to marks the payee"},
		{"send 300 to 李四", "money:300.00[300] contact:c-li@to[李四]", "send is a money verb"},
		{"pay him 50", "money:50.00[50]", "an object may stand between the verb and the amount"},
		{"pay 张三 200", "contact:c-zhang[张三] money:200.00[200]", "a Chinese name may stand between the verb and the amount"},
		{"pay 张三李四王五赵六 200", "contact:c-zhang[张三] contact:c-li[李四] number:200[200]", "a run longer than a name is not one"},
		{"top up 100 for my phone", "money:100.00[100]", "a verb of two words (top up)"},
		{"transfer 2000 yuan", "money:2000.00[2000 yuan]", "yuan after a number names the currency"},
		{"20 dollars", "money:20.00/USD[20 dollars]", "dollars after a number are US dollars"},
		{"transfer 3 times", "number:3[3]", "a count of something else after the verb stays a number"},
		{"transfer from 建行卡", "account:a-ccb@from[建行卡]", "from marks the source account"},
		{"potato 张三", "contact:c-zhang[张三]", "to inside a word is no cue"},
	}
	checkTable(t, tests)
}
