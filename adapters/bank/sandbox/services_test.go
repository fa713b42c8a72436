package sandbox_test

import (
	"errors"
	"testing"
	"time"

	"github.com/weiyin-bank/weiyin/adapters/bank/sandbox"
	"github.com/weiyin-bank/weiyin/adapters/bank/sandbox/sandboxtest"
	"github.com/weiyin-bank/weiyin/engine"
)

func TestBranches(t *testing.T) {
	b, _ := sandboxtest.Open(t, sandbox.Options{OTPPolicy: sandboxtest.ManyCodes})
	tests := []struct {
		ensures string
		q       engine.BranchQuery
		first   string
		n       int
		err     error
	}{
		{"without a point all branches come in id order", engine.BranchQuery{}, "BR001", 25, nil},
		{"a point sorts by distance: People's Square is nearest to itself", engine.BranchQuery{Lat: 31.2317, Lng: 121.4726, Limit: 3}, "BR006", 3, nil},
		{"a point in Songjiang finds the Songjiang branch", engine.BranchQuery{Lat: 31.03, Lng: 121.23, Limit: 1}, "BR021", 1, nil},
		{"a district filters: 浦东 matches 浦东新区", engine.BranchQuery{District: "浦东"}, "BR001", 4, nil},
		{"a full district name filters", engine.BranchQuery{District: "徐汇区"}, "BR007", 2, nil},
		{"a place name matches the branch name", engine.BranchQuery{District: "陆家嘴"}, "BR001", 1, nil},
		{"an unknown district finds nothing", engine.BranchQuery{District: "火星"}, "", 0, nil},
		{"a latitude out of range is invalid", engine.BranchQuery{Lat: 91, Lng: 1}, "", 0, engine.ErrInvalid},
	}
	for _, tc := range tests {
		bs, err := b.Branches(ctx, tc.q)
		if !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
			t.Errorf("%s: error = %v, want %v", tc.ensures, err, tc.err)
			continue
		}
		if len(bs) != tc.n || (tc.n > 0 && bs[0].ID != tc.first) {
			t.Errorf("%s: got %d branches starting %v, want %d starting %s", tc.ensures, len(bs), bs, tc.n, tc.first)
		}
	}
	// Ensure distances are plausible metres: 人民广场 to 外滩 is about 1.9 km.
	bs, _ := b.Branches(ctx, engine.BranchQuery{Lat: 31.2317, Lng: 121.4726})
	for _, br := range bs {
		if br.ID == "BR005" && (br.Distance < 1700 || br.Distance > 2100) {
			t.Errorf("distance to 外滩 = %v m", br.Distance)
		}
	}
}

func TestBookings(t *testing.T) {
	b, clock := sandboxtest.Open(t, sandbox.Options{OTPPolicy: sandboxtest.ManyCodes})
	at := func(day, hm string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", day+" "+hm, sandbox.Shanghai)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	// Today (Wednesday 10:00): slots start after now and end by closing time.
	slots, err := b.BookingSlots(ctx, "BR002", sandboxtest.Now)
	if err != nil || len(slots) != 13 || !slots[0].Equal(at("2026-11-25", "10:30")) || !slots[12].Equal(at("2026-11-25", "16:30")) {
		t.Fatalf("today's slots = %v, %v", slots, err)
	}
	book := func(key, branch string, when time.Time) (engine.Booking, error) {
		return b.Book(ctx, key, engine.BookingRequest{Customer: "C001", Branch: branch, Time: when, Business: "开户"})
	}
	tests := []struct {
		ensures string
		branch  string
		when    time.Time
		err     error
	}{
		{"a free slot is booked", "BR002", at("2026-11-26", "09:00"), nil},
		{"a slot in the past is refused", "BR002", at("2026-11-25", "09:30"), engine.ErrPast},
		{"a slot before opening is closed", "BR002", at("2026-11-26", "08:30"), engine.ErrClosed},
		{"the last half hour before closing is closed", "BR002", at("2026-11-26", "17:00"), engine.ErrClosed},
		{"a weekday-only branch is closed on Saturday", "BR002", at("2026-11-28", "10:00"), engine.ErrClosed},
		{"a weekend branch opens on Saturday", "BR001", at("2026-11-28", "10:00"), nil},
		{"a time inside a slot is invalid", "BR002", at("2026-11-26", "09:15"), engine.ErrInvalid},
		{"an unknown branch is not found", "BR999", at("2026-11-26", "09:00"), engine.ErrNotFound},
	}
	for i, tc := range tests {
		_, err := book(string(rune('a'+i)), tc.branch, tc.when)
		if !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
			t.Errorf("%s: error = %v, want %v", tc.ensures, err, tc.err)
		}
	}
	// Ensure a slot holds three bookings, the fourth is taken, and a cancel frees a place.
	slot := at("2026-11-27", "14:00")
	var first engine.Booking
	for i := 0; i < 3; i++ {
		bk, err := book("slot-"+string(rune('0'+i)), "BR003", slot)
		if err != nil {
			t.Fatalf("booking %d: %v", i, err)
		}
		if i == 0 {
			first = bk
		}
	}
	if _, err := book("slot-3", "BR003", slot); !errors.Is(err, engine.ErrSlotTaken) {
		t.Errorf("fourth booking = %v, want ErrSlotTaken", err)
	}
	free, _ := b.BookingSlots(ctx, "BR003", slot)
	for _, s := range free {
		if s.Equal(slot) {
			t.Error("a full slot is listed as free")
		}
	}
	if err := b.CancelBooking(ctx, "C002", first.ID); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("cancel by another customer = %v, want ErrNotFound", err)
	}
	if err := b.CancelBooking(ctx, "C001", first.ID); err != nil {
		t.Fatal(err)
	}
	if err := b.CancelBooking(ctx, "C001", first.ID); err != nil {
		t.Errorf("second cancel = %v, want nil (idempotent)", err)
	}
	if _, err := book("slot-4", "BR003", slot); err != nil {
		t.Errorf("booking after a cancel = %v", err)
	}
	// Ensure a booking that has started cannot be cancelled.
	bk, _ := book("soon", "BR002", at("2026-11-25", "11:00"))
	clock.Set(at("2026-11-25", "11:05"))
	if err := b.CancelBooking(ctx, "C001", bk.ID); !errors.Is(err, engine.ErrPast) {
		t.Errorf("cancel after start = %v, want ErrPast", err)
	}
	if _, err := b.BookingSlots(ctx, "BR002", at("2026-11-29", "00:00")); !errors.Is(err, engine.ErrClosed) {
		t.Errorf("Sunday slots of a weekday branch = %v, want ErrClosed", err)
	}
}

