package bankapi_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/weiyin-bank/weiyin/adapters/bank/bankapi"
	"github.com/weiyin-bank/weiyin/adapters/bank/sandbox"
	"github.com/weiyin-bank/weiyin/adapters/bank/sandbox/sandboxtest"
	"github.com/weiyin-bank/weiyin/engine"
)

func newServer(t *testing.T) *httptest.Server {
	b, _ := sandboxtest.Open(t, sandbox.Options{OTPPolicy: sandboxtest.ManyCodes})
	srv := httptest.NewServer(bankapi.NewHandler(b, bankapi.ServerOptions{Logger: slog.New(slog.DiscardHandler)}))
	t.Cleanup(srv.Close)
	return srv
}

func do(t *testing.T, srv *httptest.Server, method, path, key, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set(bankapi.KeyHeader, key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

const transfer = `{"customer":"C001","from_account":"A001","to_account":"A003","amount":"500.00"}`

func TestBadInput(t *testing.T) {
	srv := newServer(t)
	tests := []struct {
		ensures      string
		method, path string
		key, body    string
		status       int
		code         string
	}{
		{"a money-moving POST without Idempotency-Key is 400", "POST", "/v1/transfers", "", transfer, 400, "invalid"},
		{"a key longer than 255 bytes is 400", "POST", "/v1/transfers", strings.Repeat("k", 256), transfer, 400, "invalid"},
		{"malformed JSON is 400", "POST", "/v1/transfers", "k1", `{"customer":`, 400, "invalid"},
		{"trailing data after JSON is 400", "POST", "/v1/transfers", "k1", transfer + `{}`, 400, "invalid"},
		{"an unknown field is 400", "POST", "/v1/transfers", "k1", `{"customer":"C001","amount":"1.00","colour":"red"}`, 400, "invalid"},
		{"an amount as a JSON number is 400", "POST", "/v1/transfers", "k1", `{"customer":"C001","from_account":"A001","to_account":"A003","amount":500}`, 400, "invalid"},
		{"an amount with three decimals is 400", "POST", "/v1/transfers", "k1", `{"customer":"C001","from_account":"A001","to_account":"A003","amount":"1.001"}`, 400, "invalid"},
		{"a negative amount is 400", "POST", "/v1/transfers", "k1", `{"customer":"C001","from_account":"A001","to_account":"A003","amount":"-5.00"}`, 400, "invalid"},
		{"a zero amount is 400", "POST", "/v1/topups", "k1", `{"customer":"C001","phone":"13812345678","from_account":"A001","amount":"0"}`, 400, "invalid"},
		{"an absurd amount is 400", "POST", "/v1/transfers", "k1", `{"customer":"C001","from_account":"A001","to_account":"A003","amount":"1e30"}`, 400, "invalid"},
		{"an amount beyond the maximum is 400", "POST", "/v1/transfers", "k1", `{"customer":"C001","from_account":"A001","to_account":"A003","amount":"99999999999999.00"}`, 400, "invalid"},
		{"an oversized body is 413", "POST", "/v1/transfers", "k1", `{"memo":"` + strings.Repeat("x", bankapi.MaxBody) + `"}`, 413, "invalid"},
		{"an empty body is 400", "POST", "/v1/bookings", "k1", ``, 400, "invalid"},
		{"an unknown account is 404", "POST", "/v1/transfers", "k6", `{"customer":"C001","from_account":"A999","to_account":"A003","amount":"1.00"}`, 404, "not_found"},
		{"another customer's account is 404", "POST", "/v1/transfers", "k7", `{"customer":"C001","from_account":"A003","to_account":"A001","amount":"1.00"}`, 404, "not_found"},
		{"another customer's transactions are 404", "GET", "/v1/accounts/A003/transactions?customer=C001", "", "", 404, "not_found"},
		{"transactions without a customer are 400", "GET", "/v1/accounts/A001/transactions", "", "", 400, "invalid"},
		{"a bad from time is 400", "GET", "/v1/accounts/A001/transactions?customer=C001&from=yesterday", "", "", 400, "invalid"},
		{"an unknown customer is 404", "GET", "/v1/customers/C999/accounts", "", "", 404, "not_found"},
		{"an unbound openid is 404", "GET", "/v1/openids/nobody/customer", "", "", 404, "not_found"},
		{"insufficient funds is 422", "POST", "/v1/transfers", "k2", `{"customer":"C005","from_account":"A007","to_account":"A001","amount":"126.31"}`, 422, "insufficient_funds"},
		{"over the daily limit is 422", "POST", "/v1/transfers", "k3", `{"customer":"C001","from_account":"A001","to_account":"A003","amount":"50000.01"}`, 422, "over_limit"},
		{"an unknown payee is 422", "POST", "/v1/transfers", "k4", `{"customer":"C001","from_account":"A001","to_account":"6200000000000000","amount":"1.00"}`, 422, "unknown_payee"},
		{"a transfer with a challenge that was never sent is 403", "POST", "/v1/transfers", "k5", `{"customer":"C001","from_account":"A001","to_account":"A003","amount":"1.00","challenge":"never"}`, 403, "verification_required"},
		{"a latitude out of range is 400", "GET", "/v1/branches?lat=91&lng=121", "", "", 400, "invalid"},
		{"a latitude without longitude is 400", "GET", "/v1/branches?lat=31", "", "", 400, "invalid"},
		{"a bad limit is 400", "GET", "/v1/branches?limit=-1", "", "", 400, "invalid"},
		{"a bad date is 400", "GET", "/v1/branches/BR001/slots?date=tomorrow", "", "", 400, "invalid"},
		{"a weekend day at a weekday branch is 422 closed", "GET", "/v1/branches/BR002/slots?date=2026-11-28", "", "", 422, "closed"},
		{"cancelling without a customer is 400", "DELETE", "/v1/bookings/BK1", "", "", 400, "invalid"},
		{"cancelling an unknown booking is 404", "DELETE", "/v1/bookings/BK1?customer=C001", "", "", 404, "not_found"},
		{"an unknown path is 404", "GET", "/v1/nothing", "", "", 404, "not_found"},
		{"a wrong method is 405", "PUT", "/v1/products", "", "", 405, "invalid"},
		{"a code without an operation is 400", "POST", "/v1/otp", "", `{"customer":"C001","purpose":"x"}`, 400, "invalid"},
		{"a code with a number in the operation is 400", "POST", "/v1/otp", "", `{"customer":"C001","operation":{"amount":5}}`, 400, "invalid"},
		{"a code for an unknown customer is 404", "POST", "/v1/otp", "", `{"customer":"C999","operation":{"amount":"5"}}`, 404, "not_found"},
		{"a binding code for a card that does not exist is 404", "POST", "/v1/otp", "", `{"customer":"","operation":{"name":"bind","card_no":"6200000000000000","phone":"13900001111","openid":"o_x"}}`, 404, "not_found"},
		{"a binding code for a phone not on file is 422", "POST", "/v1/otp", "", `{"customer":"","operation":{"name":"bind","card_no":"6217880100002233","phone":"13800000000","openid":"o_x"}}`, 422, "no_match"},
		{"verifying without a code is 400", "POST", "/v1/otp/verify", "", `{"challenge":"x"}`, 400, "invalid"},
		{"verifying an unknown challenge is 404", "POST", "/v1/otp/verify", "", `{"challenge":"x","code":"123456"}`, 404, "not_found"},
		{"binding with a wrong phone and no challenge says nothing about the phone", "POST", "/v1/bindings", "", `{"openid":"o_x","card_number":"6217880100002233","phone":"13800000000"}`, 403, "verification_required"},
		{"nor about the card", "POST", "/v1/bindings", "", `{"openid":"o_x","card_number":"6200000000000000","phone":"13800000000"}`, 403, "verification_required"},
		{"binding without a challenge is 403", "POST", "/v1/bindings", "", `{"openid":"o_x","card_number":"6217880100002233","phone":"13900001111"}`, 403, "verification_required"},
		{"a key reused for another request is 409", "POST", "/v1/transfers", "k1", `{"customer":"C001","from_account":"A001","to_account":"A004","amount":"1.00"}`, 409, "idempotency_reuse"},
	}
	// k1 first carries a good transfer, so the last case reuses it.
	if status, body := do(t, srv, "POST", "/v1/transfers", "k1", withChallenge(t, srv, "/v1/transfers", transfer)); status != 200 {
		t.Fatalf("good transfer: %d %s", status, body)
	}
	for _, tc := range tests {
		body := tc.body
		if tc.code != "verification_required" {
			body = withChallenge(t, srv, tc.path, body) // the errors after verification
		}
		status, body := do(t, srv, tc.method, tc.path, tc.key, body)
		var e bankapi.Error
		if err := json.Unmarshal([]byte(body), &e); err != nil || status != tc.status || e.Code != tc.code || e.Message == "" {
			t.Errorf("%s: %d %s, want %d with code %q", tc.ensures, status, strings.TrimSpace(body), tc.status, tc.code)
		}
	}
}

func TestWire(t *testing.T) {
	srv := newServer(t)
	// Ensure amounts are decimal strings on the wire and a repeat returns the same body.
	signed := withChallenge(t, srv, "/v1/transfers", transfer)
	status, first := do(t, srv, "POST", "/v1/transfers", "w1", signed)
	if status != 200 || !strings.Contains(first, `"amount":"500.00"`) || !strings.Contains(first, `"balance":"51880.50"`) {
		t.Fatalf("transfer: %d %s", status, first)
	}
	if _, again := do(t, srv, "POST", "/v1/transfers", "w1", signed); again != first {
		t.Errorf("repeat body differs:\n%s\n%s", first, again)
	}
	status, body := do(t, srv, "GET", "/v1/customers/C001/accounts", "", "")
	if status != 200 || !strings.Contains(body, `"balance":"51880.50"`) || !strings.Contains(body, `"daily_limit":"50000.00"`) {
		t.Errorf("accounts: %d %s", status, body)
	}
	// Ensure a code is sent with 201 and a challenge, verified with 204; cancelling twice is fine.
	status, body = do(t, srv, "POST", "/v1/otp", "", `{"customer":"C001","purpose":"t","operation":{"name":"transfer","from_account":"A001","to_account":"A003","amount":"1"}}`)
	var sent bankapi.OTPSent
	if json.Unmarshal([]byte(body), &sent); status != 201 || sent.Challenge == "" {
		t.Errorf("send otp: %d %s", status, body)
	}
	if status, body := do(t, srv, "POST", "/v1/otp/verify", "", `{"challenge":"`+sent.Challenge+`","code":"123456"}`); status != 204 {
		t.Errorf("verify otp: %d %s", status, body)
	}
	status, body = do(t, srv, "POST", "/v1/bookings", "b1", `{"customer":"C001","branch":"BR001","time":"2026-11-26T10:00:00+08:00","business":"开户"}`)
	var bk struct{ ID string }
	json.Unmarshal([]byte(body), &bk)
	if status != 200 || bk.ID == "" {
		t.Fatalf("book: %d %s", status, body)
	}
	for i := 0; i < 2; i++ {
		if status, body := do(t, srv, "DELETE", "/v1/bookings/"+bk.ID+"?customer=C001", "", ""); status != 204 {
			t.Errorf("cancel %d: %d %s", i, status, body)
		}
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	// Ensure nested money fields convert both ways and other numbers are left alone.
	type item struct {
		Amount int64 `json:"amount"`
		Points int64 `json:"points"`
	}
	in := bankapi.List[item]{Items: []item{{Amount: 12345, Points: 7}, {Amount: -5, Points: 0}}}
	data, err := bankapi.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"items":[{"amount":"123.45","points":7},{"amount":"-0.05","points":0}]}`; string(data) != want {
		t.Fatalf("Marshal = %s, want %s", data, want)
	}
	var out bankapi.List[item]
	if err := bankapi.Unmarshal(data, &out); err != nil || out.Items[0] != in.Items[0] || out.Items[1] != in.Items[1] {
		t.Fatalf("Unmarshal = %+v, %v", out, err)
	}
}

func FuzzUnmarshal(f *testing.F) {
	f.Add([]byte(transfer))
	f.Add([]byte(`{"amount":"1.5","items":[{"balance":"0.01"}]}`))
	f.Add([]byte(`{"amount":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var v engine.TransferRequest
		if err := bankapi.Unmarshal(data, &v); err != nil {
			return
		}
		// Ensure what decodes encodes and decodes again to the same value.
		again, err := bankapi.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var w engine.TransferRequest
		if err := bankapi.Unmarshal(again, &w); err != nil || w != v {
			t.Fatalf("round trip: %+v -> %s -> %+v, %v", v, again, w, err)
		}
	})
}

// moneyPaths are the money-moving POSTs: they need a challenge.
var moneyPaths = map[string]bool{"/v1/transfers": true, "/v1/fund-collections": true, "/v1/credit-repayments": true,
	"/v1/purchases": true, "/v1/topups": true, "/v1/bill-payments": true}

// withChallenge adds to a money-moving request body a challenge verified for its fields
// (an operation without a name, as the API allows), when the body is a JSON object the
// bank accepts a code for; otherwise it returns the body unchanged.
func withChallenge(t *testing.T, srv *httptest.Server, path, body string) string {
	t.Helper()
	var fields map[string]any
	if !moneyPaths[path] || json.Unmarshal([]byte(body), &fields) != nil {
		return body
	}
	customer, _ := fields["customer"].(string)
	delete(fields, "customer")
	req, _ := json.Marshal(map[string]any{"customer": customer, "purpose": "test", "operation": fields})
	status, answer := do(t, srv, "POST", "/v1/otp", "", string(req))
	var sent bankapi.OTPSent
	if status != 201 || json.Unmarshal([]byte(answer), &sent) != nil {
		return body
	}
	if status, answer := do(t, srv, "POST", "/v1/otp/verify", "", `{"challenge":"`+sent.Challenge+`","code":"`+sandboxtest.OTP+`"}`); status != 204 {
		t.Fatalf("verify: %d %s", status, answer)
	}
	fields["customer"], fields["challenge"] = customer, sent.Challenge
	out, _ := json.Marshal(fields)
	return string(out)
}
