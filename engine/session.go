package engine

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// SessionSchema is the version of the session record; Load refuses records it cannot read.
const SessionSchema = 2

// Session is one user's conversation state: a value, never shared between users, serialised
// to the Store at the end of every turn.
type Session struct {
	Schema     int       `json:"schema"`
	User       string    `json:"user"`
	Started    time.Time `json:"started"`
	LastActive time.Time `json:"last_active"`
	Turns      int       `json:"turns"`
	Seq        int       `json:"seq"` // flow instances started, for idempotency keys
	// Nonce is drawn when the session is created. Idempotency keys carry it, so a session
	// started afresh (after unsubscribe, or an unreadable record) never reuses an old key and
	// never gets an earlier operation's result instead of its own.
	Nonce string `json:"nonce"`

	// Frames is the flow stack: the last one is active, the ones below were interrupted by a
	// digression and may be resumed.
	Frames []*Frame `json:"frames,omitempty"`

	// Pending is a question the bot asked outside a flow (which intent did you mean, resume?).
	Pending *Pending `json:"pending,omitempty"`

	Fallbacks int `json:"fallbacks,omitempty"` // out-of-scope messages in a row

	// Last finished flow, for follow-ups ("那上个月的呢?").
	LastFlow  string           `json:"last_flow,omitempty"`
	LastSlots map[string]Value `json:"last_slots,omitempty"`
	LastAt    time.Time        `json:"last_at,omitzero"`
	// LastList is the last numbered list the bot showed, for "第二个".
	LastList *List `json:"last_list,omitempty"`
	// Variant counters for replies with several variants.
	Variants map[string]int `json:"variants,omitempty"`
}

// refuse records that the value of slot was refused.
func (f *Frame) refuse(slot string) {
	if !slices.Contains(f.Refused, slot) {
		f.Refused = append(f.Refused, slot)
	}
}

// Frame is one running flow instance.
type Frame struct {
	ID      string `json:"id"` // unique per user: idempotency keys derive from it
	Flow    string `json:"flow"`
	Version string `json:"version"` // the program version the flow started on
	// Step is the stable label of the current top-level step (flowProg.labels). The record
	// holds labels, never indices: a label that does not resolve in the frame's version
	// restarts the flow.
	Step    string           `json:"step"`
	PC      int              `json:"-"` // Step resolved in the frame's program; set by the turn
	Wait    string           `json:"wait,omitempty"`
	Slots   map[string]Value `json:"slots"`
	Results map[string]any   `json:"results,omitempty"`
	Retries int              `json:"retries,omitempty"`
	// Refused names slots whose value the flow or the bank refused: the customer chooses
	// them again, no default fills them silently.
	Refused []string  `json:"refused,omitempty"`
	Calls   int       `json:"calls,omitempty"` // bank calls made, part of the idempotency key
	Started time.Time `json:"started"`
	Active  time.Time `json:"active"`

	// The money guard's state (guard.go), each a digest of one Operation. Shown is the
	// operation last read back; Confirmed the one the customer said yes to; Verified the one a
	// code was verified for, through Challenge. A call runs only when its own digest equals
	// Confirmed and Verified; it consumes them.
	Shown     string `json:"shown,omitempty"`
	Confirmed string `json:"confirmed,omitempty"`
	Challenge string `json:"challenge,omitempty"`
	CodeFor   string `json:"code_for,omitempty"` // the digest Challenge was issued for
	Verified  string `json:"verified,omitempty"`
	// Pending is a money-moving call recorded durably before it was sent: a turn that finds
	// it completes it with the same idempotency key and tells the customer the result.
	Pending *PendingCall `json:"pending,omitempty"`
}

// PendingCall is a bank call in flight: the step that makes it, its idempotency key and the
// digest of its operation.
type PendingCall struct {
	Step   string `json:"step"`
	Key    string `json:"key"`
	Digest string `json:"digest"`
	// Challenge is the verified code's challenge the call was sent with.
	Challenge string `json:"challenge,omitempty"`
}

// Pending is an open question outside a flow.
type Pending struct {
	Kind    string   `json:"kind"` // "choose" (ambiguity), "resume"
	Options []string `json:"options"`
	// Entities carried from the ambiguous message, to prefill the chosen flow.
	Slots map[string]Value `json:"slots,omitempty"`
}

// List is a numbered list shown to the customer: the values of an entity (Items), or plain
// results, of which only the lines shown are kept (Lines).
type List struct {
	Entity string   `json:"entity"` // entity type of the items, "" for plain results
	Items  []Value  `json:"items"`
	Lines  []string `json:"lines,omitempty"`
}

// Value is a slot value: Type is the entity type, V its canonical value (money as yuan
// "500.00", dates "2026-11-26", list entities the bank id), Text what the customer wrote and
// Fields the attributes templates can reach (payee.name, payee.account ...).
type Value struct {
	Type   string            `json:"type"`
	V      string            `json:"v"`
	Text   string            `json:"text,omitempty"`
	Fields map[string]string `json:"fields,omitempty"`
}

// Display is how a value reads in a reply.
func (v Value) Display() string {
	if n, ok := v.Fields["name"]; ok && n != "" {
		return n
	}
	return v.V
}

func (s *Session) top() *Frame {
	if len(s.Frames) == 0 {
		return nil
	}
	return s.Frames[len(s.Frames)-1]
}

func (s *Session) pop() *Frame {
	f := s.top()
	if f != nil {
		s.Frames = s.Frames[:len(s.Frames)-1]
	}
	return f
}

func decodeSession(b []byte) (*Session, error) {
	var s Session
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("session record: %w", err)
	}
	if s.Schema != SessionSchema {
		return nil, fmt.Errorf("session record: schema %d, want %d", s.Schema, SessionSchema)
	}
	return &s, nil
}
