package sandbox_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/weiyin-bank/weiyin/adapters/bank/sandbox"
	"github.com/weiyin-bank/weiyin/adapters/bank/sandbox/sandboxtest"
	"github.com/weiyin-bank/weiyin/engine"
)

// texts collects the sandbox's text messages.
type texts struct{ sent []string }

func (x *texts) sink(phone, text string) { x.sent = append(x.sent, phone+" "+text) }

// openOTP opens a test sandbox with a code policy (zero: the default), its text messages and its log.
func openOTP(t *testing.T, policy engine.OTPPolicy) (*sandbox.Bank, *texts, *bytes.Buffer, interface{ Advance(time.Duration) }) {
	var x texts
	var log bytes.Buffer
	b, clock := sandboxtest.Open(t, sandbox.Options{OTPPolicy: policy, OTPSink: x.sink, Logger: slog.New(slog.NewTextHandler(&log, nil))})
	return b, &x, &log, clock
}

func transferTo(to string, amount engine.Money) engine.TransferRequest {
	return engine.TransferRequest{Customer: "C001", FromAccount: "A001", ToAccount: to, Amount: amount}
}

// verified sends a code for op and verifies it.
func verified(t *testing.T, b engine.Bank, customer string, op engine.Operation) string {
	t.Helper()
	ch, err := b.SendOTP(ctx, engine.OTPRequest{Customer: customer, Purpose: "test", Operation: op})
	if err != nil {
		t.Fatalf("send %s: %v", op.Name, err)
	}
	if err := b.VerifyOTP(ctx, ch, sandboxtest.OTP); err != nil {
		t.Fatalf("verify %s: %v", op.Name, err)
	}
	return ch
}

func TestOTPTextNamesTheOperation(t *testing.T) {
	b, x, log, _ := openOTP(t, sandboxtest.ManyCodes)
	tests := []struct {
		ensures  string
		customer string
		op       engine.Operation
		text     string
	}{
		{"a transfer names the payee as the bank knows it, the tail of the account and the amount", "C001",
			transferTo("6214830212345678", 999_00).Operation(), "13812345678 【微银银行】您正在向王芳(尾号5678)转账¥999.00,验证码123456,5分钟内有效。"},
		{"an amount written without decimals reads the same", "C001",
			engine.Operation{Name: "transfer", Fields: map[string]string{"from_account": "A001", "to_account": "A003", "amount": "50000"}}, "向张三(尾号2233)转账¥50,000.00,"},
		{"an unnamed operation is named by its fields", "C001",
			engine.Operation{Fields: map[string]string{"from_account": "A001", "to_account": "A004", "amount": "1"}}, "向李四(尾号3344)转账¥1.00,"},
		{"a fund collection names the other bank's card", "C001",
			engine.CollectRequest{Card: "6217000012344321", ToAccount: "A001", Amount: 5000_00}.Operation(), "从建设银行(尾号4321)归集¥5,000.00"},
		{"a full repayment names the statement balance", "C001",
			engine.RepayRequest{Card: "CC01", FromAccount: "A001", Mode: "full"}.Operation(), "向信用卡(尾号9876)还款¥"},
		{"a top-up names the masked phone", "C001",
			engine.TopupRequest{Phone: "13912345678", FromAccount: "A001", Amount: 100_00}.Operation(), "为手机号139****5678充值¥100.00"},
		{"a bill payment names the biller and the bill account", "C001",
			engine.BillRequest{Biller: "electricity", BillAccount: "1234567890", FromAccount: "A001", Amount: 210_30}.Operation(), "缴费¥210.30(户号1234567890)"},
		{"a card loss names the card", "C001",
			engine.Operation{Name: "card_lost", Fields: map[string]string{"card": "CC01"}}, "您正在挂失尾号9876的银行卡,"},
		{"a binding goes to the phone on file and names the card", "",
			engine.BindOperation("o_new", "6217880100002233", "13900001111"), "13900001111 【微银银行】您正在将尾号2233的银行卡绑定到微信"},
	}
	for _, tc := range tests {
		x.sent = nil
		if _, err := b.SendOTP(ctx, engine.OTPRequest{Customer: tc.customer, Purpose: "flow-1", Operation: tc.op}); err != nil {
			t.Errorf("%s: %v", tc.ensures, err)
			continue
		}
		if len(x.sent) != 1 || !strings.Contains(x.sent[0], tc.text) {
			t.Errorf("%s: sent %q, want it to contain %q", tc.ensures, x.sent, tc.text)
		}
	}
	// Ensure the structured log never holds a code, and masks the phone.
	if strings.Contains(log.String(), sandboxtest.OTP) || !strings.Contains(log.String(), "138****5678") || !strings.Contains(log.String(), "验证码******") {
		t.Errorf("log = %s", log.String())
	}
}

