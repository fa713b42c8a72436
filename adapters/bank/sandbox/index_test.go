package sandbox_test

import (
	"errors"
	"path/filepath"
	"reflect"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/weiyin-bank/weiyin/adapters/bank/sandbox"
	"github.com/weiyin-bank/weiyin/adapters/bank/sandbox/sandboxtest"
	"github.com/weiyin-bank/weiyin/engine"
)

// snapshot is everything the customer index and the in-memory reference data serve.
type snapshot struct {
	Accounts       map[string][]engine.Account
	CreditCards    map[string][]engine.CreditCard
	OtherBankCards map[string][]engine.OtherBankCard
	Advisors       map[string]engine.Advisor
	Branches       []engine.Branch
	Products       []engine.Product
	Billers        []engine.Biller
}

func takeSnapshot(t *testing.T, b *sandbox.Bank, f *sandbox.Fixture) snapshot {
	t.Helper()
	s := snapshot{Accounts: map[string][]engine.Account{}, CreditCards: map[string][]engine.CreditCard{},
		OtherBankCards: map[string][]engine.OtherBankCard{}, Advisors: map[string]engine.Advisor{}}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var err error
	for _, c := range f.Customers {
		s.Accounts[c.ID], err = b.Accounts(ctx, c.ID)
		must(err)
		s.CreditCards[c.ID], err = b.CreditCards(ctx, c.ID)
		must(err)
		s.OtherBankCards[c.ID], err = b.OtherBankCards(ctx, c.ID)
		must(err)
		if a, err := b.Advisor(ctx, c.ID); err == nil {
			s.Advisors[c.ID] = a
		} else if !errors.Is(err, engine.ErrNotFound) {
			t.Fatal(err)
		}
	}
	s.Branches, err = b.Branches(ctx, engine.BranchQuery{})
	must(err)
	s.Products, err = b.Products(ctx)
	must(err)
	s.Billers, err = b.Billers(ctx)
	must(err)
	return s
}

// Ensure a file seeded before the customer index existed (no index bucket, no meta/indexed)
// gets a complete index on Open: every read answers as on the freshly seeded file.
func TestIndexBuiltForOlderFile(t *testing.T) {
	f := sandboxtest.Fixture(t)
	path := filepath.Join(t.TempDir(), "bank.db")
	b, err := sandbox.Open(path, sandbox.Options{OTPPolicy: sandboxtest.ManyCodes, Fixture: f, Clock: fixedClock{sandboxtest.Now}, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	want := takeSnapshot(t, b, f)
	if len(want.Accounts["C001"]) != 2 || len(want.CreditCards["C001"]) != 1 || len(want.OtherBankCards["C001"]) != 2 || len(want.Advisors) == 0 {
		t.Fatalf("fresh file reads %+v: the test fixture changed?", want)
	}
	b.Close()

	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket([]byte("customer_index")); err != nil {
			return err
		}
		return tx.Bucket([]byte("meta")).Delete([]byte("indexed"))
	})
	db.Close()
	if err != nil {
		t.Fatalf("making an older file: %v", err)
	}

	b, err = sandbox.Open(path, sandbox.Options{OTPPolicy: sandboxtest.ManyCodes, Fixture: f, Clock: fixedClock{sandboxtest.Now}, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if got := takeSnapshot(t, b, f); !reflect.DeepEqual(got, want) {
		t.Errorf("after reopening an older file:\n got %+v\nwant %+v", got, want)
	}
	if _, err := b.Check(ctx); err != nil {
		t.Error(err)
	}
}

// Ensure the lists served from memory are the caller's own: changing one changes no later answer.
func TestReferenceListsAreCopies(t *testing.T) {
	b, _ := sandboxtest.Open(t, sandbox.Options{OTPPolicy: sandboxtest.ManyCodes, NoSync: true})
	tests := []struct {
		ensures string
		mutate  func() (before, after any)
	}{
		{"a changed product list does not change the next one", func() (any, any) {
			ps, _ := b.Products(ctx)
			before := ps[0]
			ps[0].Name = "changed"
			ps, _ = b.Products(ctx)
			return before, ps[0]
		}},
		{"a changed biller list does not change the next one", func() (any, any) {
			bs, _ := b.Billers(ctx)
			before := bs[0]
			bs[0].Name = "changed"
			bs, _ = b.Billers(ctx)
			return before, bs[0]
		}},
		{"a distance or a changed branch does not stick to the next query", func() (any, any) {
			bs, _ := b.Branches(ctx, engine.BranchQuery{})
			before := bs[0]
			near, _ := b.Branches(ctx, engine.BranchQuery{Lat: 31.23, Lng: 121.47})
			near[0].Name = "changed"
			bs, _ = b.Branches(ctx, engine.BranchQuery{})
			return before, bs[0]
		}},
	}
	for _, tc := range tests {
		if before, after := tc.mutate(); !reflect.DeepEqual(before, after) {
			t.Errorf("%s: %+v became %+v", tc.ensures, before, after)
		}
	}
}