func TestCardLossAndApplications(t *testing.T) {
	b, _ := sandboxtest.Open(t, sandbox.Options{OTPPolicy: sandboxtest.ManyCodes})
	tests := []struct {
		ensures string
		call    func() error
		err     error
	}{
		{"a credit card is frozen by its last four digits", func() error { _, err := b.ReportCardLost(ctx, "l1", "C001", "9876"); return err }, nil},
		{"a frozen card is already frozen", func() error { _, err := b.ReportCardLost(ctx, "l2", "C001", "CC01"); return err }, engine.ErrAlreadyFrozen},
		{"a repeated key answers as the first time", func() error { _, err := b.ReportCardLost(ctx, "l1", "C001", "9876"); return err }, nil},
		{"a debit card is frozen by account id", func() error { _, err := b.ReportCardLost(ctx, "l3", "C004", "A005"); return err }, nil},
		{"another customer's card is not found", func() error { _, err := b.ReportCardLost(ctx, "l4", "C001", "A003"); return err }, engine.ErrNotFound},
		{"a loan within the rules is submitted", func() error {
			_, err := b.ApplyLoan(ctx, "a1", engine.LoanApplication{Customer: "C001", Amount: 200000_00, Months: 36, Purpose: "装修"})
			return err
		}, nil},
		{"a loan above 500,000 yuan is not eligible", func() error {
			_, err := b.ApplyLoan(ctx, "a2", engine.LoanApplication{Customer: "C001", Amount: 500000_01, Months: 36})
			return err
		}, engine.ErrNotEligible},
		{"a loan over more than 60 months is not eligible", func() error {
			_, err := b.ApplyLoan(ctx, "a3", engine.LoanApplication{Customer: "C001", Amount: 1000_00, Months: 61})
			return err
		}, engine.ErrNotEligible},
		{"a loan of zero months is invalid", func() error {
			_, err := b.ApplyLoan(ctx, "a4", engine.LoanApplication{Customer: "C001", Amount: 1000_00})
			return err
		}, engine.ErrInvalid},
		{"a credit card application is submitted", func() error {
			_, err := b.ApplyCard(ctx, "a5", engine.CardApplication{Customer: "C001", Type: "credit"})
			return err
		}, nil},
		{"an unknown card type is invalid", func() error {
			_, err := b.ApplyCard(ctx, "a6", engine.CardApplication{Customer: "C001", Type: "gold"})
			return err
		}, engine.ErrInvalid},
		{"an unknown customer is not found", func() error {
			_, err := b.ApplyCard(ctx, "a7", engine.CardApplication{Customer: "C999", Type: "debit"})
			return err
		}, engine.ErrNotFound},
	}
	for _, tc := range tests {
		if err := tc.call(); !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
			t.Errorf("%s: %v, want %v", tc.ensures, err, tc.err)
		}
	}
	cards, _ := b.CreditCards(ctx, "C001")
	if !cards[0].Frozen {
		t.Error("lost credit card not frozen")
	}
	if _, err := sandboxtest.Verified(b).PhoneTopup(ctx, "t1", engine.TopupRequest{Customer: "C004", Phone: "18600003333", FromAccount: "A005", Amount: 100}); !errors.Is(err, engine.ErrFrozen) {
		t.Errorf("payment from a lost debit card = %v, want ErrFrozen", err)
	}
}
