package bankapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/weiyin-bank/weiyin/adapters/bank/yuan"
	"github.com/weiyin-bank/weiyin/engine"
)

// MaxBody is the largest request body the server reads.
const MaxBody = 64 << 10

// KeyHeader carries the idempotency key of a money-moving POST.
const KeyHeader = "Idempotency-Key"

// ServerOptions configure NewHandler.
type ServerOptions struct {
	// Logger receives one line per request (no bodies: they hold card numbers); default slog.Default().
	Logger *slog.Logger
}

// Request bodies that differ from the engine's request types.
type (
	// BindBody is the body of POST /v1/bindings.
	BindBody struct {
		OpenID    string `json:"openid"`
		CardNo    string `json:"card_number"`
		Phone     string `json:"phone"`
		Challenge string `json:"challenge"`
	}
	// CardLossBody is the body of POST /v1/card-losses.
	CardLossBody struct {
		Customer string `json:"customer"`
		Card     string `json:"card"`
	}
	// OTPBody is the body of POST /v1/otp. Operation holds the request fields the code
	// authorises, flat, with an optional "name" (the operation's name; left out, the code
	// authorises any request with exactly these fields).
	OTPBody struct {
		Customer  string            `json:"customer"`
		Purpose   string            `json:"purpose"`
		Operation map[string]string `json:"operation"`
	}
	// OTPSent is the answer of POST /v1/otp.
	OTPSent struct {
		Challenge string `json:"challenge"`
	}
	// VerifyBody is the body of POST /v1/otp/verify.
	VerifyBody struct {
		Challenge string `json:"challenge"`
		Code      string `json:"code"`
	}
	// List is the body of every list response.
	List[T any] struct {
		Items []T `json:"items"`
	}
)

type server struct {
	bank engine.Bank
	log  *slog.Logger
}

