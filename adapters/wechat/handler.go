package wechat

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/silenceper/wechat/v2/officialaccount/message"

	"github.com/weiyin-bank/weiyin/engine"
)

// Turner runs one turn of a conversation. *engine.Bot implements it.
type Turner interface {
	Turn(ctx context.Context, user string, m engine.Message) (engine.Reply, error)
}

// ASR transcribes a voice message that WeChat's own recognition left empty (the account has
// speech recognition off, or it heard nothing). mediaID names the audio on WeChat's media API;
// format is WeChat's (amr, speex). An empty transcript makes the handler ask the customer to
// type.
type ASR interface {
	Transcribe(ctx context.Context, mediaID, format string) (string, error)
}

// Sender sends customer-service text messages. *Client implements it.
type Sender interface {
	SendText(ctx context.Context, openid, text string) error
}

// Claims decide, across the instances that share them, which one delivers an answer.
type Claims interface {
	// ClaimAnswer claims the answer to user's message msgID for how ("passive": the reply
	// to WeChat's request, "cs": customer-service messages) unless it is claimed: it returns
	// the earlier claim's how, or "" when this call claimed it.
	ClaimAnswer(ctx context.Context, user, msgID, how string) (string, error)
}

// Options configures a Handler. Config.Token and Turner are required.
type Options struct {
	Config Config
	Turner Turner
	// Sender delivers answers that miss the deadline and the parts of long answers. Nil: they
	// are dropped and logged.
	Sender Sender
	ASR    ASR
	Clock  engine.Clock // default: the system clock
	Logger *slog.Logger // default: discard

	Deadline    time.Duration // passive-reply deadline from arrival; default 4s
	TurnTimeout time.Duration // a turn's own limit; default 60s
	MaxSkew     time.Duration // timestamp freshness; default 5m
	MaxBody     int64         // request body cap; default 64 KB
	DedupeTTL   time.Duration // how long a finished message's answer is remembered for retries (1 to 2 TTLs); default 1m
	// MaxNonces caps the signed URLs remembered in plaintext mode (replay protection, see
	// nonces); default DefaultMaxNonces.
	MaxNonces int

	// Claims, when set, makes instances sharing it (Redis) deliver each answer once: a retry
	// that reached another instance gets the stored reply from the engine, and this decides
	// who sends it.
	Claims Claims

	// OnDuplicate is called for each retry of a message already seen (metrics).
	OnDuplicate func()
	// OnTemplateReceipt is called with WeChat's final report on a template message
	// (TEMPLATESENDJOBFINISH: status "success", "failed:user block", "failed: system failed").
	OnTemplateReceipt func(ctx context.Context, msgID int64, status string)

	// AskToType answers a voice message without a transcript.
	AskToType string
	// Busy answers a turn that failed.
	Busy string
	// ButtonsPrefix introduces the reply's buttons, rendered as a text line.
	ButtonsPrefix string
}

// Defaults of Options.
const (
	DefaultDeadline  = 4 * time.Second
	DefaultMaxSkew   = 5 * time.Minute
	DefaultMaxBody   = 64 << 10
	DefaultAskToType = "抱歉，这条语音没有听清，请用文字再说一遍。"
	DefaultBusy      = "抱歉，系统繁忙，请稍后再试。"
	DefaultButtons   = "您可以回复："
)

