package studio

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// ship answers GET /api/ship: the live server's /healthz, which says whether its last dialog
// reload was refused and with which diagnostics (`weiyin serve` keeps the last good dialogs
// running and reports itself degraded).
func (s *Server) ship(w http.ResponseWriter, r *http.Request) {
	if s.o.Server == "" {
		writeError(w, http.StatusNotFound, "no_server", "start the studio with --server URL (a live `weiyin serve`) to see its reloads")
		return
	}
	url := strings.TrimRight(s.o.Server, "/") + "/healthz"
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, url, nil)
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_server", err.Error())
		return
	}
	resp, err := s.o.Client.Do(req)
	if err != nil {
		writeJSON(w, http.StatusOK, map[string]any{"server": s.o.Server, "reachable": false, "error": err.Error()})
		return
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var health json.RawMessage
	if err == nil && json.Valid(body) {
		health = body
	} else {
		health, _ = json.Marshal(map[string]string{"status": fmt.Sprintf("HTTP %d", resp.StatusCode)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"server": s.o.Server, "reachable": true, "http_status": resp.StatusCode, "health": health})
}
