package engine

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/weiyin-bank/weiyin/dialogs"
	"github.com/weiyin-bank/weiyin/intents"
)

// bankShortNames are what customers call other banks, by name without the leading 中国.
var bankShortNames = map[string][]string{
	"工商银行": {"工行"}, "建设银行": {"建行"}, "农业银行": {"农行"}, "银行": {"中行"}, "交通银行": {"交行"},
	"招商银行": {"招行"}, "邮政储蓄银行": {"邮储", "邮政储蓄", "邮储银行"}, "上海浦东发展银行": {"浦发", "浦发银行"},
	"兴业银行": {"兴业"}, "中信银行": {"中信"}, "民生银行": {"民生"}, "光大银行": {"光大"}, "平安银行": {"平安"},
}

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
		// The customer's own cards at this bank: credit cards and the debit cards of current accounts.
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
		as, err := bank.Accounts(ctx, cust.ID)
		if err != nil {
			return nil, err
		}
		for _, a := range as {
			if a.Type == "current" {
				out = append(out, Value{V: a.ID, Fields: map[string]string{"name": "借记卡(尾号" + tail(a.Number, 4) + ")",
					"kind": "debit", "number": a.Number, "id": a.ID}})
			}
		}
	case "other_cards":
		if cust == nil {
			return nil, nil
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
	case "bookings":
		if cust == nil {
			return nil, nil
		}
		bks, err := bank.Bookings(ctx, cust.ID)
		if err != nil {
			return nil, err
		}
		for _, bk := range bks {
			out = append(out, bookingValue(bk))
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

// bookingValue names a booking as the customer knows it: where, when, what for.
func bookingValue(bk Booking) Value {
	at := bk.Time.In(Shanghai)
	name := fmt.Sprintf("%s %d月%d日(%s)%s", bk.BranchName, at.Month(), at.Day(), weekdays[at.Weekday()], at.Format("15:04"))
	if bk.Business != "" {
		name += " " + bk.Business
	}
	return Value{V: bk.ID, Fields: map[string]string{"name": name, "id": bk.ID, "branch_name": bk.BranchName,
		"time": at.Format(time.RFC3339), "business": bk.Business}}
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
	case "other_cards":
		out = append(out, "尾号"+tail(v.Fields["number"], 4))
		if b := v.Fields["bank"]; b != "" {
			out = append(out, b, strings.TrimPrefix(strings.TrimSuffix(b, "银行"), "中国"))
			out = append(out, bankShortNames[strings.TrimPrefix(b, "中国")]...)
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

// listTTL bounds how stale a cached bank list may be. Customer lists are also dropped after
// every bank operation of that customer, so a transfer's new balance shows at once.
const listTTL = 30 * time.Second

// globalLists are the same for every customer.
var globalLists = map[string]bool{"branches": true, "districts": true, "products": true, "billers": true}

type listEntry struct {
	at   time.Time
	vals []Value
	nlu  []intents.ListValue
}

// listCache keeps bank lists between turns: fetching them on every message would cost more
// than understanding it.
type listCache struct {
	mu sync.Mutex
	m  map[listKey]listEntry
}

// listKey names one cached list: an entity of the bundle, its bank list and, for a customer's
// own list, the customer ("" for lists everyone shares). A struct, not a joined string: the
// key is built for every bank entity of every turn.
type listKey struct {
	entity, list, owner string
}

func (c *listCache) get(key listKey, now time.Time) (listEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok || now.Sub(e.at) > listTTL || now.Before(e.at) {
		return listEntry{}, false
	}
	return e, true
}

func (c *listCache) put(key listKey, e listEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) > 100000 {
		c.m = map[listKey]listEntry{}
	}
	c.m[key] = e
}

// forget drops a customer's cached lists.
func (c *listCache) forget(customer string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.m {
		if k.owner == customer {
			delete(c.m, k)
		}
	}
}

// nluLists builds the NLU's list entities for one customer: entity name -> values.
func (b *Bot) nluLists(ctx context.Context, bundle *dialogs.Bundle, cust *Customer) (map[string][]intents.ListValue, map[string][]Value) {
	lists := map[string][]intents.ListValue{}
	vals := map[string][]Value{}
	now := b.cfg.Clock.Now()
	for n, e := range bundle.Entities {
		if e.Kind != dialogs.EntityBank {
			continue
		}
		owner := ""
		if cust != nil && !globalLists[e.List] {
			owner = cust.ID
		}
		key := listKey{n, e.List, owner}
		ent, ok := b.lists.get(key, now)
		if !ok {
			vs, err := listValues(ctx, b.cfg.Bank, cust, e.List)
			if err != nil {
				b.log.Warn("bank list unavailable", "list", e.List, "err", err)
				continue
			}
			ent = listEntry{at: now, vals: vs}
			for i := range vs {
				vs[i].Type = n
				names := aliases(e.List, vs[i])
				ent.nlu = append(ent.nlu, intents.ListValue{Value: vs[i].V, Names: names, Norm: intents.NormNames(names)})
			}
			b.lists.put(key, ent)
		}
		lists[n], vals[n] = ent.nlu, ent.vals
	}
	return lists, vals
}

// customerCache remembers who a WeChat user is for listTTL, so a turn does not ask the bank
// every time. Only found customers are cached: a user who binds is seen at once.
type customerCache struct {
	mu sync.Mutex
	m  map[string]cachedCustomer
}

type cachedCustomer struct {
	at time.Time
	c  *Customer
}

func (c *customerCache) get(key string, now time.Time) (*Customer, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok || now.Sub(e.at) > listTTL || now.Before(e.at) {
		return nil, false
	}
	return e.c, true
}

func (c *customerCache) put(key string, cust *Customer, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) > 100000 {
		c.m = map[string]cachedCustomer{}
	}
	c.m[key] = cachedCustomer{at: now, c: cust}
}

func (c *customerCache) forget(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, key)
}
