package httpbank

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/weiyin-bank/weiyin/adapters/bank/bankapi"
	"github.com/weiyin-bank/weiyin/engine"
)

// get decodes a GET answer into a T.
func get[T any](ctx context.Context, c *Client, path string, q url.Values) (T, error) {
	var v T
	err := c.do(ctx, call{method: http.MethodGet, path: path, query: q}, &v)
	return v, err
}

// items decodes a list answer.
func items[T any](ctx context.Context, c *Client, path string, q url.Values) ([]T, error) {
	l, err := get[bankapi.List[T]](ctx, c, path, q)
	return l.Items, err
}

// post sends a POST; key "" makes it unrepeatable.
func post[T any](ctx context.Context, c *Client, path, key string, body any) (T, error) {
	var v T
	err := c.do(ctx, call{method: http.MethodPost, path: path, key: key, body: body}, &v)
	return v, err
}

// keyed sends a money-moving POST; an empty key is refused before sending.
func keyed[T any](ctx context.Context, c *Client, path, key string, body any) (T, error) {
	if key == "" {
		var zero T
		return zero, fmt.Errorf("httpbank: %s: %w: idempotency key required", path, engine.ErrInvalid)
	}
	return post[T](ctx, c, path, key, body)
}

// CustomerByOpenID implements engine.Bank: GET /v1/openids/{openid}/customer.
func (c *Client) CustomerByOpenID(ctx context.Context, openid string) (engine.Customer, error) {
	return get[engine.Customer](ctx, c, "/v1/openids/"+seg(openid)+"/customer", nil)
}

// Customer implements engine.Bank: GET /v1/customers/{id}.
func (c *Client) Customer(ctx context.Context, id string) (engine.Customer, error) {
	return get[engine.Customer](ctx, c, "/v1/customers/"+seg(id), nil)
}

// Bind implements engine.Bank: POST /v1/bindings.
func (c *Client) Bind(ctx context.Context, openid, cardNo, phone, challenge string) (engine.Customer, error) {
	return post[engine.Customer](ctx, c, "/v1/bindings", "", bankapi.BindBody{OpenID: openid, CardNo: cardNo, Phone: phone, Challenge: challenge})
}

// Accounts implements engine.Bank: GET /v1/customers/{customer}/accounts.
func (c *Client) Accounts(ctx context.Context, customer string) ([]engine.Account, error) {
	return items[engine.Account](ctx, c, "/v1/customers/"+seg(customer)+"/accounts", nil)
}

// Transactions implements engine.Bank: GET /v1/accounts/{account}/transactions.
func (c *Client) Transactions(ctx context.Context, customer, account string, from, to time.Time) ([]engine.Transaction, error) {
	q := url.Values{"customer": {customer}}
	if !from.IsZero() {
		q.Set("from", from.Format(time.RFC3339Nano))
	}
	if !to.IsZero() {
		q.Set("to", to.Format(time.RFC3339Nano))
	}
	return items[engine.Transaction](ctx, c, "/v1/accounts/"+seg(account)+"/transactions", q)
}

// Contacts implements engine.Bank: GET /v1/customers/{customer}/contacts.
func (c *Client) Contacts(ctx context.Context, customer string) ([]engine.Contact, error) {
	return items[engine.Contact](ctx, c, "/v1/customers/"+seg(customer)+"/contacts", nil)
}

// Transfer implements engine.Bank: POST /v1/transfers.
func (c *Client) Transfer(ctx context.Context, key string, req engine.TransferRequest) (engine.TransferResult, error) {
	return keyed[engine.TransferResult](ctx, c, "/v1/transfers", key, req)
}

// OtherBankCards implements engine.Bank: GET /v1/customers/{customer}/other-bank-cards.
func (c *Client) OtherBankCards(ctx context.Context, customer string) ([]engine.OtherBankCard, error) {
	return items[engine.OtherBankCard](ctx, c, "/v1/customers/"+seg(customer)+"/other-bank-cards", nil)
}

// FundCollect implements engine.Bank: POST /v1/fund-collections.
func (c *Client) FundCollect(ctx context.Context, key string, req engine.CollectRequest) (engine.TransferResult, error) {
	return keyed[engine.TransferResult](ctx, c, "/v1/fund-collections", key, req)
}

// CreditCards implements engine.Bank: GET /v1/customers/{customer}/credit-cards.
func (c *Client) CreditCards(ctx context.Context, customer string) ([]engine.CreditCard, error) {
	return items[engine.CreditCard](ctx, c, "/v1/customers/"+seg(customer)+"/credit-cards", nil)
}

// CreditRepay implements engine.Bank: POST /v1/credit-repayments.
func (c *Client) CreditRepay(ctx context.Context, key string, req engine.RepayRequest) (engine.RepayResult, error) {
	return keyed[engine.RepayResult](ctx, c, "/v1/credit-repayments", key, req)
}

