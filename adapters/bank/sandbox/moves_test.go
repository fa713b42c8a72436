package sandbox_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/weiyin-bank/weiyin/adapters/bank/sandbox"
	"github.com/weiyin-bank/weiyin/adapters/bank/sandbox/sandboxtest"
	"github.com/weiyin-bank/weiyin/engine"
)

// move is one money-moving call for the table below.
type move func(b *sandbox.Bank, key string) (any, error)

func transfer(from, to string, amount engine.Money) move {
	return func(b *sandbox.Bank, key string) (any, error) {
		return sandboxtest.Verified(b).Transfer(ctx, key, engine.TransferRequest{Customer: "C001", FromAccount: from, ToAccount: to, Amount: amount})
	}
}

func TestMoneyMovements(t *testing.T) {
	tests := []struct {
		ensures string
		setup   []move // run first with keys "setup-N"
		call    move
		err     error
		deltas  map[string]engine.Money // customer/account -> change of balance
	}{
		{"a transfer to an account of this bank moves money between the two", nil, transfer("A001", "A003", 500_00), nil,
			map[string]engine.Money{"C001/A001": -500_00, "C002/A003": 500_00}},
		{"a transfer by account number works", nil, transfer("6217880100001234", "6217880100003344", 1), nil,
			map[string]engine.Money{"C001/A001": -1, "C003/A004": 1}},
		{"a transfer to a payee at another bank goes through clearing", nil, transfer("A001", "6214830212345678", 1000_00), nil,
			map[string]engine.Money{"C001/A001": -1000_00}},
		{"more than the balance is insufficient funds", nil, transfer("A001", "A003", 52380_51), engine.ErrInsufficientFunds, nil},
		{"the whole balance can go, leaving zero", nil, func(b *sandbox.Bank, key string) (any, error) {
			return sandboxtest.Verified(b).Transfer(ctx, key, engine.TransferRequest{Customer: "C005", FromAccount: "A007", ToAccount: "A001", Amount: 126_30})
		}, nil, map[string]engine.Money{"C005/A007": -126_30, "C001/A001": 126_30}},
		{"within the balance but over the daily limit is over limit", nil, transfer("A001", "A003", 50000_01), engine.ErrOverLimit, nil},
		{"the daily limit counts today's earlier debits", []move{transfer("A001", "A003", 30000_00)}, transfer("A001", "A003", 20000_01), engine.ErrOverLimit,
			map[string]engine.Money{"C001/A001": -30000_00}},
		{"an account nobody owns is an unknown payee", nil, transfer("A001", "6200000000000000", 1), engine.ErrUnknownPayee, nil},
		{"another customer's source account is not found", nil, transfer("A003", "A001", 1), engine.ErrNotFound, nil},
		{"a fixed deposit cannot be debited", nil, transfer("A002", "A003", 1), engine.ErrInvalid, nil},
		{"a zero amount is invalid", nil, transfer("A001", "A003", 0), engine.ErrInvalid, nil},
		{"a negative amount is invalid", nil, transfer("A001", "A003", -5), engine.ErrInvalid, nil},
		{"the same account on both sides is invalid", nil, transfer("A001", "A001", 1), engine.ErrInvalid, nil},
		{"an internal settlement account is not a payee", nil, transfer("A001", "int-clearing", 1), engine.ErrUnknownPayee, nil},
		{"a frozen (lost) card cannot pay", []move{func(b *sandbox.Bank, key string) (any, error) { return b.ReportCardLost(ctx, key, "C001", "1234") }},
			transfer("A001", "A003", 1), engine.ErrFrozen, nil},
		{"fund collection pulls from another bank's card", nil, func(b *sandbox.Bank, key string) (any, error) {
			return sandboxtest.Verified(b).FundCollect(ctx, key, engine.CollectRequest{Customer: "C001", Card: "6214830298761234", ToAccount: "A001", Amount: 3000_00})
		}, nil, map[string]engine.Money{"C001/A001": 3000_00}},
		{"fund collection cannot exceed the card's balance", nil, func(b *sandbox.Bank, key string) (any, error) {
			return sandboxtest.Verified(b).FundCollect(ctx, key, engine.CollectRequest{Customer: "C001", Card: "6217000012344321", ToAccount: "A001", Amount: 8000_01})
		}, engine.ErrInsufficientFunds, nil},
		{"fund collection from another customer's card is not found", nil, func(b *sandbox.Bank, key string) (any, error) {
			return sandboxtest.Verified(b).FundCollect(ctx, key, engine.CollectRequest{Customer: "C001", Card: "6222020200112233", ToAccount: "A001", Amount: 1})
		}, engine.ErrNotFound, nil},
		{"a full repayment pays the statement", nil, func(b *sandbox.Bank, key string) (any, error) {
			return sandboxtest.Verified(b).CreditRepay(ctx, key, engine.RepayRequest{Customer: "C001", Card: "CC01", FromAccount: "A001", Mode: "full"})
		}, nil, map[string]engine.Money{"C001/A001": -8650_40}},
		{"a minimum repayment pays the minimum due", nil, func(b *sandbox.Bank, key string) (any, error) {
			return sandboxtest.Verified(b).CreditRepay(ctx, key, engine.RepayRequest{Customer: "C001", Card: "9876", FromAccount: "A001", Mode: "minimum"})
		}, nil, map[string]engine.Money{"C001/A001": -865_04}},
		{"repaying more than the statement is invalid", nil, func(b *sandbox.Bank, key string) (any, error) {
			return sandboxtest.Verified(b).CreditRepay(ctx, key, engine.RepayRequest{Customer: "C001", Card: "CC01", FromAccount: "A001", Amount: 8650_41})
		}, engine.ErrInvalid, nil},
		{"a card with nothing due cannot be repaid", nil, func(b *sandbox.Bank, key string) (any, error) {
			return sandboxtest.Verified(b).CreditRepay(ctx, key, engine.RepayRequest{Customer: "C003", Card: "CC02", FromAccount: "A004", Mode: "full"})
		}, engine.ErrNothingDue, nil},
		{"an unknown repayment mode is invalid", nil, func(b *sandbox.Bank, key string) (any, error) {
			return sandboxtest.Verified(b).CreditRepay(ctx, key, engine.RepayRequest{Customer: "C001", Card: "CC01", FromAccount: "A001", Mode: "all"})
		}, engine.ErrInvalid, nil},
		{"another customer's credit card is not found", nil, func(b *sandbox.Bank, key string) (any, error) {
			return sandboxtest.Verified(b).CreditRepay(ctx, key, engine.RepayRequest{Customer: "C001", Card: "CC02", FromAccount: "A001", Amount: 1})
		}, engine.ErrNotFound, nil},
		{"a purchase moves money into custody", nil, func(b *sandbox.Bank, key string) (any, error) {
			return sandboxtest.Verified(b).BuyProduct(ctx, key, engine.PurchaseRequest{Customer: "C001", Product: "P002", FromAccount: "A001", Amount: 10000_00})
		}, nil, map[string]engine.Money{"C001/A001": -10000_00}},
		{"a purchase below the product's minimum is refused", nil, func(b *sandbox.Bank, key string) (any, error) {
			return sandboxtest.Verified(b).BuyProduct(ctx, key, engine.PurchaseRequest{Customer: "C001", Product: "P002", FromAccount: "A001", Amount: 9999_99})
		}, engine.ErrBelowMinimum, nil},
		{"an unknown product is not found", nil, func(b *sandbox.Bank, key string) (any, error) {
			return sandboxtest.Verified(b).BuyProduct(ctx, key, engine.PurchaseRequest{Customer: "C001", Product: "P999", FromAccount: "A001", Amount: 100_00})
		}, engine.ErrNotFound, nil},
		{"a phone top-up pays the operator", nil, func(b *sandbox.Bank, key string) (any, error) {
			return sandboxtest.Verified(b).PhoneTopup(ctx, key, engine.TopupRequest{Customer: "C001", Phone: "13812345678", FromAccount: "A001", Amount: 100_00})
		}, nil, map[string]engine.Money{"C001/A001": -100_00}},
		{"a top-up to a non-mobile number is invalid", nil, func(b *sandbox.Bank, key string) (any, error) {
			return sandboxtest.Verified(b).PhoneTopup(ctx, key, engine.TopupRequest{Customer: "C001", Phone: "02112345678", FromAccount: "A001", Amount: 100_00})
		}, engine.ErrInvalid, nil},
		{"a top-up above 2000 yuan is invalid", nil, func(b *sandbox.Bank, key string) (any, error) {
			return sandboxtest.Verified(b).PhoneTopup(ctx, key, engine.TopupRequest{Customer: "C001", Phone: "13812345678", FromAccount: "A001", Amount: 2000_01})
		}, engine.ErrInvalid, nil},
		{"a bill is paid to the biller of a utility", nil, func(b *sandbox.Bank, key string) (any, error) {
			return sandboxtest.Verified(b).PayBill(ctx, key, engine.BillRequest{Customer: "C001", Biller: "electricity", BillAccount: "1234567890", FromAccount: "A001", Amount: 210_30})
		}, nil, map[string]engine.Money{"C001/A001": -210_30}},
		{"a bill account that does not fit the biller is invalid", nil, func(b *sandbox.Bank, key string) (any, error) {
			return sandboxtest.Verified(b).PayBill(ctx, key, engine.BillRequest{Customer: "C001", Biller: "BL04", BillAccount: "1234567890", FromAccount: "A001", Amount: 1})
		}, engine.ErrInvalid, nil},
		{"an unknown biller is not found", nil, func(b *sandbox.Bank, key string) (any, error) {
			return sandboxtest.Verified(b).PayBill(ctx, key, engine.BillRequest{Customer: "C001", Biller: "internet", BillAccount: "1", FromAccount: "A001", Amount: 1})
		}, engine.ErrNotFound, nil},
		{"a low balance is insufficient funds", nil, func(b *sandbox.Bank, key string) (any, error) {
			return sandboxtest.Verified(b).Transfer(ctx, key, engine.TransferRequest{Customer: "C005", FromAccount: "A007", ToAccount: "A001", Amount: 126_31})
		}, engine.ErrInsufficientFunds, nil},
	}
	for _, tc := range tests {
		t.Run(tc.ensures, func(t *testing.T) {
			b, _ := sandboxtest.Open(t, sandbox.Options{OTPPolicy: sandboxtest.ManyCodes})
			before := map[string]engine.Money{}
			for ca := range tc.deltas {
				c, a, _ := strings.Cut(ca, "/")
				before[ca] = balance(t, b, c, a)
			}
			for i, m := range tc.setup {
				if _, err := m(b, fmt.Sprint("setup-", i)); err != nil {
					t.Fatalf("setup %d: %v", i, err)
				}
			}
			res, err := tc.call(b, "the-key")
			if !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
				t.Fatalf("error = %v, want %v", err, tc.err)
			}
			for ca, d := range tc.deltas {
				c, a, _ := strings.Cut(ca, "/")
				if got := balance(t, b, c, a) - before[ca]; got != d {
					t.Errorf("%s changed by %d, want %d", ca, got, d)
				}
			}
			mustCheck(t, b)
			if err != nil {
				return
			}
			// Ensure a repeat of the key returns the first result and moves nothing.
			au := mustCheck(t, b)
			again, err := tc.call(b, "the-key")
			if err != nil || fmt.Sprint(again) != fmt.Sprint(res) {
				t.Errorf("repeat = %v, %v; want %v", again, err, res)
			}
			if au2 := mustCheck(t, b); au2.Movements != au.Movements {
				t.Errorf("repeat made %d movements", au2.Movements-au.Movements)
			}
		})
	}
}

