package engine

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"
)

// opCall is one bank operation as a flow calls it.
type opCall struct {
	cust *Customer
	args map[string]any
	key  string // idempotency key, derived from the flow instance
	now  time.Time
	// challenge is the verified one-time code challenge the flow holds, sent with
	// money-moving requests.
	challenge string
}

func (c opCall) str(name string) string { return textOrV(c.args[name]) }

func (c opCall) has(name string) bool {
	v, ok := c.args[name]
	return ok && textOrV(v) != ""
}

func (c opCall) money(name string) (Money, error) {
	s := c.str(name)
	if s == "" {
		return 0, fmt.Errorf("%w: missing amount", ErrInvalid)
	}
	m, err := ParseYuan(s)
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return m, nil
}

func (c opCall) field(name, field string) string {
	if v, ok := c.args[name].(Value); ok {
		if f := v.Fields[field]; f != "" {
			return f
		}
	}
	return ""
}

// ops maps each operation of the dialog catalogue to the Bank calls that implement it. Results
// use the catalogue's field names; money as yuan strings, times RFC 3339.
var ops = map[string]func(ctx context.Context, b Bank, c opCall) (map[string]any, error){
	"balance": func(ctx context.Context, b Bank, c opCall) (map[string]any, error) {
		as, err := b.Accounts(ctx, c.cust.ID)
		if err != nil {
			return nil, err
		}
		var total Money
		var items []any
		for _, a := range as {
			if c.has("account") && a.ID != c.str("account") && a.Type != c.str("account") {
				continue
			}
			total += a.Balance
			items = append(items, map[string]any{"name": a.Name, "type": accountTypeNames[a.Type], "number": a.Number,
				"balance": a.Balance.Yuan(), "available": a.Balance.Yuan(), "id": a.ID})
		}
		return map[string]any{"accounts": items, "total": total.Yuan(), "count": float64(len(items))}, nil
	},
	"transactions": func(ctx context.Context, b Bank, c opCall) (map[string]any, error) {
		from, to := c.now.AddDate(0, 0, -30), c.now
		if v, ok := c.args["period"].(Value); ok {
			if t, _, ok := parseTimeish(v.V); ok {
				from = t
			}
			if t, _, ok := parseTimeish(v.Fields["end"]); ok {
				to = t.Add(24*time.Hour - time.Nanosecond)
			}
		}
		as, err := b.Accounts(ctx, c.cust.ID)
		if err != nil {
			return nil, err
		}
		var items []any
		var income, expense Money
		for _, a := range as {
			if c.has("account") && a.ID != c.str("account") && a.Type != c.str("account") {
				continue
			}
			ts, err := b.Transactions(ctx, c.cust.ID, a.ID, from, to)
			if err != nil {
				return nil, err
			}
			for _, t := range ts {
				if t.Amount > 0 {
					income += t.Amount
				} else {
					expense -= t.Amount
				}
				items = append(items, map[string]any{"time": t.Time.In(Shanghai).Format(time.RFC3339), "amount": t.Amount.Yuan(),
					"counterparty": t.Counterparty, "memo": t.Memo, "account": tail(a.Number, 4)})
			}
		}
		count := len(items)
		if len(items) > 10 {
			items = items[len(items)-10:] // the latest ten; count and totals cover them all
		}
		return map[string]any{"items": items, "count": float64(count), "shown": float64(len(items)), "income": income.Yuan(), "expense": expense.Yuan(),
			"from": from.Format("2006-01-02"), "to": to.Format("2006-01-02")}, nil
	},
	"transfer": func(ctx context.Context, b Bank, c opCall) (map[string]any, error) {
		req, err := transferRequest(ctx, b, c)
		if err != nil {
			return nil, err
		}
		r, err := b.Transfer(ctx, c.key, req)
		if err != nil {
			return nil, err
		}
		return map[string]any{"id": r.ID, "amount": r.Amount.Yuan(), "balance": r.Balance.Yuan(), "to_name": r.ToName, "to_account": r.ToAccount}, nil
	},
	"fund_collect": func(ctx context.Context, b Bank, c opCall) (map[string]any, error) {
		req, err := collectRequest(ctx, b, c)
		if err != nil {
			return nil, err
		}
		r, err := b.FundCollect(ctx, c.key, req)
		if err != nil {
			return nil, err
		}
		return map[string]any{"id": r.ID, "amount": r.Amount.Yuan(), "balance": r.Balance.Yuan()}, nil
	},
	"credit_bill": func(ctx context.Context, b Bank, c opCall) (map[string]any, error) {
		card, err := creditCard(ctx, b, c)
		if err != nil {
			return nil, err
		}
		return map[string]any{"statement_balance": card.StatementBalance.Yuan(), "minimum_due": card.MinimumDue.Yuan(),
			"due_date": card.DueDate.In(Shanghai).Format("2006-01-02"), "limit": card.Limit.Yuan(), "number": card.Number}, nil
	},
	"points": func(ctx context.Context, b Bank, c opCall) (map[string]any, error) {
		card, err := creditCard(ctx, b, c)
		if err != nil {
			return nil, err
		}
		return map[string]any{"points": float64(card.Points), "number": card.Number}, nil
	},
	"credit_repay": func(ctx context.Context, b Bank, c opCall) (map[string]any, error) {
		req, err := repayRequest(ctx, b, c)
		if err != nil {
			return nil, err
		}
		r, err := b.CreditRepay(ctx, c.key, req)
		if err != nil {
			return nil, err
		}
		return map[string]any{"id": r.ID, "amount": r.Amount.Yuan(), "remaining": r.Remaining.Yuan()}, nil
	},
	"branches": func(ctx context.Context, b Bank, c opCall) (map[string]any, error) {
		q := BranchQuery{District: c.str("district"), Limit: 5}
		q.Lat, _ = number(c.args["lat"])
		q.Lng, _ = number(c.args["lng"])
		bs, err := b.Branches(ctx, q)
		if err != nil {
			return nil, err
		}
		var items []any
		for i, br := range bs {
			if i >= 5 {
				break
			}
			m := map[string]any{"id": br.ID, "name": br.Name, "address": br.Address, "district": br.District,
				"hours": br.Hours, "queue": float64(br.Queue)}
			if q.Lat != 0 || q.Lng != 0 {
				m["distance"] = distanceText(br.Distance)
			} else {
				m["distance"] = ""
			}
			items = append(items, m)
		}
		return map[string]any{"items": items, "count": float64(len(items))}, nil
	},
	"booking_slots": func(ctx context.Context, b Bank, c opCall) (map[string]any, error) {
		day, _, _ := parseTimeish(c.str("date"))
		ts, err := b.BookingSlots(ctx, c.str("branch"), day)
		if err != nil {
			return nil, err
		}
		var items []any
		for _, t := range ts {
			items = append(items, map[string]any{"time": t.In(Shanghai).Format(time.RFC3339)})
		}
		return map[string]any{"items": items, "count": float64(len(items))}, nil
	},
	"book": func(ctx context.Context, b Bank, c opCall) (map[string]any, error) {
		at, err := bookingTime(c)
		if err != nil {
			return nil, err
		}
		r, err := b.Book(ctx, c.key, BookingRequest{Customer: c.cust.ID, Branch: c.str("branch"), Time: at, Business: c.str("business")})
		if err != nil {
			return nil, err
		}
		return map[string]any{"id": r.ID, "branch_name": r.BranchName, "time": r.Time.In(Shanghai).Format(time.RFC3339)}, nil
	},
	"cancel_booking": func(ctx context.Context, b Bank, c opCall) (map[string]any, error) {
		if err := b.CancelBooking(ctx, c.cust.ID, c.str("booking")); err != nil {
			return nil, err
		}
		return map[string]any{"id": c.str("booking")}, nil
	},
	"advisor": func(ctx context.Context, b Bank, c opCall) (map[string]any, error) {
		a, err := b.Advisor(ctx, c.cust.ID)
		if err != nil {
			return nil, err
		}
		return map[string]any{"name": a.Name, "phone": a.Phone}, nil
	},
	"loan_apply": func(ctx context.Context, b Bank, c opCall) (map[string]any, error) {
		amt, err := c.money("amount")
		if err != nil {
			return nil, err
		}
		months, _ := number(c.args["term"])
		r, err := b.ApplyLoan(ctx, c.key, LoanApplication{Customer: c.cust.ID, Amount: amt, Months: int(months), Purpose: c.str("purpose")})
		if err != nil {
			return nil, err
		}
		return map[string]any{"id": r.ID, "status": r.Status}, nil
	},
	"card_apply": func(ctx context.Context, b Bank, c opCall) (map[string]any, error) {
		r, err := b.ApplyCard(ctx, c.key, CardApplication{Customer: c.cust.ID, Type: c.str("type")})
		if err != nil {
			return nil, err
		}
		return map[string]any{"id": r.ID, "status": r.Status}, nil
	},
	"phone_topup": func(ctx context.Context, b Bank, c opCall) (map[string]any, error) {
		req, err := topupRequest(ctx, b, c)
		if err != nil {
			return nil, err
		}
		r, err := b.PhoneTopup(ctx, c.key, req)
		if err != nil {
			return nil, err
		}
		return map[string]any{"id": r.ID, "amount": r.Amount.Yuan()}, nil
	},
	"bill_pay": func(ctx context.Context, b Bank, c opCall) (map[string]any, error) {
		req, err := billRequest(ctx, b, c)
		if err != nil {
			return nil, err
		}
		r, err := b.PayBill(ctx, c.key, req)
		if err != nil {
			return nil, err
		}
		return map[string]any{"id": r.ID, "amount": r.Amount.Yuan(), "biller": r.Payee}, nil
	},
	"products": func(ctx context.Context, b Bank, c opCall) (map[string]any, error) {
		ps, err := b.Products(ctx)
		if err != nil {
			return nil, err
		}
		var items, holds []any
		for _, p := range ps {
			if c.has("risk") && p.Risk != c.str("risk") {
				continue
			}
			items = append(items, map[string]any{"id": p.ID, "name": p.Name, "rate": ratePercent(p.Rate), "term_days": float64(p.TermDays),
				"minimum": p.Minimum.Yuan(), "risk": p.Risk})
		}
		if c.cust != nil {
			hs, err := b.Holdings(ctx, c.cust.ID)
			if err != nil {
				return nil, err
			}
			for _, h := range hs {
				holds = append(holds, map[string]any{"name": h.Name, "amount": h.Amount.Yuan(), "since": h.Since.In(Shanghai).Format(time.RFC3339)})
			}
		}
		return map[string]any{"items": items, "holdings": holds, "count": float64(len(items))}, nil
	},
	"wealth_buy": func(ctx context.Context, b Bank, c opCall) (map[string]any, error) {
		req, err := purchaseRequest(ctx, b, c)
		if err != nil {
			return nil, err
		}
		r, err := b.BuyProduct(ctx, c.key, req)
		if err != nil {
			return nil, err
		}
		return map[string]any{"id": r.ID, "amount": r.Amount.Yuan()}, nil
	},
	"card_lost": func(ctx context.Context, b Bank, c opCall) (map[string]any, error) {
		card := c.field("card", "id")
		if card == "" {
			card = c.str("card")
		}
		r, err := b.ReportCardLost(ctx, c.key, c.cust.ID, card)
		if err != nil {
			return nil, err
		}
		return map[string]any{"id": r.ID, "number": r.Number}, nil
	},
}

