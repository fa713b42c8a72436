package engine

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// The operation registry: every bank operation a flow may call, declared once. Each entry says
// whether the operation moves money, changes nothing, or needs no bound customer, how generic
// bank errors read for it, and how a call's arguments become the one bank request that is
// checked, read back, bound to a code and sent (prepare). The dialog checker's catalogue
// (dialogs.Ops) must agree with it; TestRegistryMatchesCatalogue fails on drift.

// opSpec is one bank operation.
type opSpec struct {
	Name       string
	MovesMoney bool // runs only behind the money guard (guard.go)
	ReadOnly   bool // changes nothing at the bank: cached lists stay valid
	Public     bool // needs no bound customer
	// Errors names what a generic error code means for this operation ("not_found" of a
	// transfer is "unknown_payee"), so dialogs handle the specific code.
	Errors map[string]string
	// prepare turns a call's arguments into the bank request, once. What it returns is what
	// runs: the guard digests prepared.op and nothing else reaches the bank.
	prepare func(ctx context.Context, b Bank, c opCall) (prepared, error)
}

// prepared is a bank request built from a call's arguments.
type prepared struct {
	// op is what the request executes, for the read-back, the code and the bank's challenge.
	// Money-moving operations set it from their request (TransferRequest.Operation ...).
	op Operation
	// check runs the bank pre-checks (balance, limits, account state, minimums, hours) before
	// the read-back; nil when there are none. Its errors are *ArgError where an argument is
	// at fault.
	check func(ctx context.Context) error
	// run sends the request with the call's idempotency key and, when guarded, the verified
	// challenge.
	run func(ctx context.Context, key, challenge string) (map[string]any, error)
}

// opCall is one bank operation as a flow calls it.
type opCall struct {
	cust *Customer
	args map[string]any
	now  time.Time
}

func (c opCall) str(name string) string { return textOrV(c.args[name]) }

func (c opCall) has(name string) bool {
	v, ok := c.args[name]
	return ok && textOrV(v) != ""
}

