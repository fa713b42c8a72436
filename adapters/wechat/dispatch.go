package wechat

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/weiyin-bank/weiyin/engine"
)

// call is one message's turn, shared by WeChat's retries of it.
type call struct {
	done    chan struct{} // closed when parts is set
	created time.Time

	mu       sync.Mutex
	finished bool
	parts    []string // the answer, split to WeChat's size limit
	async    bool     // the answer goes (or went) out as customer-service messages
	restSent bool     // parts[1:] have been queued as customer-service messages
}

// inflight remembers recent calls by dedupe key. Calls expire in arrival order, a few on each
// get: sweeping the whole map at once held the lock over every message of the last minutes
// (hundreds of thousands at 3,000 messages/s), stalling every request meanwhile.
type inflight struct {
	ttl   time.Duration
	mu    sync.Mutex
	calls map[string]*call
	order []string // the keys of calls, oldest first from head
	head  int
}

func newInflight(ttl time.Duration) *inflight {
	return &inflight{ttl: ttl, calls: make(map[string]*call)}
}

// get returns the call for key, creating it (first = true) when there is none.
func (f *inflight) get(key string, now time.Time) (c *call, first bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for f.head < len(f.order) {
		k := f.order[f.head]
		if old := f.calls[k]; old != nil && now.Sub(old.created) <= f.ttl {
			break
		}
		delete(f.calls, k)
		f.order[f.head] = ""
		f.head++
	}
	if f.head > 1024 && f.head > len(f.order)/2 {
		f.order = append(f.order[:0], f.order[f.head:]...)
		f.head = 0
	}
	if c, ok := f.calls[key]; ok {
		return c, false
	}
	c = &call{done: make(chan struct{}), created: now}
	f.calls[key] = c
	f.order = append(f.order, key)
	return c, true
}

// len is the number of remembered calls.
func (f *inflight) len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

// workers runs functions on goroutines kept between uses: a turn then starts on a stack that
// earlier turns have grown, instead of growing (copying) a fresh goroutine's stack through
// the decoders' recursion every time (4% of the server's CPU under load).
type workers struct {
	jobs chan func() // unbuffered: a send succeeds only when a worker is idle
	idle time.Duration
}

func newWorkers(idle time.Duration) *workers {
	return &workers{jobs: make(chan func()), idle: idle}
}

// do runs f on an idle worker, or on a new one when all are busy; it never waits.
func (w *workers) do(f func()) {
	select {
	case w.jobs <- f:
	default:
		go w.loop(f)
	}
}

// loop runs f, then further jobs, until none comes for w.idle.
func (w *workers) loop(f func()) {
	t := time.NewTimer(w.idle)
	defer t.Stop()
	for {
		f()
		t.Reset(w.idle)
		select {
		case f = <-w.jobs:
		case <-t.C:
			return
		}
	}
}

// dispatch runs in's turn (or joins the running one) and waits until the deadline. It returns
// the passive reply ("" = answer "success") and the parts the caller must send as
// customer-service messages after replying.
func (h *Handler) dispatch(in inbound, start time.Time) (passive string, rest []string) {
	c, first := h.calls.get(in.key, start)
	if first {
		h.wg.Add(1)
		h.workers.do(func() { h.run(c, in) })
	} else if h.opt.OnDuplicate != nil {
		h.opt.OnDuplicate()
	}
	wait := h.opt.Deadline - h.clock.Now().Sub(start)
	if wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-c.done:
		case <-t.C:
		}
		t.Stop()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.finished || c.async {
		c.async = true
		return "", nil
	}
	if len(c.parts) == 0 {
		return "", nil
	}
	if !c.restSent {
		c.restSent = true
		rest = c.parts[1:]
	}
	return c.parts[0], rest
}

// run turns in.msg and stores the answer; when the deadline has already passed, it sends the
// answer as customer-service messages.
func (h *Handler) run(c *call, in inbound) {
	defer h.wg.Done()
	ctx, cancel := context.WithTimeout(context.Background(), h.opt.TurnTimeout)
	defer cancel()
	parts := h.answer(ctx, in)
	c.mu.Lock()
	c.parts, c.finished = parts, true
	async := c.async
	c.mu.Unlock()
	close(c.done)
	if async && len(parts) > 0 {
		h.send(ctx, in.user, parts)
	}
}

// answer runs the turn and renders the reply as WeChat-sized parts.
func (h *Handler) answer(ctx context.Context, in inbound) []string {
	m := in.msg
	if m.Kind == "voice" && m.Text == "" {
		if h.opt.ASR != nil && in.media != "" {
			text, err := h.opt.ASR.Transcribe(ctx, in.media, in.format)
			if err != nil {
				h.log.Warn("wechat voice recognition", "err", err)
			}
			m.Text = strings.TrimSpace(text)
		}
		if m.Text == "" {
			return Split(h.opt.AskToType, MaxReplyBytes)
		}
	}
	reply, err := h.opt.Turner.Turn(ctx, in.user, m)
	if err != nil {
		h.log.Error("wechat turn", "msg_id", m.ID, "kind", m.Kind, "err", err)
		return Split(h.opt.Busy, MaxReplyBytes)
	}
	if m.Kind == "event" && m.Event == "unsubscribe" {
		return nil // the customer has left: nothing can reach them
	}
	return Split(h.render(reply), MaxReplyBytes)
}

// render joins the reply's texts and buttons into one text.
func (h *Handler) render(r engine.Reply) string {
	var b strings.Builder
	for _, t := range r.Texts {
		if t = strings.TrimSpace(t); t == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString(t)
	}
	if len(r.Buttons) > 0 {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString(h.opt.ButtonsPrefix)
		b.WriteString(strings.Join(r.Buttons, " / "))
	}
	return b.String()
}

// sendLater sends parts as customer-service messages in the background.
func (h *Handler) sendLater(user string, parts []string) {
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), h.opt.TurnTimeout)
		defer cancel()
		h.send(ctx, user, parts)
	}()
}

// send delivers parts in order, retrying each once.
func (h *Handler) send(ctx context.Context, user string, parts []string) {
	if h.opt.Sender == nil {
		h.log.Warn("wechat answer dropped: no customer-service sender", "parts", len(parts))
		return
	}
	for i, p := range parts {
		err := h.opt.Sender.SendText(ctx, user, p)
		if err != nil {
			err = h.opt.Sender.SendText(ctx, user, p)
		}
		if err != nil {
			h.log.Error("wechat customer-service message", "part", i+1, "of", len(parts), "err", err)
			return
		}
	}
}
