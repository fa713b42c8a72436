package engine

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"slices"
	"time"
)

// This file holds the bank side of one-time codes, shared by the Bank implementations (the
// sandbox, the scripted test bank): the policy that limits sending and guessing codes, and
// the challenge record a code is bound to. The engine itself only calls SendOTP and VerifyOTP.

// OTPPolicy is how a bank limits one-time codes.
type OTPPolicy struct {
	// TTL is how long a challenge is valid after it is sent, to verify and to execute.
	TTL time.Duration
	// Attempts is how many wrong codes in a row lock the customer.
	Attempts int
	// Locks are the successive lock durations: the first lock lasts Locks[0], the next one
	// Locks[1]... the last repeats. A day without a lock starts over.
	Locks []time.Duration
	// Sends limit the codes sent per customer, per phone number and per card.
	Sends []RateLimit
}

// RateLimit allows N events per sliding window Per.
type RateLimit struct {
	N   int
	Per time.Duration
}

// DefaultOTPPolicy: codes valid 5 minutes; 3 wrong codes lock for 5 minutes, then 30 minutes,
// then 24 hours; at most 5 codes per 10 minutes and 20 per day.
var DefaultOTPPolicy = OTPPolicy{
	TTL:      5 * time.Minute,
	Attempts: 3,
	Locks:    []time.Duration{5 * time.Minute, 30 * time.Minute, 24 * time.Hour},
	Sends:    []RateLimit{{N: 5, Per: 10 * time.Minute}, {N: 20, Per: 24 * time.Hour}},
}

// OTPCounter is what a bank keeps about codes per customer (wrong codes, locks, sends) and
// per phone number or card (sends).
type OTPCounter struct {
	Sends       []time.Time `json:"sends,omitempty"` // codes sent within the longest window
	Wrong       int         `json:"wrong,omitempty"` // wrong codes since the last right one or lock
	Locks       int         `json:"locks,omitempty"` // locks in a row
	LockedUntil time.Time   `json:"locked_until,omitzero"`
}

// Locked is ErrLocked while the counter's lock lasts.
func (p OTPPolicy) Locked(c *OTPCounter, now time.Time) error {
	if now.Before(c.LockedUntil) {
		return fmt.Errorf("too many wrong codes, locked until %s: %w", c.LockedUntil.Format(time.RFC3339), ErrLocked)
	}
	return nil
}

// AllowSend is ErrTooManyCodes when one more code would pass a send limit.
func (p OTPPolicy) AllowSend(c *OTPCounter, now time.Time) error {
	for _, l := range p.Sends {
		n := 0
		for _, t := range c.Sends {
			if now.Sub(t) < l.Per && !t.After(now) {
				n++
			}
		}
		if n >= l.N {
			return fmt.Errorf("%d codes within %s: %w", n, l.Per, ErrTooManyCodes)
		}
	}
	return nil
}

// RecordSend counts a code sent at now and forgets sends older than every window.
func (p OTPPolicy) RecordSend(c *OTPCounter, now time.Time) {
	var keep time.Duration
	for _, l := range p.Sends {
		keep = max(keep, l.Per)
	}
	c.Sends = slices.DeleteFunc(c.Sends, func(t time.Time) bool { return now.Sub(t) >= keep })
	c.Sends = append(c.Sends, now)
}

// Wrong counts a wrong code: ErrBadCode, or ErrLocked when it is the Attempts-th in a row,
// which starts the next lock.
func (p OTPPolicy) Wrong(c *OTPCounter, now time.Time) error {
	c.Wrong++
	if c.Wrong < p.Attempts {
		return fmt.Errorf("wrong code, %d of %d: %w", c.Wrong, p.Attempts, ErrBadCode)
	}
	if !c.LockedUntil.IsZero() && now.Sub(c.LockedUntil) >= 24*time.Hour {
		c.Locks = 0 // a day without a lock: start over
	}
	d := p.Locks[min(c.Locks, len(p.Locks)-1)]
	c.Wrong, c.Locks, c.LockedUntil = 0, c.Locks+1, now.Add(d)
	return fmt.Errorf("%d wrong codes, locked for %s: %w", p.Attempts, d, ErrLocked)
}

// Right resets the wrong codes after a right one; the lock history stays.
func (p OTPPolicy) Right(c *OTPCounter) { c.Wrong = 0 }

// OTPChallenge is one code sent: whom it was sent to and exactly what it authorises.
type OTPChallenge struct {
	ID       string `json:"id"`
	Customer string `json:"customer"` // the customer whose phone got it (binding: the card's owner)
	Phone    string `json:"phone"`
	Purpose  string `json:"purpose,omitempty"`
	// Operation is what the code authorises, canonical.
	Operation Operation `json:"operation"`
	CodeHash  string    `json:"code_hash"` // SHA-256 of ID NUL code: the code itself is not kept
	Issued    time.Time `json:"issued"`
	Expires   time.Time `json:"expires"`
	Verified  bool      `json:"verified,omitempty"`
	// UsedBy is the idempotency key of the request the challenge authorised; it authorises
	// no other.
	UsedBy string `json:"used_by,omitempty"`
}

// NewOTPChallenge records a code sent at now under id (unguessable, drawn by the bank).
func (p OTPPolicy) NewOTPChallenge(id, customer, phone string, req OTPRequest, code string, now time.Time) OTPChallenge {
	return OTPChallenge{ID: id, Customer: customer, Phone: phone, Purpose: req.Purpose, Operation: req.Operation.Canonical(),
		CodeHash: codeHash(id, code), Issued: now, Expires: now.Add(p.TTL)}
}

func codeHash(id, code string) string {
	sum := sha256.Sum256([]byte(id + "\x00" + code))
	return hex.EncodeToString(sum[:])
}

// CodeIs compares a code with the challenge's in constant time.
func (c *OTPChallenge) CodeIs(code string) bool {
	return subtle.ConstantTimeCompare([]byte(codeHash(c.ID, code)), []byte(c.CodeHash)) == 1
}

// Live says whether the challenge is still valid at now.
func (c *OTPChallenge) Live(now time.Time) bool { return now.Before(c.Expires) }

// Authorise checks that the challenge lets customer execute op under idempotency key key at
// now, and marks it used by key: verified, unexpired, the same customer, issued for exactly
// op, and not used by another key. Anything else is ErrVerificationRequired.
func (c *OTPChallenge) Authorise(customer string, op Operation, key string, now time.Time) error {
	var why string
	switch {
	case !c.Verified:
		why = "code not verified"
	case !c.Live(now):
		why = "challenge expired"
	case c.Customer != customer:
		why = "challenge of another customer"
	case !c.Operation.Covers(op):
		why = "challenge issued for another operation"
	case c.UsedBy != "" && c.UsedBy != key:
		why = "challenge already used"
	default:
		c.UsedBy = key
		return nil
	}
	return fmt.Errorf("%s: %w", why, ErrVerificationRequired)
}