// Branches implements engine.Bank: GET /v1/branches.
func (c *Client) Branches(ctx context.Context, q engine.BranchQuery) ([]engine.Branch, error) {
	v := url.Values{}
	if q.Lat != 0 || q.Lng != 0 {
		v.Set("lat", strconv.FormatFloat(q.Lat, 'f', -1, 64))
		v.Set("lng", strconv.FormatFloat(q.Lng, 'f', -1, 64))
	}
	if q.District != "" {
		v.Set("district", q.District)
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	return items[engine.Branch](ctx, c, "/v1/branches", v)
}

// BookingSlots implements engine.Bank: GET /v1/branches/{branch}/slots.
func (c *Client) BookingSlots(ctx context.Context, branch string, day time.Time) ([]time.Time, error) {
	q := url.Values{"date": {day.In(shanghai).Format("2006-01-02")}}
	return items[time.Time](ctx, c, "/v1/branches/"+seg(branch)+"/slots", q)
}

// Book implements engine.Bank: POST /v1/bookings.
func (c *Client) Book(ctx context.Context, key string, req engine.BookingRequest) (engine.Booking, error) {
	return keyed[engine.Booking](ctx, c, "/v1/bookings", key, req)
}

// Bookings implements engine.Bank: GET /v1/customers/{customer}/bookings.
func (c *Client) Bookings(ctx context.Context, customer string) ([]engine.Booking, error) {
	return items[engine.Booking](ctx, c, "/v1/customers/"+seg(customer)+"/bookings", nil)
}

// CancelBooking implements engine.Bank: DELETE /v1/bookings/{booking}.
func (c *Client) CancelBooking(ctx context.Context, customer, booking string) error {
	return c.do(ctx, call{method: http.MethodDelete, path: "/v1/bookings/" + seg(booking), query: url.Values{"customer": {customer}}}, nil)
}

// Advisor implements engine.Bank: GET /v1/customers/{customer}/advisor.
func (c *Client) Advisor(ctx context.Context, customer string) (engine.Advisor, error) {
	return get[engine.Advisor](ctx, c, "/v1/customers/"+seg(customer)+"/advisor", nil)
}

// Products implements engine.Bank: GET /v1/products.
func (c *Client) Products(ctx context.Context) ([]engine.Product, error) {
	return items[engine.Product](ctx, c, "/v1/products", nil)
}

// Holdings implements engine.Bank: GET /v1/customers/{customer}/holdings.
func (c *Client) Holdings(ctx context.Context, customer string) ([]engine.Holding, error) {
	return items[engine.Holding](ctx, c, "/v1/customers/"+seg(customer)+"/holdings", nil)
}

// BuyProduct implements engine.Bank: POST /v1/purchases.
func (c *Client) BuyProduct(ctx context.Context, key string, req engine.PurchaseRequest) (engine.PurchaseResult, error) {
	return keyed[engine.PurchaseResult](ctx, c, "/v1/purchases", key, req)
}

// PhoneTopup implements engine.Bank: POST /v1/topups.
func (c *Client) PhoneTopup(ctx context.Context, key string, req engine.TopupRequest) (engine.PaymentResult, error) {
	return keyed[engine.PaymentResult](ctx, c, "/v1/topups", key, req)
}

// Billers implements engine.Bank: GET /v1/billers.
func (c *Client) Billers(ctx context.Context) ([]engine.Biller, error) {
	return items[engine.Biller](ctx, c, "/v1/billers", nil)
}

// PayBill implements engine.Bank: POST /v1/bill-payments.
func (c *Client) PayBill(ctx context.Context, key string, req engine.BillRequest) (engine.PaymentResult, error) {
	return keyed[engine.PaymentResult](ctx, c, "/v1/bill-payments", key, req)
}

// ApplyLoan implements engine.Bank: POST /v1/loan-applications.
func (c *Client) ApplyLoan(ctx context.Context, key string, req engine.LoanApplication) (engine.Application, error) {
	return keyed[engine.Application](ctx, c, "/v1/loan-applications", key, req)
}

// ApplyCard implements engine.Bank: POST /v1/card-applications.
func (c *Client) ApplyCard(ctx context.Context, key string, req engine.CardApplication) (engine.Application, error) {
	return keyed[engine.Application](ctx, c, "/v1/card-applications", key, req)
}

// ReportCardLost implements engine.Bank: POST /v1/card-losses.
func (c *Client) ReportCardLost(ctx context.Context, key string, customer, card string) (engine.CardLoss, error) {
	return keyed[engine.CardLoss](ctx, c, "/v1/card-losses", key, bankapi.CardLossBody{Customer: customer, Card: card})
}

// SendOTP implements engine.Bank: POST /v1/otp.
func (c *Client) SendOTP(ctx context.Context, req engine.OTPRequest) (string, error) {
	sent, err := post[bankapi.OTPSent](ctx, c, "/v1/otp", "", bankapi.OTPBody{Customer: req.Customer, Purpose: req.Purpose,
		Operation: bankapi.FlatOperation(req.Operation)})
	if err == nil && sent.Challenge == "" {
		err = fmt.Errorf("httpbank: POST /v1/otp: %w: answer without a challenge", engine.ErrUnavailable)
	}
	return sent.Challenge, err
}

// VerifyOTP implements engine.Bank: POST /v1/otp/verify.
func (c *Client) VerifyOTP(ctx context.Context, challenge, code string) error {
	_, err := post[struct{}](ctx, c, "/v1/otp/verify", "", bankapi.VerifyBody{Challenge: challenge, Code: code})
	return err
}

var shanghai = time.FixedZone("Asia/Shanghai", 8*3600)
