package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/weiyin-bank/weiyin/engine"
)

// Turner runs one turn of a conversation. *engine.Bot implements it.
type Turner interface {
	Turn(ctx context.Context, user string, m engine.Message) (engine.Reply, error)
}

// ChatOptions configures the chat API. Who may call it (DESIGN.md, "HTTP JSON chat API"):
// with Tokens, a request needs one of them as a bearer token, else 401, and speaks for the
// users of that token's namespace (see WeChatTokenName); without Tokens, loopback clients only
// and only when Sandbox, else 403.
type ChatOptions struct {
	Turner Turner
	// Tokens are the callers (WEIYIN_API_TOKENS, see ParseTokens).
	Tokens []APIToken
	// Sandbox says the bot runs on the sandbox bank (demo customers, no real money).
	Sandbox bool
	// SandboxLogin allows "as" (speak as a customer id): only with the sandbox bank and
	// --sandbox-login. Otherwise a request with "as" is refused with 403.
	SandboxLogin bool
	MaxBody      int64         // default 64 KB
	TurnTimeout  time.Duration // default 60s
	Logger       *slog.Logger
}

// ChatRequest is the body of POST /api/chat.
type ChatRequest struct {
	User string `json:"user"`
	Text string `json:"text"`
	ID   string `json:"id,omitempty"` // message id: a repeat gets the same reply
	As   string `json:"as,omitempty"` // customer id (sandbox login only)
}

// ChatResponse is the 200 body of POST /api/chat (DESIGN.md, "HTTP JSON chat API").
type ChatResponse struct {
	Replies  []ReplyText          `json:"replies"`
	Buttons  []string             `json:"buttons"`
	Intent   Intent               `json:"intent"`
	Entities []engine.ReplyEntity `json:"entities"`
	State    State                `json:"state"`
}

// ReplyText is one message of the reply.
type ReplyText struct {
	Text string `json:"text"`
}

// Intent is the understood intent.
type Intent struct {
	Name       string  `json:"name"`
	Confidence float64 `json:"confidence"`
}

// State is the conversation's position after the turn.
type State struct {
	Flow string `json:"flow"`
	Step string `json:"step"`
}

// Error is the JSON body of every error answer, as the bank REST API's.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// WriteJSON writes v with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// WriteError writes an Error.
func WriteError(w http.ResponseWriter, status int, code, msg string) {
	WriteJSON(w, status, Error{Code: code, Message: msg})
}

// DecodeJSON reads r's body, at most max bytes, into v, refusing unknown fields. On failure it
// writes the error answer (413 too_large, 400 bad_request or bad_json with hint) and returns
// false.
func DecodeJSON(w http.ResponseWriter, r *http.Request, max int64, v any, hint string) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			WriteError(w, http.StatusRequestEntityTooLarge, "too_large", "body over the size limit")
			return false
		}
		WriteError(w, http.StatusBadRequest, "bad_request", "cannot read body")
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		WriteError(w, http.StatusBadRequest, "bad_json", hint+": "+err.Error())
		return false
	}
	return true
}

type chat struct {
	o   ChatOptions
	log *slog.Logger
}

// NewChat returns the POST /api/chat handler.
func NewChat(o ChatOptions) http.Handler {
	if o.MaxBody <= 0 {
		o.MaxBody = 64 << 10
	}
	if o.TurnTimeout <= 0 {
		o.TurnTimeout = time.Minute
	}
	c := &chat{o: o, log: o.Logger}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	return c
}

func (c *chat) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		WriteError(w, http.StatusMethodNotAllowed, "method_not_allowed", "use POST")
		return
	}
	who, ok := c.authenticate(w, r)
	if !ok {
		return
	}
	var req ChatRequest
	if !DecodeJSON(w, r, c.o.MaxBody, &req, `body must be {"user","text","id","as"}`) {
		return
	}
	req.User = strings.TrimSpace(req.User)
	switch {
	case req.User == "" || len(req.User) > 128:
		WriteError(w, http.StatusBadRequest, "invalid", "user must be 1 to 128 characters")
		return
	case strings.TrimSpace(req.Text) == "":
		WriteError(w, http.StatusBadRequest, "invalid", "text is required")
		return
	case len(req.ID) > 128:
		WriteError(w, http.StatusBadRequest, "invalid", "id is over 128 characters")
		return
	case who.name == WeChatTokenName && strings.ContainsAny(req.User, ":/"):
		WriteError(w, http.StatusForbidden, "forbidden", "the wechat token speaks for openids only")
		return
	case req.As != "" && !(c.o.SandboxLogin && c.o.Sandbox):
		WriteError(w, http.StatusForbidden, "as_forbidden", "\"as\" needs the sandbox bank and --sandbox-login")
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), c.o.TurnTimeout)
	defer cancel()
	reply, err := c.o.Turner.Turn(ctx, who.userID(req.User), engine.Message{ID: MessageID(req.ID), Kind: "text", Text: req.Text, As: req.As})
	if errors.Is(err, engine.ErrBusy) {
		w.Header().Set("Retry-After", "1")
		WriteError(w, http.StatusTooManyRequests, "busy", "this user has too many messages in progress; retry with the same id")
		return
	}
	if err != nil {
		c.log.Error("chat turn", "err", err)
		WriteError(w, http.StatusInternalServerError, "turn_failed", "the turn could not be completed; retry with the same id")
		return
	}
	WriteJSON(w, http.StatusOK, Response(reply))
}

// MessageID is the engine message id of a chat-API message id: in the chat API's own
// namespace, so that no caller can pre-empt another channel's message (WeChat's are "wx:...").
// "" stays "" (no deduplication).
func MessageID(id string) string {
	if id == "" {
		return ""
	}
	return "api:" + id
}

// Response converts an engine reply to the API's shape (empty lists, never null).
func Response(r engine.Reply) ChatResponse {
	out := ChatResponse{
		Replies:  make([]ReplyText, 0, len(r.Texts)),
		Buttons:  r.Buttons,
		Intent:   Intent{Name: r.Intent, Confidence: r.Confidence},
		Entities: make([]engine.ReplyEntity, 0, len(r.Entities)),
		State:    State{Flow: r.Flow, Step: r.Step},
	}
	for _, t := range r.Texts {
		out.Replies = append(out.Replies, ReplyText{Text: t})
	}
	if out.Buttons == nil {
		out.Buttons = []string{}
	}
	for _, e := range r.Entities {
		// As the reply texts show them: a card or account number by its tail (尾号2233), a
		// phone number masked.
		out.Entities = append(out.Entities, engine.ReplyEntity{Type: e.Type, Value: MaskNumbers(e.Value), Text: MaskNumbers(e.Text)})
	}
	return out
}
