package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weiyin-bank/weiyin/adapters/bank/httpbank"
	"github.com/weiyin-bank/weiyin/adapters/bank/sandbox"
	"github.com/weiyin-bank/weiyin/adapters/wechat"
	"github.com/weiyin-bank/weiyin/adapters/wechat/wechattest"
	"github.com/weiyin-bank/weiyin/engine"
	"github.com/weiyin-bank/weiyin/internal/redistest"
)

// multiCustomers is how many bound customers the multi-instance test's load has, each
// transferring ¥1.00 to 张三 over and over.
const multiCustomers = 6

// multiFixture writes the test fixture plus multiCustomers bound customers, each with a
// current account and 张三 (C002's account, in the same bank) as a payee.
func multiFixture(t *testing.T) string {
	t.Helper()
	f, err := sandbox.LoadFixtureFile(filepath.Join("..", "..", "testdata", "fixtures", "test.json"))
	if err != nil {
		t.Fatal(err)
	}
	var zhang string
	for _, a := range f.Accounts {
		if a.Customer == "C002" && a.Type == "current" {
			zhang = a.Number
		}
	}
	for k := range multiCustomers {
		cust := fmt.Sprintf("M%03d", k)
		f.Customers = append(f.Customers, sandbox.FixCustomer{ID: cust, Name: fmt.Sprintf("多实例%03d", k),
			Phone: fmt.Sprintf("1370000%04d", k), WechatOpenID: multiUser(k)})
		f.Accounts = append(f.Accounts, sandbox.FixAccount{ID: fmt.Sprintf("MA%03d", k), Customer: cust, Type: "current",
			Name: "活期储蓄", Number: fmt.Sprintf("62178899%08d", k), Balance: "1000.00", Currency: "CNY", DailyLimit: "50000.00"})
		f.Contacts = append(f.Contacts, sandbox.FixContact{Customer: cust, Name: "张三", Bank: "微银银行", Account: zhang})
	}
	raw, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "fixture.json")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func multiUser(k int) string { return fmt.Sprintf("o_multi_%03d", k) }

// startMultiBank starts the bank of the multi-instance fixture and returns its URL, a client,
// every customer and their balances before the test.
func startMultiBank(t *testing.T) (string, *httpbank.Client, []string, map[string]engine.Money) {
	t.Helper()
	url := startBankProcess(t, multiFixture(t))
	bank, err := httpbank.New(url, httpbank.Options{})
	if err != nil {
		t.Fatal(err)
	}
	customers := multiCustomerIDs()
	return url, bank, customers, balances(t, bank, customers)
}

// multiCustomerIDs lists every customer of the multi-instance fixture: the test fixture's
// (张三, the payee, among them) and the bound ones.
func multiCustomerIDs() []string {
	customers := []string{"C001", "C002", "C003", "C004", "C005"}
	for k := range multiCustomers {
		customers = append(customers, fmt.Sprintf("M%03d", k))
	}
	return customers
}

// startBankProcess runs `weiyin bank serve` as a child process: the one ledger the instances
// share.
func startBankProcess(t *testing.T, fixture string) string {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(os.Args[0], "bank", "serve", "--addr", addr, "--data", t.TempDir(), "--fixture", fixture)
	cmd.Args[0] = "weiyin"
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	url := "http://" + addr
	waitHealthy(t, url+"/v1/health")
	return url
}

