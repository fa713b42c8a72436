package sandbox_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/weiyin-bank/weiyin/adapters/bank/sandbox"
	"github.com/weiyin-bank/weiyin/adapters/bank/sandbox/sandboxtest"
	"github.com/weiyin-bank/weiyin/engine"
)

const crashEnv = "WEIYIN_SANDBOX_CRASH_CHILD" // "DBPATH FIRSTINDEX"

// crashRequest is the i-th transfer of the crash test: 1-7 fen from 张伟, alternately to 张三
// here and to 王芳 at another bank.
func crashRequest(i int) engine.TransferRequest {
	to := "A003"
	if i%2 == 1 {
		to = "6214830212345678"
	}
	return engine.TransferRequest{Customer: "C001", FromAccount: "A001", ToAccount: to, Amount: engine.Money(1 + i%7)}
}

func crashKey(i int) string { return "crash-" + strconv.Itoa(i) }

// TestCrashChild is the child of TestCrash: it transfers until it is killed, telling the
// parent on stdout which key it starts and which it finished.
func TestCrashChild(t *testing.T) {
	spec := os.Getenv(crashEnv)
	if spec == "" {
		t.Skip("runs only as TestCrash's child")
	}
	path, first, _ := strings.Cut(spec, " ")
	i, _ := strconv.Atoi(first)
	b, err := sandbox.Open(path, sandbox.Options{OTPPolicy: sandboxtest.ManyCodes, Fixture: sandboxtest.Fixture(t), Clock: fixedClock{sandboxtest.Now}})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(3)
	}
	for ; ; i++ {
		fmt.Printf("start %d\n", i)
		if _, err := sandboxtest.Verified(b).Transfer(context.Background(), crashKey(i), crashRequest(i)); err != nil {
			fmt.Println("error", err)
			os.Exit(3)
		}
		fmt.Printf("done %d\n", i)
	}
}

// TestCrash kills a process doing transfers with SIGKILL at random moments, reopens the
// ledger, checks it, and retries the key that was in flight: the ledger must hold exactly one
// movement per key, whether or not the killed call had committed.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rnd := rand.New(rand.NewPCG(seed, 3))
	path := filepath.Join(t.TempDir(), "bank.db")
	next := 0 // first key of the next round
	var sent engine.Money
	committed := 0 // rounds whose key in flight had committed before the kill
	for round := 0; round < 4; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnv+"="+path+" "+strconv.Itoa(next))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		started, done := -1, -1
		var deadline <-chan time.Time // armed by the first finished transfer
		var killed bool
		for !killed {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("round %d: child ended early", round)
				}
				f := strings.Fields(l)
				if f[0] == "error" {
					t.Fatalf("round %d: child: %s", round, l)
				}
				n, _ := strconv.Atoi(f[1])
				if f[0] == "start" {
					started = n
				} else {
					done = n
					if deadline == nil {
						deadline = time.After(time.Duration(rnd.IntN(300_000)) * time.Microsecond)
					}
				}
			case <-deadline:
				cmd.Process.Signal(syscall.SIGKILL)
				killed = true
			}
		}
		for l := range lines { // what it printed before dying
			f := strings.Fields(l)
			n, _ := strconv.Atoi(f[1])
			if f[0] == "start" {
				started = n
			} else {
				done = n
			}
		}
		cmd.Wait()

		b, err := sandbox.Open(path, sandbox.Options{OTPPolicy: sandboxtest.ManyCodes, Fixture: sandboxtest.Fixture(t), Clock: fixedClock{sandboxtest.Now}})
		if err != nil {
			t.Fatalf("round %d: reopen: %v", round, err)
		}
		if _, err := b.Check(context.Background()); err != nil {
			t.Fatalf("round %d: after kill: %v", round, err)
		}
		before, _ := b.Check(context.Background())
		if before.Movements == started+1 {
			committed++
		}
		// Retry the key in flight (if any) and, to be sure, the last finished one.
		for _, i := range []int{done, started} {
			if _, err := sandboxtest.Verified(b).Transfer(context.Background(), crashKey(i), crashRequest(i)); err != nil {
				t.Fatalf("round %d: retry %d: %v", round, i, err)
			}
		}
		for i := next; i <= started; i++ {
			sent += crashRequest(i).Amount
		}
		au, err := b.Check(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if au.Movements != started+1 {
			t.Errorf("round %d: %d movements for keys 0..%d", round, au.Movements, started)
		}
		if got := balance(t, b, "C001", "A001"); got != 5238050-sent {
			t.Errorf("round %d: balance %d, want %d", round, got, 5238050-sent)
		}
		t.Logf("round %d: killed after key %d started, %d finished; ledger consistent", round, started, done)
		b.Close()
		next = started + 1
	}
	t.Logf("%d keys; the key in flight had committed in %d of 4 rounds", next, committed)
}
