package wechat

import (
	"context"
	"encoding/binary"
	"hash/maphash"
	"strings"
	"sync"
	"time"

	"github.com/weiyin-bank/weiyin/engine"
)

// call is one message's turn, shared by WeChat's retries of it.
type call struct {
	done chan struct{} // closed when parts is set

	mu       sync.Mutex
	finished bool
	parts    []string // the answer, split to WeChat's size limit
	async    bool     // the answer goes (or went) out as customer-service messages
	restSent bool     // parts[1:] have been queued as customer-service messages
}

// inflight remembers calls by dedupe key: the running ones, and for the dedupe TTL what
// finished ones answered, for WeChat's retries.
//
// A finished call keeps only what a retry needs (whether the answer went out as
// customer-service messages, and the first part, the passive reply) in a byte arena indexed
// by a hash of the key, in two generations that rotate every TTL: maps and slices without
// pointers, which the garbage collector does not scan. Keeping the calls themselves for the
// TTL made them most of the live heap under load (a minute of messages at 3,000 a second)
// and every collection's marking long enough to show in the latency's tail.
type inflight struct {
	ttl     time.Duration
	mu      sync.Mutex
	running map[string]*call
	gens    [2]answers // [0] the current generation
	rotated time.Time
	seed    maphash.Seed
}

// answers is one generation of finished calls: records (key, async, first part), with
// uvarint lengths, appended to 1 MB chunks (so growing never copies what is stored); idx maps
// a key's hash to its record's place, chunk<<20 | offset.
type answers struct {
	idx    map[uint64]uint32
	chunks [][]byte
}

const (
	chunkBits = 20
	chunkSize = 1 << chunkBits
	maxChunks = 1 << (32 - chunkBits) // a full generation rotates early
)

func newInflight(ttl time.Duration) *inflight {
	return &inflight{ttl: ttl, running: make(map[string]*call), seed: maphash.MakeSeed()}
}

// finishedDone is the done channel of every call rebuilt from an answer record.
var finishedDone = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// get returns the call for key: the running one, one rebuilt from what a finished one
// answered, or a new one (first = true).
func (f *inflight) get(key string, now time.Time) (c *call, first bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rotate(now)
	if c, ok := f.running[key]; ok {
		return c, false
	}
	h := maphash.String(f.seed, key)
	for _, g := range f.gens {
		if async, part, ok := g.lookup(h, key); ok {
			c := &call{done: finishedDone, finished: true, async: async, restSent: true}
			if part != "" {
				c.parts = []string{part}
			}
			return c, false
		}
	}
	c = &call{done: make(chan struct{})}
	f.running[key] = c
	return c, true
}

// finish records what the finished call c answered and forgets the call.
func (f *inflight) finish(key string, async bool, parts []string, now time.Time) {
	part := ""
	if len(parts) > 0 {
		part = parts[0]
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.running, key)
	f.rotate(now)
	size := len(key) + len(part) + 2*binary.MaxVarintLen64 + 1
	if size > chunkSize {
		return // no such key or part: keys are ids, parts at most MaxReplyBytes
	}
	g := &f.gens[0]
	if n := len(g.chunks); n == 0 || len(g.chunks[n-1])+size > chunkSize {
		if n == maxChunks {
			f.gens[1], f.gens[0], f.rotated = f.gens[0], answers{}, now
			g = &f.gens[0]
		}
		g.chunks = append(g.chunks, make([]byte, 0, chunkSize))
	}
	if g.idx == nil {
		g.idx = make(map[uint64]uint32)
	}
	n := len(g.chunks) - 1
	b := g.chunks[n]
	g.idx[maphash.String(f.seed, key)] = uint32(n<<chunkBits | len(b))
	b = binary.AppendUvarint(b, uint64(len(key)))
	b = append(b, key...)
	flag := byte(0)
	if async {
		flag = 1
	}
	b = append(b, flag)
	b = binary.AppendUvarint(b, uint64(len(part)))
	g.chunks[n] = append(b, part...)
}

// forget drops the running call of key without recording its answer (the turn failed).
func (f *inflight) forget(key string) {
	f.mu.Lock()
	delete(f.running, key)
	f.mu.Unlock()
}

