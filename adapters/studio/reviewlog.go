package studio

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/weiyin-bank/weiyin/engine"
)

// ReviewEntry is one line of the review log: a message the bot did not understand or
// understood with low confidence. Text is masked (MaskDigits); nothing else of the customer
// is kept, not even the user id.
type ReviewEntry struct {
	Time       time.Time `json:"time"`
	Channel    string    `json:"channel,omitempty"`
	Text       string    `json:"text"`
	Intent     string    `json:"intent"`
	Confidence float64   `json:"confidence"`
}

// DefaultReviewBelow is the confidence under which an understood message is logged for review.
const DefaultReviewBelow = 0.6

// MaskDigits replaces every digit (ASCII and full-width) with '*': phone, card and account
// numbers, codes and amounts all disappear, and the words around them stay for review.
func MaskDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsDigit(r) {
			return '*'
		}
		return r
	}, s)
}

// NeedsReview says whether a turn's reply belongs in the review log: the bot answered with
// the fallback (intent none) while no flow was active, or understood an intent with a
// confidence below below. Answers to a flow's questions are not intents and are not logged.
func NeedsReview(rep engine.Reply, below float64) bool {
	switch {
	case rep.Intent == "none":
		return rep.Flow == ""
	case rep.Intent == "":
		return false
	}
	return rep.Confidence > 0 && rep.Confidence < below
}

// Turner is what ReviewTurner wraps (*engine.Bot, or the serve's instrumented turners).
type Turner interface {
	Turn(ctx context.Context, user string, m engine.Message) (engine.Reply, error)
}

// ReviewTurner writes the review log of `weiyin serve --review-log`: after each text turn
// that NeedsReview, one JSON line to W. Safe for concurrent use.
type ReviewTurner struct {
	Next    Turner
	Channel string
	Below   float64 // 0 = DefaultReviewBelow
	Now     func() time.Time
	// OnError is told when a line cannot be written (the turn itself is not affected).
	OnError func(error)

	mu   *sync.Mutex
	w    io.Writer
	seen *recentIDs
}

// recentIDs remembers the last message ids logged, so a channel's retry of a message (WeChat
// resends until it gets an answer) is not logged twice.
type recentIDs struct {
	ring []string
	set  map[string]bool
	next int
}

func (r *recentIDs) add(id string) (fresh bool) {
	if r.set[id] {
		return false
	}
	if old := r.ring[r.next]; old != "" {
		delete(r.set, old)
	}
	r.ring[r.next], r.set[id] = id, true
	r.next = (r.next + 1) % len(r.ring)
	return true
}

// NewReviewTurner wraps next so its turns needing review are appended to w.
func NewReviewTurner(next Turner, w io.Writer, channel string, below float64, now func() time.Time, onError func(error)) *ReviewTurner {
	if below <= 0 {
		below = DefaultReviewBelow
	}
	if now == nil {
		now = time.Now
	}
	return &ReviewTurner{Next: next, Channel: channel, Below: below, Now: now, OnError: onError, mu: &sync.Mutex{}, w: w,
		seen: &recentIDs{ring: make([]string, 4096), set: map[string]bool{}}}
}

// WithChannel is the same log for another channel.
func (t *ReviewTurner) WithChannel(next Turner, channel string) *ReviewTurner {
	c := *t
	c.Next, c.Channel = next, channel
	return &c
}

// Turn runs the turn and logs it when it needs review.
func (t *ReviewTurner) Turn(ctx context.Context, user string, m engine.Message) (engine.Reply, error) {
	rep, err := t.Next.Turn(ctx, user, m)
	if err != nil || strings.TrimSpace(m.Text) == "" || (m.Kind != "" && m.Kind != "text" && m.Kind != "voice") {
		return rep, err
	}
	if !NeedsReview(rep, t.Below) {
		return rep, err
	}
	line, jerr := json.Marshal(ReviewEntry{Time: t.Now().UTC(), Channel: t.Channel, Text: MaskDigits(strings.TrimSpace(m.Text)),
		Intent: rep.Intent, Confidence: round2(rep.Confidence)})
	if jerr == nil {
		t.mu.Lock()
		if m.ID == "" || t.seen.add(user+"\x00"+m.ID) {
			_, jerr = t.w.Write(append(line, '\n'))
		}
		t.mu.Unlock()
	}
	if jerr != nil && t.OnError != nil {
		t.OnError(jerr)
	}
	return rep, err
}

func round2(f float64) float64 { return float64(int(f*100+0.5)) / 100 }