// balances returns the balance of every current account of the customers.
func balances(t *testing.T, bank *httpbank.Client, customers []string) map[string]engine.Money {
	t.Helper()
	out := map[string]engine.Money{}
	for _, c := range customers {
		accts, err := bank.Accounts(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range accts {
			if a.Type == "current" {
				out[a.ID] = a.Balance
			}
		}
	}
	return out
}

// cluster is the instances of the multi-instance test and what WeChat saw of them.
type cluster struct {
	t      *testing.T
	mu     sync.Mutex // guards urls: an instance restarted gets a new port
	urls   []string
	signer *wechattest.Signer
	api    *wechattest.FakeAPI
	msgID  atomic.Int64
}

// newCluster returns the test's view of instances (none yet) that call api.
func newCluster(t *testing.T, api *wechattest.FakeAPI) *cluster {
	t.Helper()
	signer, err := wechattest.NewSigner(srvToken, srvAppID, srvAESKey)
	if err != nil {
		t.Fatal(err)
	}
	return &cluster{t: t, api: api, signer: signer}
}

// answer is what WeChat got for one message: passive replies (one per attempt that got an
// answer with a text), empty replies, and busy replies.
type answer struct {
	texts []string
	empty int
	busy  int
}

// push sends m to instance i as WeChat does; ok is false when the instance did not answer.
func (c *cluster) push(i int, m wechattest.Msg) (wechattest.Reply, bool) {
	c.mu.Lock()
	url := c.urls[i]
	c.mu.Unlock()
	req, err := c.signer.Request(url+"/wechat", m.XML(), time.Now().Unix(), fmt.Sprint("n", rand.Int64()), m.From)
	if err != nil {
		c.t.Error(err)
		return wechattest.Reply{}, false
	}
	hc := &http.Client{Timeout: 5 * time.Second} // WeChat's limit
	resp, err := hc.Do(req)
	if err != nil {
		return wechattest.Reply{}, false
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return wechattest.Reply{}, false
	}
	rep, err := c.signer.Open(body)
	if err != nil {
		c.t.Errorf("reply %q: %v", body, err)
		return wechattest.Reply{}, false
	}
	return rep, true
}

// send delivers one message of user as WeChat does, to random instances: an attempt that gets
// no answer is retried on another instance, and now and then a retry races the first attempt
// on another instance. It returns the answer, read from the customer-service messages when
// the passive replies were empty (the turn outlived the deadline).
func (c *cluster) send(user, text string, seen *int) (string, answer) {
	m := wechattest.Msg{To: "gh_bank", From: user, CreateTime: time.Now().Unix(), Type: "text", Content: text, MsgID: c.msgID.Add(1)}
	var a answer
	var mu sync.Mutex
	try := func(i int) {
		rep, ok := c.push(i, m)
		mu.Lock()
		defer mu.Unlock()
		switch {
		case !ok:
		case rep.Success || rep.Text == "":
			a.empty++
		case rep.Text == wechat.DefaultBusy:
			a.busy++
		default:
			a.texts = append(a.texts, rep.Text)
		}
	}
	for attempt := 0; attempt < 12 && len(a.texts) == 0 && a.empty == 0; attempt++ {
		i := rand.IntN(len(c.urls))
		if rand.IntN(4) == 0 { // a retry racing the first attempt, on another instance
			var wg sync.WaitGroup
			wg.Add(1)
			go func() { defer wg.Done(); try((i + 1) % len(c.urls)) }()
			try(i)
			wg.Wait()
		} else {
			try(i)
		}
		if len(a.texts) == 0 && a.empty == 0 {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if len(a.texts) > 0 {
		return a.texts[0], a
	}
	if a.empty > 0 { // answered later as a customer-service message
		var got string
		c.api.WaitFor(30*time.Second, func() bool {
			cs := c.customTo(user)
			if len(cs) > *seen {
				got = cs[*seen]
				return true
			}
			return false
		})
		if got != "" {
			*seen++
		}
		return got, a
	}
	return "", a
}

// customTo lists the customer-service texts sent to user, in order.
func (c *cluster) customTo(user string) []string {
	var out []string
	for _, m := range c.api.Custom() {
		if m.ToUser == user && m.Text != nil {
			out = append(out, m.Text.Content)
		}
	}
	return out
}

// transferRecord is one message of the transfer load and what WeChat got for it.
type transferRecord struct {
	user, text, reply string
	a                 answer
}

// transferLoad is the multi-instance tests' load: each customer transfers ¥1.00 to 张三 again
// and again (three messages each: the request, the confirmation, the code), until stopped.
type transferLoad struct {
	mu      sync.Mutex
	records []transferRecord
	done    []int // transfers answered as done, per customer
}

// startTransfers starts the load on c's instances, each customer waiting pause between
// transfers; it runs until stop is closed (wg counts its goroutines). The bank sends a
// customer at most 5 codes in 10 minutes: a run must not ask for more.
func startTransfers(t *testing.T, c *cluster, stop <-chan struct{}, wg *sync.WaitGroup, pause time.Duration) *transferLoad {
	l := &transferLoad{done: make([]int, multiCustomers)}
	for k := range multiCustomers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			user, seen := multiUser(k), 0
			for round := 0; ; round++ {
				select {
				case <-stop:
					return
				default:
				}
				for i, text := range []string{"给张三转1元", "确认", "123456"} {
					if i == 0 && pause > 0 && round > 0 {
						select {
						case <-stop:
							return
						case <-time.After(pause):
						}
					}
					reply, a := c.send(user, text, &seen)
					l.mu.Lock()
					l.records = append(l.records, transferRecord{user, text, reply, a})
					if strings.Contains(reply, "转账成功") {
						l.done[k]++
					}
					l.mu.Unlock()
					if reply == "" {
						t.Errorf("%s %q: no answer (%+v)", user, text, a)
						return
					}
				}
			}
		}()
	}
	return l
}

// doneCount is the number of transfers answered as done so far, per customer.
func (l *transferLoad) doneCount() []int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.done)
}

