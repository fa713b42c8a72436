package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/weiyin-bank/weiyin/adapters/bank/bankapi"
	"github.com/weiyin-bank/weiyin/engine"
)

// These tests run the shipped bot on the sandbox bank, end to end through the engine's money
// guard and the bank's challenges, and read the text messages the bank sends.

// smsBox collects the sandbox's text messages.
type smsBox struct {
	mu   sync.Mutex
	sent []string
}

func (s *smsBox) sink(phone, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, phone+" "+text)
}

func (s *smsBox) all() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.sent...)
}

// otpBot is the shipped bot on a fresh sandbox with the test fixture (code 123456).
func otpBot(t *testing.T) (*engine.Bot, *smsBox) {
	t.Helper()
	var box smsBox
	now, err := parseNow("2026-11-25T10:00:00+08:00")
	if err != nil {
		t.Fatal(err)
	}
	bot, closeBot, err := newBot(context.Background(), botOptions{DataDir: t.TempDir(), Now: now,
		Fixture: filepath.Join("..", "..", "testdata", "fixtures", "test.json"), OTPSink: box.sink})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeBot)
	return bot, &box
}

// say sends text as user and returns the reply's texts joined.
func say(t *testing.T, bot *engine.Bot, user, text string) string {
	t.Helper()
	rep, err := bot.Turn(context.Background(), user, engine.Message{Text: text})
	if err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	return strings.Join(rep.Texts, "\n")
}

// TestCodeNamesWhatTheCustomerConfirmed ensures the text carrying a code names the payee and
// the amount read back, and that a change after the code was sent needs a new code naming the
// new values: the old code pays nothing.
func TestCodeNamesWhatTheCustomerConfirmed(t *testing.T) {
	bot, box := otpBot(t)
	user := "o_demo_1"
	before, _ := bot.Bank().Accounts(context.Background(), "C001")
	say(t, bot, user, "给张三转500元")
	say(t, bot, user, "确认")
	sent := box.all()
	if len(sent) != 1 || !strings.Contains(sent[0], "向张三(尾号2233)转账¥500.00,验证码123456") {
		t.Fatalf("first text = %q, want it to name 张三, the tail 2233 and ¥500.00", sent)
	}
	// The customer changes the amount while the code is out: read back again, a new code.
	if got := say(t, bot, user, "不对,改成800元"); !strings.Contains(got, "¥800.00") {
		t.Fatalf("correction at the code: %q, want the new read-back", got)
	}
	say(t, bot, user, "确认")
	sent = box.all()
	if len(sent) < 2 || !strings.Contains(sent[len(sent)-1], "转账¥800.00,") {
		t.Fatalf("texts = %q, want a new one naming ¥800.00", sent)
	}
	if got := say(t, bot, user, "123456"); !strings.Contains(got, "转账成功") || !strings.Contains(got, "¥800.00") {
		t.Fatalf("the code for ¥800.00: %q", got)
	}
	after, _ := bot.Bank().Accounts(context.Background(), "C001")
	if moved := before[0].Balance - after[0].Balance; moved != 800_00 {
		t.Errorf("moved %s, want exactly ¥800.00", moved)
	}
}

// TestCodeAttemptsLimitedPerCustomer ensures wrong codes count per customer across flows: a new
// flow (or cancelling and starting again) brings no fresh tries, and once locked no code is
// sent until the lock ends.
func TestCodeAttemptsLimitedPerCustomer(t *testing.T) {
	bot, box := otpBot(t)
	user := "o_demo_1"
	wrong := 0
	locked := false
	for flow := 0; flow < 5 && !locked; flow++ {
		say(t, bot, user, "给张三转1元")
		if got := say(t, bot, user, "确认"); strings.Contains(got, "错误次数过多") {
			locked = true
			break
		}
		for try := 0; try < 3; try++ {
			got := say(t, bot, user, "65432"+string(rune('1'+try)))
			wrong++
			if strings.Contains(got, "错误次数过多") {
				locked = true
				break
			}
		}
		say(t, bot, user, "取消")
	}
	if !locked || wrong != 3 {
		t.Fatalf("locked %v after %d wrong codes, want locked at the third", locked, wrong)
	}
	n := len(box.all())
	// A new flow after the lock: no code is sent, the customer is told why.
	say(t, bot, user, "给张三转1元")
	if got := say(t, bot, user, "确认"); !strings.Contains(got, "错误次数过多") {
		t.Errorf("a new flow while locked: %q, want the lock explained", got)
	}
	if len(box.all()) != n {
		t.Errorf("a code was sent while locked: %q", box.all()[n:])
	}
}

