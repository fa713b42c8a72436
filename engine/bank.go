package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"sort"
	"strings"
	"time"
)

// Money is an amount in fen (1/100 yuan). Never a float.
type Money int64

// Bank is what the engine needs from the bank's systems. adapters/bank/sandbox and
// adapters/bank/httpbank implement it. Every call takes a context; every call that moves money
// takes an idempotency key: a repeated key returns the first result and moves nothing.
//
// Customer-scoped calls take the customer id; an account, card or booking that is not the
// customer's is ErrNotFound (never another customer's data).
type Bank interface {
	// CustomerByOpenID returns the customer bound to a WeChat openid, or ErrNotFound.
	CustomerByOpenID(ctx context.Context, openid string) (Customer, error)
	// Customer returns a customer by id, or ErrNotFound.
	Customer(ctx context.Context, id string) (Customer, error)
	// Bind binds openid to the customer owning card number cardNo with phone. challenge must
	// have been issued by SendOTP for exactly Operation{Name: "bind", Fields: card_no, phone,
	// openid} and verified: else ErrVerificationRequired. ErrNoMatch when card and phone differ.
	Bind(ctx context.Context, openid, cardNo, phone, challenge string) (Customer, error)

	Accounts(ctx context.Context, customer string) ([]Account, error)
	Transactions(ctx context.Context, customer, account string, from, to time.Time) ([]Transaction, error)
	Contacts(ctx context.Context, customer string) ([]Contact, error)
	Transfer(ctx context.Context, key string, req TransferRequest) (TransferResult, error)

	OtherBankCards(ctx context.Context, customer string) ([]OtherBankCard, error)
	FundCollect(ctx context.Context, key string, req CollectRequest) (TransferResult, error)

	CreditCards(ctx context.Context, customer string) ([]CreditCard, error)
	CreditRepay(ctx context.Context, key string, req RepayRequest) (RepayResult, error)

	Branches(ctx context.Context, q BranchQuery) ([]Branch, error)
	BookingSlots(ctx context.Context, branch string, day time.Time) ([]time.Time, error)
	Book(ctx context.Context, key string, req BookingRequest) (Booking, error)
	CancelBooking(ctx context.Context, customer, booking string) error
	Advisor(ctx context.Context, customer string) (Advisor, error)

	Products(ctx context.Context) ([]Product, error)
	Holdings(ctx context.Context, customer string) ([]Holding, error)
	BuyProduct(ctx context.Context, key string, req PurchaseRequest) (PurchaseResult, error)

	PhoneTopup(ctx context.Context, key string, req TopupRequest) (PaymentResult, error)
	Billers(ctx context.Context) ([]Biller, error)
	PayBill(ctx context.Context, key string, req BillRequest) (PaymentResult, error)

	ApplyLoan(ctx context.Context, key string, req LoanApplication) (Application, error)
	ApplyCard(ctx context.Context, key string, req CardApplication) (Application, error)
	ReportCardLost(ctx context.Context, key string, customer, card string) (CardLoss, error)

	// SendOTP sends a one-time code authorising exactly req.Operation to the phone the bank
	// has on file (for binding: of the card's customer, after checking that the card exists,
	// ErrNotFound, and that req's phone is that phone, ErrNoMatch; nothing is sent then). The
	// bank writes the text itself, naming the operation (dynamic linking). It returns the
	// challenge that VerifyOTP and the money-moving request carry. A locked customer is
	// ErrLocked; too many codes for the customer, phone number or card is ErrTooManyCodes.
	SendOTP(ctx context.Context, req OTPRequest) (challenge string, err error)
	// VerifyOTP checks the code of a challenge: ErrBadCode on a wrong or expired code,
	// ErrLocked once the challenge's customer has given too many wrong codes (counted per
	// customer across challenges, flows, sessions and channels), ErrNotFound for an unknown
	// challenge. A verified challenge authorises one money-moving request of its operation
	// within its validity (5 minutes from sending).
	VerifyOTP(ctx context.Context, challenge, code string) error
}