func TestIdempotency(t *testing.T) {
	b, _ := sandboxtest.Open(t, sandbox.Options{OTPPolicy: sandboxtest.ManyCodes})
	req := engine.TransferRequest{Customer: "C001", FromAccount: "A001", ToAccount: "A003", Amount: 100}
	first, err := sandboxtest.Verified(b).Transfer(ctx, "k", req)
	if err != nil {
		t.Fatal(err)
	}
	// Ensure the same key with another request is refused and moves nothing.
	req2 := req
	req2.Amount = 101
	if _, err := sandboxtest.Verified(b).Transfer(ctx, "k", req2); !errors.Is(err, engine.ErrIdempotencyReuse) {
		t.Errorf("reuse = %v, want ErrIdempotencyReuse", err)
	}
	// Ensure the same key on another operation is refused too.
	if _, err := sandboxtest.Verified(b).PhoneTopup(ctx, "k", engine.TopupRequest{Customer: "C001", Phone: "13812345678", FromAccount: "A001", Amount: 100}); !errors.Is(err, engine.ErrIdempotencyReuse) {
		t.Errorf("reuse on another op = %v, want ErrIdempotencyReuse", err)
	}
	// Ensure an empty key is invalid.
	if _, err := sandboxtest.Verified(b).Transfer(ctx, "", req); !errors.Is(err, engine.ErrInvalid) {
		t.Errorf("empty key = %v, want ErrInvalid", err)
	}
	// Ensure a failed call stores nothing: the key can be used once the cause is gone.
	big := engine.TransferRequest{Customer: "C005", FromAccount: "A007", ToAccount: "A001", Amount: 200_00}
	if _, err := sandboxtest.Verified(b).Transfer(ctx, "k2", big); !errors.Is(err, engine.ErrInsufficientFunds) {
		t.Fatalf("big = %v", err)
	}
	if _, err := sandboxtest.Verified(b).Transfer(ctx, "k3", engine.TransferRequest{Customer: "C001", FromAccount: "A001", ToAccount: "A007", Amount: 100_00}); err != nil {
		t.Fatal(err)
	}
	if _, err := sandboxtest.Verified(b).Transfer(ctx, "k2", big); err != nil {
		t.Errorf("retry after top-up = %v", err)
	}
	// Ensure a cancelled context moves nothing.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := sandboxtest.Verified(b).Transfer(cctx, "k4", req); !errors.Is(err, engine.ErrUnavailable) {
		t.Errorf("cancelled = %v, want ErrUnavailable", err)
	}
	if again, err := sandboxtest.Verified(b).Transfer(ctx, "k", req); err != nil || again != first {
		t.Errorf("repeat = %+v, %v; want %+v", again, err, first)
	}
	mustCheck(t, b)
}

func TestIdempotencyAcrossRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bank.db")
	open := func() *sandbox.Bank {
		b, err := sandbox.Open(path, sandbox.Options{OTPPolicy: sandboxtest.ManyCodes, Fixture: sandboxtest.Fixture(t), Clock: fixedClock{sandboxtest.Now}})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	b := open()
	req := engine.TransferRequest{Customer: "C001", FromAccount: "A001", ToAccount: "6214830212345678", Amount: 777}
	first, err := sandboxtest.Verified(b).Transfer(ctx, "restart-key", req)
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
	b = open()
	defer b.Close()
	// Ensure the key survives a restart: same result, no second movement.
	again, err := sandboxtest.Verified(b).Transfer(ctx, "restart-key", req)
	if err != nil || again != first {
		t.Fatalf("after restart = %+v, %v; want %+v", again, err, first)
	}
	if got := balance(t, b, "C001", "A001"); got != 5238050-777 {
		t.Errorf("balance = %d, want %d", got, 5238050-777)
	}
	mustCheck(t, b)
}

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

func TestDailyLimit(t *testing.T) {
	f := sandboxtest.Fixture(t)
	// Today's history counts: 刘洋 (A005, limit 20000) spent 1999.00 at 09:00 today.
	f.Transactions = append(f.Transactions, sandbox.FixTransaction{Account: "A005", Time: "2026-11-25T09:00:00+08:00", Amount: "-1999.00", Counterparty: "x"})
	f.Accounts[4].Balance = "30000.00"
	clock := &stepClock{t: sandboxtest.Now}
	b, err := sandbox.Open(filepath.Join(t.TempDir(), "bank.db"), sandbox.Options{OTPPolicy: sandboxtest.ManyCodes, Fixture: f, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	pay := func(key string, amount engine.Money) error {
		_, err := sandboxtest.Verified(b).Transfer(ctx, key, engine.TransferRequest{Customer: "C004", FromAccount: "A005", ToAccount: "A001", Amount: amount})
		return err
	}
	steps := []struct {
		ensures string
		advance time.Duration
		amount  engine.Money
		err     error
	}{
		{"today's history and this debit fit the limit exactly", 0, 18001_00, nil},
		{"one fen more is over the limit", 0, 1, engine.ErrOverLimit},
		{"at 23:59 it is still today", 13*time.Hour + 59*time.Minute, 1, engine.ErrOverLimit},
		{"after midnight in Shanghai the limit is new", time.Minute, 10000_00, nil},
	}
	for i, s := range steps {
		clock.t = clock.t.Add(s.advance)
		if err := pay(fmt.Sprint("d", i), s.amount); !errors.Is(err, s.err) || (s.err == nil && err != nil) {
			t.Errorf("%s: %v, want %v", s.ensures, err, s.err)
		}
	}
	mustCheck(t, b)
}

type stepClock struct{ t time.Time }

func (c *stepClock) Now() time.Time { return c.t }

// TestCheckFindsCorruption ensures Check is not vacuous: a balance changed behind the
// ledger's back (money created from nothing) is reported.
func TestCheckFindsCorruption(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bank.db")
	b, err := sandbox.Open(path, sandbox.Options{OTPPolicy: sandboxtest.ManyCodes, Fixture: sandboxtest.Fixture(t), Clock: fixedClock{sandboxtest.Now}})
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		bk := tx.Bucket([]byte("accounts"))
		v := bk.Get([]byte("A003"))
		return bk.Put([]byte("A003"), bytes.Replace(v, []byte(`"balance":880000`), []byte(`"balance":880001`), 1))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	b, err = sandbox.Open(path, sandbox.Options{OTPPolicy: sandboxtest.ManyCodes, Clock: fixedClock{sandboxtest.Now}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := b.Check(ctx); !errors.Is(err, sandbox.ErrInconsistent) {
		t.Fatalf("Check after corruption = %v, want ErrInconsistent", err)
	}
}
