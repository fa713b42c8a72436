package dialogs

// Op describes one bank operation a flow may call (docs/dsl-spec.md, "Bank operations"). The
// checker validates calls against it; the engine reads it to know which calls move money.
type Op struct {
	Name string
	// Args are the named arguments, in the order of the spec.
	Args []OpArg
	// Results are the fields of the call's result (`call OP(...) as NAME`, then NAME.field).
	Results []OpField
	// Errors are the operation's own error codes; every operation may also fail with
	// CommonErrors.
	Errors []string
	// MovesMoney marks operations that must be preceded on every path by confirm and verify.
	MovesMoney bool
}

// OpArg is one argument of an operation.
type OpArg struct {
	Name     string
	Optional bool
}

// OpField is one result field; a list field has elements with Fields (nil: not described).
type OpField struct {
	Name   string
	List   bool
	Fields []string
}

// CommonErrors are the error codes every operation may return.
var CommonErrors = []string{"unavailable", "rejected"}

// Arg returns the argument called name.
func (o Op) Arg(name string) (OpArg, bool) {
	for _, a := range o.Args {
		if a.Name == name {
			return a, true
		}
	}
	return OpArg{}, false
}

// Result returns the result field called name.
func (o Op) Result(name string) (OpField, bool) {
	for _, f := range o.Results {
		if f.Name == name {
			return f, true
		}
	}
	return OpField{}, false
}

// HasError reports whether code is an error the operation may return (its own or a common one).
func (o Op) HasError(code string) bool {
	for _, e := range o.Errors {
		if e == code {
			return true
		}
	}
	for _, e := range CommonErrors {
		if e == code {
			return true
		}
	}
	return false
}

func req(names ...string) []OpArg {
	out := make([]OpArg, len(names))
	for i, n := range names {
		out[i] = OpArg{Name: n}
	}
	return out
}

func opt(names ...string) []OpArg {
	out := req(names...)
	for i := range out {
		out[i].Optional = true
	}
	return out
}

func fields(names ...string) []OpField {
	out := make([]OpField, len(names))
	for i, n := range names {
		out[i] = OpField{Name: n}
	}
	return out
}

func list(name string, elem ...string) OpField { return OpField{Name: name, List: true, Fields: elem} }

// Ops is the operation catalogue, by name. It must not be modified.
var Ops = map[string]Op{
	"balance": {Args: opt("account"),
		Results: []OpField{list("accounts", "name", "type", "number", "balance", "available"), {Name: "total"}}},
	"transactions": {Args: append(req("account"), opt("period")...),
		Results: append([]OpField{list("items", "time", "amount", "counterparty", "memo")}, fields("count", "shown", "income", "expense")...)},
	"transfer": {Args: req("from", "to", "amount"), Results: fields("id", "amount", "balance", "to_name", "to_account"),
		Errors: []string{"insufficient_funds", "over_limit", "unknown_payee", "account_frozen"}, MovesMoney: true},
	"fund_collect": {Args: req("card", "to", "amount"), Results: fields("id", "amount", "balance"),
		Errors: []string{"insufficient_funds", "unknown_card"}, MovesMoney: true},
	"credit_bill": {Args: req("card"), Errors: []string{"no_credit_card"}, Results: fields("statement_balance", "minimum_due", "due_date", "limit", "number",
		"repaid", "repaid_at", "auto_repay", "auto_repay_account")},
	"credit_repay": {Args: append(req("card", "from"), opt("amount", "mode")...), Results: fields("id", "amount", "remaining"),
		Errors: []string{"insufficient_funds", "nothing_due", "no_credit_card"}, MovesMoney: true},
	"points": {Args: req("card"), Results: fields("points", "number"), Errors: []string{"no_credit_card"}},
	"branches": {Args: opt("lat", "lng", "district"),
		Results: []OpField{list("items", "id", "name", "address", "district", "hours", "queue", "distance"), {Name: "count"}}},
	"booking_slots": {Args: req("branch", "date"), Results: []OpField{list("items", "time"), {Name: "count"}},
		Errors: []string{"closed"}},
	"book": {Args: req("branch", "datetime", "business"), Results: fields("id", "branch_name", "time"),
		Errors: []string{"slot_taken", "closed", "past"}},
	"bookings":       {Results: []OpField{list("items", "id", "name", "branch_name", "time", "business"), {Name: "count"}}},
	"cancel_booking": {Args: req("booking"), Results: fields("id"), Errors: []string{"unknown_booking", "past"}},
	"advisor":        {Results: fields("name", "phone"), Errors: []string{"no_advisor"}},
	"loan_apply":     {Args: req("amount", "term", "purpose"), Results: fields("id"), Errors: []string{"not_eligible"}},
	"card_apply":     {Args: req("type"), Results: fields("id"), Errors: []string{"not_eligible"}},
	"phone_topup": {Args: req("phone", "amount", "from"), Results: fields("id", "amount"),
		Errors: []string{"insufficient_funds", "invalid_phone"}, MovesMoney: true},
	"bill_pay": {Args: req("utility", "account_no", "amount", "from"), Results: fields("id", "amount", "biller"),
		Errors: []string{"insufficient_funds", "unknown_biller"}, MovesMoney: true},
	"products": {Args: opt("risk"),
		Results: []OpField{list("items", "id", "name", "rate", "term_days", "minimum", "risk"), list("holdings"), {Name: "count"}}},
	"wealth_buy": {Args: req("product", "amount", "from"), Results: fields("id", "amount"),
		Errors: []string{"insufficient_funds", "below_minimum"}, MovesMoney: true},
	"bind":      {Args: req("card_no", "phone"), Results: fields("customer", "name"), Errors: []string{"no_match"}},
	"card_lost": {Args: req("card"), Results: fields("id", "number"), Errors: []string{"already_frozen"}},
}

func init() {
	for name, op := range Ops {
		op.Name = name
		Ops[name] = op
	}
}

// customerFields are the fields of `customer.NAME`.
var customerFields = []string{"bound", "name", "phone"}

// reservedReplies are the reply names the engine uses itself.
var reservedReplies = []string{"greeting", "help", "fallback", "fallback_again", "cancelled", "nothing_to_cancel",
	"resume", "timeout", "unbound", "ambiguous", "handoff", "error", "voice_empty", "unsupported"}
