//go:build linux

package store

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/sys/unix"

	"github.com/weiyin-bank/weiyin/engine"
)

// scaleEnv enables TestMillionSessionsRSS; its value is the number of sessions ("1" or
// "yes" mean 1,000,000). The test writes about 1.5 GB to the temporary directory.
const scaleEnv = "WEIYIN_STORE_SCALE"

// maxRSS is the resident memory allowed after reopening a full store and loading sessions.
const maxRSS = 300 << 20

// openID is a WeChat-like openid for user i: 28 characters, spread over the key space.
func openID(i int) string {
	h := sha256.Sum256([]byte(strconv.Itoa(i)))
	return "oWy" + base64.RawURLEncoding.EncodeToString(h[:])[:25]
}

// sessionTemplates are realistic sessions as the engine stores them (about 1 KB of JSON): a
// transfer half-way through, the numbered payee list it showed, the last flow. userMark
// stands where the user id goes.
var sessionTemplates = func() [][]byte {
	var out [][]byte
	for i := range 16 {
		t := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC).Add(time.Duration(i) * 7 * time.Minute)
		payee := func(n int) engine.Value {
			acct := fmt.Sprintf("62148302%08d", (i*7919+n)%100000000)
			return engine.Value{Type: "payee", V: acct, Text: "张三", Fields: map[string]string{"name": "张三", "account": acct, "bank": "招商银行"}}
		}
		s := engine.Session{Schema: engine.SessionSchema, User: userMark, Started: t, LastActive: t.Add(time.Minute), Turns: 3 + i, Seq: 1 + i%9,
			Frames: []*engine.Frame{{ID: fmt.Sprintf("f%d", 1+i%9), Flow: "transfer", Version: "2026.11.25-1", PC: 2, Wait: "amount",
				Slots:   map[string]engine.Value{"payee": payee(0), "from": {Type: "account", V: "A001", Text: "活期账户", Fields: map[string]string{"number": "6217880100001234"}}},
				Started: t, Active: t.Add(time.Minute)}},
			LastFlow:  "balance",
			LastSlots: map[string]engine.Value{"account": {Type: "account", V: "A001", Text: "我的余额"}},
			LastAt:    t,
			LastList:  &engine.List{Entity: "payee", Items: []engine.Value{payee(1), payee(2), payee(3)}},
			Variants:  map[string]int{"greet": i % 3, "ask_amount": i % 2},
		}
		b, err := json.Marshal(s)
		if err != nil {
			panic(err) // a constant shape: cannot happen
		}
		out = append(out, b)
	}
	return out
}()

const userMark = "@@USER@@"

// sessionRecord is the session of user i: one of the templates with the user's id.
func sessionRecord(user string, i int) []byte {
	return bytes.Replace(sessionTemplates[i%len(sessionTemplates)], []byte(userMark), []byte(user), 1)
}

// procStatus reads fields of /proc/self/status in bytes (VmRSS, RssAnon, RssFile).
func procStatus(t *testing.T, names ...string) map[string]int64 {
	t.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc/self/status: %v", err)
	}
	defer f.Close()
	out := map[string]int64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), ":")
		if !ok || !slices.Contains(names, name) {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(val), "kB")), 10, 64)
		if err != nil {
			t.Fatalf("/proc/self/status %s: %q", name, val)
		}
		out[name] = kb << 10
	}
	return out
}

// fillSessions stores n sessions in the store file at path: keys in order (appends fill
// bbolt pages best), 20,000 per transaction, no fsync but one at the end, the mapping sized
// for the whole file at once. It returns the bytes of session data stored.
func fillSessions(t *testing.T, path string, n int) int64 {
	t.Helper()
	s, err := Open(path) // the store's own buckets
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	users := make([]string, n)
	for i := range users {
		users[i] = openID(i)
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(users[a], users[b]) })
	db, err := bolt.Open(path, 0o600, &bolt.Options{NoSync: true, InitialMmapSize: n * 2500})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const perTx = 20_000
	var stored int64
	for lo := 0; lo < n; lo += perTx {
		err := db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketSessions)
			for _, i := range order[lo:min(lo+perTx, n)] {
				rec := sessionRecord(users[i], i)
				stored += int64(len(rec))
				if err := b.Put([]byte(users[i]), rec); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("storing sessions %d-%d: %v", lo, lo+perTx, err)
		}
	}
	if err := db.Sync(); err != nil {
		t.Fatal(err)
	}
	return stored
}

