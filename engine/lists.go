package engine

import (
	"context"
	"sort"
	"strings"

	"github.com/weiyin-bank/weiyin/dialogs"
	"github.com/weiyin-bank/weiyin/intents"
)

var accountTypeNames = map[string]string{"current": "活期", "fixed": "定期", "credit": "信用卡"}

// listValues fetches one bank list for a customer (customer may be nil for global lists) as slot
// values. Unknown lists and unbound customers give an empty list.
func listValues(ctx context.Context, bank Bank, cust *Customer, list string) ([]Value, error) {
	var out []Value
	switch list {
	case "contacts":
		if cust == nil {
			return nil, nil
		}
		cs, err := bank.Contacts(ctx, cust.ID)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			out = append(out, Value{V: c.Account, Fields: map[string]string{"name": c.Name, "bank": c.Bank, "account": c.Account}})
		}
	case "accounts":
		if cust == nil {
			return nil, nil
		}
		as, err := bank.Accounts(ctx, cust.ID)
		if err != nil {
			return nil, err
		}
		for _, a := range as {
			out = append(out, Value{V: a.ID, Fields: map[string]string{
				"name": a.Name, "type": a.Type, "type_name": accountTypeNames[a.Type], "number": a.Number,
				"account": a.Number, "balance": a.Balance.Yuan(), "id": a.ID}})
		}
	case "cards":
		if cust == nil {
			return nil, nil
		}
		cc, err := bank.CreditCards(ctx, cust.ID)
		if err != nil {
			return nil, err
		}
		for _, c := range cc {
			out = append(out, Value{V: c.ID, Fields: map[string]string{"name": "信用卡(尾号" + tail(c.Number, 4) + ")",
				"kind": "credit", "number": c.Number, "id": c.ID}})
		}
		oc, err := bank.OtherBankCards(ctx, cust.ID)
		if err != nil {
			return nil, err
		}
		for _, c := range oc {
			out = append(out, Value{V: c.Number, Fields: map[string]string{"name": c.Bank + "(尾号" + tail(c.Number, 4) + ")",
				"kind": "other", "bank": c.Bank, "number": c.Number, "balance": c.Balance.Yuan()}})
		}
	case "branches", "districts":
		bs, err := bank.Branches(ctx, BranchQuery{})
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for _, b := range bs {
			if list == "branches" {
				out = append(out, branchValue(b))
				continue
			}
			if !seen[b.District] {
				seen[b.District] = true
				out = append(out, Value{V: b.District, Fields: map[string]string{"name": b.District}})
			}
		}
	case "products":
		ps, err := bank.Products(ctx)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			out = append(out, Value{V: p.ID, Fields: map[string]string{"name": p.Name, "rate": p.Rate, "risk": p.Risk, "minimum": p.Minimum.Yuan()}})
		}
	case "billers":
		bs, err := bank.Billers(ctx)
		if err != nil {
			return nil, err
		}
		for _, b := range bs {
			out = append(out, Value{V: b.ID, Fields: map[string]string{"name": b.Name, "utility": b.Utility}})
		}
	}
	return out, nil
}

func branchValue(b Branch) Value {
	return Value{V: b.ID, Fields: map[string]string{"name": b.Name, "address": b.Address, "district": b.District, "hours": b.Hours}}
}

// aliases lists what a customer may call a list value.
func aliases(list string, v Value) []string {
	name := v.Fields["name"]
	out := []string{name}
	switch list {
	case "accounts":
		if t := v.Fields["type_name"]; t != "" {
			out = append(out, t, t+"账户", t+"卡")
		}
		out = append(out, "尾号"+tail(v.Fields["number"], 4))
	case "cards":
		out = append(out, "尾号"+tail(v.Fields["number"], 4))
		if b := v.Fields["bank"]; b != "" {
			out = append(out, b, strings.TrimSuffix(b, "银行"))
		}
	case "branches":
		out = append(out, strings.TrimSuffix(strings.TrimPrefix(name, "微银银行"), "支行"), strings.TrimPrefix(name, "微银银行"))
	case "districts":
		out = append(out, strings.TrimSuffix(strings.TrimSuffix(name, "新区"), "区"))
	}
	var clean []string
	seen := map[string]bool{}
	for _, a := range out {
		if len([]rune(a)) >= 2 && !seen[a] {
			seen[a] = true
			clean = append(clean, a)
		}
	}
	return clean
}

// nluLists builds the NLU's list entities for one customer: entity name -> values.
func (b *Bot) nluLists(ctx context.Context, bundle *dialogs.Bundle, cust *Customer) (map[string][]intents.ListValue, map[string][]Value) {
	lists := map[string][]intents.ListValue{}
	vals := map[string][]Value{}
	names := make([]string, 0, len(bundle.Entities))
	for n := range bundle.Entities {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		e := bundle.Entities[n]
		if e.Kind != dialogs.EntityBank {
			continue
		}
		vs, err := listValues(ctx, b.cfg.Bank, cust, e.List)
		if err != nil {
			b.log.Warn("bank list unavailable", "list", e.List, "err", err)
			continue
		}
		for i := range vs {
			vs[i].Type = n
			lists[n] = append(lists[n], intents.ListValue{Value: vs[i].V, Names: aliases(e.List, vs[i])})
		}
		vals[n] = vs
	}
	return lists, vals
}
