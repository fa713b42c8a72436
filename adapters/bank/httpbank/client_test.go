package httpbank_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weiyin-bank/weiyin/adapters/bank/bankapi"
	"github.com/weiyin-bank/weiyin/adapters/bank/httpbank"
	"github.com/weiyin-bank/weiyin/adapters/bank/sandbox"
	"github.com/weiyin-bank/weiyin/adapters/bank/sandbox/sandboxtest"
	"github.com/weiyin-bank/weiyin/engine"
	"github.com/weiyin-bank/weiyin/engine/enginetest"
)

var ctx = context.Background()

var quiet = slog.New(slog.DiscardHandler)

// served starts the REST API over a fresh test sandbox, with an optional middleware in front.
func served(t *testing.T, mw func(http.Handler) http.Handler) (*sandbox.Bank, *httptest.Server) {
	t.Helper()
	b, _ := sandboxtest.Open(t, sandbox.Options{OTPPolicy: sandboxtest.ManyCodes})
	var h http.Handler = bankapi.NewHandler(b, bankapi.ServerOptions{Logger: quiet})
	if mw != nil {
		h = mw(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return b, srv
}

func client(t *testing.T, url string, o httpbank.Options) *httpbank.Client {
	t.Helper()
	if o.BackoffBase == 0 {
		o.BackoffBase = time.Millisecond
	}
	c, err := httpbank.New(url, o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestParity runs every operation, successes and failures, on the sandbox directly and
// through the client and the REST API on a second sandbox: answers and error codes must be
// the same.
func TestParity(t *testing.T) {
	direct, _ := sandboxtest.Open(t, sandbox.Options{OTPPolicy: sandboxtest.ManyCodes})
	_, srv := served(t, nil)
	remote := client(t, srv.URL, httpbank.Options{})
	day := time.Date(2026, 11, 26, 0, 0, 0, 0, sandbox.Shanghai)
	booked := map[engine.Bank]string{}     // booking id per bank, for the cancel
	challenges := map[engine.Bank]string{} // binding challenge per bank
	calls := []struct {
		name string
		call func(b engine.Bank) (any, error)
	}{
		{"customer by openid", func(b engine.Bank) (any, error) { return b.CustomerByOpenID(ctx, "o_demo_1") }},
		{"unbound openid", func(b engine.Bank) (any, error) { return b.CustomerByOpenID(ctx, "o_none") }},
		{"customer", func(b engine.Bank) (any, error) { return b.Customer(ctx, "C002") }},
		{"accounts", func(b engine.Bank) (any, error) { return b.Accounts(ctx, "C001") }},
		{"accounts of nobody", func(b engine.Bank) (any, error) { return b.Accounts(ctx, "C999") }},
		{"transactions", func(b engine.Bank) (any, error) {
			return b.Transactions(ctx, "C001", "A001", time.Date(2026, 11, 1, 0, 0, 0, 0, sandbox.Shanghai), time.Time{})
		}},
		{"transactions of another's account", func(b engine.Bank) (any, error) {
			return b.Transactions(ctx, "C001", "A003", time.Time{}, time.Time{})
		}},
		{"contacts", func(b engine.Bank) (any, error) { return b.Contacts(ctx, "C001") }},
		{"no contacts", func(b engine.Bank) (any, error) { return b.Contacts(ctx, "C003") }},
		{"transfer", func(b engine.Bank) (any, error) {
			return sandboxtest.Verified(b).Transfer(ctx, "t1", engine.TransferRequest{Customer: "C001", FromAccount: "A001", ToAccount: "6214830212345678", ToName: "王芳", Amount: 1234_56, Memo: "房租"})
		}},
		{"transfer repeated", func(b engine.Bank) (any, error) {
			return sandboxtest.Verified(b).Transfer(ctx, "t1", engine.TransferRequest{Customer: "C001", FromAccount: "A001", ToAccount: "6214830212345678", ToName: "王芳", Amount: 1234_56, Memo: "房租"})
		}},
		{"transfer key reused", func(b engine.Bank) (any, error) {
			return sandboxtest.Verified(b).Transfer(ctx, "t1", engine.TransferRequest{Customer: "C001", FromAccount: "A001", ToAccount: "A003", Amount: 1})
		}},
		{"transfer without key", func(b engine.Bank) (any, error) {
			return sandboxtest.Verified(b).Transfer(ctx, "", engine.TransferRequest{Customer: "C001", FromAccount: "A001", ToAccount: "A003", Amount: 1})
		}},
		{"transfer insufficient", func(b engine.Bank) (any, error) {
			return sandboxtest.Verified(b).Transfer(ctx, "t2", engine.TransferRequest{Customer: "C005", FromAccount: "A007", ToAccount: "A001", Amount: 1000_00})
		}},
		{"transfer over limit", func(b engine.Bank) (any, error) {
			return sandboxtest.Verified(b).Transfer(ctx, "t3", engine.TransferRequest{Customer: "C001", FromAccount: "A001", ToAccount: "A003", Amount: 49000_00})
		}},
		{"transfer unknown payee", func(b engine.Bank) (any, error) {
			return sandboxtest.Verified(b).Transfer(ctx, "t4", engine.TransferRequest{Customer: "C001", FromAccount: "A001", ToAccount: "123456789", Amount: 1})
		}},
		{"other bank cards", func(b engine.Bank) (any, error) { return b.OtherBankCards(ctx, "C001") }},
		{"fund collect", func(b engine.Bank) (any, error) {
			return sandboxtest.Verified(b).FundCollect(ctx, "f1", engine.CollectRequest{Customer: "C001", Card: "6214830298761234", ToAccount: "A001", Amount: 5000_00})
		}},
		{"credit cards", func(b engine.Bank) (any, error) { return b.CreditCards(ctx, "C001") }},
		{"repay minimum", func(b engine.Bank) (any, error) {
			return sandboxtest.Verified(b).CreditRepay(ctx, "r1", engine.RepayRequest{Customer: "C001", Card: "CC01", FromAccount: "A001", Mode: "minimum"})
		}},
		{"repay nothing due", func(b engine.Bank) (any, error) {
			return sandboxtest.Verified(b).CreditRepay(ctx, "r2", engine.RepayRequest{Customer: "C003", Card: "CC02", FromAccount: "A004", Mode: "full"})
		}},
		{"branches near", func(b engine.Bank) (any, error) {
			return b.Branches(ctx, engine.BranchQuery{Lat: 31.2397, Lng: 121.4998, Limit: 4})
		}},
		{"branches in a district", func(b engine.Bank) (any, error) { return b.Branches(ctx, engine.BranchQuery{District: "闵行"}) }},
		{"slots", func(b engine.Bank) (any, error) { return b.BookingSlots(ctx, "BR001", day) }},
		{"slots closed", func(b engine.Bank) (any, error) { return b.BookingSlots(ctx, "BR002", day.AddDate(0, 0, 2)) }},
		{"book", func(b engine.Bank) (any, error) {
			bk, err := b.Book(ctx, "b1", engine.BookingRequest{Customer: "C001", Branch: "BR001", Time: day.Add(10 * time.Hour), Business: "理财咨询"})
			booked[b] = bk.ID
			return bk, err
		}},
		{"book in the past", func(b engine.Bank) (any, error) {
			return b.Book(ctx, "b2", engine.BookingRequest{Customer: "C001", Branch: "BR001", Time: day.Add(-20 * time.Hour)})
		}},
		{"cancel", func(b engine.Bank) (any, error) { return "cancelled", b.CancelBooking(ctx, "C001", booked[b]) }},
		{"cancel unknown", func(b engine.Bank) (any, error) { return nil, b.CancelBooking(ctx, "C001", "BK0") }},
		{"advisor", func(b engine.Bank) (any, error) { return b.Advisor(ctx, "C001") }},
		{"no advisor", func(b engine.Bank) (any, error) { return b.Advisor(ctx, "C003") }},
		{"products", func(b engine.Bank) (any, error) { return b.Products(ctx) }},
		{"buy", func(b engine.Bank) (any, error) {
			return sandboxtest.Verified(b).BuyProduct(ctx, "p1", engine.PurchaseRequest{Customer: "C001", Product: "P001", FromAccount: "A001", Amount: 1000_00})
		}},
		{"buy below minimum", func(b engine.Bank) (any, error) {
			return sandboxtest.Verified(b).BuyProduct(ctx, "p2", engine.PurchaseRequest{Customer: "C001", Product: "P003", FromAccount: "A001", Amount: 1000_00})
		}},
		{"holdings", func(b engine.Bank) (any, error) { return b.Holdings(ctx, "C001") }},
		{"top-up", func(b engine.Bank) (any, error) {
			return sandboxtest.Verified(b).PhoneTopup(ctx, "u1", engine.TopupRequest{Customer: "C001", Phone: "13012345678", FromAccount: "A001", Amount: 50_00})
		}},
		{"billers", func(b engine.Bank) (any, error) { return b.Billers(ctx) }},
		{"pay bill", func(b engine.Bank) (any, error) {
			return sandboxtest.Verified(b).PayBill(ctx, "bp1", engine.BillRequest{Customer: "C001", Biller: "BL04", BillAccount: "LJ123456", FromAccount: "A001", Amount: 320_00})
		}},
		{"loan", func(b engine.Bank) (any, error) {
			return b.ApplyLoan(ctx, "l1", engine.LoanApplication{Customer: "C001", Amount: 100000_00, Months: 24, Purpose: "装修"})
		}},
		{"loan not eligible", func(b engine.Bank) (any, error) {
			return b.ApplyLoan(ctx, "l2", engine.LoanApplication{Customer: "C001", Amount: 900000_00, Months: 24})
		}},
		{"card application", func(b engine.Bank) (any, error) {
			return b.ApplyCard(ctx, "c1", engine.CardApplication{Customer: "C002", Type: "credit"})
		}},
		{"card lost", func(b engine.Bank) (any, error) { return b.ReportCardLost(ctx, "cl1", "C001", "9876") }},
		{"card lost again", func(b engine.Bank) (any, error) { return b.ReportCardLost(ctx, "cl2", "C001", "CC01") }},
		{"transfer without a challenge", func(b engine.Bank) (any, error) {
			return b.Transfer(ctx, "t9", engine.TransferRequest{Customer: "C001", FromAccount: "A001", ToAccount: "A003", Amount: 1})
		}},
		{"send a code for a card that does not exist", func(b engine.Bank) (any, error) {
			return b.SendOTP(ctx, engine.OTPRequest{Operation: engine.BindOperation("o_new", "6200000000000000", "13900001111")})
		}},
		{"send a code to a phone not on file", func(b engine.Bank) (any, error) {
			return b.SendOTP(ctx, engine.OTPRequest{Operation: engine.BindOperation("o_new", "6217880100002233", "13900001112")})
		}},
		{"send a binding code", func(b engine.Bank) (any, error) {
			ch, err := b.SendOTP(ctx, engine.OTPRequest{Purpose: "bind", Operation: engine.BindOperation("o_new", "6217880100002233", "13900001111")})
			challenges[b] = ch
			return len(ch) > 20, err
		}},
		{"bind before the code is verified", func(b engine.Bank) (any, error) {
			return b.Bind(ctx, "o_new", "6217880100002233", "13900001111", challenges[b])
		}},
		{"wrong code", func(b engine.Bank) (any, error) { return nil, b.VerifyOTP(ctx, challenges[b], "000000") }},
		{"unknown challenge", func(b engine.Bank) (any, error) { return nil, b.VerifyOTP(ctx, "nothing", "000000") }},
		{"right code", func(b engine.Bank) (any, error) { return nil, b.VerifyOTP(ctx, challenges[b], sandboxtest.OTP) }},
		{"bind no match", func(b engine.Bank) (any, error) {
			return b.Bind(ctx, "o_new", "6217880100002233", "13900001112", challenges[b])
		}},
		{"bind", func(b engine.Bank) (any, error) {
			return b.Bind(ctx, "o_new", "6217880100002233", "13900001111", challenges[b])
		}},
		{"accounts after all", func(b engine.Bank) (any, error) { return b.Accounts(ctx, "C001") }},
	}
	for _, c := range calls {
		dv, derr := c.call(direct)
		rv, rerr := c.call(remote)
		dcode, _ := bankapi.CodeOf(derr)
		rcode, _ := bankapi.CodeOf(rerr)
		if (derr == nil) != (rerr == nil) || dcode != rcode {
			t.Errorf("%s: direct error %v, remote error %v", c.name, derr, rerr)
			continue
		}
		if c.name == "cancel" && derr != nil {
			t.Errorf("cancel: %v", derr)
		}
		if dj, rj := canon(t, dv), canon(t, rv); dj != rj {
			t.Errorf("%s:\ndirect %s\nremote %s", c.name, dj, rj)
		}
	}
}

// canon is v as JSON with empty lists as null.
func canon(t *testing.T, v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) == "[]" {
		return "null"
	}
	return string(data)
}

// flaky fails requests with a status, or by closing the connection, as told by fail.
func flaky(fail func(n int64, r *http.Request) (status int, after bool)) (func(http.Handler) http.Handler, *atomic.Int64) {
	var count atomic.Int64
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n := count.Add(1)
			status, after := fail(n, r)
			switch {
			case status == 0:
				next.ServeHTTP(w, r)
			case after: // the bank did the work, the answer is lost
				next.ServeHTTP(httptest.NewRecorder(), r)
				w.WriteHeader(status)
			case status < 0: // the connection breaks
				hj, _ := w.(http.Hijacker)
				conn, _, _ := hj.Hijack()
				conn.Close()
			default:
				w.WriteHeader(status)
			}
		})
	}, &count
}