// residentAfterLoads opens the store at path as a server would, loads `loads` random
// sessions of the n stored (checking each) and returns /proc/self/status figures then.
func residentAfterLoads(t *testing.T, path string, n, loads int, seed uint64) map[string]int64 {
	t.Helper()
	runtime.GC()
	debug.FreeOSMemory() // the fill's garbage is not the server's memory
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rnd := rand.New(rand.NewPCG(seed, 2))
	for range loads {
		i := rnd.IntN(n)
		user := openID(i)
		got, err := s.Load(context.Background(), user)
		if err != nil {
			t.Fatal(err)
		}
		if want := sessionRecord(user, i); !bytes.Equal(got, want) {
			t.Fatalf("session of %s: got %d bytes, want %d", user, len(got), len(want))
		}
	}
	return procStatus(t, "VmRSS", "RssAnon", "RssFile")
}

// TestMillionSessionsRSS stores a million sessions of about 1 KB, then reopens the store and
// loads 10,000 random sessions and reads the process's resident memory, twice:
//
//   - cold: the file's pages evicted from the page cache first (fadvise DONTNEED), as for a
//     server started on a file it did not just write: only the pages read become resident
//     (bbolt maps the file read-only with MADV_RANDOM, no MAP_POPULATE). VmRSS must stay
//     under 300 MB.
//   - warm: right after writing, with the whole file in the page cache. The kernel's
//     fault-around then maps up to 16 cached neighbours of every page read, so file pages
//     (RssFile) would grow far beyond what was read; the store trims its mapping every
//     TrimEvery loads (Store.Trim), so VmRSS must stay under 300 MB here too.
//
// Run it with
//
//	WEIYIN_STORE_SCALE=1 go test ./adapters/store/ -run MillionSessionsRSS -v
func TestMillionSessionsRSS(t *testing.T) {
	spec := os.Getenv(scaleEnv)
	if spec == "" || testing.Short() {
		t.Skipf("set %s=1 to store a million sessions (about 2 GB on disk)", scaleEnv)
	}
	n := 1_000_000
	if v, err := strconv.Atoi(spec); err == nil && v > 1 {
		n = v
	}
	const maxAnon = 100 << 20
	// About 10,000 loads, ending at the worst point of the trim cycle: TrimEvery-1 loads after
	// the store last trimmed its mapping.
	loads := 10_000
	loads += TrimEvery - 1 - loads%TrimEvery
	path := filepath.Join(t.TempDir(), "sessions.db")
	start := time.Now()
	stored := fillSessions(t, path, n)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("stored %d sessions (%d bytes average) in %v: file %d MB", n, stored/int64(n), time.Since(start).Round(time.Millisecond), fi.Size()>>20)

	mb := func(st map[string]int64) string {
		return fmt.Sprintf("VmRSS %d MB (anonymous %d MB, file pages %d MB)", st["VmRSS"]>>20, st["RssAnon"]>>20, st["RssFile"]>>20)
	}
	warm := residentAfterLoads(t, path, n, loads, 1)
	t.Logf("warm page cache: after loading %d random sessions: %s", loads, mb(warm))
	s, err := Open(path) // counting walks every page: after the warm measurement, before evicting
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Sessions(); err != nil || got != n {
		t.Fatalf("Sessions() = %d, %v; want %d", got, err, n)
	}
	s.Close()
	if err := evict(path); err != nil {
		t.Fatalf("evicting %s from the page cache: %v", path, err)
	}
	cold := residentAfterLoads(t, path, n, loads, 2)
	t.Logf("cold page cache: after loading %d random sessions: %s", loads, mb(cold))
	for name, st := range map[string]map[string]int64{"warm": warm, "cold": cold} {
		if st["VmRSS"] > maxRSS {
			t.Errorf("%s: %s, want VmRSS under %d MB", name, mb(st), maxRSS>>20)
		}
	}
	for name, st := range map[string]map[string]int64{"warm": warm, "cold": cold} {
		if st["RssAnon"] > maxAnon {
			t.Errorf("%s: %s, want anonymous memory under %d MB", name, mb(st), maxAnon>>20)
		}
	}
}

// evict drops the file's clean pages from the page cache.
func evict(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
}

// Ensure every session record carries its user and is realistic in size.
func TestSessionRecord(t *testing.T) {
	for _, i := range []int{0, 1, 15, 16, 999_999} {
		user := openID(i)
		rec := sessionRecord(user, i)
		var s engine.Session
		if err := json.Unmarshal(rec, &s); err != nil || s.User != user {
			t.Errorf("record %d: user %q, %v; want %q", i, s.User, err, user)
		}
		if len(rec) < 900 || len(rec) > 1400 {
			t.Errorf("record %d: %d bytes, want about 1 KB", i, len(rec))
		}
	}
}
