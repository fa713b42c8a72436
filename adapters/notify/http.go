package notify

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"

	"github.com/weiyin-bank/weiyin/adapters/web"
)

// MaxBody caps a POST /api/notify body.
const MaxBody = 64 << 10

// Handler serves POST /api/notify and GET /api/notify/{id} for q (Queue or StreamQueue), authenticated with the
// bearer token. An empty token refuses every request (503): notifications are off.
func Handler(q Jobs, token string) http.Handler {
	mux := http.NewServeMux()
	h := &api{q: q, token: token}
	mux.HandleFunc("POST /api/notify", h.auth(h.post))
	mux.HandleFunc("GET /api/notify/{id}", h.auth(h.get))
	return mux
}

type api struct {
	q     Jobs
	token string
}

func fail(w http.ResponseWriter, status int, code, msg string) { web.WriteError(w, status, code, msg) }

func (h *api) auth(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if h.token == "" {
			fail(w, http.StatusServiceUnavailable, "disabled", "notifications are not configured (WEIYIN_NOTIFY_TOKEN)")
			return
		}
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(h.token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="weiyin-notify"`)
			fail(w, http.StatusUnauthorized, "unauthorized", "missing or wrong bearer token")
			return
		}
		next(w, r)
	}
}

// status is a job as GET and POST report it.
type status struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	Attempts    int    `json:"attempts"`
	LastError   string `json:"last_error,omitempty"`
	MsgID       int64  `json:"msgid,omitempty"`
	Receipt     string `json:"receipt,omitempty"`
	NextAttempt string `json:"next_attempt,omitempty"`
	Created     string `json:"created"`
	Updated     string `json:"updated"`
}

func statusOf(j Job) status {
	s := status{ID: j.ID, Status: j.Status, Attempts: j.Attempts, LastError: j.LastError, MsgID: j.MsgID, Receipt: j.Receipt,
		Created: j.Created.UTC().Format(timeFormat), Updated: j.Updated.UTC().Format(timeFormat)}
	if j.Status == StatusQueued {
		s.NextAttempt = j.NextAttempt.UTC().Format(timeFormat)
	}
	return s
}

const timeFormat = "2006-01-02T15:04:05.000Z07:00"

func (h *api) post(w http.ResponseWriter, r *http.Request) {
	var req Request
	if !web.DecodeJSON(w, r, MaxBody, &req, "body is not a notification") {
		return
	}
	job, created, err := h.q.Enqueue(r.Context(), req)
	switch {
	case errors.Is(err, ErrInvalid):
		fail(w, http.StatusBadRequest, "invalid", err.Error())
	case errors.Is(err, ErrConflict):
		fail(w, http.StatusConflict, "conflict", err.Error())
	case errors.Is(err, ErrUnknownCustomer):
		fail(w, http.StatusUnprocessableEntity, "unknown_customer", err.Error())
	case err != nil:
		fail(w, http.StatusServiceUnavailable, "unavailable", "cannot queue the notification now; retry")
	case created:
		web.WriteJSON(w, http.StatusAccepted, statusOf(job))
	default:
		web.WriteJSON(w, http.StatusOK, statusOf(job))
	}
}

func (h *api) get(w http.ResponseWriter, r *http.Request) {
	job, err := h.q.Get(r.PathValue("id"))
	switch {
	case errors.Is(err, ErrNotFound):
		fail(w, http.StatusNotFound, "not_found", "no notification with that id")
	case err != nil:
		fail(w, http.StatusInternalServerError, "internal", "cannot read the queue")
	default:
		web.WriteJSON(w, http.StatusOK, statusOf(job))
	}
}
