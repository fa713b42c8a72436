package sandbox

import (
	"bytes"
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/weiyin-bank/weiyin/engine"
)

// The customer index (bucket customer_index) lists what each customer owns, so that a
// customer's accounts and cards are read without decoding every record of their buckets.
// A key is customer NUL kind NUL id with an empty value; keys sort by id within a kind, the
// order of the buckets they index. Ownership never changes after seeding, so the index is
// written with the fixture (or, for a file seeded before the index existed, on Open) and
// meta/indexed records that it is complete.
var (
	bIndex   = []byte("customer_index")
	kIndexed = []byte("indexed")
)

// Kinds of index entries.
const (
	ixAccount = 'a' // a deposit account id (bucket accounts, kind customer)
	ixCard    = 'c' // a credit card id (bucket credit_cards)
	ixOBCard  = 'o' // the number of a card at another bank (bucket other_bank_cards)
)

func indexKey(customer string, kind byte, id string) []byte {
	k := make([]byte, 0, len(customer)+len(id)+3)
	k = append(k, customer...)
	k = append(k, 0, kind, 0)
	return append(k, id...)
}

// owned calls fn with the id of each record of kind the customer owns, in id order.
func (r *rtx) owned(customer string, kind byte, fn func(id string) error) error {
	if customer == "" {
		return nil
	}
	prefix := indexKey(customer, kind, "")
	c := r.tx.Bucket(bIndex).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if err := fn(string(k[len(prefix):])); err != nil {
			return err
		}
	}
	return nil
}

// ensureIndex builds the customer index from the accounts and card buckets unless it is
// complete already; it runs in the transaction that seeds, or on Open for an older file.
func (r *rtx) ensureIndex() error {
	meta := r.tx.Bucket(bMeta)
	if meta.Get(kIndexed) != nil || meta.Get(kSeeded) == nil {
		return nil
	}
	ix := r.tx.Bucket(bIndex)
	add := func(customer string, kind byte, id string) error {
		r.writes++
		return ix.Put(indexKey(customer, kind, id), []byte{})
	}
	if err := each(r, bAccounts, func(id string, a ledgerAccount) error {
		if a.Kind != kindCustomer {
			return nil
		}
		return add(a.Customer, ixAccount, id)
	}); err != nil {
		return fmt.Errorf("index accounts: %w", err)
	}
	if err := each(r, bCards, func(id string, c engine.CreditCard) error { return add(c.Customer, ixCard, id) }); err != nil {
		return fmt.Errorf("index credit cards: %w", err)
	}
	if err := each(r, bOBCards, func(num string, c engine.OtherBankCard) error { return add(c.Customer, ixOBCard, num) }); err != nil {
		return fmt.Errorf("index other bank cards: %w", err)
	}
	return meta.Put(kIndexed, []byte{1})
}

// refData is the bank's reference data, which only seeding writes: read once from the file
// at Open (and again after Seed) and served from memory. The sandbox is the only writer of
// its file, so the copy cannot go stale.
type refData struct {
	branches []engine.Branch  // in id order
	products []engine.Product // in id order
	billers  []engine.Biller  // in id order
	advisors map[string]engine.Advisor
}

// loadRef reads the reference data from the file into memory.
func (b *Bank) loadRef() error {
	d := &refData{advisors: map[string]engine.Advisor{}}
	err := b.db.View(func(tx *bolt.Tx) error {
		r := &rtx{tx: tx}
		if err := each(r, bBranches, func(_ string, v engine.Branch) error { d.branches = append(d.branches, v); return nil }); err != nil {
			return err
		}
		if err := each(r, bProducts, func(_ string, v engine.Product) error { d.products = append(d.products, v); return nil }); err != nil {
			return err
		}
		if err := each(r, bBillers, func(_ string, v engine.Biller) error { d.billers = append(d.billers, v); return nil }); err != nil {
			return err
		}
		return each(r, bAdvisors, func(id string, v engine.Advisor) error { d.advisors[id] = v; return nil })
	})
	if err != nil {
		return fmt.Errorf("sandbox: loading reference data: %w", err)
	}
	b.ref.Store(d)
	return nil
}

// reference returns the in-memory reference data; like a read transaction it fails with
// ErrUnavailable once ctx has ended.
func (b *Bank) reference(ctx context.Context) (*refData, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", engine.ErrUnavailable, err)
	}
	return b.ref.Load(), nil
}
