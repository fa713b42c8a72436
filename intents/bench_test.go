package intents_test

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/weiyin-bank/weiyin/intents"
)

// shortUtterances are typical short messages: typed, traditional, voice-like, out of scope.
var shortUtterances = []string{
	"我的余额", "查一下上个月的明细", "给张三转500块", "鱼额多少", "轉賬給李四", "还宽",
	"信用卡账单", "附近的网点", "1", "确认", "取消", "今天天气怎么样", "我要挂失", "积分",
	"嗯那个帮我交一下电费", "转人工",
}

// BenchmarkUnderstand measures short utterances on the shipped bank bot. It reports
// utterances per second and the 99th percentile latency of one call (wall clock), and the
// process CPU time per call (cpu-µs/op), which a busy shared machine does not inflate.
func BenchmarkUnderstand(b *testing.B) {
	benchUnderstand(b, bankUnderstander(b, intents.Options{}), shortUtterances)
}

// BenchmarkUnderstandEval measures the held-out evaluation set's own texts
// (testdata/nlu/eval.tsv, in scope and out of scope, longer than shortUtterances) on the
// shipped bank bot as `weiyin nlu` compiles it (calibrated threshold): the per-utterance
// cost the CLI and the server pay, without process start-up or output.
func BenchmarkUnderstandEval(b *testing.B) {
	texts := evalTexts(b)
	benchUnderstand(b, bankUnderstander(b, intents.Options{Calibrate: true}), texts)
}

// evalTexts reads the first column of testdata/nlu/eval.tsv, skipping when it is absent.
func evalTexts(tb testing.TB) []string {
	tb.Helper()
	f, err := os.Open(filepath.Join("..", "testdata", "nlu", "eval.tsv"))
	if err != nil {
		tb.Skipf("evaluation set absent: %v", err)
	}
	defer f.Close()
	var texts []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		text, _, _ := strings.Cut(sc.Text(), "\t")
		if text != "" && !strings.HasPrefix(text, "#") {
			texts = append(texts, text)
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return texts
}

// benchUnderstand understands texts in turn, b.N calls in all.
func benchUnderstand(b *testing.B, u *intents.Understander, texts []string) {
	c := intents.Context{Now: testNow}
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		u.Understand(texts[i%len(texts)], c)
		lat = append(lat, time.Since(t0))
	}
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1000, "p99-µs")
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "utterances/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/op")
}

// BenchmarkUnderstandParallel measures throughput with every core busy.
func BenchmarkUnderstandParallel(b *testing.B) {
	u := bankUnderstander(b, intents.Options{})
	c := intents.Context{Now: testNow}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			u.Understand(shortUtterances[i%len(shortUtterances)], c)
			i++
		}
	})
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkNew measures compiling the shipped bank bot as `weiyin nlu` and `weiyin serve` do
// at start (the calibration comes from the shipped cache, the tokeniser is loaded before the
// timer starts): the part of the start-up that grows with the bundle.
func BenchmarkNew(b *testing.B) {
	bankUnderstander(b, intents.Options{Calibrate: true})
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		bankUnderstander(b, intents.Options{Calibrate: true})
	}
}
