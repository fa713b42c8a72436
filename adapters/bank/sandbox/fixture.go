package sandbox

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/weiyin-bank/weiyin/adapters/bank/yuan"
	"github.com/weiyin-bank/weiyin/engine"
)

// Fixture is the sandbox's starting data, as read from JSON by LoadFixture (DESIGN.md
// "Sandbox fixture"). Money is a decimal string, times are RFC 3339. Holdings is an addition
// to the documented shape: wealth products a customer already holds.
type Fixture struct {
	OTP            string             `json:"otp,omitempty"`
	Customers      []FixCustomer      `json:"customers"`
	Accounts       []FixAccount       `json:"accounts"`
	Contacts       []FixContact       `json:"contacts"`
	Transactions   []FixTransaction   `json:"transactions"`
	CreditCards    []FixCreditCard    `json:"credit_cards"`
	OtherBankCards []FixOtherBankCard `json:"other_bank_cards"`
	Branches       []FixBranch        `json:"branches"`
	Advisors       []FixAdvisor       `json:"advisors"`
	Products       []FixProduct       `json:"products"`
	Billers        []FixBiller        `json:"billers"`
	Holdings       []FixHolding       `json:"holdings,omitempty"`

	hash string // of the canonical JSON, set by validate
}

// FixCustomer is a customer; WechatOpenID, when set, binds the customer to that openid.
type FixCustomer struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Phone        string `json:"phone"`
	WechatOpenID string `json:"wechat_openid,omitempty"`
	Advisor      string `json:"advisor,omitempty"`
}

// FixAccount is a deposit account. Type is "current" or "fixed"; DailyLimit "" means none.
type FixAccount struct {
	ID         string `json:"id"`
	Customer   string `json:"customer"`
	Type       string `json:"type"`
	Name       string `json:"name"`
	Number     string `json:"number"`
	Balance    string `json:"balance"`
	Currency   string `json:"currency,omitempty"`
	DailyLimit string `json:"daily_limit,omitempty"`
	Frozen     bool   `json:"frozen,omitempty"`
}

// FixContact is a saved payee. Bank is the payee's bank name; a payee whose account number is
// one of the sandbox's own accounts is paid internally, any other through clearing.
type FixContact struct {
	Customer string `json:"customer"`
	Name     string `json:"name"`
	Bank     string `json:"bank"`
	Account  string `json:"account"`
}

// FixTransaction is a past movement shown in the account's history. It does not change
// balances: the account's balance is the one given.
type FixTransaction struct {
	Account      string `json:"account"`
	Time         string `json:"time"`
	Amount       string `json:"amount"`
	Counterparty string `json:"counterparty"`
	Memo         string `json:"memo,omitempty"`
}

// FixCreditCard is a credit card with its current statement.
type FixCreditCard struct {
	ID               string `json:"id"`
	Customer         string `json:"customer"`
	Number           string `json:"number"`
	Limit            string `json:"limit"`
	StatementBalance string `json:"statement_balance"`
	MinimumDue       string `json:"minimum_due"`
	DueDate          string `json:"due_date"`
	Points           int64  `json:"points"`
	// AutoRepay ("full", "minimum" or empty) debits AutoRepayAccount (an account id of the
	// same customer) on the due date.
	AutoRepay        string `json:"auto_repay,omitempty"`
	AutoRepayAccount string `json:"auto_repay_account,omitempty"`
}

// FixOtherBankCard is a customer's card at another bank, the source of fund collection.
type FixOtherBankCard struct {
	Customer string `json:"customer"`
	Bank     string `json:"bank"`
	Number   string `json:"number"`
	Balance  string `json:"balance"`
}

// FixBranch is a branch. Hours is "HH:MM-HH:MM" in Asia/Shanghai; Weekend says it opens on
// Saturdays and Sundays; Queue is the number of people waiting now.
type FixBranch struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	District string  `json:"district"`
	Address  string  `json:"address"`
	Lat      float64 `json:"lat"`
	Lng      float64 `json:"lng"`
	Hours    string  `json:"hours"`
	Weekend  bool    `json:"weekend"`
	Queue    int     `json:"queue"`
}

