package sandbox_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/weiyin-bank/weiyin/adapters/bank/sandbox"
	"github.com/weiyin-bank/weiyin/adapters/bank/sandbox/sandboxtest"
	"github.com/weiyin-bank/weiyin/engine"
)

// scaledFixture is the test fixture plus n more customers, each with two accounts, a credit
// card, a contact and a card at another bank: enough records that a read scanning a whole
// bucket shows up against one that touches only the customer's own.
func scaledFixture(b *testing.B, n int) *sandbox.Fixture {
	f := sandboxtest.Fixture(b)
	for i := range n {
		c := fmt.Sprintf("X%05d", i)
		f.Customers = append(f.Customers, sandbox.FixCustomer{ID: c, Name: "客户" + c, Phone: fmt.Sprintf("139%08d", i)})
		for j := range 2 {
			f.Accounts = append(f.Accounts, sandbox.FixAccount{ID: fmt.Sprintf("%s-A%d", c, j), Customer: c, Type: "current",
				Name: "活期", Number: fmt.Sprintf("62220%06d%d", i, j), Balance: "1000.00"})
		}
		f.CreditCards = append(f.CreditCards, sandbox.FixCreditCard{ID: c + "-CC", Customer: c, Number: fmt.Sprintf("62250%06d9", i),
			Limit: "10000.00", StatementBalance: "100.00", MinimumDue: "10.00", DueDate: "2026-12-10T00:00:00+08:00"})
		f.OtherBankCards = append(f.OtherBankCards, sandbox.FixOtherBankCard{Customer: c, Bank: "他行", Number: fmt.Sprintf("62170%06d8", i), Balance: "50.00"})
		f.Contacts = append(f.Contacts, sandbox.FixContact{Customer: c, Name: "朋友", Bank: "他行", Account: fmt.Sprintf("62180%06d7", i)})
	}
	return f
}

// BenchmarkSandboxReads measures the read calls the engine makes on every turn, on the test
// fixture (5 customers) and on a bank of 5,000 customers, for customer C001.
func BenchmarkSandboxReads(b *testing.B) {
	for _, size := range []int{0, 5000} {
		bank, _ := sandboxtest.Open(b, sandbox.Options{OTPPolicy: sandboxtest.ManyCodes, NoSync: true})
		if size > 0 {
			var err error
			bank, err = sandbox.Open(filepath.Join(b.TempDir(), "big.db"), sandbox.Options{OTPPolicy: sandboxtest.ManyCodes, NoSync: true, Fixture: scaledFixture(b, size), Clock: stillClock{}})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { bank.Close() })
		}
		reads := []struct {
			name string
			call func() (int, error)
		}{
			{"Accounts", func() (int, error) { v, err := bank.Accounts(ctx, "C001"); return len(v), err }},
			{"CreditCards", func() (int, error) { v, err := bank.CreditCards(ctx, "C001"); return len(v), err }},
			{"OtherBankCards", func() (int, error) { v, err := bank.OtherBankCards(ctx, "C001"); return len(v), err }},
			{"Contacts", func() (int, error) { v, err := bank.Contacts(ctx, "C001"); return len(v), err }},
			{"Branches", func() (int, error) {
				v, err := bank.Branches(ctx, engine.BranchQuery{Lat: 31.23, Lng: 121.47, Limit: 3})
				return len(v), err
			}},
			{"Products", func() (int, error) { v, err := bank.Products(ctx); return len(v), err }},
			{"Billers", func() (int, error) { v, err := bank.Billers(ctx); return len(v), err }},
		}
		for _, rd := range reads {
			b.Run(fmt.Sprintf("customers=%d/%s", size+5, rd.name), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if n, err := rd.call(); err != nil || n == 0 {
						b.Fatalf("%d results, %v", n, err)
					}
				}
			})
		}
	}
}

// stillClock stands still at sandboxtest.Now.
type stillClock struct{}

func (stillClock) Now() time.Time { return sandboxtest.Now }