func creditCard(ctx context.Context, b Bank, c opCall) (CreditCard, error) {
	cards, err := b.CreditCards(ctx, c.cust.ID)
	if err != nil {
		return CreditCard{}, err
	}
	want := c.str("card")
	for _, card := range cards {
		if want == "" || card.ID == want || tail(card.Number, 4) == tail(want, 4) {
			return card, nil
		}
	}
	return CreditCard{}, fmt.Errorf("credit card: %w", ErrNotFound)
}

// bookingTime combines a datetime, or a date and a time, into one instant.
func bookingTime(c opCall) (time.Time, error) {
	if t, _, ok := parseTimeish(c.str("datetime")); ok {
		return t, nil
	}
	d, _, okd := parseTimeish(c.str("date"))
	t, _, okt := parseTimeish(c.str("time"))
	if !okd || !okt {
		return time.Time{}, fmt.Errorf("%w: booking needs a date and a time", ErrInvalid)
	}
	return time.Date(d.Year(), d.Month(), d.Day(), t.Hour(), t.Minute(), 0, 0, Shanghai), nil
}

func distanceText(m float64) string {
	if m < 1000 {
		return strconv.Itoa(int(math.Round(m/10)*10)) + "米"
	}
	return strconv.FormatFloat(m/1000, 'f', 1, 64) + "公里"
}

