package wechat

import (
	"fmt"
	"testing"
	"time"
)

// Ensure a running call is shared however long it runs, a finished one is answered from its
// record for one to two TTLs (passive part or async, never the rest again), then forgotten.
func TestInflightRecords(t *testing.T) {
	f := newInflight(time.Minute)
	t0 := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	c, first := f.get("slow", t0)
	if !first {
		t.Fatal("a new key is not first")
	}
	for i := range 3000 {
		key := fmt.Sprint("m", i)
		at := t0.Add(time.Duration(i) * 40 * time.Millisecond) // 3000 over 2 minutes
		if _, first := f.get(key, at); !first {
			t.Fatalf("%s: not first", key)
		}
		f.finish(key, i%10 == 0, []string{"answer " + key, "rest"}, at)
	}
	now := t0.Add(2 * time.Minute)
	if again, first := f.get("slow", now); first || again != c {
		t.Error("a running call was forgotten or not shared")
	}
	for _, tc := range []struct {
		key     string
		found   bool
		async   bool
		passive string
	}{
		{"m2999", true, false, "answer m2999"},
		{"m1600", true, true, ""},
		{"m1501", true, false, "answer m1501"},
		{"m1", false, false, ""},    // older than two TTLs
		{"m1499", false, false, ""}, // in the generation dropped at the second rotation
		{"zzz", false, false, ""},
	} {
		c, first := f.get(tc.key, now)
		if first == tc.found {
			t.Errorf("%s: found %v, want %v", tc.key, !first, tc.found)
			continue
		}
		if !tc.found {
			continue
		}
		passive := ""
		if !c.async && len(c.parts) > 0 {
			passive = c.parts[0]
		}
		if c.async != tc.async || passive != tc.passive || !c.restSent || !c.finished {
			t.Errorf("%s: async %v, passive %q, rest already sent %v", tc.key, c.async, passive, c.restSent)
		}
		select {
		case <-c.done:
		default:
			t.Errorf("%s: a finished call's done is open", tc.key)
		}
	}
	if n := f.len(); n > 1600+10 {
		t.Errorf("%d calls remembered, want about the last two minutes' finished ones", n)
	}
}
