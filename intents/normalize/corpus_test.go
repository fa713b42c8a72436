package normalize

import (
	"testing"

	"github.com/weiyin-bank/weiyin/intents/normalize/corpustest"
)

// TestCorpusOpenCC measures traditional -> simplified conversion on OpenCC's own cases: each
// row through the config it names (SimplifyWith), and every row through Simplify (t2s), which
// is what Normalize uses.
func TestCorpusOpenCC(t *testing.T) {
	rows := corpustest.Load(t, "opencc_cases.tsv")
	byConfig := map[string]*corpustest.Rate{}
	viaT2S := &corpustest.Rate{Name: "opencc t2s/tw2s/hk2s via Simplify (t2s)", MaxFailures: 200}
	for _, r := range rows {
		cfg := r.Get("config")
		if cfg != "t2s" && cfg != "tw2s" && cfg != "hk2s" {
			continue
		}
		in, want := r.Get("input"), r.Get("expected")
		rate := byConfig[cfg]
		if rate == nil {
			rate = &corpustest.Rate{Name: "opencc " + cfg + " via SimplifyWith(" + cfg + ")", MaxFailures: 200}
			byConfig[cfg] = rate
		}
		got, err := SimplifyWith(cfg, in)
		rate.Add(err == nil && got == want, in+" -> "+got+" want "+want)
		got2 := Simplify(in)
		viaT2S.Add(got2 == want, cfg+": "+in+" -> "+got2+" want "+want)
	}
	all := &corpustest.Rate{Name: "opencc t2s+tw2s+hk2s (per-row config)"}
	for _, cfg := range []string{"t2s", "tw2s", "hk2s"} {
		if r := byConfig[cfg]; r != nil {
			r.ReportFloor(t, 98, 90)
			all.Pass += r.Pass
			all.Total += r.Total
		}
	}
	// The pinned github.com/longbridgeapp/opencc v0.3.13 embeds older OpenCC dictionaries than
	// the suite's; dict/*.txt lays the current upstream rules over them (57.4% before).
	all.ReportFloor(t, 98, 98)
	// Through t2s alone, the tw2s rows that need Taiwan's variant stage (著 -> 着, 老么 ->
	// 老幺) cannot pass: Normalize keeps t2s because tw2s would turn simplified 显著 into 显着.
	viaT2S.ReportFloor(t, 98, 97)
}