// FixAdvisor is a wealth advisor.
type FixAdvisor struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

// FixProduct is a wealth product. Rate is an annual rate as a decimal string ("0.0285").
type FixProduct struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	TermDays int    `json:"term_days"`
	Rate     string `json:"rate"`
	Risk     string `json:"risk"`
	Minimum  string `json:"minimum"`
}

// FixBiller is a utility company. AccountPattern is a regular expression the customer's number
// at the biller must match in full.
type FixBiller struct {
	ID             string `json:"id"`
	Utility        string `json:"utility"`
	Name           string `json:"name"`
	AccountPattern string `json:"account_pattern"`
}

// FixHolding is an amount of a wealth product a customer holds since a time.
type FixHolding struct {
	Customer string `json:"customer"`
	Product  string `json:"product"`
	Amount   string `json:"amount"`
	Since    string `json:"since"`
}

//go:embed demo.json
var demoJSON []byte

// Demo returns the embedded demonstration fixture (no otp: codes are random and logged).
func Demo() *Fixture {
	f, err := LoadFixture(bytes.NewReader(demoJSON))
	if err != nil {
		panic("sandbox: embedded demo.json is invalid: " + err.Error()) // caught by TestDemoFixture
	}
	return f
}

// LoadFixture reads and checks a fixture. Unknown fields are rejected; every bad value is
// reported with the field that holds it, e.g. `accounts[2].balance: "12.345": more than two decimals`.
func LoadFixture(r io.Reader) (*Fixture, error) {
	data, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("fixture: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f Fixture
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("fixture: %w", err)
	}
	if dec.More() {
		return nil, errors.New("fixture: trailing data after the JSON object")
	}
	if err := f.validate(); err != nil {
		return nil, err
	}
	return &f, nil
}

// Hash identifies the fixture's content; a bank remembers the hash of the fixture it was seeded from.
func (f *Fixture) Hash() string {
	if f.hash == "" {
		b, _ := json.Marshal(f)
		s := sha256.Sum256(b)
		f.hash = hex.EncodeToString(s[:8])
	}
	return f.hash
}

// maxTotal caps the sum of a fixture's balances (a thousand times yuan.Max).
const maxTotal = 1000 * yuan.Max

// fixErrs collects field errors.
type fixErrs []string

func (e *fixErrs) add(field string, format string, a ...any) {
	*e = append(*e, field+": "+fmt.Sprintf(format, a...))
}

func (e fixErrs) err() error {
	if len(e) == 0 {
		return nil
	}
	const max = 20
	if len(e) > max {
		e = append(e[:max:max], fmt.Sprintf("... and %d more", len(e)-max))
	}
	return errors.New("fixture: " + strings.Join(e, "\n  "))
}

var (
	reID    = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)
	reDigit = regexp.MustCompile(`^[0-9]{8,24}$`)
	rePhone = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	reHours = regexp.MustCompile(`^([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-4]):([0-5][0-9])$`)
	reOTP   = regexp.MustCompile(`^[0-9]{6}$`)
)