// Handler is the /wechat endpoint. Safe for concurrent use.
type Handler struct {
	opt     Options
	cr      *cryptor
	clock   engine.Clock
	log     *slog.Logger
	calls   *inflight
	nonces  *nonces
	workers *workers
	wg      sync.WaitGroup // running turns and pending customer-service sends
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// NewHandler checks o and returns the endpoint.
func NewHandler(o Options) (*Handler, error) {
	if o.Config.Token == "" {
		return nil, errors.New("wechat: WEIYIN_WECHAT_TOKEN is required")
	}
	if o.Turner == nil {
		return nil, errors.New("wechat: a Turner is required")
	}
	cr, err := newCryptor(o.Config)
	if err != nil {
		return nil, err
	}
	if cr.key != nil && o.Config.AppID == "" {
		return nil, errors.New("wechat: safe mode needs WEIYIN_WECHAT_APPID")
	}
	setDefault(&o.Deadline, DefaultDeadline)
	setDefault(&o.TurnTimeout, time.Minute)
	setDefault(&o.MaxSkew, DefaultMaxSkew)
	setDefault(&o.DedupeTTL, time.Minute)
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.MaxNonces <= 0 {
		o.MaxNonces = DefaultMaxNonces
	}
	if o.AskToType == "" {
		o.AskToType = DefaultAskToType
	}
	if o.Busy == "" {
		o.Busy = DefaultBusy
	}
	if o.ButtonsPrefix == "" {
		o.ButtonsPrefix = DefaultButtons
	}
	h := &Handler{opt: o, cr: cr, clock: o.Clock, log: o.Logger}
	if h.clock == nil {
		h.clock = systemClock{}
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	h.calls = newInflight(o.DedupeTTL)
	h.nonces = newNonces(o.MaxSkew, o.MaxNonces)
	h.workers = newWorkers(10 * time.Second)
	return h, nil
}

func setDefault(d *time.Duration, v time.Duration) {
	if *d <= 0 {
		*d = v
	}
}

// SafeMode reports whether the handler expects encrypted messages.
func (h *Handler) SafeMode() bool { return h.cr.key != nil }

// Close waits until running turns have finished and their answers have been sent, or ctx
// ends. Call it after the HTTP server has stopped accepting requests.
func (h *Handler) Close(ctx context.Context) error {
	done := make(chan struct{})
	go func() { h.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wechat: waiting for running turns: %w", ctx.Err())
	}
}

// httpError answers with a status and a short plain-text reason (never echoing input).
func (h *Handler) httpError(w http.ResponseWriter, r *http.Request, code int, reason string) {
	h.log.Warn("wechat request refused", "status", code, "reason", reason, "remote", r.RemoteAddr)
	http.Error(w, http.StatusText(code), code)
}

// ServeHTTP checks the signature and the timestamp, then answers URL verification (GET) or a
// message push (POST).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := h.clock.Now()
	q := r.URL.Query()
	ts, nonce := q.Get("timestamp"), q.Get("nonce")
	if !verify(q.Get("signature"), h.opt.Config.Token, ts, nonce) {
		h.httpError(w, r, http.StatusForbidden, "bad signature")
		return
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		h.httpError(w, r, http.StatusForbidden, "bad timestamp")
		return
	}
	if skew := start.Sub(time.Unix(sec, 0)); skew > h.opt.MaxSkew || skew < -h.opt.MaxSkew {
		h.httpError(w, r, http.StatusForbidden, "stale timestamp")
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		echo := q.Get("echostr")
		if echo == "" {
			h.httpError(w, r, http.StatusBadRequest, "no echostr")
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, echo)
	case http.MethodPost:
		h.post(w, r, q, start)
	default:
		w.Header().Set("Allow", "GET, POST")
		h.httpError(w, r, http.StatusMethodNotAllowed, "method")
	}
}

// request is one decoded push, with what the reply needs to know about its format.
type request struct {
	msg     message.MixMessage
	encrypt bool // reply encrypted
	json    bool // JSON data format
	nonce   string
}

// requests are reused: a request holds the SDK's MixMessage, some 1.6 KB, and lives only while
// post runs (the turn gets the inbound message convert makes of it).
var requests = sync.Pool{New: func() any { return new(request) }}

// buffers (request bodies) and replies (rendered replies) are reused, one or two KB each:
// io.ReadAll grew a new body from 512 bytes for every request, and a reply was rendered twice
// in safe mode. Everything decoded from a body or rendered into a reply is copied out before
// its buffer goes back (strings, the SDK's cipher input, the ResponseWriter's buffer).
var (
	buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}
	replies = sync.Pool{New: func() any { return new([]byte) }}
)

// maxPooled is the largest buffer kept for reuse: a rare large body is not held on to.
const maxPooled = 64 << 10

func putBuffer(b *bytes.Buffer) {
	if b.Cap() <= maxPooled {
		b.Reset()
		buffers.Put(b)
	}
}

func (h *Handler) post(w http.ResponseWriter, r *http.Request, q url.Values, start time.Time) {
	buf := buffers.Get().(*bytes.Buffer)
	defer putBuffer(buf)
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, h.opt.MaxBody))
	body := buf.Bytes()
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			h.httpError(w, r, http.StatusRequestEntityTooLarge, "body too large")
			return
		}
		h.httpError(w, r, http.StatusBadRequest, "read body")
		return
	}
	if h.cr.key == nil {
		// Plaintext and compatible modes: the signature does not cover the body.
		ts, _ := strconv.ParseInt(q.Get("timestamp"), 10, 64) // checked by ServeHTTP
		ok, evicted := h.nonces.check(ts, q.Get("nonce"), body, start)
		if evicted {
			h.log.Warn("wechat: the replay guard is full; forgetting the oldest signed URLs", "max", h.opt.MaxNonces)
		}
		if !ok {
			h.httpError(w, r, http.StatusForbidden, "replayed signature with another body")
			return
		}
	}
	req, status, err := h.decode(q, body)
	if err != nil {
		h.httpError(w, r, status, err.Error())
		return
	}
	defer requests.Put(req)
	in, ok := convert(&req.msg)
	if !ok { // events that want no answer: menu links, location reports, receipts
		if strings.EqualFold(string(req.msg.Event), string(message.EventTemplateSendJobFinish)) && h.opt.OnTemplateReceipt != nil {
			h.opt.OnTemplateReceipt(r.Context(), req.msg.TemplateMsgID, req.msg.Status)
		}
		writeSuccess(w)
		return
	}
	user := in.user
	passive, rest := h.dispatch(in, start)
	if err := h.writeReply(w, req, passive); err != nil {
		h.log.Error("wechat reply", "err", err)
	}
	if len(rest) > 0 {
		h.sendLater(user, rest)
	}
}