// OTPRequest asks the bank to send a one-time code.
type OTPRequest struct {
	// Customer is the customer id; "" only for binding (the bank finds the card's customer).
	Customer string `json:"customer"`
	// Purpose names the flow instance asking, for the bank's audit; it is never logged together
	// with a code.
	Purpose string `json:"purpose"`
	// Operation is what the code authorises; binding: Name "bind", Fields card_no, phone, openid.
	Operation Operation `json:"operation"`
}

// Operation is what a one-time code authorises: a money-moving operation's name and the exact
// request fields the bank will execute, as canonical strings (account ids or numbers as sent,
// money as yuan with two decimals "999.00", phone digits). The customer and the challenge are
// not fields. Each money-moving request type's Operation method is the one place that says
// what a code covers.
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
// canonical fields.
func (o Operation) Digest() string {
	c := o.Canonical()
	keys := make([]string, 0, len(c.Fields))
	for k := range c.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
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

// Typed errors every Bank returns (wrapped or as *BankError with one of these as Kind).
var (
	ErrNotFound          = errors.New("not found")
	ErrInsufficientFunds = errors.New("insufficient funds")
	ErrOverLimit         = errors.New("over daily limit")
	ErrUnknownPayee      = errors.New("unknown payee")
	ErrBadCode           = errors.New("wrong one-time code")
	ErrLocked            = errors.New("too many wrong codes")
	ErrUnavailable       = errors.New("bank unavailable")
	ErrInvalid           = errors.New("invalid request")
	ErrNoMatch           = errors.New("card and phone do not match")
	ErrFrozen            = errors.New("account frozen")
	ErrAlreadyFrozen     = errors.New("card already frozen")
	ErrSlotTaken         = errors.New("booking slot taken")
	ErrClosed            = errors.New("branch closed")
	ErrPast              = errors.New("time in the past")
	ErrBelowMinimum      = errors.New("below product minimum")
	ErrNothingDue        = errors.New("nothing due")
	ErrNotEligible       = errors.New("not eligible")
	ErrIdempotencyReuse  = errors.New("idempotency key reused with a different request")
	// ErrVerificationRequired: a money-moving request without a verified, unexpired, unused
	// challenge issued to its customer for exactly its operation. Nothing moved.
	ErrVerificationRequired = errors.New("verification required")
	// ErrTooManyCodes: too many one-time codes sent to the customer, phone number or card
	// lately; nothing was sent.
	ErrTooManyCodes = errors.New("too many one-time codes")
)

// ErrorCode maps a bank error to the code dialog `on` handlers name.
func ErrorCode(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrInsufficientFunds):
		return "insufficient_funds"
	case errors.Is(err, ErrOverLimit):
		return "over_limit"
	case errors.Is(err, ErrUnknownPayee):
		return "unknown_payee"
	case errors.Is(err, ErrBadCode):
		return "bad_code"
	case errors.Is(err, ErrLocked):
		return "locked"
	case errors.Is(err, ErrVerificationRequired):
		return "verification_required"
	case errors.Is(err, ErrTooManyCodes):
		return "too_many_codes"
	case errors.Is(err, ErrUnavailable):
		return "unavailable"
	case errors.Is(err, ErrNoMatch):
		return "no_match"
	case errors.Is(err, ErrFrozen):
		return "account_frozen"
	case errors.Is(err, ErrAlreadyFrozen):
		return "already_frozen"
	case errors.Is(err, ErrSlotTaken):
		return "slot_taken"
	case errors.Is(err, ErrClosed):
		return "closed"
	case errors.Is(err, ErrPast):
		return "past"
	case errors.Is(err, ErrBelowMinimum):
		return "below_minimum"
	case errors.Is(err, ErrNothingDue):
		return "nothing_due"
	case errors.Is(err, ErrNotEligible):
		return "not_eligible"
	case errors.Is(err, ErrIdempotencyReuse):
		return "idempotency_reuse"
	case errors.Is(err, ErrNotFound):
		return "not_found"
	case errors.Is(err, ErrInvalid):
		return "invalid"
	default:
		return "rejected"
	}
}

// Customer is a bank customer.
type Customer struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Phone        string `json:"phone"`
	WechatOpenID string `json:"wechat_openid"`
	Advisor      string `json:"advisor"`
}

