package dialogs

import (
	"slices"
	"strings"
)

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

// requiredReplies are the reserved replies the engine has no words of its own for: every bot
// declares them, or check reports an error.
var requiredReplies = []string{"greeting", "help", "fallback", "fallback_again"}

// optionalReplies are the reserved replies the engine says in its own default words when the
// bot does not declare them (DefaultReplies, without the error_CODE ones). Staff change the
// wording by declaring a reply of the same name.
var optionalReplies = func() []string {
	var out []string
	for name := range DefaultReplies {
		if !strings.HasPrefix(name, ErrorReplyPrefix) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}()

// reservedReplies are all the plain reply names the engine uses itself.
var reservedReplies = append(slices.Clone(requiredReplies), optionalReplies...)

// Reserved reply families: `error_CODE` is said when a bank call fails with CODE and the flow
// has no `on error CODE`; `unbound_FLOW` replaces `unbound` for one flow; `no_choice_FLOW` is
// said when none of the values a question of FLOW lists is one it accepts.
const (
	ErrorReplyPrefix    = "error_"
	UnboundReplyPrefix  = "unbound_"
	NoChoiceReplyPrefix = "no_choice_"
)

// flowReplyPrefixes are the reply families named after a flow.
var flowReplyPrefixes = []string{UnboundReplyPrefix, NoChoiceReplyPrefix}

// engineErrors are the generic error codes the engine itself reports for any operation
// (argument checks, bank pre-checks, the money guard), beside each operation's own Errors.
var engineErrors = []string{"insufficient_funds", "over_limit", "account_frozen", "fixed_account", "below_minimum",
	"closed", "past", "nothing_due", "no_credit_card", "unknown_payee", "invalid", "not_found",
	"verification_required", "too_many_codes"}