// TestBindingCodesGoOnlyToThePhoneOnFile ensures binding sends no code for a card that does not
// exist or a phone that is not the one on file, and sends the code to the phone on file.
func TestBindingCodesGoOnlyToThePhoneOnFile(t *testing.T) {
	bot, box := otpBot(t)
	tests := []struct {
		ensures     string
		user        string
		card, phone string
		reply       string
		sent        bool
	}{
		{"a card that does not exist gets no code", "o_new_a", "6200000000000000", "13600009999", "没有找到", false},
		{"an attacker's number for a real card gets no code", "o_new_b", "6217880100002233", "13600009999", "不一致", false},
		{"the phone on file gets the code naming the card", "o_new_c", "6217880100002233", "13900001111", "验证码已发送", true},
	}
	for _, tc := range tests {
		n := len(box.all())
		say(t, bot, tc.user, "绑卡")
		say(t, bot, tc.user, tc.card)
		got := say(t, bot, tc.user, tc.phone)
		if !strings.Contains(got, tc.reply) {
			t.Errorf("%s: %q, want %q", tc.ensures, got, tc.reply)
		}
		sent := box.all()[n:]
		if tc.sent != (len(sent) == 1) || (tc.sent && !strings.HasPrefix(sent[0], tc.phone+" ") && !strings.Contains(sent[0], "尾号2233的银行卡绑定到微信")) {
			t.Errorf("%s: texts %q", tc.ensures, sent)
		}
	}
	if got := say(t, bot, "o_new_c", "123456"); !strings.Contains(got, "绑定成功") {
		t.Errorf("binding with the code: %q", got)
	}
}

// TestTransferOverMutualTLS runs a transfer conversation on `weiyin bank serve` with mutual
// TLS: the code the bank sends names the transfer, the engine's guard and the bank's challenge
// agree, and the money moves once.
func TestTransferOverMutualTLS(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "certs")
	var out syncBuffer
	if code := run(context.Background(), []string{"bank", "certs", dir}, stdio{strings.NewReader(""), &out, &out}); code != 0 {
		t.Fatalf("bank certs exited %d: %s", code, out.String())
	}
	data := t.TempDir()
	f := func(name string) string { return filepath.Join(dir, name) }
	url, stop, _ := startBank(t, "--data", data, "--fixture", filepath.Join("..", "..", "testdata", "fixtures", "test.json"),
		"--now", "2026-11-25T10:00:00+08:00",
		"--tls-cert", f(bankapi.ServerCertFile), "--tls-key", f(bankapi.ServerKeyFile), "--client-ca", f(bankapi.CAFile))
	defer stop()
	c, err := bankClientTLS{CA: f(bankapi.CAFile), Cert: f(bankapi.ClientCertFile), Key: f(bankapi.ClientKeyFile)}.client("https" + strings.TrimPrefix(url, "http"))
	if err != nil {
		t.Fatal(err)
	}
	now, _ := parseNow("2026-11-25T10:00:00+08:00")
	bot, closeBot, err := newBot(context.Background(), botOptions{DataDir: t.TempDir(), Now: now, Bank: c})
	if err != nil {
		t.Fatal(err)
	}
	defer closeBot()
	user := "o_demo_1"
	say(t, bot, user, "给张三转500元")
	say(t, bot, user, "确认")
	sms, _ := os.ReadFile(filepath.Join(data, SandboxSMSFile))
	if !strings.Contains(string(sms), "向张三(尾号2233)转账¥500.00,验证码123456") {
		t.Fatalf("the bank's text: %q", sms)
	}
	if got := say(t, bot, user, "123456"); !strings.Contains(got, "转账成功") {
		t.Fatalf("transfer over mutual TLS: %q", got)
	}
	as, err := c.Accounts(context.Background(), "C001")
	if err != nil || as[0].Balance != 52380_50-500_00 {
		t.Errorf("accounts = %+v, %v; want ¥500.00 moved once", as, err)
	}
}
