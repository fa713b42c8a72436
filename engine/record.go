package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// The session and reply records are written on every turn. encoding/json spent 6.6% of
// serve's CPU under load on them and a seventh of its allocations, sorting map keys through
// reflection; these appenders write the same JSON directly (the same keys, omitempty rules and
// map key order; strings escaped as JSON requires, invalid UTF-8 as U+FFFD). Records are still
// read with encoding/json, and TestRecordsMatchEncodingJSON holds the two to the same values.
// A field added to Session, Frame, Pending, List, Value, Reply or ReplyEntity must be added here
// too: the test fails until it is.

// encodeSession returns the session record.
func encodeSession(s *Session) ([]byte, error) {
	w := recordWriter{b: make([]byte, 0, 1024)}
	w.session(s)
	return w.b, w.err
}

// encodeReply returns the reply record.
func encodeReply(r *Reply) ([]byte, error) {
	w := recordWriter{b: make([]byte, 0, 512)}
	w.reply(r)
	return w.b, w.err
}

type recordWriter struct {
	b     []byte
	err   error
	comma bool // a member was written in the current object or array
}

func (w *recordWriter) open(c byte)  { w.b, w.comma = append(w.b, c), false }
func (w *recordWriter) close(c byte) { w.b, w.comma = append(w.b, c), true }

// key starts a member of the current object.
func (w *recordWriter) key(k string) {
	w.sep()
	w.str(k)
	w.b = append(w.b, ':')
}

// sep writes the comma before a member or element when one came before.
func (w *recordWriter) sep() {
	if w.comma {
		w.b = append(w.b, ',')
	}
	w.comma = true
}

func (w *recordWriter) strField(k, v string, omitEmpty bool) {
	if omitEmpty && v == "" {
		return
	}
	w.key(k)
	w.str(v)
}

func (w *recordWriter) intField(k string, v int, omitEmpty bool) {
	if omitEmpty && v == 0 {
		return
	}
	w.key(k)
	w.b = strconv.AppendInt(w.b, int64(v), 10)
}

func (w *recordWriter) boolField(k string, v bool) {
	if v { // every bool of the records is omitempty
		w.key(k)
		w.b = append(w.b, "true"...)
	}
}

func (w *recordWriter) timeField(k string, t time.Time) {
	if y := t.Year(); y < 0 || y > 9999 {
		w.fail(errors.New("engine: a time outside years 0-9999 in a record"))
		return
	}
	w.key(k)
	w.b = append(w.b, '"')
	w.b = t.AppendFormat(w.b, time.RFC3339Nano)
	w.b = append(w.b, '"')
}

func (w *recordWriter) strings(k string, vs []string, omitEmpty bool) {
	if omitEmpty && len(vs) == 0 {
		return
	}
	w.key(k)
	if vs == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.open('[')
	for _, v := range vs {
		w.sep()
		w.str(v)
	}
	w.close(']')
}

// keys returns m's keys sorted, as encoding/json writes them.
func keys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// mapField writes m under k with its keys sorted, each value by val.
func mapField[V any](w *recordWriter, k string, m map[string]V, omitEmpty bool, val func(V)) {
	if omitEmpty && len(m) == 0 {
		return
	}
	w.key(k)
	if m == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.open('{')
	for _, mk := range keys(m) {
		w.key(mk)
		val(m[mk])
	}
	w.close('}')
}

func (w *recordWriter) value(v Value) {
	w.open('{')
	w.strField("type", v.Type, false)
	w.strField("v", v.V, false)
	w.strField("text", v.Text, true)
	mapField(w, "fields", v.Fields, true, w.str)
	w.close('}')
}

// anyField writes a value of unknown shape (an operation's results) with encoding/json.
func (w *recordWriter) anyField(k string, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		w.fail(err)
		return
	}
	w.key(k)
	w.b = append(w.b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}

func (w *recordWriter) fail(err error) {
	if w.err == nil {
		w.err = err
	}
}

