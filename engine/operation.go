package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
)

// Operation is what a confirmation and a one-time code authorise: an operation's name and the
// exact request fields the bank will execute, as canonical strings (account ids and numbers as
// sent, money as yuan with two decimals). The customer and the challenge are not fields.
type Operation struct {
	Name   string            `json:"name"`
	Fields map[string]string `json:"fields"`
}

// Digest is the hex SHA-256 of the name and the fields as sorted "key=value" lines. Two
// operations with the same digest execute the same request; the engine's money guard and the
// bank's challenge agree on it.
func (o Operation) Digest() string {
	h := sha256.New()
	h.Write([]byte(o.Name))
	h.Write([]byte{'\n'})
	keys := make([]string, 0, len(o.Fields))
	for k := range o.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		h.Write([]byte(k))
		h.Write([]byte{'='})
		h.Write([]byte(o.Fields[k]))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Operation is what the transfer executes.
func (r TransferRequest) Operation() Operation {
	return Operation{Name: "transfer", Fields: map[string]string{"from_account": r.FromAccount, "to_account": r.ToAccount, "amount": r.Amount.Yuan()}}
}

// Operation is what the collection executes.
func (r CollectRequest) Operation() Operation {
	return Operation{Name: "fund_collect", Fields: map[string]string{"card": r.Card, "to_account": r.ToAccount, "amount": r.Amount.Yuan()}}
}

// Operation is what the repayment executes.
func (r RepayRequest) Operation() Operation {
	return Operation{Name: "credit_repay", Fields: map[string]string{"card": r.Card, "from_account": r.FromAccount, "amount": r.Amount.Yuan(), "mode": r.Mode}}
}

// Operation is what the top-up executes.
func (r TopupRequest) Operation() Operation {
	return Operation{Name: "phone_topup", Fields: map[string]string{"phone": r.Phone, "from_account": r.FromAccount, "amount": r.Amount.Yuan()}}
}

// Operation is what the bill payment executes.
func (r BillRequest) Operation() Operation {
	return Operation{Name: "bill_pay", Fields: map[string]string{"biller": r.Biller, "bill_account": r.BillAccount, "from_account": r.FromAccount, "amount": r.Amount.Yuan()}}
}

// Operation is what the purchase executes.
func (r PurchaseRequest) Operation() Operation {
	return Operation{Name: "wealth_buy", Fields: map[string]string{"product": r.Product, "from_account": r.FromAccount, "amount": r.Amount.Yuan()}}
}