// NewHandler serves bank over the REST API v1.
func NewHandler(bank engine.Bank, opts ServerOptions) http.Handler {
	s := &server{bank: bank, log: opts.Logger}
	if s.log == nil {
		s.log = slog.Default()
	}
	m := http.NewServeMux()
	b := bank
	m.HandleFunc("GET /v1/health", func(w http.ResponseWriter, r *http.Request) {
		s.reply(w, r, http.StatusOK, map[string]string{"status": "ok"})
	})
	// Customers and binding.
	m.HandleFunc("GET /v1/customers/{id}", get(s, func(r *http.Request) (engine.Customer, error) {
		return b.Customer(r.Context(), r.PathValue("id"))
	}))
	m.HandleFunc("GET /v1/openids/{openid}/customer", get(s, func(r *http.Request) (engine.Customer, error) {
		return b.CustomerByOpenID(r.Context(), r.PathValue("openid"))
	}))
	m.HandleFunc("POST /v1/bindings", post(s, false, func(ctx context.Context, _ string, q BindBody) (engine.Customer, error) {
		return b.Bind(ctx, q.OpenID, q.CardNo, q.Phone, q.Challenge)
	}))
	// Customer-scoped lists.
	m.HandleFunc("GET /v1/customers/{id}/accounts", list(s, b.Accounts))
	m.HandleFunc("GET /v1/customers/{id}/contacts", list(s, b.Contacts))
	m.HandleFunc("GET /v1/customers/{id}/other-bank-cards", list(s, b.OtherBankCards))
	m.HandleFunc("GET /v1/customers/{id}/credit-cards", list(s, b.CreditCards))
	m.HandleFunc("GET /v1/customers/{id}/bookings", list(s, b.Bookings))
	m.HandleFunc("GET /v1/customers/{id}/holdings", list(s, b.Holdings))
	m.HandleFunc("GET /v1/customers/{id}/advisor", get(s, func(r *http.Request) (engine.Advisor, error) {
		return b.Advisor(r.Context(), r.PathValue("id"))
	}))
	m.HandleFunc("GET /v1/accounts/{id}/transactions", get(s, func(r *http.Request) (List[engine.Transaction], error) {
		q := r.URL.Query()
		cust := q.Get("customer")
		if cust == "" {
			return List[engine.Transaction]{}, fmt.Errorf("%w: query parameter customer is required", engine.ErrInvalid)
		}
		from, err := queryTime(q.Get("from"), "from")
		if err != nil {
			return List[engine.Transaction]{}, err
		}
		to, err := queryTime(q.Get("to"), "to")
		if err != nil {
			return List[engine.Transaction]{}, err
		}
		ts, err := b.Transactions(r.Context(), cust, r.PathValue("id"), from, to)
		return List[engine.Transaction]{Items: nonNil(ts)}, err
	}))
	// Money movements.
	m.HandleFunc("POST /v1/transfers", post(s, true, func(ctx context.Context, key string, q engine.TransferRequest) (engine.TransferResult, error) {
		if err := positive(q.Amount); err != nil {
			return engine.TransferResult{}, err
		}
		return b.Transfer(ctx, key, q)
	}))
	m.HandleFunc("POST /v1/fund-collections", post(s, true, func(ctx context.Context, key string, q engine.CollectRequest) (engine.TransferResult, error) {
		if err := positive(q.Amount); err != nil {
			return engine.TransferResult{}, err
		}
		return b.FundCollect(ctx, key, q)
	}))
	m.HandleFunc("POST /v1/credit-repayments", post(s, true, func(ctx context.Context, key string, q engine.RepayRequest) (engine.RepayResult, error) {
		if q.Mode == "" {
			if err := positive(q.Amount); err != nil {
				return engine.RepayResult{}, err
			}
		} else if q.Amount < 0 {
			return engine.RepayResult{}, fmt.Errorf("%w: amount: negative", engine.ErrInvalid)
		}
		return b.CreditRepay(ctx, key, q)
	}))
	m.HandleFunc("POST /v1/purchases", post(s, true, func(ctx context.Context, key string, q engine.PurchaseRequest) (engine.PurchaseResult, error) {
		if err := positive(q.Amount); err != nil {
			return engine.PurchaseResult{}, err
		}
		return b.BuyProduct(ctx, key, q)
	}))
	m.HandleFunc("POST /v1/topups", post(s, true, func(ctx context.Context, key string, q engine.TopupRequest) (engine.PaymentResult, error) {
		if err := positive(q.Amount); err != nil {
			return engine.PaymentResult{}, err
		}
		return b.PhoneTopup(ctx, key, q)
	}))
	m.HandleFunc("POST /v1/bill-payments", post(s, true, func(ctx context.Context, key string, q engine.BillRequest) (engine.PaymentResult, error) {
		if err := positive(q.Amount); err != nil {
			return engine.PaymentResult{}, err
		}
		return b.PayBill(ctx, key, q)
	}))
	// Branches and bookings.
	m.HandleFunc("GET /v1/branches", get(s, func(r *http.Request) (List[engine.Branch], error) {
		q := r.URL.Query()
		var bq engine.BranchQuery
		var err error
		if bq.Lat, err = queryFloat(q.Get("lat"), "lat", 90); err != nil {
			return List[engine.Branch]{}, err
		}
		if bq.Lng, err = queryFloat(q.Get("lng"), "lng", 180); err != nil {
			return List[engine.Branch]{}, err
		}
		if (q.Get("lat") == "") != (q.Get("lng") == "") {
			return List[engine.Branch]{}, fmt.Errorf("%w: lat and lng go together", engine.ErrInvalid)
		}
		if l := q.Get("limit"); l != "" {
			if bq.Limit, err = strconv.Atoi(l); err != nil || bq.Limit < 0 || bq.Limit > 1000 {
				return List[engine.Branch]{}, fmt.Errorf("%w: limit: want 0-1000", engine.ErrInvalid)
			}
		}
		bq.District = q.Get("district")
		bs, err := b.Branches(r.Context(), bq)
		return List[engine.Branch]{Items: nonNil(bs)}, err
	}))
	m.HandleFunc("GET /v1/branches/{id}/slots", get(s, func(r *http.Request) (List[time.Time], error) {
		day, err := queryDay(r.URL.Query().Get("date"))
		if err != nil {
			return List[time.Time]{}, err
		}
		ts, err := b.BookingSlots(r.Context(), r.PathValue("id"), day)
		return List[time.Time]{Items: nonNil(ts)}, err
	}))
	m.HandleFunc("POST /v1/bookings", post(s, true, func(ctx context.Context, key string, q engine.BookingRequest) (engine.Booking, error) {
		return b.Book(ctx, key, q)
	}))
	m.HandleFunc("DELETE /v1/bookings/{id}", func(w http.ResponseWriter, r *http.Request) {
		cust := r.URL.Query().Get("customer")
		if cust == "" {
			s.fail(w, r, fmt.Errorf("%w: query parameter customer is required", engine.ErrInvalid))
			return
		}
		if err := b.CancelBooking(r.Context(), cust, r.PathValue("id")); err != nil {
			s.fail(w, r, err)
			return
		}
		s.reply(w, r, http.StatusNoContent, nil)
	})
	// Products, billers, applications, card loss.
	m.HandleFunc("GET /v1/products", get(s, func(r *http.Request) (List[engine.Product], error) {
		ps, err := b.Products(r.Context())
		return List[engine.Product]{Items: nonNil(ps)}, err
	}))
	m.HandleFunc("GET /v1/billers", get(s, func(r *http.Request) (List[engine.Biller], error) {
		bs, err := b.Billers(r.Context())
		return List[engine.Biller]{Items: nonNil(bs)}, err
	}))
	m.HandleFunc("POST /v1/loan-applications", post(s, true, func(ctx context.Context, key string, q engine.LoanApplication) (engine.Application, error) {
		if err := positive(q.Amount); err != nil {
			return engine.Application{}, err
		}
		return b.ApplyLoan(ctx, key, q)
	}))
	m.HandleFunc("POST /v1/card-applications", post(s, true, func(ctx context.Context, key string, q engine.CardApplication) (engine.Application, error) {
		return b.ApplyCard(ctx, key, q)
	}))
	m.HandleFunc("POST /v1/card-losses", post(s, true, func(ctx context.Context, key string, q CardLossBody) (engine.CardLoss, error) {
		return b.ReportCardLost(ctx, key, q.Customer, q.Card)
	}))
	// One-time codes.
	m.HandleFunc("POST /v1/otp", post(s, false, func(ctx context.Context, _ string, q OTPBody) (created[OTPSent], error) {
		if len(q.Operation) == 0 {
			return created[OTPSent]{}, fmt.Errorf("%w: operation: the fields the code authorises are required", engine.ErrInvalid)
		}
		ch, err := b.SendOTP(ctx, engine.OTPRequest{Customer: q.Customer, Purpose: q.Purpose, Operation: OperationOf(q.Operation)})
		return created[OTPSent]{OTPSent{Challenge: ch}}, err
	}))
	m.HandleFunc("POST /v1/otp/verify", post(s, false, func(ctx context.Context, _ string, q VerifyBody) (struct{}, error) {
		if q.Challenge == "" || q.Code == "" {
			return struct{}{}, fmt.Errorf("%w: challenge and code are required", engine.ErrInvalid)
		}
		return struct{}{}, b.VerifyOTP(ctx, q.Challenge, q.Code)
	}))
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		// No route for this method and path: 405 when another method has one, else 404.
		var allow []string
		for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
			probe := r.Clone(r.Context())
			probe.Method = method
			if _, pattern := m.Handler(probe); pattern != "/" {
				allow = append(allow, method)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			s.write(w, r, http.StatusMethodNotAllowed, Error{Code: "invalid", Message: r.Method + " is not allowed on " + r.URL.Path})
			return
		}
		s.fail(w, r, fmt.Errorf("no route %s %s: %w", r.Method, r.URL.Path, engine.ErrNotFound))
	})
	return m
}