func (w *recordWriter) session(s *Session) {
	w.open('{')
	w.intField("schema", s.Schema, false)
	w.strField("user", s.User, false)
	w.timeField("started", s.Started)
	w.timeField("last_active", s.LastActive)
	w.intField("turns", s.Turns, false)
	w.intField("seq", s.Seq, false)
	w.strField("nonce", s.Nonce, false)
	if len(s.Frames) > 0 {
		w.key("frames")
		w.open('[')
		for _, f := range s.Frames {
			w.sep()
			w.frame(f)
		}
		w.close(']')
	}
	if p := s.Pending; p != nil {
		w.key("pending")
		w.open('{')
		w.strField("kind", p.Kind, false)
		w.strings("options", p.Options, false)
		mapField(w, "slots", p.Slots, true, w.value)
		w.close('}')
	}
	w.intField("fallbacks", s.Fallbacks, true)
	w.strField("last_flow", s.LastFlow, true)
	mapField(w, "last_slots", s.LastSlots, true, w.value)
	if !s.LastAt.IsZero() {
		w.timeField("last_at", s.LastAt)
	}
	if l := s.LastList; l != nil {
		w.key("last_list")
		w.open('{')
		w.strField("entity", l.Entity, false)
		w.key("items")
		if l.Items == nil {
			w.b = append(w.b, "null"...)
		} else {
			w.open('[')
			for _, v := range l.Items {
				w.sep()
				w.value(v)
			}
			w.close(']')
		}
		w.strings("lines", l.Lines, true)
		w.close('}')
	}
	mapField(w, "variants", s.Variants, true, func(n int) { w.b = strconv.AppendInt(w.b, int64(n), 10) })
	w.close('}')
}

func (w *recordWriter) frame(f *Frame) {
	if f == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.open('{')
	w.strField("id", f.ID, false)
	w.strField("flow", f.Flow, false)
	w.strField("version", f.Version, false)
	w.strField("step", f.Step, false)
	w.strField("wait", f.Wait, true)
	mapField(w, "slots", f.Slots, false, w.value)
	if len(f.Results) > 0 {
		w.anyField("results", f.Results)
	}
	w.intField("retries", f.Retries, true)
	w.strings("refused", f.Refused, true)
	w.intField("calls", f.Calls, true)
	w.timeField("started", f.Started)
	w.timeField("active", f.Active)
	w.strField("shown", f.Shown, true)
	w.strField("confirmed", f.Confirmed, true)
	w.strField("challenge", f.Challenge, true)
	w.strField("code_for", f.CodeFor, true)
	w.strField("verified", f.Verified, true)
	if p := f.Pending; p != nil {
		w.key("pending")
		w.open('{')
		w.strField("step", p.Step, false)
		w.strField("key", p.Key, false)
		w.strField("digest", p.Digest, false)
		w.strField("challenge", p.Challenge, true)
		w.close('}')
	}
	w.close('}')
}

func (w *recordWriter) reply(r *Reply) {
	w.open('{')
	w.strings("texts", r.Texts, false)
	w.strings("buttons", r.Buttons, true)
	w.strField("intent", r.Intent, false)
	if math.IsNaN(r.Confidence) || math.IsInf(r.Confidence, 0) {
		w.fail(errors.New("engine: a reply's confidence is not a number"))
	}
	w.key("confidence")
	w.b = appendFloat(w.b, r.Confidence)
	if len(r.Entities) > 0 {
		w.key("entities")
		w.open('[')
		for _, e := range r.Entities {
			w.sep()
			w.open('{')
			w.strField("type", e.Type, false)
			w.strField("value", e.Value, false)
			w.strField("text", e.Text, false)
			w.close('}')
		}
		w.close(']')
	}
	w.strField("flow", r.Flow, true)
	w.strField("step", r.Step, true)
	mapField(w, "slots", r.Slots, true, w.str)
	w.boolField("handoff", r.Handoff)
	w.close('}')
}

// appendFloat writes f as encoding/json does: the shortest representation, with an exponent
// only for very small or large magnitudes.
func appendFloat(b []byte, f float64) []byte {
	abs, format := math.Abs(f), byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' { // clean up e-09 to e-9, as encoding/json does
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// str writes s as a JSON string: quotes, backslashes and control characters escaped, and each
// byte of invalid UTF-8 as U+FFFD, as encoding/json writes it (without its HTML escaping, which
// a record does not need).
func (w *recordWriter) str(s string) {
	const hex = "0123456789abcdef"
	b := append(w.b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' { // valid JSON, but not in JavaScript strings
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	w.b = append(b, '"')
}
