// Package redistest starts real Redis servers for tests: a standalone redis-server, or a
// cluster of three masters made with redis-cli --cluster create, each on a free loopback port
// with its own temporary directory. A test on a machine without redis-server is skipped with
// a message saying how to install it. Never imported by production code.
package redistest

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Server is one redis-server process started by a test.
type Server struct {
	t    testing.TB
	Addr string // 127.0.0.1:port
	dir  string
	args []string
	cmd  *exec.Cmd
}

// binary returns the path of name, or skips the test when it is not installed.
func binary(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not found in PATH: install it (Debian: apt-get install redis-server) to run this test against a real Redis", name)
	}
	return p
}

// freePort returns a loopback port nobody listens on at the moment.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Start starts a standalone redis-server with an append-only file (appendfsync everysec) in a
// temporary directory; it is stopped when the test ends. extra are more config directives,
// e.g. "--appendfsync", "always".
func Start(t testing.TB, extra ...string) *Server {
	t.Helper()
	bin := binary(t, "redis-server")
	port := freePort(t)
	s := &Server{t: t, Addr: fmt.Sprintf("127.0.0.1:%d", port), dir: t.TempDir()}
	s.args = append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", s.dir,
		"--appendonly", "yes", "--appendfsync", "everysec", "--save", "", "--protected-mode", "yes"}, extra...)
	s.start(bin)
	t.Cleanup(s.Stop)
	return s
}

// URL is the server's redis:// URL, database 0.
func (s *Server) URL() string { return "redis://" + s.Addr + "/0" }

func (s *Server) start(bin string) {
	s.t.Helper()
	s.cmd = exec.Command(bin, s.args...)
	out, err := os.Create(filepath.Join(s.dir, "redis.log"))
	if err != nil {
		s.t.Fatal(err)
	}
	s.cmd.Stdout, s.cmd.Stderr = out, out
	if err := s.cmd.Start(); err != nil {
		s.t.Fatalf("starting redis-server: %v", err)
	}
	out.Close()
	c := redis.NewClient(&redis.Options{Addr: s.Addr, MaxRetries: -1})
	defer c.Close()
	for i := 0; ; i++ {
		err := c.Ping(context.Background()).Err()
		if err == nil {
			return
		}
		if i == 500 {
			log, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
			s.t.Fatalf("redis-server on %s did not answer: %v\n%s", s.Addr, err, log)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Stop kills the server (SIGKILL: what Redis kept is what its append-only file had synced).
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	s.cmd.Wait()
	s.cmd = nil
}

// Restart starts the server again on the same port and directory, after Stop.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	s.start(binary(s.t, "redis-server"))
}

// Client returns a client of the server, closed when the test ends.
func (s *Server) Client() *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: s.Addr})
	s.t.Cleanup(func() { c.Close() })
	return c
}

// Cluster is a Redis Cluster of three masters, each with Replicas replicas, started by a test.
type Cluster struct {
	Nodes    []*Server
	Replicas int
}

// StartCluster starts three cluster-enabled redis-servers and joins them with
// redis-cli --cluster create; it waits until the cluster reports ok.
func StartCluster(t testing.TB) *Cluster { return StartClusterReplicas(t, 0) }