// decode checks and opens the body of a push with query q (whose signature has been
// checked): the HTTP status to answer on error.
func (h *Handler) decode(q url.Values, body []byte) (*request, int, error) {
	ts, nonce := q.Get("timestamp"), q.Get("nonce")
	req := requests.Get().(*request)
	*req = request{nonce: nonce, json: isJSON(body)}
	inner := body
	switch aes := q.Get("encrypt_type") == "aes"; {
	case aes && h.cr.key != nil:
		enc, ok := "", false
		if !req.json {
			enc, ok = decodeEnvelope(body)
		}
		if !ok {
			var env message.EncryptedXMLMsg
			if err := unmarshal(req.json, body, &env); err != nil {
				return nil, http.StatusBadRequest, errors.New("malformed envelope")
			}
			enc = env.EncryptedMsg
		}
		if enc == "" {
			return nil, http.StatusBadRequest, errors.New("malformed envelope")
		}
		if !verify(q.Get("msg_signature"), h.opt.Config.Token, ts, nonce, enc) {
			return nil, http.StatusForbidden, errors.New("bad msg_signature")
		}
		plain, err := h.cr.decrypt(enc)
		if err != nil {
			return nil, http.StatusBadRequest, err
		}
		inner, req.encrypt = plain, true
		req.json = isJSON(plain)
	case aes:
		// Compatible mode without a key configured: the plaintext fields are in the body too.
	case h.cr.key != nil:
		return nil, http.StatusBadRequest, errors.New("safe mode: message not encrypted")
	}
	if req.json || !decodeMessage(inner, &req.msg) {
		req.msg = message.MixMessage{}
		if err := unmarshal(req.json, inner, &req.msg); err != nil {
			return nil, http.StatusBadRequest, errors.New("malformed message")
		}
	}
	if req.msg.FromUserName == "" || req.msg.MsgType == "" {
		return nil, http.StatusBadRequest, errors.New("message without FromUserName or MsgType")
	}
	return req, 0, nil
}

func isJSON(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n")
	return len(b) > 0 && b[0] == '{'
}

func unmarshal(isJSON bool, data []byte, v any) error {
	if isJSON {
		return json.Unmarshal(data, v)
	}
	return xml.Unmarshal(data, v)
}

func writeSuccess(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, "success")
}

// writeReply writes the passive text reply, or "success" when there is none (in every mode:
// WeChat accepts a plain "success" even in safe mode).
func (h *Handler) writeReply(w http.ResponseWriter, req *request, text string) error {
	if text == "" {
		writeSuccess(w)
		return nil
	}
	now := h.clock.Now().Unix()
	bp := replies.Get().(*[]byte)
	out := replyBody((*bp)[:0], req.json, string(req.msg.FromUserName), string(req.msg.ToUserName), now, text)
	if req.encrypt {
		enc, err := h.cr.encrypt(out) // the SDK seals a copy: out's buffer is free again
		if err != nil {
			writeSuccess(w)
			return err
		}
		out = envelopeBody(out[:0], req.json, enc, Signature(h.opt.Config.Token, strconv.FormatInt(now, 10), req.nonce, enc), now, req.nonce)
	}
	if req.json {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	} else {
		w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	}
	_, err := w.Write(out) // copies out into the connection's buffer
	if cap(out) <= maxPooled {
		*bp = out[:0] // what out grew into serves the next reply
		replies.Put(bp)
	}
	return err
}

