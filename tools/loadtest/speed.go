package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/weiyin-bank/weiyin/adapters/wechat"
)

// speedCheck times a fixed piece of one core's work like a message's (a signature, an AES
// opening, a small map and sort) and returns the fastest of a few rounds. Shared virtual
// machines run the same code at different speeds from one minute to the next; the figure,
// taken before and after the timed phase, tells a slow spell from a slow server.
func speedCheck() (time.Duration, error) {
	key := []byte("0123456789abcdef0123456789abcdef")
	sealed := wechat.Seal([]byte("0123456789abcdef"), []byte(
		"<xml><ToUserName><![CDATA[o_load_0000]]></ToUserName><Content><![CDATA[您的活期账户余额为 12,345.67 元。]]></Content></xml>"),
		"wxload000000000001", key)
	const rounds, iterations = 10, 4000
	runtime.GC() // not the load tool's own collection: it has just built every request
	best := time.Duration(1<<63 - 1)
	for range rounds {
		t0 := time.Now()
		for i := range iterations {
			ts := strconv.Itoa(1700000000 + i)
			_ = wechat.Signature("loadtoken", ts, "1234567890", sealed)
			if _, err := wechat.Open(sealed, key, "wxload000000000001"); err != nil {
				return 0, fmt.Errorf("speed check: %w", err)
			}
			m := make(map[string]int, 32)
			keys := make([]string, 0, 32)
			for k := range 32 {
				s := "字段" + strconv.Itoa(k*7919%97)
				m[s] += k
				keys = append(keys, s)
			}
			slices.Sort(keys)
		}
		best = min(best, time.Since(t0))
	}
	return best / iterations, nil
}

// speedLine is the report's line for the checks before and after the timed phase.
func speedLine(before, after time.Duration) string {
	return fmt.Sprintf("cpu check   %s before, %s after (a fixed piece of one core's work: larger means a slower machine)",
		before.Round(10*time.Nanosecond), after.Round(10*time.Nanosecond))
}

// commitCounts reads, from a weiyin server's /metrics beside the target, how many groups of
// turns its session log has committed and how many of them took over 50 ms to write and
// sync (a slow disk: every turn waits for its group), summed over the targets. ok is false
// when a target is not a weiyin server or does not answer.
func commitCounts(targets []string) (groups, slow float64, ok bool) {
	for _, t := range targets {
		g, s, ok := targetCommits(t)
		if !ok {
			return 0, 0, false
		}
		groups, slow = groups+g, slow+s
	}
	return groups, slow, true
}

func targetCommits(target string) (groups, slow float64, ok bool) {
	u, err := url.Parse(target)
	if err != nil {
		return 0, 0, false
	}
	u.Path, u.RawQuery = "/metrics", ""
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(u.String())
	if err != nil {
		return 0, 0, false
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, 0, false
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return 0, 0, false
	}
	f := families["weiyin_store_commit_duration_seconds"]
	if f == nil || len(f.GetMetric()) != 1 || f.GetMetric()[0].GetHistogram() == nil {
		return 0, 0, false
	}
	h := f.GetMetric()[0].GetHistogram()
	for _, b := range h.GetBucket() {
		if b.GetUpperBound() == 0.05 {
			groups = float64(h.GetSampleCount())
			return groups, groups - float64(b.GetCumulativeCount()), true
		}
	}
	return 0, 0, false
}

// commitLine is the report's line for the server's commits during the run.
func commitLine(groups, slow float64) string {
	return fmt.Sprintf("log syncs   %.0f groups of turns, %.0f over 50 ms (the server's weiyin_store_commit_duration_seconds)", groups, slow)
}