// check asserts, once the load has stopped, that every message got one answer (its retries
// the same one; a message answered as a customer-service message got no passive text
// besides), that each transfer ran once (every customer's balance fell by exactly the
// transfers answered as done) and that money is conserved to the fen.
func (l *transferLoad) check(t *testing.T, c *cluster, bank *httpbank.Client, before map[string]engine.Money, customers []string) {
	t.Helper()
	csWant := map[string]int{}
	for _, r := range l.records {
		for _, x := range r.a.texts {
			if x != r.a.texts[0] {
				t.Errorf("%s %q answered twice differently: %q and %q", r.user, r.text, r.a.texts[0], x)
			}
		}
		if len(r.a.texts) == 0 && r.reply != "" {
			csWant[r.user]++
		}
	}
	for k := range multiCustomers {
		if got := len(c.customTo(multiUser(k))); got != csWant[multiUser(k)] {
			t.Errorf("%s got %d customer-service messages, want %d (the answers not given passively, once each)", multiUser(k), got, csWant[multiUser(k)])
		}
	}
	after := balances(t, bank, customers)
	var sumBefore, sumAfter engine.Money
	for id, b := range before {
		sumBefore += b
		sumAfter += after[id]
	}
	if sumBefore != sumAfter {
		t.Errorf("money not conserved: %v before, %v after", sumBefore, sumAfter)
	}
	total := 0
	for k := range multiCustomers {
		id := fmt.Sprintf("MA%03d", k)
		if want := before[id] - engine.Money(l.done[k])*100; after[id] != want {
			t.Errorf("%s: balance %v after %d transfers of ¥1.00 answered as done, want %v", id, after[id], l.done[k], want)
		}
		total += l.done[k]
	}
	t.Logf("%d messages, %d transfers done, %d answered as customer-service messages", len(l.records), total, len(c.api.Custom()))
	if total == 0 {
		t.Fatal("no transfer was done: the load never ran")
	}
}

