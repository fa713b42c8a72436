package studio

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"unicode/utf8"

	"github.com/weiyin-bank/weiyin/dialogs"
)

// listFiles answers GET /api/files: the dialog files of the directory, sorted.
func (s *Server) listFiles(w http.ResponseWriter, r *http.Request) {
	entries, err := os.ReadDir(s.o.Dir)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "io", err.Error())
		return
	}
	names := []string{}
	for _, e := range entries {
		if !e.IsDir() && isDialogName(e.Name()) {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	writeJSON(w, http.StatusOK, map[string]any{"files": names})
}

func (s *Server) fileName(w http.ResponseWriter, r *http.Request) (string, bool) {
	n := r.PathValue("name")
	if !isDialogName(n) {
		writeError(w, http.StatusBadRequest, "bad_name", "a dialog file is NAME.dlg or NAME.dlg.draft, without a folder")
		return "", false
	}
	return n, true
}

// readFile answers GET /api/files/{name}: the file's text.
func (s *Server) readFile(w http.ResponseWriter, r *http.Request) {
	n, ok := s.fileName(w, r)
	if !ok {
		return
	}
	b, err := os.ReadFile(filepath.Join(s.o.Dir, n))
	if errors.Is(err, os.ErrNotExist) {
		writeError(w, http.StatusNotFound, "not_found", "no dialog file "+n)
		return
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, "io", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"name": n, "text": string(b)})
}

type bufferRequest struct {
	File string `json:"file"`
	Text string `json:"text"`
}

// checkResult is the answer of a check or a save: the checker's own JSON output
// (`weiyin check --format json`) for the whole directory with the buffer in place.
type checkResult struct {
	Check json.RawMessage `json:"check"`
	// Saved and Formatted describe a save: the file was written, through the formatter when
	// it parsed.
	Saved     bool   `json:"saved,omitempty"`
	Formatted bool   `json:"formatted,omitempty"`
	Text      string `json:"text,omitempty"`
	// Loaded is set when the directory checked clean and the simulator now runs it.
	Loaded bool `json:"loaded,omitempty"`
}

func diagJSON(ds dialogs.Diagnostics) (json.RawMessage, error) {
	var b bytes.Buffer
	if err := ds.WriteJSON(&b); err != nil {
		return nil, err
	}
	return json.RawMessage(bytes.TrimSpace(b.Bytes())), nil
}

// checkBuffer answers POST /api/check {file, text}: the diagnostics of the directory as it
// would be with the unsaved buffer. Nothing is written.
func (s *Server) checkBuffer(w http.ResponseWriter, r *http.Request) {
	var req bufferRequest
	if !decode(w, r, &req) {
		return
	}
	if !isDialogName(req.File) || !utf8.ValidString(req.Text) {
		writeError(w, http.StatusBadRequest, "bad_request", "file must be NAME.dlg or NAME.dlg.draft and text valid UTF-8")
		return
	}
	_, ds, _, err := s.check(map[string][]byte{req.File: []byte(req.Text)})
	if err != nil {
		writeError(w, http.StatusInternalServerError, "io", err.Error())
		return
	}
	raw, err := diagJSON(ds)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, checkResult{Check: raw})
}

// saveFile answers PUT /api/files/{name} {text}: the text is formatted (when it parses; a
// buffer with syntax errors is saved as typed, so work is never lost) and written; when the
// directory then checks clean, the simulator switches to it.
func (s *Server) saveFile(w http.ResponseWriter, r *http.Request) {
	n, ok := s.fileName(w, r)
	if !ok {
		return
	}
	var req struct {
		Text string `json:"text"`
	}
	if !decode(w, r, &req) {
		return
	}
	if !utf8.ValidString(req.Text) {
		writeError(w, http.StatusBadRequest, "bad_request", "the text is not valid UTF-8")
		return
	}
	res, err := s.writeDialog(n, []byte(req.Text))
	if err != nil {
		writeError(w, http.StatusInternalServerError, "io", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// writeDialog formats src when it parses, writes it as dir/name and reloads the simulator when
// the directory checks clean.
func (s *Server) writeDialog(name string, src []byte) (checkResult, error) {
	s.fileMu.Lock()
	defer s.fileMu.Unlock()
	out, ferr := dialogs.FormatFile(name, src)
	formatted := ferr == nil
	if !formatted {
		out = src
	}
	if err := writeAtomic(filepath.Join(s.o.Dir, name), out); err != nil {
		return checkResult{}, err
	}
	res := checkResult{Saved: true, Formatted: formatted, Text: string(out)}
	p, ds, err := s.build(nil)
	if err != nil {
		return checkResult{}, err
	}
	if res.Check, err = diagJSON(ds); err != nil {
		return checkResult{}, err
	}
	if p != nil {
		s.use(p)
		res.Loaded = true
	}
	s.log.Info("dialog file saved", "file", name, "formatted", formatted, "errors", ds.Errors())
	return res, nil
}

// writeAtomic replaces path with data through a temporary file in the same directory, keeping
// the old file's permissions, so a hot-reloading server never reads half a file.
func writeAtomic(path string, data []byte) error {
	mode := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".studio-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	if werr == nil {
		werr = f.Chmod(mode)
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp, path)
	}
	if werr != nil {
		os.Remove(tmp)
	}
	return werr
}
