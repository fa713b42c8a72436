package redisstore

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/weiyin-bank/weiyin/internal/redistest"
)

// BenchmarkTurnRoundTrips runs a turn's store calls (the lease with the session, the commit
// with the reply) for 64 users at once, as a loaded instance does, with the scripts batched
// into pipelines (the default) and each on its own round trip.
func BenchmarkTurnRoundTrips(b *testing.B) {
	url := redistest.Start(b).URL()
	for _, bc := range []struct{ name, params string }{{"autopipelined", ""}, {"one by one", "?autopipeline=false"}} {
		b.Run(bc.name, func(b *testing.B) {
			s, err := Open(context.Background(), url+bc.params)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			ctx := context.Background()
			session := make([]byte, 1100) // a session's size
			var n atomic.Int64
			run := s.token() // users of their own on every run of the benchmark
			b.SetParallelism(32)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				user := fmt.Sprint("u", run, "-", n.Add(1))
				have := ""
				for i := 0; pb.Next(); i++ {
					id := fmt.Sprint(i)
					l, err := s.Lease(ctx, user, id, have)
					if err != nil {
						b.Error(err)
						return
					}
					if err := s.CommitLeased(ctx, l, session, id, []byte("reply")); err != nil {
						b.Error(err)
						return
					}
					have = l.Token
				}
			})
		})
	}
}
