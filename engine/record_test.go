package engine

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"time"
)

// stdRecord is what encoding/json writes for v, without its HTML escaping (which the records
// do not do).
func stdRecord(t testing.TB, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// fill sets every field of v, recursively, to a value that is not zero (so that a field the
// record writers forget shows up), drawing strings from strs in turn.
func fill(v reflect.Value, strs []string, n *int) {
	next := func() string { *n++; return strs[*n%len(strs)] }
	switch v.Kind() {
	case reflect.String:
		v.SetString(next())
	case reflect.Int:
		*n++
		v.SetInt(int64(*n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Float64:
		v.SetFloat([]float64{0.5, 1, 1e-7, 0.875, 3e21}[*n%5])
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), strs, n)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fill(s.Index(i), strs, n)
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for range 3 {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fill(k, strs, n)
			fill(e, strs, n)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Interface: // an operation's results
		v.Set(reflect.ValueOf(map[string]any{"n": 1.5, "list": []any{next(), true}}))
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			*n++
			v.Set(reflect.ValueOf(time.Date(2026, 11, 25, 9, *n%60, 7, *n*1000, Shanghai)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), strs, n)
			}
		}
	}
}

var recordStrings = []string{"转账", "", "a\"b\\c", "行1\n行2\t\r", "\x00\x01\x1f\b\f", "<b>&amp;</b>", "\xff\xfe半个\xe4\xbd", "\u2028\u2029", "😀", "transfer"}

// Ensure the session and reply records are byte for byte what encoding/json writes (without
// HTML escaping), for values with every field set and for empty ones.
func TestRecordsMatchEncodingJSON(t *testing.T) {
	for seed := range 12 {
		n := seed
		var s Session
		fill(reflect.ValueOf(&s).Elem(), recordStrings, &n)
		var r Reply
		fill(reflect.ValueOf(&r).Elem(), recordStrings, &n)
		sparse := &Session{Schema: 1, User: "u", Frames: []*Frame{{ID: "f1", Flow: "x"}, nil}, Pending: &Pending{Kind: "resume"}, LastList: &List{}}
		for _, v := range []any{&s, &Session{}, sparse} {
			got, err := encodeSession(v.(*Session))
			if err != nil {
				t.Fatal(err)
			}
			if want := stdRecord(t, v); !bytes.Equal(got, want) {
				t.Errorf("seed %d: session record\n got %s\nwant %s", seed, got, want)
			}
		}
		for _, v := range []*Reply{&r, {}, {Texts: []string{}, Confidence: -0.25}} {
			got, err := encodeReply(v)
			if err != nil {
				t.Fatal(err)
			}
			if want := stdRecord(t, v); !bytes.Equal(got, want) {
				t.Errorf("seed %d: reply record\n got %s\nwant %s", seed, got, want)
			}
		}
	}
}

// Ensure what encoding/json refuses, the record writers refuse too.
func TestRecordsRefuse(t *testing.T) {
	if _, err := encodeReply(&Reply{Confidence: math.NaN()}); err == nil {
		t.Error("a NaN confidence was written")
	}
	if _, err := encodeSession(&Session{Started: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}); err == nil {
		t.Error("a year 10000 was written")
	}
	if _, err := encodeSession(&Session{Frames: []*Frame{{Results: map[string]any{"f": func() {}}}}}); err == nil {
		t.Error("a result encoding/json cannot write was written")
	}
}

// FuzzRecords ensures any text in a record is written as encoding/json writes it.
func FuzzRecords(f *testing.F) {
	for _, s := range recordStrings {
		f.Add(s, s, 0.5)
	}
	f.Fuzz(func(t *testing.T, a, b string, conf float64) {
		if math.IsNaN(conf) || math.IsInf(conf, 0) {
			return
		}
		s := &Session{User: a, Nonce: b, LastSlots: map[string]Value{a: {Type: b, V: a, Fields: map[string]string{b: a}}},
			Frames: []*Frame{{ID: a, Slots: map[string]Value{}, Results: map[string]any{b: a}}}, Variants: map[string]int{a: 1, b: 2}}
		got, err := encodeSession(s)
		if err != nil {
			t.Fatal(err)
		}
		if want := stdRecord(t, s); !bytes.Equal(got, want) {
			t.Fatalf("session\n got %s\nwant %s", got, want)
		}
		r := &Reply{Texts: []string{a, b}, Intent: a, Confidence: conf, Entities: []ReplyEntity{{Type: b, Text: a}}, Slots: map[string]string{a: b}}
		got, err = encodeReply(r)
		if err != nil {
			t.Fatal(err)
		}
		if want := stdRecord(t, r); !bytes.Equal(got, want) {
			t.Fatalf("reply\n got %s\nwant %s", got, want)
		}
	})
}