// StartClusterReplicas starts a cluster of three masters with replicas replicas each (a node
// is failed after 1 s unreachable, and a replica takes its slots over) and waits until every
// node reports the cluster ok and every replica has synchronised.
func StartClusterReplicas(t testing.TB, replicas int) *Cluster {
	t.Helper()
	binary(t, "redis-cli")
	c := &Cluster{Replicas: replicas}
	args := []string{"--cluster", "create"}
	for range 3 * (1 + replicas) {
		n := Start(t, "--cluster-enabled", "yes", "--cluster-node-timeout", "1000")
		c.Nodes = append(c.Nodes, n)
		args = append(args, n.Addr)
	}
	args = append(args, "--cluster-replicas", strconv.Itoa(replicas), "--cluster-yes")
	if out, err := exec.Command(binary(t, "redis-cli"), args...).CombinedOutput(); err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	for i := 0; ; i++ {
		if c.ok() {
			return c
		}
		if i == 1000 {
			t.Fatal("the cluster never reported cluster_state:ok with every replica in sync")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ok reports whether every node sees the cluster as ok, knows every node, and every replica
// has finished its first synchronisation.
func (c *Cluster) ok() bool {
	for _, n := range c.Nodes {
		cl := redis.NewClient(&redis.Options{Addr: n.Addr})
		info, err := cl.ClusterInfo(context.Background()).Result()
		repl, err2 := cl.Info(context.Background(), "replication").Result()
		cl.Close()
		if err != nil || err2 != nil || !strings.Contains(info, "cluster_state:ok") ||
			field(info, "cluster_known_nodes") != strconv.Itoa(len(c.Nodes)) {
			return false
		}
		if field(repl, "role") == "slave" && field(repl, "master_link_status") != "up" {
			return false
		}
	}
	return true
}

// field is the value of name in an INFO-style text ("name:value" lines).
func field(info, name string) string {
	sc := bufio.NewScanner(strings.NewReader(info))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// MasterOf returns the node that serves key's slot now.
func (c *Cluster) MasterOf(key string) *Server {
	c.Nodes[0].t.Helper()
	cl := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{c.live().Addr}})
	defer cl.Close()
	ctx := context.Background()
	slot, err := cl.ClusterKeySlot(ctx, key).Result()
	if err != nil {
		c.Nodes[0].t.Fatal(err)
	}
	slots, err := cl.ClusterSlots(ctx).Result()
	if err != nil {
		c.Nodes[0].t.Fatal(err)
	}
	for _, r := range slots {
		if int64(r.Start) <= slot && slot <= int64(r.End) {
			for _, n := range c.Nodes {
				if n.Addr == r.Nodes[0].Addr {
					return n
				}
			}
		}
	}
	c.Nodes[0].t.Fatalf("no node serves the slot of %q", key)
	return nil
}

// live returns a node that runs.
func (c *Cluster) live() *Server {
	for _, n := range c.Nodes {
		if n.cmd != nil {
			return n
		}
	}
	c.Nodes[0].t.Fatal("no node of the cluster runs")
	return nil
}

// FailMaster kills master (SIGKILL) once its replicas hold every write it acknowledged:
// writes are paused on it, its replicas catch up, then it dies. It returns once every live
// node says a replica serves master's slots and the cluster is ok.
func (c *Cluster) FailMaster(master *Server) {
	t := master.t
	t.Helper()
	ctx := context.Background()
	cl := redis.NewClient(&redis.Options{Addr: master.Addr})
	if err := cl.Do(ctx, "CLIENT", "PAUSE", "10000", "WRITE").Err(); err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		if n, err := cl.Do(ctx, "WAIT", c.Replicas, 100).Int(); err == nil && n >= c.Replicas {
			break
		}
		if i == 100 {
			t.Fatalf("the replicas of %s never caught up", master.Addr)
		}
	}
	cl.Close()
	master.Stop()
	for i := 0; !c.servedWithout(master.Addr); i++ {
		if i == 1500 {
			t.Fatalf("no replica took over from %s", master.Addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// servedWithout reports whether every live node sees the cluster ok with no slot on addr.
func (c *Cluster) servedWithout(addr string) bool {
	ctx := context.Background()
	for _, n := range c.Nodes {
		if n.cmd == nil {
			continue
		}
		nc := redis.NewClient(&redis.Options{Addr: n.Addr})
		info, err := nc.ClusterInfo(ctx).Result()
		slots, err2 := nc.ClusterSlots(ctx).Result()
		nc.Close()
		if err != nil || err2 != nil || !strings.Contains(info, "cluster_state:ok") {
			return false
		}
		for _, r := range slots {
			if r.Nodes[0].Addr == addr {
				return false
			}
		}
	}
	return true
}

// URL is the cluster's redis-cluster:// URL naming every node.
func (c *Cluster) URL() string {
	var addrs []string
	for _, n := range c.Nodes {
		addrs = append(addrs, n.Addr)
	}
	return "redis-cluster://" + strings.Join(addrs, ",")
}
