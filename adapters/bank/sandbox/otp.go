package sandbox

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/weiyin-bank/weiyin/engine"
)

// One-time code rules.
const (
	otpTTL         = 5 * time.Minute  // a code expires this long after it is sent
	otpMaxAttempts = 3                // wrong codes before the purpose locks
	otpLock        = 15 * time.Minute // how long a locked purpose stays locked
)

// otpRecord is the code sent for one (customer, purpose).
type otpRecord struct {
	Code        string    `json:"code"`
	Phone       string    `json:"phone"`
	Expires     time.Time `json:"expires"`
	Attempts    int       `json:"attempts"`
	LockedUntil time.Time `json:"locked_until,omitzero"`
	Verified    bool      `json:"verified,omitempty"`
}

func otpKey(owner, purpose string) []byte { return []byte(owner + "\x00" + purpose) }

// SendOTP sends a one-time code for purpose. For a known customer it goes to the customer's
// phone; otherwise (binding: customer is the openid or empty) to phone, which must be a
// mobile number. The code is the fixture's otp when set, else 6 random digits; either way it
// is logged at info level, which is how the sandbox "sends" it. A new code replaces the old
// one; a locked purpose stays ErrLocked until the lock ends.
func (b *Bank) SendOTP(ctx context.Context, customer, phone, purpose string) error {
	if purpose == "" {
		return fmt.Errorf("sandbox: send otp: %w: empty purpose", engine.ErrInvalid)
	}
	code := b.otp
	if code == "" {
		var err error
		if code, err = randomCode(b.rand); err != nil {
			return fmt.Errorf("sandbox: send otp: %w: %w", engine.ErrUnavailable, err)
		}
	}
	var to string
	err := b.update(ctx, false, func(r *rtx) error {
		var c engine.Customer
		switch {
		case customer != "" && r.customer(customer, &c) == nil:
			to = c.Phone
		case reMobile.MatchString(phone):
			to = phone
		default:
			return fmt.Errorf("%w: no customer %q and no mobile number to send the code to", engine.ErrInvalid, customer)
		}
		bk := r.tx.Bucket(bOTP)
		var old otpRecord
		if v := bk.Get(otpKey(customer, purpose)); v != nil && json.Unmarshal(v, &old) == nil && old.LockedUntil.After(r.now) {
			return fmt.Errorf("purpose %q until %s: %w", purpose, old.LockedUntil.Format(time.RFC3339), engine.ErrLocked)
		}
		return r.put(bOTP, string(otpKey(customer, purpose)), otpRecord{Code: code, Phone: to, Expires: r.now.Add(otpTTL)})
	})
	if err != nil {
		return wrapOp("send otp", err)
	}
	b.log.Info("sandbox: one-time code", "phone", maskPhone(to), "purpose", purpose, "code", code)
	if b.sink != nil {
		b.sink(to, purpose, code)
	}
	return nil
}

// VerifyOTP checks a code. A wrong code is ErrBadCode, the third wrong one ErrLocked (and
// the purpose stays locked for 15 minutes); an expired code is ErrBadCode and does not count;
// no code sent is ErrNotFound. A verified code verifies again until it expires, so a retried
// call gets the same answer.
func (b *Bank) VerifyOTP(ctx context.Context, customer, purpose, code string) error {
	var verdict error
	err := b.update(ctx, false, func(r *rtx) error {
		verdict = nil
		var rec otpRecord
		if err := r.get(bOTP, string(otpKey(customer, purpose)), &rec); err != nil {
			verdict = fmt.Errorf("no code sent for %q: %w", purpose, engine.ErrNotFound)
			return nil
		}
		switch {
		case rec.LockedUntil.After(r.now):
			verdict = fmt.Errorf("purpose %q: %w", purpose, engine.ErrLocked)
			return nil
		case !r.now.Before(rec.Expires):
			verdict = fmt.Errorf("code expired, ask for a new one: %w", engine.ErrBadCode)
			return nil
		case subtle.ConstantTimeCompare([]byte(code), []byte(rec.Code)) == 1:
			rec.Verified, rec.Attempts = true, 0
		case rec.Verified:
			verdict = engine.ErrBadCode // a wrong code after success changes nothing
			return nil
		default:
			rec.Attempts++
			verdict = fmt.Errorf("attempt %d of %d: %w", rec.Attempts, otpMaxAttempts, engine.ErrBadCode)
			if rec.Attempts >= otpMaxAttempts {
				rec.LockedUntil = r.now.Add(otpLock)
				verdict = fmt.Errorf("%d wrong codes for %q: %w", rec.Attempts, purpose, engine.ErrLocked)
			}
		}
		return r.put(bOTP, string(otpKey(customer, purpose)), rec)
	})
	if err == nil {
		err = verdict
	}
	return wrapOp("verify otp", err)
}

// useBindCode consumes a verified, unexpired code sent to phone for openid (or for no
// customer), whatever its purpose; none is ErrBadCode.
func (r *rtx) useBindCode(openid, phone string) error {
	c := r.tx.Bucket(bOTP).Cursor()
	for _, owner := range []string{openid, ""} {
		prefix := otpKey(owner, "")
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var rec otpRecord
			if json.Unmarshal(v, &rec) != nil {
				continue
			}
			if rec.Verified && rec.Phone == phone && r.now.Before(rec.Expires) {
				return r.tx.Bucket(bOTP).Delete(k)
			}
		}
	}
	return fmt.Errorf("binding needs a verified code sent to the phone: %w", engine.ErrBadCode)
}

// randomCode draws 6 uniformly random digits.
func randomCode(rnd io.Reader) (string, error) {
	var buf [4]byte
	for {
		if _, err := io.ReadFull(rnd, buf[:]); err != nil {
			return "", err
		}
		v := binary.BigEndian.Uint32(buf[:])
		if v < 4_294_000_000 { // largest multiple of 1e6 below 2^32: no modulo bias
			return fmt.Sprintf("%06d", v%1_000_000), nil
		}
	}
}

// maskPhone keeps the first three and last four digits: 138****1234.
func maskPhone(p string) string {
	if len(p) != 11 {
		return maskNumber(p)
	}
	return p[:3] + "****" + p[7:]
}