func ratePercent(r string) string {
	f, err := strconv.ParseFloat(r, 64)
	if err != nil {
		return r
	}
	return strconv.FormatFloat(f*100, 'f', 2, 64) + "%"
}

// readOnlyOps change nothing at the bank: cached lists stay valid after them.
var readOnlyOps = map[string]bool{"balance": true, "transactions": true, "credit_bill": true, "points": true,
	"branches": true, "booking_slots": true, "advisor": true, "products": true}

// publicOps need no bound customer.
var publicOps = map[string]bool{"branches": true, "booking_slots": true, "products": true}

// opErrors names what a generic error means for one operation, so dialogs can handle
// "unknown_card" rather than "not_found".
var opErrors = map[string]map[string]string{
	"advisor":        {"not_found": "no_advisor"},
	"fund_collect":   {"not_found": "unknown_card"},
	"bind":           {"not_found": "unknown_card"},
	"cancel_booking": {"not_found": "unknown_booking"},
	"transfer":       {"not_found": "unknown_payee"},
	"phone_topup":    {"invalid": "invalid_phone"},
	"bill_pay":       {"not_found": "unknown_biller", "invalid": "unknown_biller"},
}

// opErrorCode is the error code an `on` handler of op names for err.
func opErrorCode(op string, err error) string {
	code := ErrorCode(err)
	if c, ok := opErrors[op][code]; ok {
		return c
	}
	return code
}