// created marks an answer sent with 201 Created.
type created[T any] struct{ v T }

func (c created[T]) body() any { return c.v }

// OperationOf reads the operation object of POST /v1/otp: the fields, with "name" taken out as
// the operation's name.
func OperationOf(flat map[string]string) engine.Operation {
	op := engine.Operation{Name: flat["name"], Fields: make(map[string]string, len(flat))}
	for k, v := range flat {
		if k != "name" {
			op.Fields[k] = v
		}
	}
	return op
}

// FlatOperation is the operation object of POST /v1/otp for op: its fields and its name.
func FlatOperation(op engine.Operation) map[string]string {
	flat := make(map[string]string, len(op.Fields)+1)
	for k, v := range op.Fields {
		flat[k] = v
	}
	if op.Name != "" {
		flat["name"] = op.Name
	}
	return flat
}

func positive(m engine.Money) error {
	if m <= 0 {
		return fmt.Errorf("%w: amount: must be positive", engine.ErrInvalid)
	}
	if m > yuan.Max {
		return fmt.Errorf("%w: amount: too large", engine.ErrInvalid)
	}
	return nil
}

// get serves a GET whose answer is one value.
func get[T any](s *server, call func(r *http.Request) (T, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := call(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.reply(w, r, http.StatusOK, v)
	}
}

// list serves GET /v1/customers/{id}/...: a customer-scoped list.
func list[T any](s *server, call func(ctx context.Context, customer string) ([]T, error)) http.HandlerFunc {
	return get(s, func(r *http.Request) (List[T], error) {
		v, err := call(r.Context(), r.PathValue("id"))
		return List[T]{Items: nonNil(v)}, err
	})
}

// post serves a POST with a JSON body; keyed ones need the Idempotency-Key header.
func post[Q, T any](s *server, keyed bool, call func(ctx context.Context, key string, q Q) (T, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get(KeyHeader)
		if keyed && (key == "" || len(key) > 255) {
			s.fail(w, r, fmt.Errorf("%w: header %s with 1-255 characters is required", engine.ErrInvalid, KeyHeader))
			return
		}
		data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				s.write(w, r, http.StatusRequestEntityTooLarge, Error{Code: "invalid", Message: fmt.Sprintf("body larger than %d bytes", MaxBody)})
				return
			}
			s.fail(w, r, fmt.Errorf("%w: reading body: %w", engine.ErrInvalid, err))
			return
		}
		var q Q
		if err := Unmarshal(data, &q); err != nil {
			s.fail(w, r, err)
			return
		}
		v, err := call(r.Context(), key, q)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if _, empty := any(v).(struct{}); empty {
			s.reply(w, r, http.StatusNoContent, nil)
			return
		}
		if c, ok := any(v).(interface{ body() any }); ok {
			s.reply(w, r, http.StatusCreated, c.body())
			return
		}
		s.reply(w, r, http.StatusOK, v)
	}
}

