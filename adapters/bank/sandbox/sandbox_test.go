package sandbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/weiyin-bank/weiyin/adapters/bank/sandbox"
	"github.com/weiyin-bank/weiyin/adapters/bank/sandbox/sandboxtest"
	"github.com/weiyin-bank/weiyin/engine"
)

var ctx = context.Background()

func balance(t *testing.T, b *sandbox.Bank, customer, account string) engine.Money {
	t.Helper()
	as, err := b.Accounts(ctx, customer)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		if a.ID == account {
			return a.Balance
		}
	}
	t.Fatalf("no account %s of %s", account, customer)
	return 0
}

func mustCheck(t *testing.T, b *sandbox.Bank) sandbox.Audit {
	t.Helper()
	au, err := b.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return au
}

func TestDemoFixture(t *testing.T) {
	d := sandbox.Demo()
	// Ensure the demo has what the brief promises and sends random codes.
	if d.OTP != "" {
		t.Errorf("demo has otp %q; want random codes", d.OTP)
	}
	if len(d.Customers) < 4 || len(d.Branches) < 22 || len(d.Products) < 6 {
		t.Errorf("demo too small: %d customers, %d branches, %d products", len(d.Customers), len(d.Branches), len(d.Products))
	}
	if c := d.Customers[0]; c.WechatOpenID != "o_demo_1" || c.Name != "张伟" {
		t.Errorf("first customer = %+v, want 张伟 bound to o_demo_1", c)
	}
	utilities := map[string]bool{}
	for _, bl := range d.Billers {
		utilities[bl.Utility] = true
	}
	if len(utilities) != 4 {
		t.Errorf("billers cover %v, want water, electricity, gas and property", utilities)
	}
	districts := map[string]bool{}
	for _, br := range d.Branches {
		districts[br.District] = true
	}
	if len(districts) < 16 {
		t.Errorf("branches in %d districts, want all 16 of Shanghai", len(districts))
	}
	// Ensure testdata/fixtures/test.json is the demo with a fixed code, nothing else.
	test := sandboxtest.Fixture(t)
	if test.OTP != sandboxtest.OTP {
		t.Errorf("test fixture otp = %q", test.OTP)
	}
	test.OTP = ""
	a, _ := json.Marshal(d)
	b, _ := json.Marshal(test)
	if !bytes.Equal(a, b) {
		t.Error("testdata/fixtures/test.json differs from adapters/bank/sandbox/demo.json beyond the otp")
	}
}

func TestLoadFixtureErrors(t *testing.T) {
	base, err := os.ReadFile(sandboxtest.FixturePath(t))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ensures string
		from    string // replaced once in test.json
		to      string
		want    string
	}{
		{"three decimals are rejected and named", `"balance": "8800.00"`, `"balance": "12.345"`, `accounts[2].balance: "12.345": more than two decimals`},
		{"a negative balance is rejected", `"balance": "8800.00"`, `"balance": "-1.00"`, `accounts[2].balance: "-1.00": negative amount`},
		{"a number instead of a decimal string is rejected", `"balance": "8800.00"`, `"balance": 8800`, `cannot unmarshal number`},
		{"unknown fields are rejected", `"otp": "123456",`, `"otp": "123456", "colour": "red",`, `unknown field "colour"`},
		{"a bad time is named", `"due_date": "2026-12-10T00:00:00+08:00"`, `"due_date": "2026-12-10"`, `credit_cards[0].due_date: "2026-12-10": not an RFC 3339 time`},
		{"a dangling customer reference is named", `"customer": "C002", "type"`, `"customer": "C999", "type"`, `accounts[2].customer: "C999": no such customer`},
		{"a duplicate id is named", `"id": "A002"`, `"id": "A001"`, `accounts[1].id: "A001": duplicate account id`},
		{"bad hours are named", `"hours": "09:00-16:00"`, `"hours": "16:00-09:00"`, `branches[24].hours: "16:00-09:00": closes before it opens`},
		{"a bad otp is named", `"otp": "123456"`, `"otp": "12ab"`, `otp: "12ab": want 6 digits`},
		{"a bad phone is named", `"phone": "13900001111"`, `"phone": "12345"`, `customers[1].phone: "12345": want an 11-digit mobile number`},
		{"a bad biller pattern is named", `"account_pattern": "[0-9]{10}"`, `"account_pattern": "[0-9"`, `billers[0].account_pattern`},
		{"a minimum above the statement is named", `"minimum_due": "865.04"`, `"minimum_due": "9999.00"`, `credit_cards[0].minimum_due: "9999.00": above the statement balance`},
		{"an unknown utility is named", `"utility": "gas"`, `"utility": "coal"`, `billers[2].utility: "coal"`},
		{"trailing data is rejected", "\n}\n", "\n}\n{}", `trailing data`},
	}
	for _, tc := range tests {
		src := string(base)
		if !strings.Contains(src, tc.from) {
			t.Fatalf("%s: test.json has no %q", tc.ensures, tc.from)
		}
		src = strings.Replace(src, tc.from, tc.to, 1)
		_, err := sandbox.LoadFixture(strings.NewReader(src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error = %v, want it to contain %q", tc.ensures, err, tc.want)
		}
	}
}

