package sandbox

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/weiyin-bank/weiyin/engine"
)

// slotLength is the length of a booking slot; slotCapacity the bookings one slot holds.
const (
	slotLength   = 30 * time.Minute
	slotCapacity = 3
)

// Branches finds branches. With a point (Lat, Lng not both 0) they come nearest first with
// Distance in metres (haversine); with District only those whose district, name or address
// contains it ("浦东" finds 浦东新区, "陆家嘴" finds 陆家嘴支行); otherwise in id order.
// Limit > 0 caps the list.
func (b *Bank) Branches(ctx context.Context, q engine.BranchQuery) ([]engine.Branch, error) {
	if q.Lat < -90 || q.Lat > 90 || q.Lng < -180 || q.Lng > 180 || math.IsNaN(q.Lat) || math.IsNaN(q.Lng) {
		return nil, fmt.Errorf("sandbox: branches: %w: point %v,%v out of range", engine.ErrInvalid, q.Lat, q.Lng)
	}
	var out []engine.Branch
	want := strings.TrimSpace(q.District)
	short := strings.TrimSuffix(strings.TrimSuffix(want, "区"), "新")
	d, err := b.reference(ctx)
	if err != nil {
		return nil, wrapOp("branches", err)
	}
	for _, br := range d.branches { // br is a copy: Distance is set on it only
		if want != "" && !strings.Contains(br.District, short) && !strings.Contains(br.Name, want) && !strings.Contains(br.Address, want) {
			continue
		}
		if q.Lat != 0 || q.Lng != 0 {
			br.Distance = math.Round(haversine(q.Lat, q.Lng, br.Lat, br.Lng))
		}
		out = append(out, br)
	}
	if q.Lat != 0 || q.Lng != 0 {
		sort.SliceStable(out, func(i, j int) bool { return out[i].Distance < out[j].Distance })
	}
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

// haversine is the great-circle distance in metres between two WGS84 points.
func haversine(lat1, lng1, lat2, lng2 float64) float64 {
	const earth = 6371008.8 // mean radius, metres
	rad := math.Pi / 180
	dLat, dLng := (lat2-lat1)*rad, (lng2-lng1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * earth * math.Asin(math.Min(1, math.Sqrt(a)))
}

func (r *rtx) branch(id string) (*engine.Branch, error) {
	var br engine.Branch
	if err := r.get(bBranches, id, &br); err != nil {
		return nil, fmt.Errorf("branch %q: %w", id, engine.ErrNotFound)
	}
	return &br, nil
}

// dayHours returns the branch's opening and closing instants on the Shanghai calendar day of
// day, or ErrClosed on a weekend day when it does not open.
func dayHours(br *engine.Branch, day time.Time) (open, close time.Time, err error) {
	d := day.In(Shanghai)
	if wd := d.Weekday(); (wd == time.Saturday || wd == time.Sunday) && !br.Weekend {
		return open, close, fmt.Errorf("branch %s on %s: %w", br.ID, d.Format("2006-01-02"), engine.ErrClosed)
	}
	o, c, err := parseHours(br.Hours)
	if err != nil {
		return open, close, fmt.Errorf("branch %s hours: %w", br.ID, err)
	}
	midnight := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, Shanghai)
	return midnight.Add(time.Duration(o) * time.Minute), midnight.Add(time.Duration(c) * time.Minute), nil
}

func slotKey(branch string, t time.Time) []byte {
	return []byte(branch + "\x00" + t.UTC().Format(time.RFC3339))
}

func slotCount(r *rtx, branch string, t time.Time) int {
	v := r.tx.Bucket(bSlots).Get(slotKey(branch, t))
	if len(v) != 8 {
		return 0
	}
	return int(beUint(v))
}

// BookingSlots lists the free 30-minute slots of a branch on the Shanghai calendar day of
// day: within opening hours, not started yet, holding fewer than 3 bookings.
func (b *Bank) BookingSlots(ctx context.Context, branch string, day time.Time) ([]time.Time, error) {
	var out []time.Time
	now := b.now()
	err := b.view(ctx, func(r *rtx) error {
		br, err := r.branch(branch)
		if err != nil {
			return err
		}
		open, close, err := dayHours(br, day)
		if err != nil {
			return err
		}
		for t := open; !t.Add(slotLength).After(close); t = t.Add(slotLength) {
			if t.After(now) && slotCount(r, branch, t) < slotCapacity {
				out = append(out, t)
			}
		}
		return nil
	})
	return out, wrapOp("booking slots", err)
}

// bookingRecord is a booking as stored.
type bookingRecord struct {
	engine.Booking
	Cancelled bool `json:"cancelled,omitempty"`
}

// Book books a slot. The time must be a slot start within opening hours (ErrClosed
// otherwise), not in the past (ErrPast), in a slot with room (ErrSlotTaken).
func (b *Bank) Book(ctx context.Context, key string, req engine.BookingRequest) (engine.Booking, error) {
	return keyed(ctx, b, "book", key, req, func(r *rtx) (engine.Booking, error) {
		var c engine.Customer
		if err := r.customer(req.Customer, &c); err != nil {
			return engine.Booking{}, err
		}
		br, err := r.branch(req.Branch)
		if err != nil {
			return engine.Booking{}, err
		}
		t := req.Time.In(Shanghai)
		if !t.After(r.now) {
			return engine.Booking{}, fmt.Errorf("%s: %w", t.Format(time.RFC3339), engine.ErrPast)
		}
		open, close, err := dayHours(br, t)
		if err != nil {
			return engine.Booking{}, err
		}
		if t.Before(open) || t.Add(slotLength).After(close) {
			return engine.Booking{}, fmt.Errorf("%s is outside opening hours %s: %w", t.Format("15:04"), br.Hours, engine.ErrClosed)
		}
		if t.Sub(open)%slotLength != 0 {
			return engine.Booking{}, fmt.Errorf("%w: %s is not the start of a 30-minute slot", engine.ErrInvalid, t.Format("15:04:05"))
		}
		n := slotCount(r, br.ID, t)
		if n >= slotCapacity {
			return engine.Booking{}, fmt.Errorf("%s %s: %w", br.ID, t.Format("2006-01-02 15:04"), engine.ErrSlotTaken)
		}
		id, err := r.nextID("BK")
		if err != nil {
			return engine.Booking{}, err
		}
		bk := engine.Booking{ID: id, Customer: c.ID, Branch: br.ID, BranchName: br.Name, Time: t, Business: req.Business}
		if err := r.put(bBookings, id, bookingRecord{Booking: bk}); err != nil {
			return engine.Booking{}, err
		}
		return bk, r.tx.Bucket(bSlots).Put(slotKey(br.ID, t), u64(uint64(n+1)))
	})
}

// Bookings lists the customer's bookings that have not started and are not cancelled, soonest
// first.
func (b *Bank) Bookings(ctx context.Context, customer string) ([]engine.Booking, error) {
	var out []engine.Booking
	err := b.view(ctx, func(r *rtx) error {
		if err := r.known(customer); err != nil {
			return err
		}
		return each(r, bBookings, func(_ string, bk bookingRecord) error {
			if bk.Customer == customer && !bk.Cancelled && bk.Time.After(r.now) {
				out = append(out, bk.Booking)
			}
			return nil
		})
	})
	slices.SortFunc(out, func(a, b engine.Booking) int { return a.Time.Compare(b.Time) })
	return out, wrapOp("bookings", err)
}

// CancelBooking cancels one of the customer's bookings and frees its place. Cancelling a
// cancelled booking does nothing; a booking that has started is ErrPast.
func (b *Bank) CancelBooking(ctx context.Context, customer, booking string) error {
	err := b.update(ctx, false, func(r *rtx) error {
		var bk bookingRecord
		if err := r.get(bBookings, booking, &bk); err != nil || bk.Customer != customer || customer == "" {
			return fmt.Errorf("booking %q: %w", booking, engine.ErrNotFound)
		}
		if bk.Cancelled {
			return nil
		}
		if !bk.Time.After(r.now) {
			return fmt.Errorf("booking %s: %w", booking, engine.ErrPast)
		}
		bk.Cancelled = true
		if err := r.put(bBookings, booking, bk); err != nil {
			return err
		}
		n := slotCount(r, bk.Branch, bk.Time)
		return r.tx.Bucket(bSlots).Put(slotKey(bk.Branch, bk.Time), u64(uint64(max(0, n-1))))
	})
	return wrapOp("cancel booking", err)
}

// Advisor returns the customer's wealth advisor, or ErrNotFound when none is assigned.
func (b *Bank) Advisor(ctx context.Context, customer string) (engine.Advisor, error) {
	var a engine.Advisor
	err := b.view(ctx, func(r *rtx) error {
		var c engine.Customer
		if err := r.customer(customer, &c); err != nil {
			return err
		}
		if c.Advisor == "" {
			return fmt.Errorf("advisor of %s: %w", customer, engine.ErrNotFound)
		}
		var ok bool
		if a, ok = b.ref.Load().advisors[c.Advisor]; !ok {
			return engine.ErrNotFound
		}
		return nil
	})
	return a, wrapOp("advisor", err)
}