func TestChallengeAuthorisesExactlyOneOperation(t *testing.T) {
	b, _, _, clock := openOTP(t, engine.OTPPolicy{})
	// The customer confirmed ¥999.00 to 王芳 and typed the right code.
	agreed := transferTo("6214830212345678", 999_00)
	ch := verified(t, b, "C001", engine.Operation{Name: "transfer", Fields: map[string]string{
		"from_account": "A001", "to_account": "6214830212345678", "amount": "999"}})
	unverified, err := b.SendOTP(ctx, engine.OTPRequest{Customer: "C001", Operation: agreed.Operation()})
	if err != nil {
		t.Fatal(err)
	}
	with := func(r engine.TransferRequest, challenge string) engine.TransferRequest {
		r.Challenge = challenge
		return r
	}
	other := engine.TransferRequest{Customer: "C002", FromAccount: "A003", ToAccount: "6217880100001234", Amount: 999_00}
	tests := []struct {
		ensures string
		key     string
		req     engine.TransferRequest
		err     error
	}{
		{"no code at all moves nothing", "k0", agreed, engine.ErrVerificationRequired},
		{"a challenge whose code was not verified moves nothing", "k0", with(agreed, unverified), engine.ErrVerificationRequired},
		{"an unknown challenge moves nothing", "k0", with(agreed, "made-up"), engine.ErrVerificationRequired},
		{"the code does not authorise ¥1 to the same payee", "k1", with(transferTo("6214830212345678", 1_00), ch), engine.ErrVerificationRequired},
		{"nor ¥9,999 to another payee", "k2", with(transferTo("A004", 9999_00), ch), engine.ErrVerificationRequired},
		{"nor ¥5,000 to a third", "k3", with(transferTo("A003", 5000_00), ch), engine.ErrVerificationRequired},
		{"nor the same amount from another account", "k4", with(engine.TransferRequest{Customer: "C001", FromAccount: "A002", ToAccount: "6214830212345678", Amount: 999_00}, ch), engine.ErrVerificationRequired},
		{"nor another customer's transfer", "k5", with(other, ch), engine.ErrVerificationRequired},
		{"it authorises exactly the operation it was sent for ('999' is '999.00')", "k6", with(agreed, ch), nil},
		{"a retry under the same key is the same operation", "k6", with(agreed, ch), nil},
		{"the same operation under another key is refused: one code, one transfer", "k7", with(agreed, ch), engine.ErrVerificationRequired},
	}
	for _, tc := range tests {
		before := balance(t, b, "C001", "A001")
		_, err := b.Transfer(ctx, tc.key, tc.req)
		if !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
			t.Errorf("%s: %v, want %v", tc.ensures, err, tc.err)
		}
		if moved := before - balance(t, b, "C001", "A001"); tc.err != nil && moved != 0 {
			t.Errorf("%s: %s moved", tc.ensures, moved)
		}
	}
	if got := balance(t, b, "C001", "A001"); got != 52380_50-999_00 {
		t.Errorf("balance = %s, want one transfer of ¥999.00", got)
	}
	// Ensure a verified challenge expires with its code: 5 minutes after it was sent.
	late := verified(t, b, "C001", transferTo("A003", 1_00).Operation())
	clock.Advance(5 * time.Minute)
	if _, err := b.Transfer(ctx, "k8", with(transferTo("A003", 1_00), late)); !errors.Is(err, engine.ErrVerificationRequired) {
		t.Errorf("expired challenge = %v, want ErrVerificationRequired", err)
	}
	mustCheck(t, b)
}

