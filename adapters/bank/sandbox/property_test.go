package sandbox_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/weiyin-bank/weiyin/adapters/bank/sandbox"
	"github.com/weiyin-bank/weiyin/adapters/bank/sandbox/sandboxtest"
	"github.com/weiyin-bank/weiyin/engine"
)

var (
	propSeed  = flag.Uint64("seed", 0, "seed of TestPropertyLedger (0: from the clock)")
	propOps   = flag.Int("ops", 2000, "operations of TestPropertyLedger")
	propBatch = flag.Bool("batch", false, "TestPropertyLedger/update with Options.Batch too")
	propSync  = flag.Bool("sync", false, "TestPropertyLedger with fsync on commit (slow; the crash test covers durability)")
)

// lossyBank is a Bank whose money-moving answers get lost after the bank committed them,
// as when the network drops the response: the caller sees ErrUnavailable.
type lossyBank struct {
	engine.Bank
	mu   sync.Mutex
	rnd  *rand.Rand
	p    float64
	lost int
}

func (l *lossyBank) drop() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.rnd.Float64() < l.p {
		l.lost++
		return true
	}
	return false
}

func lose[T any](l *lossyBank, v T, err error) (T, error) {
	if err == nil && l.drop() {
		var zero T
		return zero, fmt.Errorf("response lost: %w", engine.ErrUnavailable)
	}
	return v, err
}

func (l *lossyBank) Transfer(ctx context.Context, key string, r engine.TransferRequest) (engine.TransferResult, error) {
	v, err := l.Bank.Transfer(ctx, key, r)
	return lose(l, v, err)
}
func (l *lossyBank) FundCollect(ctx context.Context, key string, r engine.CollectRequest) (engine.TransferResult, error) {
	v, err := l.Bank.FundCollect(ctx, key, r)
	return lose(l, v, err)
}
func (l *lossyBank) CreditRepay(ctx context.Context, key string, r engine.RepayRequest) (engine.RepayResult, error) {
	v, err := l.Bank.CreditRepay(ctx, key, r)
	return lose(l, v, err)
}
func (l *lossyBank) BuyProduct(ctx context.Context, key string, r engine.PurchaseRequest) (engine.PurchaseResult, error) {
	v, err := l.Bank.BuyProduct(ctx, key, r)
	return lose(l, v, err)
}
func (l *lossyBank) PhoneTopup(ctx context.Context, key string, r engine.TopupRequest) (engine.PaymentResult, error) {
	v, err := l.Bank.PhoneTopup(ctx, key, r)
	return lose(l, v, err)
}
func (l *lossyBank) PayBill(ctx context.Context, key string, r engine.BillRequest) (engine.PaymentResult, error) {
	v, err := l.Bank.PayBill(ctx, key, r)
	return lose(l, v, err)
}

// op is one money-moving request; it returns the movement id.
type op func(ctx context.Context, b engine.Bank, key string) (string, error)

// intent is the requests made under one key: [0] first, any other reuses the key for a
// different request.
type intent struct {
	key string
	ops []op
}

// randomOp draws a request among the fixture's customers: a transfer (also to another
// bank), fund collection, repayment, purchase, top-up or bill.
func randomOp(rnd *rand.Rand) op {
	type acct struct{ cust, id string }
	current := []acct{{"C001", "A001"}, {"C002", "A003"}, {"C003", "A004"}, {"C004", "A005"}, {"C005", "A007"}}
	from := current[rnd.IntN(len(current))]
	amt := engine.Money(1 + rnd.Int64N(500_00))
	switch rnd.IntN(7) {
	case 0, 1:
		to := current[rnd.IntN(len(current))].id
		if rnd.IntN(4) == 0 && from.cust == "C001" {
			to = "6214830212345678" // 王芳 at another bank
		}
		return func(ctx context.Context, b engine.Bank, key string) (string, error) {
			r, err := b.Transfer(ctx, key, engine.TransferRequest{Customer: from.cust, FromAccount: from.id, ToAccount: to, Amount: amt})
			return r.ID, err
		}
	case 2:
		card := []string{"6214830298761234", "6217000012344321"}[rnd.IntN(2)]
		return func(ctx context.Context, b engine.Bank, key string) (string, error) {
			r, err := b.FundCollect(ctx, key, engine.CollectRequest{Customer: "C001", Card: card, ToAccount: "A001", Amount: amt})
			return r.ID, err
		}
	case 3:
		return func(ctx context.Context, b engine.Bank, key string) (string, error) {
			r, err := b.CreditRepay(ctx, key, engine.RepayRequest{Customer: "C001", Card: "CC01", FromAccount: "A001", Amount: amt/10 + 1})
			return r.ID, err
		}
	case 4:
		return func(ctx context.Context, b engine.Bank, key string) (string, error) {
			r, err := b.BuyProduct(ctx, key, engine.PurchaseRequest{Customer: from.cust, Product: "P006", FromAccount: from.id, Amount: amt})
			return r.ID, err
		}
	case 5:
		return func(ctx context.Context, b engine.Bank, key string) (string, error) {
			r, err := b.PhoneTopup(ctx, key, engine.TopupRequest{Customer: from.cust, Phone: "13912345678", FromAccount: from.id, Amount: amt%2000_00 + 1})
			return r.ID, err
		}
	default:
		return func(ctx context.Context, b engine.Bank, key string) (string, error) {
			r, err := b.PayBill(ctx, key, engine.BillRequest{Customer: from.cust, Biller: "water", BillAccount: "1234567890", FromAccount: from.id, Amount: amt})
			return r.ID, err
		}
	}
}

