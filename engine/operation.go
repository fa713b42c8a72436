package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"slices"
	"strings"
)

// Operation is what a confirmation and a one-time code authorise: an operation's name and the
// exact request fields the bank will execute, as canonical strings (account ids or numbers as
// sent, money as yuan with two decimals "999.00", phone digits). The customer and the
// challenge are not fields. Each money-moving request type's Operation method is the one place
// that says what a code covers; the engine's money guard and the bank's challenge agree on
// its Digest.
type Operation struct {
	Name   string            `json:"name"`
	Fields map[string]string `json:"fields"`
}

// moneyFieldKeys are the Operation fields holding money: compared as amounts, so "999" and
// "999.00" are the same field.
var moneyFieldKeys = map[string]bool{"amount": true}

// Canonical returns the operation with money fields written as yuan with two decimals and
// empty fields dropped, the form Digest hashes. A money field that is not an amount is kept
// as written (it matches only itself).
func (o Operation) Canonical() Operation {
	c := Operation{Name: o.Name, Fields: make(map[string]string, len(o.Fields))}
	for k, v := range o.Fields {
		if moneyFieldKeys[k] {
			if m, err := ParseYuan(v); err == nil {
				v = m.Yuan()
			}
		}
		if v != "" {
			c.Fields[k] = v
		}
	}
	return c
}

// Digest is the operation's fingerprint: lowercase hex SHA-256 of the text
//
//	weiyin-operation-v1\n
//	name=<Name>\n
//	<key>=<value>\n   (one line per non-empty field of Canonical(), keys in byte order)
//
// where backslash, newline and "=" in names, keys and values are escaped as \\, \n and \=.
// Two operations have the same digest exactly when they have the same name and the same
// canonical fields: they execute the same request.
func (o Operation) Digest() string {
	c := o.Canonical()
	keys := make([]string, 0, len(c.Fields))
	for k := range c.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	h := sha256.New()
	io.WriteString(h, "weiyin-operation-v1\nname="+digestEscaper.Replace(c.Name)+"\n")
	for _, k := range keys {
		io.WriteString(h, digestEscaper.Replace(k)+"="+digestEscaper.Replace(c.Fields[k])+"\n")
	}
	return hex.EncodeToString(h.Sum(nil))
}

var digestEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, "=", `\=`)

// Covers says whether a code issued for o authorises the request operation x: the same
// canonical fields and, when o names an operation, the same name (the bank REST API lets a
// caller leave the name out and match on the fields).
func (o Operation) Covers(x Operation) bool {
	if o.Name == "" {
		x.Name = ""
	}
	return o.Digest() == x.Digest()
}

// opFields builds Operation fields from key, value pairs, leaving out empty values.
func opFields(kv ...string) map[string]string {
	m := make(map[string]string, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			m[kv[i]] = kv[i+1]
		}
	}
	return m
}

// Operation is what the transfer executes: the payee's name and the memo are part of it.
func (r TransferRequest) Operation() Operation {
	return Operation{Name: "transfer", Fields: opFields("from_account", r.FromAccount, "to_account", r.ToAccount,
		"to_name", r.ToName, "amount", r.Amount.Yuan(), "memo", r.Memo)}
}

// Operation is what the collection executes.
func (r CollectRequest) Operation() Operation {
	return Operation{Name: "fund_collect", Fields: opFields("card", r.Card, "to_account", r.ToAccount, "amount", r.Amount.Yuan())}
}

// Operation is what the repayment executes: with a mode and no amount, the mode (the bank
// computes the amount).
func (r RepayRequest) Operation() Operation {
	amount := r.Amount.Yuan()
	if r.Mode != "" && r.Amount == 0 {
		amount = ""
	}
	return Operation{Name: "credit_repay", Fields: opFields("card", r.Card, "from_account", r.FromAccount, "amount", amount, "mode", r.Mode)}
}

// Operation is what the top-up executes.
func (r TopupRequest) Operation() Operation {
	return Operation{Name: "phone_topup", Fields: opFields("phone", r.Phone, "from_account", r.FromAccount, "amount", r.Amount.Yuan())}
}

// Operation is what the bill payment executes.
func (r BillRequest) Operation() Operation {
	return Operation{Name: "bill_pay", Fields: opFields("biller", r.Biller, "bill_account", r.BillAccount, "from_account", r.FromAccount,
		"amount", r.Amount.Yuan())}
}

// Operation is what the purchase executes.
func (r PurchaseRequest) Operation() Operation {
	return Operation{Name: "wealth_buy", Fields: opFields("product", r.Product, "from_account", r.FromAccount, "amount", r.Amount.Yuan())}
}

// BindOperation is what a code must authorise for binding openid to the customer owning
// cardNo with phone on file.
func BindOperation(openid, cardNo, phone string) Operation {
	return Operation{Name: "bind", Fields: opFields("card_no", cardNo, "phone", phone, "openid", openid)}
}