func TestEveryMoneyMovementNeedsItsChallenge(t *testing.T) {
	b, _, _, _ := openOTP(t, sandboxtest.ManyCodes)
	calls := []struct {
		name string
		op   engine.Operation
		run  func(challenge string) error
	}{
		{"fund collection", engine.CollectRequest{Card: "6214830298761234", ToAccount: "A001", Amount: 100_00}.Operation(), func(ch string) error {
			_, err := b.FundCollect(ctx, "fc-"+ch, engine.CollectRequest{Customer: "C001", Card: "6214830298761234", ToAccount: "A001", Amount: 100_00, Challenge: ch})
			return err
		}},
		{"credit repayment", engine.RepayRequest{Card: "CC01", FromAccount: "A001", Mode: "minimum"}.Operation(), func(ch string) error {
			_, err := b.CreditRepay(ctx, "rp-"+ch, engine.RepayRequest{Customer: "C001", Card: "CC01", FromAccount: "A001", Mode: "minimum", Challenge: ch})
			return err
		}},
		{"purchase", engine.PurchaseRequest{Product: "P002", FromAccount: "A001", Amount: 10000_00}.Operation(), func(ch string) error {
			_, err := b.BuyProduct(ctx, "wb-"+ch, engine.PurchaseRequest{Customer: "C001", Product: "P002", FromAccount: "A001", Amount: 10000_00, Challenge: ch})
			return err
		}},
		{"top-up", engine.TopupRequest{Phone: "13812345678", FromAccount: "A001", Amount: 50_00}.Operation(), func(ch string) error {
			_, err := b.PhoneTopup(ctx, "tu-"+ch, engine.TopupRequest{Customer: "C001", Phone: "13812345678", FromAccount: "A001", Amount: 50_00, Challenge: ch})
			return err
		}},
		{"bill payment", engine.BillRequest{Biller: "electricity", BillAccount: "1234567890", FromAccount: "A001", Amount: 10_00}.Operation(), func(ch string) error {
			_, err := b.PayBill(ctx, "bp-"+ch, engine.BillRequest{Customer: "C001", Biller: "electricity", BillAccount: "1234567890", FromAccount: "A001", Amount: 10_00, Challenge: ch})
			return err
		}},
	}
	for _, c := range calls {
		// Ensure each money-moving request is refused without a challenge, and with one for
		// another operation, and runs with its own.
		if err := c.run(""); !errors.Is(err, engine.ErrVerificationRequired) {
			t.Errorf("%s without a challenge = %v", c.name, err)
		}
		wrong := verified(t, b, "C001", transferTo("A003", 1_00).Operation())
		if err := c.run(wrong); !errors.Is(err, engine.ErrVerificationRequired) {
			t.Errorf("%s with a transfer's challenge = %v", c.name, err)
		}
		if err := c.run(verified(t, b, "C001", c.op)); err != nil {
			t.Errorf("%s with its challenge = %v", c.name, err)
		}
	}
	mustCheck(t, b)
}