// TestPropertyLedger runs thousands of random money movements from concurrent callers, with
// every key sent up to three times (sometimes at once), some keys reused for another request,
// contexts cancelled before or during calls, and answers lost after commit. It then asks
// every key once more and checks: the total of all balances is conserved to the fen, no
// balance is negative, and the ledger holds exactly one movement per key that succeeded.
func TestPropertyLedger(t *testing.T) {
	t.Run("update", func(t *testing.T) { propertyLedger(t, *propOps, *propBatch) })
	// Batch shares commits between callers; a failing call must not leave writes behind.
	t.Run("batch", func(t *testing.T) { propertyLedger(t, *propOps/4, true) })
}

func propertyLedger(t *testing.T, n int, batch bool) {
	seed := *propSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -seed=%d)", seed, seed)
	rnd := rand.New(rand.NewPCG(seed, 1))
	bank, clock := sandboxtest.Open(t, sandbox.Options{Batch: batch, NoSync: !*propSync, OTPPolicy: sandboxtest.ManyCodes})
	lossy := &lossyBank{Bank: sandboxtest.Verified(bank), rnd: rand.New(rand.NewPCG(seed, 2)), p: 0.15}
	if testing.Short() {
		n = min(n, 300)
	}
	intents := make([]intent, n)
	type attempt struct {
		in      *intent
		variant int
		cancel  int // 0 none, 1 before the call, 2 after a random delay
		delay   time.Duration
	}
	var attempts []attempt
	for i := range intents {
		in := &intents[i]
		in.key = fmt.Sprintf("key-%d", i)
		in.ops = []op{randomOp(rnd)}
		if rnd.IntN(20) == 0 {
			in.ops = append(in.ops, randomOp(rnd))
		}
		for k := 0; k < 1+rnd.IntN(3); k++ {
			a := attempt{in: in, variant: rnd.IntN(len(in.ops))}
			switch rnd.IntN(10) {
			case 0:
				a.cancel = 1
			case 1:
				a.cancel, a.delay = 2, time.Duration(rnd.IntN(3000))*time.Microsecond
			}
			attempts = append(attempts, a)
		}
	}
	rnd.Shuffle(len(attempts), func(i, j int) { attempts[i], attempts[j] = attempts[j], attempts[i] })

	var mu sync.Mutex
	ids := map[string]string{} // key -> movement id seen by a caller
	record := func(key, id string) {
		mu.Lock()
		defer mu.Unlock()
		if prev, ok := ids[key]; ok && prev != id {
			t.Errorf("key %s answered %s and %s", key, prev, id)
		}
		ids[key] = id
	}
	work := make(chan attempt)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for a := range work {
				ctx, cancel := context.WithCancel(context.Background())
				switch a.cancel {
				case 1:
					cancel()
				case 2:
					time.AfterFunc(a.delay, cancel)
				}
				id, err := a.in.ops[a.variant](ctx, lossy, a.in.key)
				cancel()
				if err == nil {
					record(a.in.key, id)
				} else if engine.ErrorCode(err) == "rejected" && !errors.Is(err, engine.ErrIdempotencyReuse) && !errors.Is(err, engine.ErrInvalid) {
					t.Errorf("key %s: unexpected error %v", a.in.key, err)
				}
			}
		}()
	}
	for i, a := range attempts {
		if i%200 == 0 {
			clock.Advance(3 * time.Hour) // new days reset the daily limits
		}
		work <- a
	}
	close(work)
	wg.Wait()

	// Ask every key once more on the bank itself: a key that executed answers its movement.
	for i := range intents {
		in := &intents[i]
		for _, o := range in.ops {
			id, err := o(context.Background(), bank, in.key)
			if errors.Is(err, engine.ErrIdempotencyReuse) {
				continue
			}
			if err == nil {
				record(in.key, id)
			}
			break
		}
	}
	au, err := bank.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	distinct := map[string]bool{}
	for _, id := range ids {
		distinct[id] = true
	}
	if au.Movements != len(distinct) || len(distinct) != len(ids) {
		t.Errorf("ledger has %d movements, callers saw %d distinct ids for %d keys", au.Movements, len(distinct), len(ids))
	}
	t.Logf("%d keys, %d attempts, %d executed, %d answers lost, total %d fen conserved", n, len(attempts), len(ids), lossy.lost, au.Total)
	if len(ids) < n/10 {
		t.Errorf("only %d of %d keys executed: the test exercises too little", len(ids), n)
	}
}