func TestRetries(t *testing.T) {
	// Each subtest gives these challenges verified on the sandbox behind its server.
	req := engine.TransferRequest{Customer: "C001", FromAccount: "A001", ToAccount: "A003", Amount: 100_00}
	poor := engine.TransferRequest{Customer: "C005", FromAccount: "A007", ToAccount: "A001", Amount: 1000_00}
	tests := []struct {
		ensures  string
		fail     func(n int64, r *http.Request) (int, bool)
		call     func(c *httpbank.Client) error
		requests int64
		err      error
	}{
		{"a keyed POST whose answer was lost is retried and executed once",
			func(n int64, _ *http.Request) (int, bool) { return map[bool]int{true: 502}[n == 1], true },
			func(c *httpbank.Client) error { _, err := c.Transfer(ctx, "k", req); return err }, 2, nil},
		{"a keyed POST survives a broken connection",
			func(n int64, _ *http.Request) (int, bool) { return map[bool]int{true: -1}[n <= 2], false },
			func(c *httpbank.Client) error { _, err := c.Transfer(ctx, "k", req); return err }, 3, nil},
		{"a GET is retried on 503",
			func(n int64, _ *http.Request) (int, bool) { return map[bool]int{true: 503}[n <= 3], false },
			func(c *httpbank.Client) error { _, err := c.Accounts(ctx, "C001"); return err }, 4, nil},
		{"retries stop after Retries and report unavailable",
			func(int64, *http.Request) (int, bool) { return 503, false },
			func(c *httpbank.Client) error { _, err := c.Accounts(ctx, "C001"); return err }, 4, engine.ErrUnavailable},
		{"a POST without key (one-time code) is not retried",
			func(int64, *http.Request) (int, bool) { return 503, false },
			func(c *httpbank.Client) error {
				_, err := c.SendOTP(ctx, engine.OTPRequest{Customer: "C001", Operation: req.Operation()})
				return err
			}, 1, engine.ErrUnavailable},
		{"a business error is not retried",
			nil,
			func(c *httpbank.Client) error {
				_, err := c.Transfer(ctx, "k", poor)
				return err
			}, 1, engine.ErrInsufficientFunds},
	}
	for _, tc := range tests {
		t.Run(tc.ensures, func(t *testing.T) {
			fail := tc.fail
			if fail == nil {
				fail = func(int64, *http.Request) (int, bool) { return 0, false }
			}
			mw, count := flaky(fail)
			bank, srv := served(t, mw)
			req.Challenge, poor.Challenge = verify(t, bank, req.Customer, req.Operation()), verify(t, bank, poor.Customer, poor.Operation())
			c := client(t, srv.URL, httpbank.Options{BreakerFailures: -1})
			err := tc.call(c)
			if !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
				t.Fatalf("error = %v, want %v", err, tc.err)
			}
			if got := count.Load(); got != tc.requests {
				t.Errorf("%d requests, want %d", got, tc.requests)
			}
			au, err := bank.Check(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if tc.err == nil && tc.requests > 1 && au.Movements > 1 {
				t.Errorf("%d movements after retries, want at most 1", au.Movements)
			}
		})
	}
}

