package engine

import (
	"context"
	"errors"
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
	// Bookings lists the customer's upcoming bookings (not started, not cancelled), soonest first.
	Bookings(ctx context.Context, customer string) ([]Booking, error)
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
	// ErrLocked; too many codes for the customer, phone number or card, or too many binding
	// attempts (found or not) by one openid, is ErrTooManyCodes.
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
	ErrFixedTerm         = errors.New("a fixed-term deposit cannot be debited")
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
	case errors.Is(err, ErrFixedTerm):
		return "fixed_account"
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
	// SpentToday is what left the account today against DailyLimit.
	SpentToday Money `json:"spent_today,omitempty"`
	Frozen     bool  `json:"frozen"`
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
	// Challenge is the verified one-time-code challenge issued for exactly this request
	// (Operation); the bank refuses the request without it.
	Challenge string `json:"challenge,omitempty"`
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
	// Challenge is the verified one-time-code challenge issued for exactly this request
	// (Operation); the bank refuses the request without it.
	Challenge string `json:"challenge,omitempty"`
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
	// AutoRepay is the automatic repayment the customer signed up for: "full", "minimum", or ""
	// (none); AutoRepayAccount is the number of the account it debits on the due date.
	AutoRepay        string `json:"auto_repay,omitempty"`
	AutoRepayAccount string `json:"auto_repay_account,omitempty"`
	// Repaid is what was repaid on the current statement, last at LastRepaidAt.
	Repaid       Money     `json:"repaid"`
	LastRepaidAt time.Time `json:"last_repaid_at,omitzero"`
}

type RepayRequest struct {
	Customer    string `json:"customer"`
	Card        string `json:"card"`
	FromAccount string `json:"from_account"`
	Amount      Money  `json:"amount"`         // 0 with Mode set
	Mode        string `json:"mode,omitempty"` // "full", "minimum" or "" (Amount)
	// Challenge is the verified one-time-code challenge issued for exactly this request
	// (Operation); the bank refuses the request without it.
	Challenge string `json:"challenge,omitempty"`
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
	// Challenge is the verified one-time-code challenge issued for exactly this request
	// (Operation); the bank refuses the request without it.
	Challenge string `json:"challenge,omitempty"`
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
	// Challenge is the verified one-time-code challenge issued for exactly this request
	// (Operation); the bank refuses the request without it.
	Challenge string `json:"challenge,omitempty"`
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
	// Challenge is the verified one-time-code challenge issued for exactly this request
	// (Operation); the bank refuses the request without it.
	Challenge string `json:"challenge,omitempty"`
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

// Clock tells the time. Inject a fixed one for replays.
type Clock interface{ Now() time.Time }