func TestWrongCodesLockTheCustomer(t *testing.T) {
	b, x, _, clock := openOTP(t, engine.OTPPolicy{})
	op := transferTo("A003", 1_00).Operation()
	// An attacker runs 10 flows (each a fresh challenge) and tries 3 codes in each.
	var bad, locked, sent int
	for flow := 0; flow < 10; flow++ {
		ch, err := b.SendOTP(ctx, engine.OTPRequest{Customer: "C001", Purpose: fmt.Sprintf("flow-%d", flow), Operation: op})
		switch {
		case errors.Is(err, engine.ErrLocked):
			locked++
			continue
		case err != nil:
			t.Fatalf("flow %d: %v", flow, err)
		}
		sent++
		for try := 0; try < 3; try++ {
			switch err := b.VerifyOTP(ctx, ch, fmt.Sprintf("%06d", 654321+try)); {
			case errors.Is(err, engine.ErrBadCode):
				bad++
			case errors.Is(err, engine.ErrLocked):
				locked++
			default:
				t.Fatalf("flow %d try %d: %v", flow, try, err)
			}
		}
	}
	// Ensure the third wrong code locked the customer: one code sent, two bad answers, every
	// later try and every later send refused.
	if sent != 1 || bad != 2 || len(x.sent) != 1 {
		t.Errorf("sent %d codes (%d texts), %d bad answers, %d locked; want 1, 1, 2", sent, len(x.sent), bad, locked)
	}
	// Ensure the lock holds for the right code too, and grows: 5 minutes, 30 minutes, 24 hours.
	lockFor := func(d time.Duration, what string) {
		t.Helper()
		clock.Advance(d - time.Second)
		if _, err := b.SendOTP(ctx, engine.OTPRequest{Customer: "C001", Operation: op}); !errors.Is(err, engine.ErrLocked) {
			t.Fatalf("%s: send just before the lock ends = %v, want ErrLocked", what, err)
		}
		clock.Advance(time.Second)
		ch, err := b.SendOTP(ctx, engine.OTPRequest{Customer: "C001", Operation: op})
		if err != nil {
			t.Fatalf("%s: send after the lock = %v", what, err)
		}
		for i, want := range []error{engine.ErrBadCode, engine.ErrBadCode, engine.ErrLocked, engine.ErrLocked} {
			if err := b.VerifyOTP(ctx, ch, "000000"); !errors.Is(err, want) {
				t.Fatalf("%s: wrong code %d = %v, want %v", what, i+1, err, want)
			}
		}
		if err := b.VerifyOTP(ctx, ch, sandboxtest.OTP); !errors.Is(err, engine.ErrLocked) {
			t.Fatalf("%s: right code while locked = %v, want ErrLocked", what, err)
		}
	}
	lockFor(5*time.Minute, "after the first lock")
	lockFor(30*time.Minute, "after the second lock")
	clock.Advance(24*time.Hour - time.Second)
	if _, err := b.SendOTP(ctx, engine.OTPRequest{Customer: "C001", Operation: op}); !errors.Is(err, engine.ErrLocked) {
		t.Errorf("third lock = %v, want 24 hours", err)
	}
	// Ensure another customer is not affected.
	verified(t, b, "C002", engine.TransferRequest{FromAccount: "A003", ToAccount: "A001", Amount: 1}.Operation())
}

func TestRightCodeResetsTheCount(t *testing.T) {
	b, _, _, _ := openOTP(t, engine.OTPPolicy{})
	op := transferTo("A003", 1_00).Operation()
	// Ensure wrong codes count in a row: two wrong, a right one, two wrong again do not lock.
	for round := 0; round < 2; round++ {
		ch, err := b.SendOTP(ctx, engine.OTPRequest{Customer: "C001", Operation: op})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ {
			if err := b.VerifyOTP(ctx, ch, "000000"); !errors.Is(err, engine.ErrBadCode) {
				t.Fatalf("round %d wrong %d = %v", round, i, err)
			}
		}
		if err := b.VerifyOTP(ctx, ch, sandboxtest.OTP); err != nil {
			t.Fatalf("round %d right = %v", round, err)
		}
	}
	// Ensure an unknown challenge is not found and an expired one is a bad code that does not count.
	if err := b.VerifyOTP(ctx, "nothing", sandboxtest.OTP); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("unknown challenge = %v", err)
	}
}

