package httpbank_test

import (
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/weiyin-bank/weiyin/adapters/bank/bankapi"
	"github.com/weiyin-bank/weiyin/adapters/bank/httpbank"
	"github.com/weiyin-bank/weiyin/adapters/bank/sandbox"
	"github.com/weiyin-bank/weiyin/adapters/bank/sandbox/sandboxtest"
	"github.com/weiyin-bank/weiyin/engine"
)

// BenchmarkHTTPTransfer measures 1-fen transfers through the client, the REST API on
// 127.0.0.1 and the sandbox (fsync per commit): one caller, and 8 concurrent callers on a
// batching sandbox.
func BenchmarkHTTPTransfer(b *testing.B) {
	req := engine.TransferRequest{Customer: "C001", FromAccount: "A001", ToAccount: "A003", Amount: 1}
	setup := func(b *testing.B, opts sandbox.Options) *httpbank.Client {
		bank, _ := sandboxtest.Open(b, opts)
		srv := httptest.NewServer(bankapi.NewHandler(bank, bankapi.ServerOptions{Logger: quiet}))
		b.Cleanup(srv.Close)
		c, err := httpbank.New(srv.URL, httpbank.Options{})
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	b.Run("serial", func(b *testing.B) {
		c := setup(b, sandbox.Options{OTPPolicy: sandboxtest.ManyCodes})
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := sandboxtest.Verified(c).Transfer(ctx, "bench-"+strconv.Itoa(i), req); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "transfers/s")
	})
	b.Run("batch-parallel", func(b *testing.B) {
		c := setup(b, sandbox.Options{OTPPolicy: sandboxtest.ManyCodes, Batch: true})
		var n atomic.Int64
		b.SetParallelism(4)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := sandboxtest.Verified(c).Transfer(ctx, "bench-"+strconv.FormatInt(n.Add(1), 10), req); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "transfers/s")
	})
}