// replyBody appends to dst a passive text reply as WeChat expects it (the SDK's message.Text
// shape), by hand: encoding/xml's reflection was a sixth of the endpoint's CPU.
func replyBody(dst []byte, isJSON bool, to, from string, ts int64, content string) []byte {
	if isJSON {
		b, _ := json.Marshal(struct {
			ToUserName, FromUserName string
			CreateTime               int64
			MsgType, Content         string
		}{to, from, ts, "text", content})
		return append(dst, b...)
	}
	return renderXML(dst, xmlField{"ToUserName", to, false}, xmlField{"FromUserName", from, false},
		xmlField{"CreateTime", strconv.FormatInt(ts, 10), true}, xmlField{"MsgType", "text", false},
		xmlField{"Content", content, false})
}

// envelopeBody appends to dst the safe-mode reply envelope (message.ResponseEncryptedXMLMsg's
// shape).
func envelopeBody(dst []byte, isJSON bool, enc, sig string, ts int64, nonce string) []byte {
	if isJSON {
		b, _ := json.Marshal(message.ResponseEncryptedXMLMsg{EncryptedMsg: enc, MsgSignature: sig, Timestamp: ts, Nonce: nonce})
		return append(dst, b...)
	}
	return renderXML(dst, xmlField{"Encrypt", enc, false}, xmlField{"MsgSignature", sig, false},
		xmlField{"TimeStamp", strconv.FormatInt(ts, 10), true}, xmlField{"Nonce", nonce, false})
}

// xmlField is one element of a flat <xml> document: text goes in CDATA unless it is a number.
type xmlField struct {
	name, text string
	number     bool
}

// renderXML appends to b <xml> with fields in order, CDATA sections split around any "]]>".
func renderXML(b []byte, fields ...xmlField) []byte {
	n := 16
	for _, f := range fields {
		n += 2*len(f.name) + len(f.text) + 16
	}
	b = slices.Grow(b, n)
	b = append(b, "<xml>"...)
	for _, f := range fields {
		b = append(b, '<')
		b = append(b, f.name...)
		b = append(b, '>')
		if f.number {
			b = append(b, f.text...)
		} else {
			b = append(b, "<![CDATA["...)
			b = append(b, strings.ReplaceAll(f.text, "]]>", "]]]]><![CDATA[>")...)
			b = append(b, "]]>"...)
		}
		b = append(b, "</"...)
		b = append(b, f.name...)
		b = append(b, '>')
	}
	return append(b, "</xml>"...)
}

// eventKeyID is an event key as it goes into a message id: as is when short and plain, else a
// digest (menu keys are short; a scene string may be 64 bytes of anything).
func eventKeyID(k string) string {
	if len(k) <= 64 && !strings.ContainsAny(k, "\x00") {
		return k
	}
	sum := sha256.Sum256([]byte(k))
	return "h" + hex.EncodeToString(sum[:12])
}

// inbound is one message to turn.
type inbound struct {
	user   string
	key    string // dedupe key: user and message id
	msg    engine.Message
	media  string // voice: media id and format, for the ASR hook
	format string
}

// convert maps a WeChat message to an engine message; ok is false for events that need no
// turn.
func convert(mm *message.MixMessage) (in inbound, ok bool) {
	in.user = string(mm.FromUserName)
	m := &in.msg
	if mm.MsgType == message.MsgTypeEvent {
		ev := strings.ToLower(string(mm.Event))
		switch ev {
		case "subscribe", "unsubscribe", "click", "scan":
		default: // VIEW, LOCATION, TEMPLATESENDJOBFINISH, ...
			return inbound{}, false
		}
		// The key is part of the id: two menu clicks in one second are two turns.
		*m = engine.Message{Kind: "event", Event: ev, Key: mm.EventKey,
			ID: fmt.Sprintf("wx:ev:%s:%d:%s", in.user, mm.CreateTime, ev)}
		if mm.EventKey != "" {
			m.ID += ":" + eventKeyID(mm.EventKey)
		}
		in.key = in.user + "/" + m.ID
		return in, true
	}
	m.ID = "wx:" + strconv.FormatInt(mm.MsgID, 10)
	if mm.MsgID == 0 { // no id: fall back to sender and time, as for events
		m.ID = fmt.Sprintf("wx:t:%s:%d", in.user, mm.CreateTime)
	}
	in.key = in.user + "/" + m.ID
	switch mm.MsgType {
	case message.MsgTypeText:
		m.Kind, m.Text = "text", mm.Content
	case message.MsgTypeVoice:
		m.Kind, m.Text = "voice", strings.TrimSpace(mm.Recognition)
		in.media, in.format = mm.MediaID, mm.Format
	case message.MsgTypeLocation:
		m.Kind, m.Lat, m.Lng, m.Label = "location", mm.LocationX, mm.LocationY, mm.Label
	default: // image, video, shortvideo, link, file...
		m.Kind = "image"
	}
	return in, true
}