func TestSendLimits(t *testing.T) {
	b, x, _, clock := openOTP(t, engine.OTPPolicy{})
	op := transferTo("A003", 1_00).Operation()
	send := func(customer string) error {
		_, err := b.SendOTP(ctx, engine.OTPRequest{Customer: customer, Operation: op})
		return err
	}
	// Ensure 5 codes per 10 minutes per customer: the sixth is refused and sends nothing.
	for i := 0; i < 5; i++ {
		if err := send("C001"); err != nil {
			t.Fatalf("send %d: %v", i+1, err)
		}
	}
	n := len(x.sent)
	if err := send("C001"); !errors.Is(err, engine.ErrTooManyCodes) || len(x.sent) != n {
		t.Errorf("sixth send = %v (%d texts), want ErrTooManyCodes and no text", err, len(x.sent)-n)
	}
	// Ensure the window slides, and 20 codes a day is the cap.
	total := 5
	for total < 20 {
		clock.Advance(10 * time.Minute)
		for i := 0; i < 5 && total < 20; i++ {
			if err := send("C001"); err != nil {
				t.Fatalf("send %d: %v", total+1, err)
			}
			total++
		}
	}
	clock.Advance(10 * time.Minute)
	if err := send("C001"); !errors.Is(err, engine.ErrTooManyCodes) {
		t.Errorf("21st send in a day = %v, want ErrTooManyCodes", err)
	}
	clock.Advance(24 * time.Hour)
	if err := send("C001"); err != nil {
		t.Errorf("a day later = %v", err)
	}
	// Ensure binding codes count against the card's customer and phone: 5 bindings of 张三's
	// card leave no code for 张三's own transfer.
	for i := 0; i < 5; i++ {
		if _, err := b.SendOTP(ctx, engine.OTPRequest{Operation: engine.BindOperation(fmt.Sprintf("o_x%d", i), "6217880100002233", "13900001111")}); err != nil {
			t.Fatalf("bind send %d: %v", i, err)
		}
	}
	if _, err := b.SendOTP(ctx, engine.OTPRequest{Operation: engine.BindOperation("o_y", "6217880100002233", "13900001111")}); !errors.Is(err, engine.ErrTooManyCodes) {
		t.Errorf("sixth binding code for one card = %v, want ErrTooManyCodes", err)
	}
	if err := send("C002"); !errors.Is(err, engine.ErrTooManyCodes) {
		t.Errorf("张三's own code after 5 binding codes = %v, want ErrTooManyCodes", err)
	}
}