// Account is a deposit account. Type is "current" or "fixed".
type Account struct {
	ID         string `json:"id"`
	Customer   string `json:"customer"`
	Type       string `json:"type"`
	Name       string `json:"name"`
	Number     string `json:"number"`
	Balance    Money  `json:"balance"`
	Currency   string `json:"currency"`
	DailyLimit Money  `json:"daily_limit"`
	Frozen     bool   `json:"frozen"`
}

// Transaction is one movement on an account: Amount is positive for credit, negative for debit.
type Transaction struct {
	ID           string    `json:"id"`
	Account      string    `json:"account"`
	Time         time.Time `json:"time"`
	Amount       Money     `json:"amount"`
	Counterparty string    `json:"counterparty"`
	Memo         string    `json:"memo"`
	Balance      Money     `json:"balance"` // after the movement
}

// Contact is one of the customer's saved payees.
type Contact struct {
	Customer string `json:"customer"`
	Name     string `json:"name"`
	Bank     string `json:"bank"`
	Account  string `json:"account"` // account number
}

type TransferRequest struct {
	Customer    string `json:"customer"`
	FromAccount string `json:"from_account"` // account id
	ToAccount   string `json:"to_account"`   // account id, or account number of a payee at another bank
	ToName      string `json:"to_name,omitempty"`
	Amount      Money  `json:"amount"`
	Memo        string `json:"memo,omitempty"`
	Challenge   string `json:"challenge,omitempty"` // verified one-time code challenge for Operation()
}

// Operation is what a code must authorise for this transfer.
func (r TransferRequest) Operation() Operation {
	return Operation{Name: "transfer", Fields: opFields("from_account", r.FromAccount, "to_account", r.ToAccount,
		"to_name", r.ToName, "amount", r.Amount.Yuan(), "memo", r.Memo)}
}

type TransferResult struct {
	ID        string    `json:"id"`
	Amount    Money     `json:"amount"`
	Balance   Money     `json:"balance"` // source balance after
	ToName    string    `json:"to_name"`
	ToAccount string    `json:"to_account"`
	Time      time.Time `json:"time"`
}

type OtherBankCard struct {
	Customer string `json:"customer"`
	Bank     string `json:"bank"`
	Number   string `json:"number"`
	Balance  Money  `json:"balance"`
}

type CollectRequest struct {
	Customer  string `json:"customer"`
	Card      string `json:"card"`       // other-bank card number
	ToAccount string `json:"to_account"` // account id
	Amount    Money  `json:"amount"`
	Challenge string `json:"challenge,omitempty"` // verified one-time code challenge for Operation()
}

// Operation is what a code must authorise for this fund collection.
func (r CollectRequest) Operation() Operation {
	return Operation{Name: "fund_collect", Fields: opFields("card", r.Card, "to_account", r.ToAccount, "amount", r.Amount.Yuan())}
}

type CreditCard struct {
	ID               string    `json:"id"`
	Customer         string    `json:"customer"`
	Number           string    `json:"number"`
	Limit            Money     `json:"limit"`
	StatementBalance Money     `json:"statement_balance"`
	MinimumDue       Money     `json:"minimum_due"`
	DueDate          time.Time `json:"due_date"`
	Points           int64     `json:"points"`
	Frozen           bool      `json:"frozen"`
}

type RepayRequest struct {
	Customer    string `json:"customer"`
	Card        string `json:"card"`
	FromAccount string `json:"from_account"`
	Amount      Money  `json:"amount"`              // 0 with Mode set
	Mode        string `json:"mode,omitempty"`      // "full", "minimum" or "" (Amount)
	Challenge   string `json:"challenge,omitempty"` // verified one-time code challenge for Operation()
}

// Operation is what a code must authorise for this repayment: with a mode and no amount, the
// mode (the bank computes the amount).
func (r RepayRequest) Operation() Operation {
	amount := r.Amount.Yuan()
	if r.Mode != "" && r.Amount == 0 {
		amount = ""
	}
	return Operation{Name: "credit_repay", Fields: opFields("card", r.Card, "from_account", r.FromAccount, "amount", amount, "mode", r.Mode)}
}

type RepayResult struct {
	ID        string `json:"id"`
	Amount    Money  `json:"amount"`
	Remaining Money  `json:"remaining"`
}

type BranchQuery struct {
	Lat, Lng float64 // both 0: no point
	District string
	Limit    int
}