// Ensure three serve processes on one Redis serve as one: the load spreads each customer's
// messages and WeChat's retries over the instances at random, one instance is killed
// (SIGKILL) mid-run and started again; afterwards every message got one answer (its retries
// the same one, never a customer-service message besides a passive answer), each transfer
// ran once (every customer's balance fell by exactly the transfers answered as done), and
// money is conserved to the fen, and every notification accepted by any instance is
// delivered (the dead one's taken over by the others). Then Redis is killed: the instances answer busy, and once
// it is back they serve again with what it kept.
func TestMultiInstance(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Redis, a bank and three servers")
	}
	rs := redistest.Start(t, "--appendfsync", "always")
	bankURL, bank, customers, before := startMultiBank(t)

	api := wechattest.NewFakeAPI(srvAppID, srvSecret)
	defer api.Close()
	api.SetSendDelay(20 * time.Millisecond) // keep notifications queued when the kill lands
	t.Setenv("WEIYIN_NOTIFY_CLAIM", "3s")   // a dead instance's notifications wait this long
	store := rs.URL() + "?lease_ttl=3s"     // a dead instance's customers wait this long
	args := []string{"--store", store, "--bank-url", bankURL}
	c := newCluster(t, api)
	cmds := make([]*exec.Cmd, 3)
	dirs := make([]string, 3)
	c.urls = make([]string, 3)
	for i := range 3 {
		dirs[i] = t.TempDir()
		cmds[i], c.urls[i] = launchServeProcess(t, dirs[i], api.URL(), args...)
	}
	for _, u := range c.urls {
		waitHealthy(t, u+"/healthz")
	}

	stop := make(chan struct{})
	var load sync.WaitGroup
	transfers := startTransfers(t, c, stop, &load, 2*time.Second) // at most 5 codes a customer in 10 minutes: spread over the run
	// Notifications, to random instances, accepted while an instance dies.
	accepted := map[string]bool{}
	load.Add(1)
	go func() {
		defer load.Done()
		for n := 0; ; n++ {
			select {
			case <-stop:
				return
			default:
			}
			id := fmt.Sprint("mi-", n)
			c.mu.Lock()
			url := c.urls[rand.IntN(len(c.urls))]
			c.mu.Unlock()
			if code, _ := tryJSON("POST", url+"/api/notify", srvNotify,
				`{"id":"`+id+`","openid":"o_demo_1","template_id":"TPL","data":{"n":"`+id+`"}}`); code == 202 {
				transfers.mu.Lock()
				accepted[id] = true
				transfers.mu.Unlock()
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	time.Sleep(3 * time.Second)
	victim := rand.IntN(3)
	cmds[victim].Process.Kill() // SIGKILL, mid-turn for some customer most likely
	cmds[victim].Wait()
	t.Logf("killed instance %d", victim)
	time.Sleep(4 * time.Second)
	cmd, url := startServeProcess(t, dirs[victim], api.URL(), args...)
	c.mu.Lock()
	cmds[victim], c.urls[victim] = cmd, url
	c.mu.Unlock()
	time.Sleep(3 * time.Second)
	close(stop)
	load.Wait()

	transfers.check(t, c, bank, before, customers)

	// Every notification accepted, before or after the kill, is delivered: the dead
	// instance's are taken over by the others.
	api.SetSendDelay(0)
	delivered := func() (lost []string) {
		got := map[string]bool{}
		for _, m := range api.Templates() {
			got[m.ClientMsgID] = true
		}
		for id := range accepted {
			if !got[id] {
				lost = append(lost, id)
			}
		}
		return lost
	}
	if !api.WaitFor(60*time.Second, func() bool { return len(delivered()) == 0 }) {
		lost := delivered()
		t.Errorf("%d of %d accepted notifications never delivered, e.g. %v", len(lost), len(accepted), lost[:min(5, len(lost))])
	}
	t.Logf("%d notifications accepted, %d template sends", len(accepted), len(api.Templates()))

	// Redis goes away: the instances answer busy; once it is back they serve again, with the
	// sessions it kept (appendfsync always).
	user, seen := multiUser(0), len(c.customTo(multiUser(0)))
	rs.Stop()
	if _, a := c.send(user, "我的余额", &seen); len(a.texts) > 0 || a.busy == 0 {
		t.Errorf("with Redis away: %+v, want the busy reply only", a)
	}
	rs.Restart()
	var reply string
	for range 50 { // the clients reconnect by themselves
		if reply, _ = c.send(user, "给张三转1元", &seen); strings.Contains(reply, "¥1.00") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(reply, "¥1.00") {
		t.Errorf("after Redis came back: %q, want the transfer's confirmation", reply)
	}
}

// Ensure a failover in a Redis Cluster is served through: two serve processes on a cluster of
// three masters with a replica each, the transfer load running; the master holding one
// customer's keys dies (after its replica caught up: nothing it acknowledged is lost) and its
// replica takes over. The customers on that master get the busy reply meanwhile, the
// instances recover on their own, every customer completes transfers afterwards, every message
// got one answer, each transfer ran once and money is conserved to the fen.
func TestClusterFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a six-node Redis Cluster, a bank and two servers")
	}
	rc := redistest.StartClusterReplicas(t, 1)
	bankURL, bank, customers, before := startMultiBank(t)
	api := wechattest.NewFakeAPI(srvAppID, srvSecret)
	defer api.Close()
	c := newCluster(t, api)
	args := []string{"--store", rc.URL() + "?lease_ttl=3s", "--bank-url", bankURL}
	for range 2 {
		_, url := launchServeProcess(t, t.TempDir(), api.URL(), args...)
		c.urls = append(c.urls, url)
	}
	for _, u := range c.urls {
		waitHealthy(t, u+"/healthz")
	}

	stop := make(chan struct{})
	var load sync.WaitGroup
	transfers := startTransfers(t, c, stop, &load, 2*time.Second)
	time.Sleep(1500 * time.Millisecond)
	victim := rc.MasterOf("wy:{" + multiUser(0) + "}:s")
	rc.FailMaster(victim)
	t.Logf("master %s failed over", victim.Addr)
	failedOver := transfers.doneCount()
	// Recovered on their own: every customer completes a transfer after the failover.
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		now := transfers.doneCount()
		behind := 0
		for k := range now {
			if now[k] <= failedOver[k] {
				behind++
			}
		}
		if behind == 0 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	close(stop)
	load.Wait()
	after := transfers.doneCount()
	for k := range after {
		if after[k] <= failedOver[k] {
			t.Errorf("%s completed no transfer in 30 s after the failover (%d before it)", multiUser(k), failedOver[k])
		}
	}
	busy := 0
	for _, r := range transfers.records {
		busy += r.a.busy
	}
	t.Logf("%d busy replies during the failover", busy)
	transfers.check(t, c, bank, before, customers)
}