func TestBindSendsOnlyToThePhoneOnFile(t *testing.T) {
	b, x, _, _ := openOTP(t, engine.OTPPolicy{})
	sendBind := func(openid, card, phone string) (string, error) {
		return b.SendOTP(ctx, engine.OTPRequest{Purpose: "bind-flow", Operation: engine.BindOperation(openid, card, phone)})
	}
	tests := []struct {
		ensures     string
		card, phone string
		err         error
	}{
		{"a card that does not exist sends nothing", "6200000000000000", "13900001111", engine.ErrNotFound},
		{"a phone that is not the one on file sends nothing", "6217880100002233", "13812345678", engine.ErrNoMatch},
		{"an attacker's own number sends nothing", "6217880100002233", "13600009999", engine.ErrNoMatch},
		{"a card number that is another field's value sends nothing", "A003", "13900001111", engine.ErrNotFound},
	}
	for _, tc := range tests {
		if _, err := sendBind("o_probe", tc.card, tc.phone); !errors.Is(err, tc.err) {
			t.Errorf("%s: %v, want %v", tc.ensures, err, tc.err)
		}
	}
	// Ensure probing counts against the openid although nothing was found: the fifth attempt
	// in 10 minutes is the last, even with the right card and phone.
	if _, err := sendBind("o_probe", "6217880100002233", "13500000000"); !errors.Is(err, engine.ErrNoMatch) {
		t.Errorf("fifth probe: %v, want ErrNoMatch", err)
	}
	if _, err := sendBind("o_probe", "6217880100002233", "13900001111"); !errors.Is(err, engine.ErrTooManyCodes) {
		t.Errorf("sixth binding attempt of one openid: %v, want ErrTooManyCodes", err)
	}
	if len(x.sent) != 0 {
		t.Fatalf("texts sent: %q", x.sent)
	}
	if _, err := b.SendOTP(ctx, engine.OTPRequest{Customer: "C002", Operation: engine.BindOperation("o_new", "6217880100002233", "13900001111")}); !errors.Is(err, engine.ErrInvalid) {
		t.Errorf("binding code naming a customer = %v, want ErrInvalid", err)
	}
	// Ensure Bind needs a verified challenge for exactly this card, phone and openid.
	if _, err := b.Bind(ctx, "o_new", "6217880100002233", "13900001111", ""); !errors.Is(err, engine.ErrVerificationRequired) {
		t.Errorf("bind without a challenge = %v", err)
	}
	other := verified(t, b, "", engine.BindOperation("o_attacker", "6217880100002233", "13900001111"))
	if _, err := b.Bind(ctx, "o_new", "6217880100002233", "13900001111", other); !errors.Is(err, engine.ErrVerificationRequired) {
		t.Errorf("bind with another openid's challenge = %v", err)
	}
	money := verified(t, b, "C002", engine.TransferRequest{FromAccount: "A003", ToAccount: "A001", Amount: 1}.Operation())
	if _, err := b.Bind(ctx, "o_new", "6217880100002233", "13900001111", money); !errors.Is(err, engine.ErrVerificationRequired) {
		t.Errorf("bind with a transfer's challenge = %v", err)
	}
	// Ensure Bind without its challenge tells nothing of the card or the phone (SendOTP does,
	// counting the attempts).
	for _, probe := range [][2]string{{"6217880100002233", "13800000000"}, {"6200000000000000", "13900001111"}} {
		if _, err := b.Bind(ctx, "o_new", probe[0], probe[1], other); !errors.Is(err, engine.ErrVerificationRequired) {
			t.Errorf("bind of %v with another challenge = %v, want ErrVerificationRequired", probe, err)
		}
	}
	ch := verified(t, b, "", engine.BindOperation("o_new", "6217880100002233", "13900001111"))
	if !strings.HasPrefix(x.sent[len(x.sent)-1], "13900001111 ") {
		t.Errorf("binding code went to %q", x.sent[len(x.sent)-1])
	}
	if c, err := b.Bind(ctx, "o_new", "6217880100002233", "13900001111", ch); err != nil || c.ID != "C002" || c.WechatOpenID != "o_new" {
		t.Fatalf("bind = %+v, %v", c, err)
	}
	if c, err := b.CustomerByOpenID(ctx, "o_new"); err != nil || c.ID != "C002" {
		t.Errorf("after binding: %+v, %v", c, err)
	}
	// Ensure binding by credit card number works and moves the openid; binding again is a no-op.
	ch = verified(t, b, "", engine.BindOperation("o_new", "6258880100005432", "13700002222"))
	if c, err := b.Bind(ctx, "o_new", "6258880100005432", "13700002222", ch); err != nil || c.ID != "C003" {
		t.Fatalf("bind by credit card = %+v, %v", c, err)
	}
	if c, _ := b.Customer(ctx, "C002"); c.WechatOpenID != "" {
		t.Errorf("previous customer still bound: %+v", c)
	}
	if c, err := b.Bind(ctx, "o_new", "6258880100005432", "13700002222", ""); err != nil || c.ID != "C003" {
		t.Errorf("binding again = %+v, %v", c, err)
	}
}

func TestRandomCodes(t *testing.T) {
	var x texts
	f := sandboxtest.Fixture(t)
	f.OTP = ""
	b, err := sandbox.Open(t.TempDir()+"/bank.db", sandbox.Options{Fixture: f, Clock: fixedClock{sandboxtest.Now},
		Logger: slog.New(slog.DiscardHandler), Rand: bytes.NewReader([]byte{0, 0, 0x30, 0x39, 0, 0, 0, 1}), OTPSink: x.sink})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	// Ensure the code comes from the injected randomness (0x3039 = 12345), reaches the text
	// message, and verifies.
	ch, err := b.SendOTP(ctx, engine.OTPRequest{Customer: "C001", Operation: transferTo("A003", 1).Operation()})
	if err != nil {
		t.Fatal(err)
	}
	if len(x.sent) != 1 || !strings.Contains(x.sent[0], "验证码012345,") {
		t.Fatalf("texts = %q", x.sent)
	}
	if err := b.VerifyOTP(ctx, ch, "012345"); err != nil {
		t.Errorf("verify = %v", err)
	}
}