func (s *server) reply(w http.ResponseWriter, r *http.Request, status int, v any) {
	if v == nil {
		w.WriteHeader(status)
		s.log.Debug("bank api", "caller", Caller(r), "method", r.Method, "path", r.URL.Path, "status", status)
		return
	}
	data, err := Marshal(v)
	if err != nil {
		s.fail(w, r, fmt.Errorf("encoding reply: %w", err))
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(append(data, '\n'))
	s.log.Debug("bank api", "caller", Caller(r), "method", r.Method, "path", r.URL.Path, "status", status)
}

func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	code, status := CodeOf(err)
	msg := err.Error()
	if status >= 500 {
		s.log.Error("bank api", "caller", Caller(r), "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
		if code == rejected {
			msg = "internal error"
		}
	}
	s.write(w, r, status, Error{Code: code, Message: msg})
}

func (s *server) write(w http.ResponseWriter, r *http.Request, status int, e Error) {
	data, _ := Marshal(e)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(append(data, '\n'))
	if status < 500 {
		s.log.Debug("bank api", "method", r.Method, "path", r.URL.Path, "status", status, "code", e.Code)
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func queryTime(s, name string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %s: %q is not an RFC 3339 time", engine.ErrInvalid, name, s)
	}
	return t, nil
}

// shanghai is UTC+8, the zone of calendar dates on the wire.
var shanghai = time.FixedZone("Asia/Shanghai", 8*3600)

// queryDay reads a date, YYYY-MM-DD in Asia/Shanghai, or an RFC 3339 time.
func queryDay(s string) (time.Time, error) {
	if t, err := time.ParseInLocation("2006-01-02", s, shanghai); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%w: date: %q: want YYYY-MM-DD", engine.ErrInvalid, s)
}

func queryFloat(s, name string, limit float64) (float64, error) {
	if s == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.Abs(f) > limit {
		return 0, fmt.Errorf("%w: %s: %q is not a coordinate", engine.ErrInvalid, name, s)
	}
	return f, nil
}