// rotate starts a new generation every TTL, dropping the oldest: a finished call is
// remembered between one and two TTLs.
func (f *inflight) rotate(now time.Time) {
	switch age := now.Sub(f.rotated); {
	case age >= 2*f.ttl:
		f.gens = [2]answers{}
		f.rotated = now
	case age >= f.ttl:
		f.gens[1], f.gens[0] = f.gens[0], answers{}
		f.rotated = now
	}
}

// lookup finds key's record (h is its hash).
func (g answers) lookup(h uint64, key string) (async bool, part string, ok bool) {
	at, found := g.idx[h]
	if !found {
		return false, "", false
	}
	b := g.chunks[at>>chunkBits][at&(chunkSize-1):]
	n, k := binary.Uvarint(b)
	if k <= 0 || uint64(len(b)-k) < n || string(b[k:k+int(n)]) != key {
		return false, "", false // another key with the same hash
	}
	b = b[k+int(n):]
	async = b[0] == 1
	n, k = binary.Uvarint(b[1:])
	return async, string(b[1+k : 1+k+int(n)]), true
}

// len is the number of remembered calls, running and finished.
func (f *inflight) len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.running) + len(f.gens[0].idx) + len(f.gens[1].idx)
}

// workers runs functions on goroutines kept between uses: a turn then starts on a stack that
// earlier turns have grown, instead of growing (copying) a fresh goroutine's stack through
// the decoders' recursion every time (a few percent of the server's CPU under load).
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
		f = nil // an idle worker keeps nothing of its last job (the message) alive
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
	if !c.finished || c.async {
		c.async = true
		c.mu.Unlock()
		return "", nil
	}
	if len(c.parts) == 0 {
		c.mu.Unlock()
		return "", nil
	}
	passive = c.parts[0]
	if !c.restSent {
		c.restSent = true
		rest = c.parts[1:]
	}
	c.mu.Unlock()
	if !h.claim(context.Background(), in, "passive") {
		return "", nil
	}
	return passive, rest
}

// claim reports whether this instance delivers in's answer how ("passive" or "cs"): always
// without Claims; else unless another instance has sent it as customer-service messages (a
// passive reply may repeat a passive reply lost with its HTTP response: WeChat retries
// only then). When the claim cannot be made, the answer is sent: at least once.
func (h *Handler) claim(ctx context.Context, in inbound, how string) bool {
	if h.opt.Claims == nil {
		return true
	}
	prev, err := h.opt.Claims.ClaimAnswer(ctx, in.user, in.msg.ID, how)
	if err != nil {
		h.log.Warn("wechat answer claim failed, answering anyway", "how", how, "err", err)
		return true
	}
	if prev != "" && (how == "cs" || prev == "cs") {
		if h.opt.OnDuplicate != nil {
			h.opt.OnDuplicate()
		}
		return false
	}
	return true
}

// run turns in.msg and stores the answer; when the deadline has already passed, it sends the
// answer as customer-service messages.
func (h *Handler) run(c *call, in inbound) {
	defer h.wg.Done()
	ctx, cancel := context.WithTimeout(context.Background(), h.opt.TurnTimeout)
	defer cancel()
	parts, failed := h.answer(ctx, in)
	c.mu.Lock()
	c.parts, c.finished = parts, true
	async := c.async
	c.mu.Unlock()
	close(c.done)
	if failed { // nothing was committed: a later retry turns the message again
		h.calls.forget(in.key)
	} else {
		h.calls.finish(in.key, async, parts, h.clock.Now())
	}
	if async && len(parts) > 0 && h.claim(ctx, in, "cs") {
		h.send(ctx, in.user, parts)
	}
}

// answer runs the turn and renders the reply as WeChat-sized parts; failed says the turn
// failed (the answer is the busy reply).
func (h *Handler) answer(ctx context.Context, in inbound) (parts []string, failed bool) {
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
			return Split(h.opt.AskToType, MaxReplyBytes), false
		}
	}
	reply, err := h.opt.Turner.Turn(ctx, in.user, m)
	if err != nil {
		h.log.Error("wechat turn", "msg_id", m.ID, "kind", m.Kind, "err", err)
		return Split(h.opt.Busy, MaxReplyBytes), true
	}
	if m.Kind == "event" && m.Event == "unsubscribe" {
		return nil, false // the customer has left: nothing can reach them
	}
	return Split(h.render(reply), MaxReplyBytes), false
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