func TestOpenSeedsOnceAndRefusesOtherFixture(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bank.db")
	quiet := slog.New(slog.DiscardHandler)
	b, err := sandbox.Open(path, sandbox.Options{OTPPolicy: sandboxtest.ManyCodes, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.CustomerByOpenID(ctx, "o_demo_1"); err != nil {
		t.Fatalf("demo not seeded: %v", err)
	}
	b.Close()
	// Ensure reopening without a fixture keeps the data, and an explicit other fixture is refused.
	b, err = sandbox.Open(path, sandbox.Options{OTPPolicy: sandboxtest.ManyCodes, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
	if _, err := sandbox.Open(path, sandbox.Options{OTPPolicy: sandboxtest.ManyCodes, Logger: quiet, Fixture: sandboxtest.Fixture(t)}); !errors.Is(err, sandbox.ErrFixtureMismatch) {
		t.Fatalf("Open with another fixture = %v, want ErrFixtureMismatch", err)
	}
}

func TestReads(t *testing.T) {
	b, _ := sandboxtest.Open(t, sandbox.Options{OTPPolicy: sandboxtest.ManyCodes})
	c, err := b.CustomerByOpenID(ctx, "o_demo_1")
	if err != nil || c.ID != "C001" || c.Name != "张伟" {
		t.Fatalf("CustomerByOpenID = %+v, %v", c, err)
	}
	tests := []struct {
		ensures string
		call    func() (int, error)
		n       int
		err     error
	}{
		{"an unbound openid is not found", func() (int, error) { _, err := b.CustomerByOpenID(ctx, "o_nobody"); return 0, err }, 0, engine.ErrNotFound},
		{"an unknown customer is not found", func() (int, error) { _, err := b.Customer(ctx, "C999"); return 0, err }, 0, engine.ErrNotFound},
		{"accounts list the customer's own", func() (int, error) { a, err := b.Accounts(ctx, "C001"); return len(a), err }, 2, nil},
		{"accounts of an unknown customer are not found", func() (int, error) { a, err := b.Accounts(ctx, "C999"); return len(a), err }, 0, engine.ErrNotFound},
		{"contacts list the saved payees", func() (int, error) { a, err := b.Contacts(ctx, "C001"); return len(a), err }, 3, nil},
		{"a customer without contacts has none", func() (int, error) { a, err := b.Contacts(ctx, "C003"); return len(a), err }, 0, nil},
		{"other-bank cards are listed", func() (int, error) { a, err := b.OtherBankCards(ctx, "C001"); return len(a), err }, 2, nil},
		{"credit cards are listed", func() (int, error) { a, err := b.CreditCards(ctx, "C001"); return len(a), err }, 1, nil},
		{"holdings are listed", func() (int, error) { a, err := b.Holdings(ctx, "C001"); return len(a), err }, 2, nil},
		{"products are listed", func() (int, error) { a, err := b.Products(ctx); return len(a), err }, 7, nil},
		{"billers are listed", func() (int, error) { a, err := b.Billers(ctx); return len(a), err }, 4, nil},
		{"all history of an account is listed", func() (int, error) {
			a, err := b.Transactions(ctx, "C001", "A001", time.Time{}, time.Time{})
			return len(a), err
		}, 11, nil},
		{"a time range selects history", func() (int, error) {
			a, err := b.Transactions(ctx, "C001", "A001", time.Date(2026, 11, 1, 0, 0, 0, 0, sandbox.Shanghai), time.Date(2026, 11, 16, 0, 0, 0, 0, sandbox.Shanghai))
			return len(a), err
		}, 3, nil},
		{"another customer's account is not found", func() (int, error) {
			_, err := b.Transactions(ctx, "C001", "A003", time.Time{}, time.Time{})
			return 0, err
		}, 0, engine.ErrNotFound},
		{"an account by number is found", func() (int, error) {
			a, err := b.Transactions(ctx, "C002", "6217880100002233", time.Time{}, time.Time{})
			return len(a), err
		}, 2, nil},
		{"an advisor is found", func() (int, error) { _, err := b.Advisor(ctx, "C001"); return 0, err }, 0, nil},
		{"no advisor is not found", func() (int, error) { _, err := b.Advisor(ctx, "C003"); return 0, err }, 0, engine.ErrNotFound},
	}
	for _, tc := range tests {
		n, err := tc.call()
		if !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
			t.Errorf("%s: error = %v, want %v", tc.ensures, err, tc.err)
		} else if n != tc.n {
			t.Errorf("%s: got %d items, want %d", tc.ensures, n, tc.n)
		}
	}
	// Ensure history carries running balances that end at the account's balance.
	ts, _ := b.Transactions(ctx, "C001", "A001", time.Time{}, time.Time{})
	if last := ts[len(ts)-1]; last.Balance != 5238050 {
		t.Errorf("last history balance = %d, want 5238050", last.Balance)
	}
	for i := 1; i < len(ts); i++ {
		if ts[i].Balance != ts[i-1].Balance+ts[i].Amount {
			t.Errorf("history %d: balance %d != %d + %d", i, ts[i].Balance, ts[i-1].Balance, ts[i].Amount)
		}
	}
}
