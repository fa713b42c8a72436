package sandbox_test

import (
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/weiyin-bank/weiyin/adapters/bank/sandbox"
	"github.com/weiyin-bank/weiyin/adapters/bank/sandbox/sandboxtest"
	"github.com/weiyin-bank/weiyin/engine"
)

// BenchmarkSandboxTransfer measures 1-fen transfers with a new key each: one caller with
// fsync per commit (the default), 8 concurrent callers sharing commits (Options.Batch), and
// one caller without fsync (the ledger's own cost).
func BenchmarkSandboxTransfer(b *testing.B) {
	req := engine.TransferRequest{Customer: "C001", FromAccount: "A001", ToAccount: "A003", Amount: 1}
	b.Run("fsync", func(b *testing.B) {
		bank, _ := sandboxtest.Open(b, sandbox.Options{OTPPolicy: sandboxtest.ManyCodes})
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := sandboxtest.Verified(bank).Transfer(ctx, "bench-"+strconv.Itoa(i), req); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "transfers/s")
	})
	b.Run("fsync-batch-parallel", func(b *testing.B) {
		bank, _ := sandboxtest.Open(b, sandbox.Options{OTPPolicy: sandboxtest.ManyCodes, Batch: true})
		var n atomic.Int64
		b.SetParallelism(4) // 8 callers on 2 cores
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := sandboxtest.Verified(bank).Transfer(ctx, "bench-"+strconv.FormatInt(n.Add(1), 10), req); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "transfers/s")
	})
	b.Run("nosync", func(b *testing.B) {
		bank, _ := sandboxtest.Open(b, sandbox.Options{OTPPolicy: sandboxtest.ManyCodes, NoSync: true})
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := sandboxtest.Verified(bank).Transfer(ctx, "bench-"+strconv.Itoa(i), req); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "transfers/s")
	})
}