func (c opCall) money(name string) (Money, error) {
	s := c.str(name)
	if s == "" {
		return 0, &ArgError{Arg: name, Err: fmt.Errorf("%w: missing amount", ErrInvalid)}
	}
	m, err := ParseYuan(s)
	if err != nil {
		return 0, &ArgError{Arg: name, Err: fmt.Errorf("%w: %v", ErrInvalid, err)}
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

// ArgError is a pre-check's or a bank's refusal that one argument is at fault: the flow asks
// for that argument again rather than ending.
type ArgError struct {
	Arg string
	Err error
}

func (e *ArgError) Error() string { return e.Arg + ": " + e.Err.Error() }
func (e *ArgError) Unwrap() error { return e.Err }

// reader wraps an operation that only reads.
func reader(run func(ctx context.Context, b Bank, c opCall) (map[string]any, error)) func(context.Context, Bank, opCall) (prepared, error) {
	return func(_ context.Context, b Bank, c opCall) (prepared, error) {
		return prepared{run: func(ctx context.Context, _, _ string) (map[string]any, error) { return run(ctx, b, c) }}, nil
	}
}

// registry holds every operation by name. It must not be modified.
var registry = map[string]*opSpec{
	"balance":       {ReadOnly: true, prepare: reader(opBalance)},
	"transactions":  {ReadOnly: true, prepare: reader(opTransactions)},
	"credit_bill":   {ReadOnly: true, Errors: map[string]string{"not_found": "no_credit_card"}, prepare: reader(opCreditBill)},
	"points":        {ReadOnly: true, Errors: map[string]string{"not_found": "no_credit_card"}, prepare: reader(opPoints)},
	"branches":      {ReadOnly: true, Public: true, prepare: reader(opBranches)},
	"booking_slots": {ReadOnly: true, Public: true, prepare: reader(opBookingSlots)},
	"products":      {ReadOnly: true, Public: true, prepare: reader(opProducts)},
	"advisor":       {ReadOnly: true, Errors: map[string]string{"not_found": "no_advisor"}, prepare: reader(opAdvisor)},

	"transfer":     {MovesMoney: true, Errors: map[string]string{"not_found": "unknown_payee"}, prepare: prepTransfer},
	"fund_collect": {MovesMoney: true, Errors: map[string]string{"not_found": "unknown_card"}, prepare: prepCollect},
	"credit_repay": {MovesMoney: true, Errors: map[string]string{"not_found": "no_credit_card"}, prepare: prepRepay},
	"phone_topup":  {MovesMoney: true, Errors: map[string]string{"invalid": "invalid_phone"}, prepare: prepTopup},
	"bill_pay":     {MovesMoney: true, Errors: map[string]string{"not_found": "unknown_biller", "invalid": "unknown_biller"}, prepare: prepBill},
	"wealth_buy":   {MovesMoney: true, prepare: prepBuy},

	"book":           {prepare: prepBook},
	"bookings":       {ReadOnly: true, prepare: reader(opBookings)},
	"cancel_booking": {Errors: map[string]string{"not_found": "unknown_booking"}, prepare: prepCancelBooking},
	"loan_apply":     {prepare: prepLoan},
	"card_apply":     {prepare: prepCardApply},
	"card_lost":      {prepare: prepCardLost},
	// bind is run by the engine itself (it binds the WeChat user, not a customer's account).
	"bind": {Public: true},
}

func init() {
	for name, spec := range registry {
		spec.Name = name
	}
}

// errorCode is the error code an `on` handler of op names for err.
func (s *opSpec) errorCode(err error) string {
	code := ErrorCode(err)
	if c, ok := s.Errors[code]; ok {
		return c
	}
	return code
}

// ---------------------------------------------------------------- reads

func opBalance(ctx context.Context, b Bank, c opCall) (map[string]any, error) {
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
}

func opTransactions(ctx context.Context, b Bank, c opCall) (map[string]any, error) {
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
}

func opCreditBill(ctx context.Context, b Bank, c opCall) (map[string]any, error) {
	card, err := creditCard(ctx, b, c)
	if err != nil {
		return nil, err
	}
	return map[string]any{"statement_balance": card.StatementBalance.Yuan(), "minimum_due": card.MinimumDue.Yuan(),
		"due_date": card.DueDate.In(Shanghai).Format("2006-01-02"), "limit": card.Limit.Yuan(), "number": card.Number,
		"repaid": card.Repaid.Yuan(), "repaid_at": dateOrEmpty(card.LastRepaidAt),
		"auto_repay": autoRepayState(card, c.now), "auto_repay_account": card.AutoRepayAccount}, nil
}

// autoRepayState says where the automatic repayment of a statement stands: "none" (not signed
// up), "paid" (nothing left to repay), "scheduled" (it debits on the due date, still ahead)
// or "missed" (the due date passed with money still owed: the debit failed).
func autoRepayState(card CreditCard, now time.Time) string {
	switch {
	case card.AutoRepay == "":
		return "none"
	case card.StatementBalance <= 0 || card.AutoRepay == "minimum" && card.MinimumDue <= 0:
		return "paid"
	case now.Before(card.DueDate.In(Shanghai).AddDate(0, 0, 1)):
		return "scheduled"
	}
	return "missed"
}

func dateOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(Shanghai).Format("2006-01-02")
}

func opPoints(ctx context.Context, b Bank, c opCall) (map[string]any, error) {
	card, err := creditCard(ctx, b, c)
	if err != nil {
		return nil, err
	}
	return map[string]any{"points": float64(card.Points), "number": card.Number}, nil
}

func opBranches(ctx context.Context, b Bank, c opCall) (map[string]any, error) {
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
}

func opBookingSlots(ctx context.Context, b Bank, c opCall) (map[string]any, error) {
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
}

func opBookings(ctx context.Context, b Bank, c opCall) (map[string]any, error) {
	bks, err := b.Bookings(ctx, c.cust.ID)
	if err != nil {
		return nil, err
	}
	var items []any
	for _, bk := range bks {
		v := bookingValue(bk)
		m := map[string]any{}
		for k, x := range v.Fields {
			m[k] = x
		}
		items = append(items, m)
	}
	return map[string]any{"items": items, "count": float64(len(items))}, nil
}

func opAdvisor(ctx context.Context, b Bank, c opCall) (map[string]any, error) {
	a, err := b.Advisor(ctx, c.cust.ID)
	if err != nil {
		return nil, err
	}
	return map[string]any{"name": a.Name, "phone": a.Phone}, nil
}

func opProducts(ctx context.Context, b Bank, c opCall) (map[string]any, error) {
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
}

// ---------------------------------------------------------------- money-moving operations

func prepTransfer(ctx context.Context, b Bank, c opCall) (prepared, error) {
	amt, err := c.money("amount")
	if err != nil {
		return prepared{}, err
	}
	req := TransferRequest{Customer: c.cust.ID, FromAccount: c.str("from"), ToAccount: c.str("to"),
		ToName: c.field("to", "name"), Amount: amt}
	return prepared{
		op: req.Operation(),
		check: func(ctx context.Context) error {
			return checkDebit(ctx, b, c.cust.ID, "from", req.FromAccount, "amount", amt)
		},
		run: func(ctx context.Context, key, challenge string) (map[string]any, error) {
			req.Challenge = challenge
			r, err := b.Transfer(ctx, key, req)
			if err != nil {
				return nil, err
			}
			return map[string]any{"id": r.ID, "amount": r.Amount.Yuan(), "balance": r.Balance.Yuan(), "to_name": r.ToName, "to_account": r.ToAccount}, nil
		},
	}, nil
}

func prepCollect(ctx context.Context, b Bank, c opCall) (prepared, error) {
	amt, err := c.money("amount")
	if err != nil {
		return prepared{}, err
	}
	card := c.field("card", "number")
	if card == "" {
		card = c.str("card")
	}
	req := CollectRequest{Customer: c.cust.ID, Card: card, ToAccount: c.str("to"), Amount: amt}
	return prepared{
		op: req.Operation(),
		check: func(ctx context.Context) error {
			if err := positive("amount", amt); err != nil {
				return err
			}
			cards, err := b.OtherBankCards(ctx, c.cust.ID)
			if err != nil {
				return err
			}
			for _, oc := range cards {
				if oc.Number == card {
					if oc.Balance < amt {
						return &ArgError{Arg: "amount", Err: ErrInsufficientFunds}
					}
					return nil
				}
			}
			return &ArgError{Arg: "card", Err: ErrNotFound}
		},
		run: func(ctx context.Context, key, challenge string) (map[string]any, error) {
			req.Challenge = challenge
			r, err := b.FundCollect(ctx, key, req)
			if err != nil {
				return nil, err
			}
			return map[string]any{"id": r.ID, "amount": r.Amount.Yuan(), "balance": r.Balance.Yuan()}, nil
		},
	}, nil
}

func prepRepay(ctx context.Context, b Bank, c opCall) (prepared, error) {
	card, err := creditCard(ctx, b, c)
	if err != nil {
		return prepared{}, &ArgError{Arg: "card", Err: err}
	}
	req := RepayRequest{Customer: c.cust.ID, Card: card.ID, FromAccount: c.str("from"), Mode: c.str("mode")}
	amt := Money(0) // what leaves the account; the bank works it out itself for a mode
	switch req.Mode {
	case "full":
		amt = card.StatementBalance
	case "minimum":
		amt = card.MinimumDue
	default:
		req.Mode = ""
		if req.Amount, err = c.money("amount"); err != nil {
			return prepared{}, err
		}
		amt = req.Amount
	}
	return prepared{
		op: req.Operation(),
		check: func(ctx context.Context) error {
			if card.StatementBalance <= 0 {
				return ErrNothingDue
			}
			return checkDebit(ctx, b, c.cust.ID, "from", req.FromAccount, "amount", amt)
		},
		run: func(ctx context.Context, key, challenge string) (map[string]any, error) {
			req.Challenge = challenge
			r, err := b.CreditRepay(ctx, key, req)
			if err != nil {
				return nil, err
			}
			return map[string]any{"id": r.ID, "amount": r.Amount.Yuan(), "remaining": r.Remaining.Yuan()}, nil
		},
	}, nil
}

func prepTopup(ctx context.Context, b Bank, c opCall) (prepared, error) {
	amt, err := c.money("amount")
	if err != nil {
		return prepared{}, err
	}
	req := TopupRequest{Customer: c.cust.ID, Phone: c.str("phone"), FromAccount: c.str("from"), Amount: amt}
	return prepared{
		op: req.Operation(),
		check: func(ctx context.Context) error {
			return checkDebit(ctx, b, c.cust.ID, "from", req.FromAccount, "amount", amt)
		},
		run: func(ctx context.Context, key, challenge string) (map[string]any, error) {
			req.Challenge = challenge
			r, err := b.PhoneTopup(ctx, key, req)
			if err != nil {
				return nil, err
			}
			return map[string]any{"id": r.ID, "amount": r.Amount.Yuan()}, nil
		},
	}, nil
}

func prepBill(ctx context.Context, b Bank, c opCall) (prepared, error) {
	amt, err := c.money("amount")
	if err != nil {
		return prepared{}, err
	}
	biller := c.str("biller")
	if biller == "" {
		bs, err := b.Billers(ctx)
		if err != nil {
			return prepared{}, err
		}
		for _, bl := range bs {
			if bl.Utility == c.str("utility") {
				biller = bl.ID
				break
			}
		}
	}
	req := BillRequest{Customer: c.cust.ID, Biller: biller, BillAccount: c.str("account_no"), FromAccount: c.str("from"), Amount: amt}
	return prepared{
		op: req.Operation(),
		check: func(ctx context.Context) error {
			return checkDebit(ctx, b, c.cust.ID, "from", req.FromAccount, "amount", amt)
		},
		run: func(ctx context.Context, key, challenge string) (map[string]any, error) {
			req.Challenge = challenge
			r, err := b.PayBill(ctx, key, req)
			if err != nil {
				return nil, err
			}
			return map[string]any{"id": r.ID, "amount": r.Amount.Yuan(), "biller": r.Payee}, nil
		},
	}, nil
}

func prepBuy(ctx context.Context, b Bank, c opCall) (prepared, error) {
	amt, err := c.money("amount")
	if err != nil {
		return prepared{}, err
	}
	req := PurchaseRequest{Customer: c.cust.ID, Product: c.str("product"), FromAccount: c.str("from"), Amount: amt}
	return prepared{
		op: req.Operation(),
		check: func(ctx context.Context) error {
			ps, err := b.Products(ctx)
			if err != nil {
				return err
			}
			for _, p := range ps {
				if p.ID == req.Product && amt < p.Minimum {
					return &ArgError{Arg: "amount", Err: ErrBelowMinimum}
				}
			}
			return checkDebit(ctx, b, c.cust.ID, "from", req.FromAccount, "amount", amt)
		},
		run: func(ctx context.Context, key, challenge string) (map[string]any, error) {
			req.Challenge = challenge
			r, err := b.BuyProduct(ctx, key, req)
			if err != nil {
				return nil, err
			}
			return map[string]any{"id": r.ID, "amount": r.Amount.Yuan()}, nil
		},
	}, nil
}

// ---------------------------------------------------------------- other changes

func prepBook(ctx context.Context, b Bank, c opCall) (prepared, error) {
	at, err := bookingTime(c)
	if err != nil {
		return prepared{}, err
	}
	business := c.field("business", "name") // what the branch's staff read: 大额取现, not its code
	if business == "" {
		business = c.str("business")
	}
	req := BookingRequest{Customer: c.cust.ID, Branch: c.str("branch"), Time: at, Business: business}
	return prepared{
		op: Operation{Name: "book", Fields: map[string]string{"branch": req.Branch, "time": at.Format(time.RFC3339), "business": req.Business}},
		check: func(ctx context.Context) error {
			if !at.After(c.now) {
				return &ArgError{Arg: "datetime", Err: ErrPast}
			}
			bs, err := b.Branches(ctx, BranchQuery{})
			if err != nil {
				return err
			}
			for _, br := range bs {
				if br.ID == req.Branch && !openAt(br, at) {
					return &ArgError{Arg: "datetime", Err: ErrClosed}
				}
			}
			return nil
		},
		run: func(ctx context.Context, key, _ string) (map[string]any, error) {
			r, err := b.Book(ctx, key, req)
			if err != nil {
				return nil, err
			}
			return map[string]any{"id": r.ID, "branch_name": r.BranchName, "time": r.Time.In(Shanghai).Format(time.RFC3339)}, nil
		},
	}, nil
}

// openAt reports whether a branch is open at t, by its hours ("09:00-17:00") and weekends.
func openAt(br Branch, t time.Time) bool {
	t = t.In(Shanghai)
	if wd := t.Weekday(); (wd == time.Saturday || wd == time.Sunday) && !br.Weekend {
		return false
	}
	open, close, ok := strings.Cut(br.Hours, "-")
	if !ok {
		return true // hours the bank did not give are not ours to judge
	}
	o, err1 := time.Parse("15:04", strings.TrimSpace(open))
	c, err2 := time.Parse("15:04", strings.TrimSpace(close))
	if err1 != nil || err2 != nil {
		return true
	}
	m := t.Hour()*60 + t.Minute()
	return m >= o.Hour()*60+o.Minute() && m < c.Hour()*60+c.Minute()
}

func prepCancelBooking(ctx context.Context, b Bank, c opCall) (prepared, error) {
	id := c.str("booking")
	return prepared{
		op: Operation{Name: "cancel_booking", Fields: map[string]string{"booking": id}},
		run: func(ctx context.Context, _, _ string) (map[string]any, error) {
			if err := b.CancelBooking(ctx, c.cust.ID, id); err != nil {
				return nil, err
			}
			return map[string]any{"id": id}, nil
		},
	}, nil
}

func prepLoan(ctx context.Context, b Bank, c opCall) (prepared, error) {
	amt, err := c.money("amount")
	if err != nil {
		return prepared{}, err
	}
	months, _ := number(c.args["term"])
	req := LoanApplication{Customer: c.cust.ID, Amount: amt, Months: int(months), Purpose: c.str("purpose")}
	return prepared{
		op: Operation{Name: "loan_apply", Fields: map[string]string{"amount": amt.Yuan(), "months": strconv.Itoa(req.Months), "purpose": req.Purpose}},
		check: func(context.Context) error {
			return positive("amount", amt)
		},
		run: func(ctx context.Context, key, _ string) (map[string]any, error) {
			r, err := b.ApplyLoan(ctx, key, req)
			if err != nil {
				return nil, err
			}
			return map[string]any{"id": r.ID, "status": r.Status}, nil
		},
	}, nil
}

func prepCardApply(ctx context.Context, b Bank, c opCall) (prepared, error) {
	req := CardApplication{Customer: c.cust.ID, Type: c.str("type")}
	return prepared{
		op: Operation{Name: "card_apply", Fields: map[string]string{"type": req.Type}},
		run: func(ctx context.Context, key, _ string) (map[string]any, error) {
			r, err := b.ApplyCard(ctx, key, req)
			if err != nil {
				return nil, err
			}
			return map[string]any{"id": r.ID, "status": r.Status}, nil
		},
	}, nil
}

func prepCardLost(ctx context.Context, b Bank, c opCall) (prepared, error) {
	card := c.field("card", "id")
	if card == "" {
		card = c.str("card")
	}
	return prepared{
		op: Operation{Name: "card_lost", Fields: map[string]string{"card": card}},
		run: func(ctx context.Context, key, _ string) (map[string]any, error) {
			r, err := b.ReportCardLost(ctx, key, c.cust.ID, card)
			if err != nil {
				return nil, err
			}
			return map[string]any{"id": r.ID, "number": r.Number}, nil
		},
	}, nil
}

// ---------------------------------------------------------------- pre-checks

func positive(arg string, amt Money) error {
	if amt <= 0 {
		return &ArgError{Arg: arg, Err: fmt.Errorf("%w: amount must be positive", ErrInvalid)}
	}
	return nil
}

// checkDebit runs the bank's rules for taking amt from one of the customer's accounts before
// anything is read back: a positive amount, the account exists, is open and a current account,
// holds enough, and today's limit has room.
func checkDebit(ctx context.Context, b Bank, customer, fromArg, from, amtArg string, amt Money) error {
	if err := positive(amtArg, amt); err != nil {
		return err
	}
	as, err := b.Accounts(ctx, customer)
	if err != nil {
		return err
	}
	for _, a := range as {
		if a.ID != from {
			continue
		}
		switch {
		case a.Frozen:
			return &ArgError{Arg: fromArg, Err: ErrFrozen}
		case a.Type != "current":
			return &ArgError{Arg: fromArg, Err: ErrFixedTerm}
		case a.Balance < amt:
			return &ArgError{Arg: amtArg, Err: ErrInsufficientFunds}
		case a.DailyLimit > 0 && a.SpentToday+amt > a.DailyLimit:
			return &ArgError{Arg: amtArg, Err: ErrOverLimit}
		}
		return nil
	}
	return &ArgError{Arg: fromArg, Err: ErrNotFound}
}

// ---------------------------------------------------------------- helpers

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