type Branch struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	District string  `json:"district"`
	Address  string  `json:"address"`
	Lat      float64 `json:"lat"`
	Lng      float64 `json:"lng"`
	Hours    string  `json:"hours"`
	Weekend  bool    `json:"weekend"`
	Queue    int     `json:"queue"`
	Distance float64 `json:"distance,omitempty"` // metres from the query point
}

type BookingRequest struct {
	Customer string    `json:"customer"`
	Branch   string    `json:"branch"`
	Time     time.Time `json:"time"`
	Business string    `json:"business"`
}

type Booking struct {
	ID         string    `json:"id"`
	Customer   string    `json:"customer"`
	Branch     string    `json:"branch"`
	BranchName string    `json:"branch_name"`
	Time       time.Time `json:"time"`
	Business   string    `json:"business"`
}

type Advisor struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

type Product struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	TermDays int    `json:"term_days"`
	Rate     string `json:"rate"` // annual rate as a decimal string, e.g. "0.0285"
	Risk     string `json:"risk"`
	Minimum  Money  `json:"minimum"`
}

type Holding struct {
	Product string    `json:"product"`
	Name    string    `json:"name"`
	Amount  Money     `json:"amount"`
	Since   time.Time `json:"since"`
}

type PurchaseRequest struct {
	Customer    string `json:"customer"`
	Product     string `json:"product"`
	FromAccount string `json:"from_account"`
	Amount      Money  `json:"amount"`
	Challenge   string `json:"challenge,omitempty"` // verified one-time code challenge for Operation()
}

// Operation is what a code must authorise for this purchase.
func (r PurchaseRequest) Operation() Operation {
	return Operation{Name: "wealth_buy", Fields: opFields("product", r.Product, "from_account", r.FromAccount, "amount", r.Amount.Yuan())}
}

type PurchaseResult struct {
	ID     string `json:"id"`
	Amount Money  `json:"amount"`
}

type TopupRequest struct {
	Customer    string `json:"customer"`
	Phone       string `json:"phone"`
	FromAccount string `json:"from_account"`
	Amount      Money  `json:"amount"`
	Challenge   string `json:"challenge,omitempty"` // verified one-time code challenge for Operation()
}

// Operation is what a code must authorise for this top-up.
func (r TopupRequest) Operation() Operation {
	return Operation{Name: "phone_topup", Fields: opFields("phone", r.Phone, "from_account", r.FromAccount, "amount", r.Amount.Yuan())}
}

type Biller struct {
	ID             string `json:"id"`
	Utility        string `json:"utility"` // water, electricity, gas, property
	Name           string `json:"name"`
	AccountPattern string `json:"account_pattern"` // regexp for the customer number at the biller
}

type BillRequest struct {
	Customer    string `json:"customer"`
	Biller      string `json:"biller"`
	BillAccount string `json:"bill_account"`
	FromAccount string `json:"from_account"`
	Amount      Money  `json:"amount"`
	Challenge   string `json:"challenge,omitempty"` // verified one-time code challenge for Operation()
}

// Operation is what a code must authorise for this bill payment.
func (r BillRequest) Operation() Operation {
	return Operation{Name: "bill_pay", Fields: opFields("biller", r.Biller, "bill_account", r.BillAccount, "from_account", r.FromAccount,
		"amount", r.Amount.Yuan())}
}

type PaymentResult struct {
	ID     string `json:"id"`
	Amount Money  `json:"amount"`
	Payee  string `json:"payee"`
}

type LoanApplication struct {
	Customer string `json:"customer"`
	Amount   Money  `json:"amount"`
	Months   int    `json:"months"`
	Purpose  string `json:"purpose"`
}

type CardApplication struct {
	Customer string `json:"customer"`
	Type     string `json:"type"` // debit, credit
}

type Application struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

type CardLoss struct {
	ID     string `json:"id"`
	Number string `json:"number"`
}

// BindOperation is what a code must authorise for binding openid to the customer owning
// cardNo with phone on file.
func BindOperation(openid, cardNo, phone string) Operation {
	return Operation{Name: "bind", Fields: opFields("card_no", cardNo, "phone", phone, "openid", openid)}
}

// Clock tells the time. Inject a fixed one for replays.
type Clock interface{ Now() time.Time }
