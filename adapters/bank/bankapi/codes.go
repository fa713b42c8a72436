package bankapi

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/weiyin-bank/weiyin/engine"
)

// Code is one wire error code: the engine error it stands for and its HTTP status.
type Code struct {
	Name   string
	Err    error
	Status int
}

// Codes lists every error code of the API, most specific first.
var Codes = []Code{
	{"idempotency_reuse", engine.ErrIdempotencyReuse, http.StatusConflict},
	{"invalid", engine.ErrInvalid, http.StatusBadRequest},
	{"insufficient_funds", engine.ErrInsufficientFunds, http.StatusUnprocessableEntity},
	{"over_limit", engine.ErrOverLimit, http.StatusUnprocessableEntity},
	{"unknown_payee", engine.ErrUnknownPayee, http.StatusUnprocessableEntity},
	{"bad_code", engine.ErrBadCode, http.StatusUnprocessableEntity},
	{"locked", engine.ErrLocked, http.StatusLocked},
	{"verification_required", engine.ErrVerificationRequired, http.StatusForbidden},
	{"too_many_codes", engine.ErrTooManyCodes, http.StatusTooManyRequests},
	{"unavailable", engine.ErrUnavailable, http.StatusServiceUnavailable},
	{"no_match", engine.ErrNoMatch, http.StatusUnprocessableEntity},
	{"account_frozen", engine.ErrFrozen, http.StatusUnprocessableEntity},
	{"already_frozen", engine.ErrAlreadyFrozen, http.StatusConflict},
	{"slot_taken", engine.ErrSlotTaken, http.StatusConflict},
	{"closed", engine.ErrClosed, http.StatusUnprocessableEntity},
	{"past", engine.ErrPast, http.StatusUnprocessableEntity},
	{"below_minimum", engine.ErrBelowMinimum, http.StatusUnprocessableEntity},
	{"nothing_due", engine.ErrNothingDue, http.StatusUnprocessableEntity},
	{"not_eligible", engine.ErrNotEligible, http.StatusUnprocessableEntity},
	{"not_found", engine.ErrNotFound, http.StatusNotFound},
}

// rejected is the code of an error the table does not know (engine.ErrorCode's default).
const rejected = "rejected"

// CodeOf returns the wire code and status of a bank error; an unknown error is "rejected"
// with status 500.
func CodeOf(err error) (string, int) {
	for _, c := range Codes {
		if errors.Is(err, c.Err) {
			return c.Name, c.Status
		}
	}
	return rejected, http.StatusInternalServerError
}

// Error is an error response body.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ErrorFor turns an error response back into an error that wraps the typed engine error of
// its code (errors.Is works); an unknown code wraps none.
func ErrorFor(status int, e Error) error {
	for _, c := range Codes {
		if c.Name == e.Code {
			return &RemoteError{Status: status, Code: e.Code, Message: e.Message, kind: c.Err}
		}
	}
	return &RemoteError{Status: status, Code: e.Code, Message: e.Message}
}

// RemoteError is an error answered by the bank API.
type RemoteError struct {
	Status  int
	Code    string
	Message string
	kind    error
}

func (e *RemoteError) Error() string {
	return fmt.Sprintf("bank api: %d %s: %s", e.Status, e.Code, e.Message)
}

// Unwrap returns the engine error of the code, or nil.
func (e *RemoteError) Unwrap() error { return e.kind }