func TestBreaker(t *testing.T) {
	var down atomic.Bool
	down.Store(true)
	mw, count := flaky(func(int64, *http.Request) (int, bool) {
		if down.Load() {
			return 503, false
		}
		return 0, false
	})
	_, srv := served(t, mw)
	clock := enginetest.NewClock(sandboxtest.Now)
	c := client(t, srv.URL, httpbank.Options{Retries: -1, BreakerFailures: 3, BreakerCooldown: time.Minute, Clock: clock})
	for i := 0; i < 3; i++ {
		if _, err := c.Products(ctx); !errors.Is(err, engine.ErrUnavailable) {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	// Ensure an open breaker fails fast without sending.
	if _, err := c.Products(ctx); !errors.Is(err, engine.ErrUnavailable) || count.Load() != 3 || c.State() != "open" {
		t.Fatalf("open breaker: %v, %d requests, state %s", err, count.Load(), c.State())
	}
	// Ensure after the cool-down one probe goes; its failure opens the breaker again.
	clock.Advance(time.Minute)
	if c.State() != "half-open" {
		t.Errorf("state after cool-down = %s", c.State())
	}
	c.Products(ctx)
	if count.Load() != 4 || c.State() != "open" {
		t.Fatalf("failed probe: %d requests, state %s", count.Load(), c.State())
	}
	// Ensure a successful probe closes it.
	down.Store(false)
	clock.Advance(time.Minute)
	if _, err := c.Products(ctx); err != nil || c.State() != "closed" {
		t.Fatalf("good probe: %v, state %s", err, c.State())
	}
	// Ensure business errors do not count as failures.
	for i := 0; i < 5; i++ {
		c.Customer(ctx, "C999")
	}
	if c.State() != "closed" {
		t.Errorf("not-found answers opened the breaker")
	}
}

func TestTimeouts(t *testing.T) {
	mw := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(2 * time.Second):
			case <-r.Context().Done():
			}
		})
	}
	_, srv := served(t, mw)
	// Ensure the per-call timeout bounds each attempt.
	c := client(t, srv.URL, httpbank.Options{Timeout: 50 * time.Millisecond, Retries: -1})
	start := time.Now()
	if _, err := c.Products(ctx); !errors.Is(err, engine.ErrUnavailable) || time.Since(start) > time.Second {
		t.Errorf("per-call timeout: %v after %v", err, time.Since(start))
	}
	// Ensure the caller's deadline wins over retries.
	c = client(t, srv.URL, httpbank.Options{Timeout: time.Minute, Retries: 5})
	dctx, cancel := context.WithTimeout(ctx, 80*time.Millisecond)
	defer cancel()
	start = time.Now()
	if _, err := c.Products(dctx); !errors.Is(err, engine.ErrUnavailable) || time.Since(start) > time.Second {
		t.Errorf("context deadline: %v after %v", err, time.Since(start))
	}
}