func (f *Fixture) validate() error {
	var e fixErrs
	if f.OTP != "" && !reOTP.MatchString(f.OTP) {
		e.add("otp", "%q: want 6 digits", f.OTP)
	}
	ids := func(kind string, field string, id string, seen map[string]bool) {
		switch {
		case !reID.MatchString(id):
			e.add(field, "%q: want 1-64 letters, digits, '_', '.' or '-'", id)
		case seen[id]:
			e.add(field, "%q: duplicate %s id", id, kind)
		}
		seen[id] = true
	}
	money := func(field, s string, nonNeg bool) engine.Money {
		var m engine.Money
		var err error
		if nonNeg {
			m, err = yuan.ParseNonNegative(s)
		} else {
			m, err = yuan.Parse(s)
		}
		if err != nil {
			e.add(field, "%v", err)
		}
		return m
	}
	when := func(field, s string) {
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			e.add(field, "%q: not an RFC 3339 time", s)
		}
	}
	nonEmpty := func(field, v string) {
		if v == "" {
			e.add(field, "empty")
		}
	}
	ref := func(field, id string, set map[string]bool, what string) {
		if !set[id] {
			e.add(field, "%q: no such %s", id, what)
		}
	}
	advisors := map[string]bool{}
	for i, a := range f.Advisors {
		p := fmt.Sprintf("advisors[%d]", i)
		ids("advisor", p+".id", a.ID, advisors)
		nonEmpty(p+".name", a.Name)
	}
	customers := map[string]bool{}
	openids := map[string]bool{}
	for i, c := range f.Customers {
		p := fmt.Sprintf("customers[%d]", i)
		ids("customer", p+".id", c.ID, customers)
		nonEmpty(p+".name", c.Name)
		if !rePhone.MatchString(c.Phone) {
			e.add(p+".phone", "%q: want an 11-digit mobile number", c.Phone)
		}
		if c.WechatOpenID != "" {
			if openids[c.WechatOpenID] {
				e.add(p+".wechat_openid", "%q: bound to two customers", c.WechatOpenID)
			}
			openids[c.WechatOpenID] = true
		}
		if c.Advisor != "" && !advisors[c.Advisor] {
			e.add(p+".advisor", "%q: no such advisor", c.Advisor)
		}
	}
	numbers := map[string]bool{}
	number := func(field, n string) {
		switch {
		case !reDigit.MatchString(n):
			e.add(field, "%q: want 8-24 digits", n)
		case numbers[n]:
			e.add(field, "%q: duplicate card or account number", n)
		}
		numbers[n] = true
	}
	var total engine.Money // of all balances: must stay far from int64 overflow
	accounts := map[string]bool{}
	for i, a := range f.Accounts {
		p := fmt.Sprintf("accounts[%d]", i)
		ids("account", p+".id", a.ID, accounts)
		ref(p+".customer", a.Customer, customers, "customer")
		if a.Type != "current" && a.Type != "fixed" {
			e.add(p+".type", "%q: want current or fixed", a.Type)
		}
		number(p+".number", a.Number)
		total += money(p+".balance", a.Balance, true)
		if a.DailyLimit != "" {
			money(p+".daily_limit", a.DailyLimit, true)
		}
		if a.Currency != "" && a.Currency != "CNY" {
			e.add(p+".currency", "%q: only CNY is supported", a.Currency)
		}
	}
	for i, c := range f.Contacts {
		p := fmt.Sprintf("contacts[%d]", i)
		ref(p+".customer", c.Customer, customers, "customer")
		nonEmpty(p+".name", c.Name)
		nonEmpty(p+".bank", c.Bank)
		if !reDigit.MatchString(c.Account) {
			e.add(p+".account", "%q: want 8-24 digits", c.Account)
		}
	}
	for i, t := range f.Transactions {
		p := fmt.Sprintf("transactions[%d]", i)
		ref(p+".account", t.Account, accounts, "account")
		when(p+".time", t.Time)
		if m := money(p+".amount", t.Amount, false); m == 0 {
			e.add(p+".amount", "%q: zero", t.Amount)
		}
	}
	cards := map[string]bool{}
	for i, c := range f.CreditCards {
		p := fmt.Sprintf("credit_cards[%d]", i)
		ids("credit card", p+".id", c.ID, cards)
		if accounts[c.ID] {
			e.add(p+".id", "%q: also an account id", c.ID)
		}
		ref(p+".customer", c.Customer, customers, "customer")
		number(p+".number", c.Number)
		limit := money(p+".limit", c.Limit, true)
		st := money(p+".statement_balance", c.StatementBalance, true)
		min := money(p+".minimum_due", c.MinimumDue, true)
		if st > limit {
			e.add(p+".statement_balance", "%q: above the limit", c.StatementBalance)
		}
		if min > st {
			e.add(p+".minimum_due", "%q: above the statement balance", c.MinimumDue)
		}
		when(p+".due_date", c.DueDate)
		if c.Points < 0 {
			e.add(p+".points", "%d: negative", c.Points)
		}
		switch c.AutoRepay {
		case "":
			if c.AutoRepayAccount != "" {
				e.add(p+".auto_repay_account", "%q: set without auto_repay", c.AutoRepayAccount)
			}
		case "full", "minimum":
			ref(p+".auto_repay_account", c.AutoRepayAccount, accounts, "account")
		default:
			e.add(p+".auto_repay", "%q: want full, minimum or empty", c.AutoRepay)
		}
	}
	for i, c := range f.OtherBankCards {
		p := fmt.Sprintf("other_bank_cards[%d]", i)
		ref(p+".customer", c.Customer, customers, "customer")
		nonEmpty(p+".bank", c.Bank)
		number(p+".number", c.Number)
		total += money(p+".balance", c.Balance, true)
	}
	branches := map[string]bool{}
	for i, b := range f.Branches {
		p := fmt.Sprintf("branches[%d]", i)
		ids("branch", p+".id", b.ID, branches)
		nonEmpty(p+".name", b.Name)
		nonEmpty(p+".district", b.District)
		if b.Lat < -90 || b.Lat > 90 || (b.Lat == 0 && b.Lng == 0) {
			e.add(p+".lat", "%v: not a latitude", b.Lat)
		}
		if b.Lng < -180 || b.Lng > 180 {
			e.add(p+".lng", "%v: not a longitude", b.Lng)
		}
		if _, _, err := parseHours(b.Hours); err != nil {
			e.add(p+".hours", "%q: %v", b.Hours, err)
		}
		if b.Queue < 0 {
			e.add(p+".queue", "%d: negative", b.Queue)
		}
	}
	products := map[string]bool{}
	for i, pr := range f.Products {
		p := fmt.Sprintf("products[%d]", i)
		ids("product", p+".id", pr.ID, products)
		nonEmpty(p+".name", pr.Name)
		if pr.TermDays < 0 {
			e.add(p+".term_days", "%d: negative", pr.TermDays)
		}
		if r, err := strconv.ParseFloat(pr.Rate, 64); err != nil || r < 0 || r > 1 {
			e.add(p+".rate", "%q: want a decimal fraction such as \"0.0285\"", pr.Rate)
		}
		money(p+".minimum", pr.Minimum, true)
	}
	billers := map[string]bool{}
	for i, b := range f.Billers {
		p := fmt.Sprintf("billers[%d]", i)
		ids("biller", p+".id", b.ID, billers)
		switch b.Utility {
		case "water", "electricity", "gas", "property":
		default:
			e.add(p+".utility", "%q: want water, electricity, gas or property", b.Utility)
		}
		nonEmpty(p+".name", b.Name)
		if _, err := regexp.Compile(b.AccountPattern); err != nil || b.AccountPattern == "" {
			e.add(p+".account_pattern", "%q: not a regular expression", b.AccountPattern)
		}
	}
	for i, h := range f.Holdings {
		p := fmt.Sprintf("holdings[%d]", i)
		ref(p+".customer", h.Customer, customers, "customer")
		ref(p+".product", h.Product, products, "product")
		total += money(p+".amount", h.Amount, true)
		when(p+".since", h.Since)
	}
	if total > maxTotal {
		e.add("accounts", "balances add up to more than %s", yuan.Format(maxTotal))
	}
	return e.err()
}

// parseHours reads "09:00-17:00" into minutes after midnight.
func parseHours(s string) (open, close int, err error) {
	m := reHours.FindStringSubmatch(s)
	if m == nil {
		return 0, 0, errors.New(`want "HH:MM-HH:MM"`)
	}
	n := func(s string) int { v, _ := strconv.Atoi(s); return v }
	open, close = n(m[1])*60+n(m[2]), n(m[3])*60+n(m[4])
	if close <= open || close > 24*60 {
		return 0, 0, errors.New("closes before it opens")
	}
	return open, close, nil
}

// LoadFixtureFile reads and checks the fixture in a file; errors name the file.
func LoadFixtureFile(path string) (*Fixture, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("fixture: %w", err)
	}
	defer f.Close()
	fx, err := LoadFixture(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return fx, nil
}