func TestNew(t *testing.T) {
	for _, u := range []string{"", "ftp://x", "http://", "::"} {
		// Ensure a base URL that cannot work is refused up front.
		if _, err := httpbank.New(u, httpbank.Options{}); err == nil {
			t.Errorf("New(%q) accepted", u)
		}
	}
}

func ExampleNew() {
	c, err := httpbank.New("http://127.0.0.1:8090", httpbank.Options{Timeout: 5 * time.Second})
	fmt.Println(c != nil, err)
	// Output: true <nil>
}

func TestAnswers(t *testing.T) {
	tests := []struct {
		ensures string
		status  int
		body    string
		err     error
		name    string
	}{
		{"fields the client does not know are ignored", 200, `{"id":"C1","name":"张伟","vip_level":3}`, nil, "张伟"},
		{"an error code maps back to the typed error", 404, `{"code":"not_found","message":"no"}`, engine.ErrNotFound, ""},
		{"a proxy's HTML error page is unavailable", 502, `<html>bad gateway</html>`, engine.ErrUnavailable, ""},
		{"an unknown code wraps no typed error but keeps the message", 418, `{"code":"teapot","message":"short and stout"}`, nil, ""},
		{"a malformed success answer is an error", 200, `{"id":`, engine.ErrInvalid, ""},
	}
	for _, tc := range tests {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(tc.status)
			w.Write([]byte(tc.body))
		}))
		c := client(t, srv.URL, httpbank.Options{Retries: -1})
		got, err := c.Customer(ctx, "C1")
		srv.Close()
		switch {
		case tc.status == 418:
			if err == nil || engine.ErrorCode(err) != "rejected" || !strings.Contains(err.Error(), "short and stout") {
				t.Errorf("%s: %v", tc.ensures, err)
			}
		case !errors.Is(err, tc.err) || (tc.err == nil && err != nil):
			t.Errorf("%s: error %v, want %v", tc.ensures, err, tc.err)
		case got.Name != tc.name:
			t.Errorf("%s: name %q, want %q", tc.ensures, got.Name, tc.name)
		}
	}
}

// verify sends and verifies a code for op on a bank directly.
func verify(t *testing.T, b engine.Bank, customer string, op engine.Operation) string {
	t.Helper()
	ch, err := b.SendOTP(ctx, engine.OTPRequest{Customer: customer, Operation: op})
	if err == nil {
		err = b.VerifyOTP(ctx, ch, sandboxtest.OTP)
	}
	if err != nil {
		t.Fatal(err)
	}
	return ch
}
