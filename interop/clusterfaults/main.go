// clusterfaults: a seeded fault test of a real 3-member cluster of any etcd v3 server binary.
//
// The members' peer URLs point at TCP proxies (proxy.go), so the test can cut and heal the links
// between chosen pairs of members. Clients of etcd's own Go clientv3 (one per member endpoint
// and one over all endpoints) run puts of unique values, linearizable gets and compare-and-swap
// txns on a few keys while the test SIGKILLs and restarts members on their data dirs,
// SIGSTOPs / SIGCONTs them, isolates a member or cuts one link, as the seed's fault plan says.
// Every operation is recorded with its invoke and complete times and its outcome (ok, failed,
// or unknown: a write that timed out or failed may or may not have taken effect). A watch on
// each member from revision 1, re-established from its last revision + 1 when it breaks,
// records every event. After the workload everything is healed, and the test checks:
//  (a) each key's history is linearizable (checker.go) for a register with put / get / cas;
//  (b) every acknowledged write is in the watch history at the revision it was acknowledged
//      with, and every write in the watch history was made by some client (acknowledged or of
//      unknown outcome); each key's final value is its last event's value;
//  (c) every member's watch saw every revision 2..R exactly once, in order, and all members saw
//      the same events;
//  (d) all members reach revision R and report the same HashKV at R.
package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"math/rand"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"go.etcd.io/etcd/clientv3"
	"go.etcd.io/etcd/mvcc/mvccpb"
	"go.etcd.io/etcd/pkg/logutil"
	"go.uber.org/zap"
	"google.golang.org/grpc/grpclog"
	"io/ioutil"
)

const members = 3
const prefix = "cf/"

var start = time.Now()

func now() int64 { return int64(time.Since(start)) }

func logf(format string, args ...interface{}) {
	fmt.Printf("[%6.2fs] %s\n", time.Since(start).Seconds(), fmt.Sprintf(format, args...))
}

// ---- members ----

type member struct {
	idx                          int
	clientPort, peerPort, proxyP int
	args                         []string
	pid                          int64 // atomic; 0 when not running
	exited                       chan struct{}
	stopped                      bool
}

type cluster struct {
	bin, work string
	m         [members]*member
	fab       *fabric
	mu        sync.Mutex
}

func (c *cluster) endpoint(i int) string { return fmt.Sprintf("127.0.0.1:%d", c.m[i].clientPort) }

func (c *cluster) launch(i int) error {
	m := c.m[i]
	logFile, err := os.OpenFile(filepath.Join(c.work, fmt.Sprintf("m%d.log", i)), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(c.bin, m.args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return err
	}
	atomic.StoreInt64(&m.pid, int64(cmd.Process.Pid))
	os.WriteFile(filepath.Join(c.work, fmt.Sprintf("clusterfaults-m%d.pid", i)), []byte(strconv.Itoa(cmd.Process.Pid)), 0o644)
	exited := make(chan struct{})
	m.exited = exited
	go func() {
		cmd.Wait()
		logFile.Close()
		atomic.CompareAndSwapInt64(&m.pid, int64(cmd.Process.Pid), 0)
		close(exited)
	}()
	return nil
}

func (c *cluster) signal(i int, sig syscall.Signal) {
	if pid := atomic.LoadInt64(&c.m[i].pid); pid > 0 {
		syscall.Kill(int(pid), sig)
	}
}

func (c *cluster) kill(i int) {
	c.signal(i, syscall.SIGKILL)
	if c.m[i].exited != nil {
		<-c.m[i].exited
	}
}

func (c *cluster) running(i int) bool { return atomic.LoadInt64(&c.m[i].pid) > 0 }

func (c *cluster) stopAll() {
	for i := 0; i < members; i++ {
		c.signal(i, syscall.SIGCONT)
		c.signal(i, syscall.SIGTERM)
	}
	for i := 0; i < members; i++ {
		if c.m[i].exited == nil {
			continue
		}
		select {
		case <-c.m[i].exited:
		case <-time.After(5 * time.Second):
			c.kill(i)
		}
	}
}

func freePort() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// ---- clients ----

func newClient(endpoints []string) (*clientv3.Client, error) {
	logConfig := logutil.DefaultZapLoggerConfig
	logConfig.Level = zap.NewAtomicLevelAt(zap.FatalLevel)
	return clientv3.New(clientv3.Config{
		Endpoints:   endpoints,
		DialTimeout: 5 * time.Second,
		LogConfig:   &logConfig,
	})
}

// healthy: a linearizable get on every member succeeds (what `etcdctl endpoint health` does).
func waitHealthy(clis []*clientv3.Client, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		bad := -1
		for i, cli := range clis {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_, err := cli.Get(ctx, "health")
			cancel()
			if err != nil {
				bad = i
				break
			}
		}
		if bad < 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("member %d not healthy after %v", bad, limit)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// ---- history ----

type recorder struct {
	mu  sync.Mutex
	ops []*op
}

func (r *recorder) add(o *op) {
	r.mu.Lock()
	r.ops = append(r.ops, o)
	r.mu.Unlock()
}

func keyName(i int) string { return fmt.Sprintf("%sk%d", prefix, i) }

type worker struct {
	id       int
	cli      *clientv3.Client
	rng      *rand.Rand
	lastSeen map[string]string
	n        int
	rec      *recorder
	timeout  time.Duration
	pace     int
	stale    bool
}

func (w *worker) run(stop <-chan struct{}, keys int) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		key := keyName(w.rng.Intn(keys))
		r := w.rng.Intn(100)
		var o *op
		switch {
		case r < 40:
			o = w.put(key)
		case r < 75:
			o = w.get(key)
		default:
			o = w.cas(key)
		}
		w.rec.add(o)
		if o.outcome != outOK {
			time.Sleep(50 * time.Millisecond)
		}
		if w.pace > 0 {
			time.Sleep(time.Duration(w.rng.Intn(w.pace+1)) * time.Millisecond)
		}
	}
}

func (w *worker) value() string { w.n++; return fmt.Sprintf("c%d-%d", w.id, w.n) }

func (w *worker) put(key string) *op {
	o := &op{client: w.id, kind: opPut, key: key, value: w.value()}
	ctx, cancel := context.WithTimeout(context.Background(), w.timeout)
	o.invoke = now()
	resp, err := w.cli.Put(ctx, key, o.value)
	o.complete = now()
	cancel()
	if err != nil {
		o.outcome, o.complete, o.err = outUnknown, math.MaxInt64, shortErr(err)
		return o
	}
	o.revision = resp.Header.Revision
	w.lastSeen[key] = o.value
	return o
}

func (w *worker) get(key string) *op {
	o := &op{client: w.id, kind: opGet, key: key}
	ctx, cancel := context.WithTimeout(context.Background(), w.timeout)
	o.invoke = now()
	var opts []clientv3.OpOption
	if w.stale {
		opts = append(opts, clientv3.WithSerializable())
	}
	resp, err := w.cli.Get(ctx, key, opts...)
	o.complete = now()
	cancel()
	if err != nil {
		o.outcome, o.err = outFailed, shortErr(err)
		return o
	}
	if len(resp.Kvs) > 0 {
		o.found, o.result = true, string(resp.Kvs[0].Value)
		w.lastSeen[key] = o.result
	}
	return o
}

func (w *worker) cas(key string) *op {
	expect, ok := w.lastSeen[key]
	if !ok {
		expect = "init-" + key
	}
	o := &op{client: w.id, kind: opCAS, key: key, value: w.value(), expect: expect}
	ctx, cancel := context.WithTimeout(context.Background(), w.timeout)
	o.invoke = now()
	resp, err := w.cli.Txn(ctx).If(clientv3.Compare(clientv3.Value(key), "=", expect)).
		Then(clientv3.OpPut(key, o.value)).Else(clientv3.OpGet(key)).Commit()
	o.complete = now()
	cancel()
	if err != nil {
		o.outcome, o.complete, o.err = outUnknown, math.MaxInt64, shortErr(err)
		return o
	}
	o.swapped = resp.Succeeded
	if resp.Succeeded {
		o.revision = resp.Header.Revision
		w.lastSeen[key] = o.value
	} else if len(resp.Responses) == 1 && resp.Responses[0].GetResponseRange() != nil && len(resp.Responses[0].GetResponseRange().Kvs) == 1 {
		o.result = string(resp.Responses[0].GetResponseRange().Kvs[0].Value)
		w.lastSeen[key] = o.result
	} else {
		o.result = absent // the key was gone: cannot happen here (no deletes)
	}
	return o
}

func shortErr(err error) string {
	s := err.Error()
	if len(s) > 80 {
		s = s[:80]
	}
	return s
}

// ---- watches ----

type watchLog struct {
	mu      sync.Mutex
	events  []*mvccpb.Event
	reopens int
	last    int64
	kick    chan struct{} // re-establish the watch (its member was restarted)
}

func (l *watchLog) lastRev() int64 { l.mu.Lock(); defer l.mu.Unlock(); return l.last }

func watchMember(ctx context.Context, cli *clientv3.Client, l *watchLog) {
	next := int64(1)
	for ctx.Err() == nil {
		wctx, cancel := context.WithCancel(ctx)
		go func() {
			select {
			case <-l.kick:
				cancel()
			case <-wctx.Done():
			}
		}()
		for resp := range cli.Watch(wctx, prefix, clientv3.WithPrefix(), clientv3.WithRev(next)) {
			if resp.Canceled || resp.Err() != nil {
				break
			}
			l.mu.Lock()
			for _, ev := range resp.Events {
				l.events = append(l.events, (*mvccpb.Event)(ev))
				if ev.Kv.ModRevision >= next {
					next = ev.Kv.ModRevision + 1
				}
				l.last = ev.Kv.ModRevision
			}
			l.mu.Unlock()
		}
		cancel()
		if ctx.Err() != nil {
			return
		}
		l.mu.Lock()
		l.reopens++
		l.mu.Unlock()
		time.Sleep(200 * time.Millisecond)
	}
}

// ---- faults ----

type fault struct {
	kind   string // kill, stop, isolate, cut, replace
	leader bool   // target the current leader (else `target`)
	target int
	other  int // cut: the other end
	at     time.Duration
	hold   time.Duration
}

func (f fault) String() string {
	t := fmt.Sprintf("m%d", f.target)
	if f.leader {
		t = "leader"
	}
	s := fmt.Sprintf("at %.1fs %s %s", f.at.Seconds(), f.kind, t)
	if f.kind == "cut" {
		s += fmt.Sprintf("<->other(+%d)", f.other)
	}
	return s + fmt.Sprintf(" for %.1fs", f.hold.Seconds())
}

func planFaults(rng *rand.Rand, n int, duration time.Duration) []fault {
	if n <= 0 {
		return nil
	}
	kinds := []string{"kill", "stop", "isolate", "cut"}
	window := duration - 5*time.Second
	if window < time.Second {
		window = time.Second
	}
	slot := window / time.Duration(n)
	var plan []fault
	for k := 0; k < n; k++ {
		f := fault{kind: kinds[rng.Intn(len(kinds))], leader: rng.Intn(2) == 0, target: rng.Intn(members), other: 1 + rng.Intn(members-1)}
		f.at = 2*time.Second + time.Duration(k)*slot + time.Duration(rng.Int63n(int64(slot)/5+1))
		f.hold = time.Second + time.Duration(rng.Int63n(int64(3*time.Second)))
		if max := slot * 6 / 10; f.hold > max {
			f.hold = max
		}
		// The middle fault replaces a follower (membership churn): every plan of 3 or more has one.
		if n >= 3 && k == n/2 {
			f.kind, f.leader = "replace", false
		}
		plan = append(plan, f)
	}
	return plan
}

// replace removes member t from the cluster (its process exits on its own, as etcd's does),
// wipes its data dir, adds it back with the same peer URL and starts it with
// --initial-cluster-state existing, as an operator replaces a failed member. ids gets its new ID.
func (c *cluster) replace(t int, clis []*clientv3.Client, ids map[uint64]int) error {
	var oldID uint64
	for id, i := range ids {
		if i == t {
			oldID = id
		}
	}
	other := clis[(t+1)%members]
	peerURL := fmt.Sprintf("http://127.0.0.1:%d", c.m[t].proxyP)
	var lastErr error
	retry := func(what string, limit time.Duration, f func(ctx context.Context) error) error {
		deadline := time.Now().Add(limit)
		for time.Now().Before(deadline) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			lastErr = f(ctx)
			cancel()
			if lastErr == nil {
				return nil
			}
			time.Sleep(300 * time.Millisecond)
		}
		return fmt.Errorf("%s: %v", what, lastErr)
	}
	if err := retry("member remove", 20*time.Second, func(ctx context.Context) error {
		_, err := other.MemberRemove(ctx, oldID)
		if err != nil && strings.Contains(err.Error(), "member not found") {
			return nil // an earlier attempt was applied but its answer lost
		}
		return err
	}); err != nil {
		return err
	}
	select {
	case <-c.m[t].exited:
	case <-time.After(20 * time.Second):
		logf("removed m%d did not exit on its own; killing it", t)
		c.kill(t)
	}
	delete(ids, oldID)
	dataDir := ""
	for i, a := range c.m[t].args {
		if a == "--data-dir" {
			dataDir = c.m[t].args[i+1]
		}
	}
	if err := os.RemoveAll(dataDir); err != nil {
		return err
	}
	// The strict reconfiguration check wants the voters connected for 5 s: retry until it does.
	var added *clientv3.MemberAddResponse
	if err := retry("member add", 30*time.Second, func(ctx context.Context) error {
		var err error
		added, err = other.MemberAdd(ctx, []string{peerURL})
		return err
	}); err != nil {
		return err
	}
	ids[added.Member.ID] = t
	var initial []string
	for _, m := range added.Members {
		n := m.Name
		if m.ID == added.Member.ID {
			n = fmt.Sprintf("m%d", t)
		}
		for _, u := range m.PeerURLs {
			initial = append(initial, n+"="+u)
		}
	}
	args := append([]string{}, c.m[t].args...)
	for i := range args {
		switch args[i] {
		case "--initial-cluster":
			args[i+1] = strings.Join(initial, ",")
		case "--initial-cluster-state":
			args[i+1] = "existing"
		}
	}
	c.m[t].args = args
	return c.launch(t)
}

func (c *cluster) leader(clis []*clientv3.Client, ids map[uint64]int) int {
	for i, cli := range clis {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		st, err := cli.Status(ctx, c.endpoint(i))
		cancel()
		if err == nil && st.Leader != 0 {
			if l, ok := ids[st.Leader]; ok {
				return l
			}
		}
	}
	return -1
}

func (c *cluster) runFaults(plan []fault, clis []*clientv3.Client, ids map[uint64]int, logs []*watchLog, stop <-chan struct{}) (done []string) {
	for _, f := range plan {
		select {
		case <-stop:
			return
		case <-time.After(time.Until(start.Add(f.at))):
		}
		t := f.target
		if f.leader {
			if l := c.leader(clis, ids); l >= 0 {
				t = l
			}
		}
		before := c.leader(clis, ids)
		if f.kind == "replace" {
			if t == before {
				t = (t + 1) % members
			}
			logf("fault: replace m%d (remove, wipe, add back, join)", t)
			if err := c.replace(t, clis, ids); err != nil {
				logf("replace of m%d failed: %v", t, err)
			}
			select {
			case logs[t].kick <- struct{}{}:
			default:
			}
			desc := fmt.Sprintf("replace m%d", t)
			logf("healed: %s (leader before %s, at heal %s)", desc, name(before), name(c.leader(clis, ids)))
			done = append(done, desc)
			continue
		}
		o := (t + f.other) % members
		desc := fmt.Sprintf("%s m%d", f.kind, t)
		switch f.kind {
		case "kill":
			c.kill(t)
		case "stop":
			c.signal(t, syscall.SIGSTOP)
		case "isolate":
			c.fab.isolate(t, true)
		case "cut":
			c.fab.setCut(t, o, true)
			desc = fmt.Sprintf("cut m%d<->m%d", t, o)
		}
		logf("fault: %s for %.1fs", desc, f.hold.Seconds())
		select {
		case <-stop:
		case <-time.After(f.hold):
		}
		switch f.kind {
		case "kill":
			if err := c.launch(t); err != nil {
				logf("restart of m%d failed: %v", t, err)
			}
			// Its watch starts again from its last revision + 1 (clientv3 would resume the
			// broken stream by itself; do it explicitly so the new member serves a new watch).
			select {
			case logs[t].kick <- struct{}{}:
			default:
			}
		case "stop":
			c.signal(t, syscall.SIGCONT)
		case "isolate":
			c.fab.isolate(t, false)
		case "cut":
			c.fab.setCut(t, o, false)
		}
		logf("healed: %s (leader before %s, at heal %s)", desc, name(before), name(c.leader(clis, ids)))
		done = append(done, desc)
	}
	return
}

func name(m int) string {
	if m < 0 {
		return "unknown"
	}
	return fmt.Sprintf("m%d", m)
}

// ---- main ----

func main() {
	bin := flag.String("bin", "", "server binary")
	work := flag.String("work", "", "work dir (data dirs, logs, pid files)")
	seed := flag.Int64("seed", 1, "seed")
	duration := flag.Duration("duration", 40*time.Second, "workload duration")
	nfaults := flag.Int("faults", 5, "faults over the workload")
	keys := flag.Int("keys", 5, "keys")
	pace := flag.Int("pace", 10, "max ms between a worker's ops")
	serializable := flag.Bool("serializable-gets", false, "mutation test of the test: serializable (possibly stale) gets, which must be caught")
	perClient := flag.Int("workers-per-client", 2, "workers sharing each of the 4 clients")
	timeout := flag.Duration("op-timeout", 2*time.Second, "per-operation timeout")
	maxSteps := flag.Int("max-steps", 20000000, "bound on the linearizability search per key")
	heartbeat := flag.Int("heartbeat-interval", 100, "ms")
	election := flag.Int("election-timeout", 1000, "ms")
	serverFlags := flag.String("server-flags", "", "extra flags for every member, space-separated")
	selftest := flag.Bool("selftest", false, "only check the checker on known histories")
	flag.Parse()
	if *selftest {
		if err := selfTest(); err != nil {
			fmt.Println("FAIL:", err)
			os.Exit(1)
		}
		fmt.Println("clusterfaults: checker self-test passed")
		os.Exit(0)
	}
	if *bin == "" || *work == "" {
		fmt.Fprintln(os.Stderr, "usage: clusterfaults --bin BINARY --work DIR [--seed N --duration D --faults N]")
		os.Exit(2)
	}
	clientv3.SetLogger(grpclog.NewLoggerV2(ioutil.Discard, ioutil.Discard, ioutil.Discard))
	rng := rand.New(rand.NewSource(*seed))
	plan := planFaults(rng, *nfaults, *duration)
	fmt.Printf("clusterfaults: seed %d, %v workload, %d faults, %d keys\n", *seed, *duration, len(plan), *keys)
	for _, f := range plan {
		fmt.Println("  plan:", f)
	}

	c := &cluster{bin: *bin, work: *work}
	var initial []string
	var proxies [members]net.Listener
	for i := 0; i < members; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			fmt.Println("listen:", err)
			os.Exit(2)
		}
		proxies[i] = ln
		c.m[i] = &member{idx: i, clientPort: freePort(), peerPort: freePort(), proxyP: ln.Addr().(*net.TCPAddr).Port}
		initial = append(initial, fmt.Sprintf("m%d=http://127.0.0.1:%d", i, c.m[i].proxyP))
	}
	c.fab = newFabric(members, func(i int) int { return int(atomic.LoadInt64(&c.m[i].pid)) })
	for i := 0; i < members; i++ {
		go c.fab.serve(proxies[i], i, fmt.Sprintf("127.0.0.1:%d", c.m[i].peerPort))
	}
	exit := func(code int) {
		c.stopAll()
		os.Exit(code)
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	go func() { <-sigs; logf("interrupted"); exit(3) }()

	for i := 0; i < members; i++ {
		m := c.m[i]
		m.args = []string{"--name", fmt.Sprintf("m%d", i), "--data-dir", filepath.Join(*work, fmt.Sprintf("m%d.data", i)),
			"--listen-client-urls", "http://" + c.endpoint(i), "--advertise-client-urls", "http://" + c.endpoint(i),
			"--listen-peer-urls", fmt.Sprintf("http://127.0.0.1:%d", m.peerPort),
			"--initial-advertise-peer-urls", fmt.Sprintf("http://127.0.0.1:%d", m.proxyP),
			"--initial-cluster", strings.Join(initial, ","), "--initial-cluster-token", "clusterfaults",
			"--initial-cluster-state", "new",
			"--heartbeat-interval", strconv.Itoa(*heartbeat), "--election-timeout", strconv.Itoa(*election)}
		m.args = append(m.args, strings.Fields(*serverFlags)...)
		if err := c.launch(i); err != nil {
			fmt.Println("start:", err)
			exit(2)
		}
	}
	var memberClis, watchClis []*clientv3.Client
	var eps []string
	for i := 0; i < members; i++ {
		eps = append(eps, c.endpoint(i))
		cli, err := newClient([]string{c.endpoint(i)})
		if err != nil {
			fmt.Println("client:", err)
			exit(2)
		}
		memberClis = append(memberClis, cli)
		wcli, err := newClient([]string{c.endpoint(i)})
		if err != nil {
			fmt.Println("client:", err)
			exit(2)
		}
		watchClis = append(watchClis, wcli)
	}
	allCli, err := newClient(eps)
	if err != nil {
		fmt.Println("client:", err)
		exit(2)
	}
	time.Sleep(300 * time.Millisecond)
	for i := 0; i < members; i++ {
		if !c.running(i) {
			fmt.Printf("member m%d exited at start (see %s)\n", i, filepath.Join(*work, fmt.Sprintf("m%d.log", i)))
			exit(2)
		}
	}
	if err := waitHealthy(memberClis, 60*time.Second); err != nil {
		fmt.Println("cluster did not become healthy:", err)
		exit(2)
	}
	logf("cluster healthy")
	ids := map[uint64]int{}
	{
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		ml, err := allCli.MemberList(ctx)
		cancel()
		if err != nil {
			fmt.Println("member list:", err)
			exit(2)
		}
		for _, m := range ml.Members {
			if n, err := strconv.Atoi(strings.TrimPrefix(m.Name, "m")); err == nil {
				ids[m.ID] = n
			}
		}
	}

	// Watches from revision 1, before any write.
	wctx, wcancel := context.WithCancel(context.Background())
	logs := make([]*watchLog, members)
	for i := 0; i < members; i++ {
		logs[i] = &watchLog{kick: make(chan struct{}, 1)}
		go watchMember(wctx, watchClis[i], logs[i])
	}
	rec := &recorder{}
	for k := 0; k < *keys; k++ {
		key := keyName(k)
		o := &op{client: -1, kind: opPut, key: key, value: "init-" + key, invoke: now()}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		resp, err := allCli.Put(ctx, key, o.value)
		cancel()
		if err != nil {
			fmt.Println("initial put:", err)
			exit(2)
		}
		o.complete, o.revision = now(), resp.Header.Revision
		rec.add(o)
	}

	// Workload and faults.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	clients := append(append([]*clientv3.Client{}, memberClis...), allCli)
	for i := 0; i < len(clients)**perClient; i++ {
		cli := clients[i%len(clients)]
		w := &worker{id: i, cli: cli, rng: rand.New(rand.NewSource(*seed*100 + int64(i))), lastSeen: map[string]string{},
			rec: rec, timeout: *timeout, pace: *pace, stale: *serializable}
		wg.Add(1)
		go func() { defer wg.Done(); w.run(stop, *keys) }()
	}
	faultsStart := time.Now()
	offset := faultsStart.Sub(start)
	for i := range plan {
		plan[i].at += offset
	}
	faultsDone := make(chan []string, 1)
	go func() { faultsDone <- c.runFaults(plan, memberClis, ids, logs, stop) }()
	time.Sleep(*duration)
	close(stop)
	done := <-faultsDone
	wg.Wait()
	logf("workload done: %d operations, faults done: %v", len(rec.ops), done)

	// Heal everything.
	c.fab.healAll()
	for i := 0; i < members; i++ {
		c.signal(i, syscall.SIGCONT)
		if !c.running(i) {
			c.launch(i)
		}
	}
	if err := waitHealthy(memberClis, 60*time.Second); err != nil {
		fmt.Println("FAIL: cluster not healthy after healing:", err)
		exit(1)
	}
	logf("healthy after healing")
	// Final linearizable reads of every key, after every other operation.
	var finalRev int64
	final := map[string]string{}
	for k := 0; k < *keys; k++ {
		key := keyName(k)
		var resp *clientv3.GetResponse
		var o *op
		for attempt := 0; attempt < 20; attempt++ {
			o = &op{client: -2, kind: opGet, key: key, invoke: now()}
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			resp, err = allCli.Get(ctx, key)
			cancel()
			o.complete = now()
			if err == nil {
				break
			}
		}
		if err != nil {
			fmt.Println("FAIL: final read:", err)
			exit(1)
		}
		if len(resp.Kvs) > 0 {
			o.found, o.result = true, string(resp.Kvs[0].Value)
		}
		final[key] = o.result
		rec.add(o)
		if resp.Header.Revision > finalRev {
			finalRev = resp.Header.Revision
		}
	}
	logf("final revision %d", finalRev)

	failures := 0
	fail := func(format string, args ...interface{}) {
		failures++
		fmt.Printf("FAIL: "+format+"\n", args...)
	}

	// (d) every member reaches the final revision; the same HashKV there.
	deadline := time.Now().Add(30 * time.Second)
	for i := 0; i < members; i++ {
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			st, err := memberClis[i].Status(ctx, c.endpoint(i))
			cancel()
			if err == nil && st.Header.Revision >= finalRev {
				if st.Header.Revision > finalRev {
					fail("m%d is at revision %d, after the final %d", i, st.Header.Revision, finalRev)
				}
				break
			}
			if time.Now().After(deadline) {
				fail("m%d did not reach revision %d (status: %v, %v)", i, finalRev, st, err)
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	hashes := make([]uint32, members)
	for i := 0; i < members; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		h, err := memberClis[i].HashKV(ctx, c.endpoint(i), finalRev)
		cancel()
		if err != nil {
			fail("HashKV of m%d at %d: %v", i, finalRev, err)
			continue
		}
		hashes[i] = h.Hash
	}
	if hashes[0] != hashes[1] || hashes[1] != hashes[2] {
		fail("HashKV at revision %d differs: %v", finalRev, hashes)
	} else {
		logf("(d) all members at revision %d, HashKV %d", finalRev, hashes[0])
	}

	// (c) watches: each member saw revisions 2..finalRev exactly once, in order; all the same.
	deadline = time.Now().Add(30 * time.Second)
	for i := 0; i < members; i++ {
		for logs[i].lastRev() < finalRev && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
	}
	wcancel()
	var seqs [members][]*mvccpb.Event
	for i := 0; i < members; i++ {
		logs[i].mu.Lock()
		seqs[i] = append([]*mvccpb.Event{}, logs[i].events...)
		logs[i].mu.Unlock()
		ok := true
		for j, ev := range seqs[i] {
			if want := int64(j + 2); ev.Kv.ModRevision != want {
				fail("watch on m%d: event %d has revision %d, want %d (gap, duplicate or disorder)", i, j, ev.Kv.ModRevision, want)
				ok = false
				break
			}
		}
		if ok && int64(len(seqs[i])) != finalRev-1 {
			fail("watch on m%d saw %d events, want %d (revisions 2..%d)", i, len(seqs[i]), finalRev-1, finalRev)
			ok = false
		}
		if ok {
			logf("(c) watch on m%d: revisions 2..%d exactly once, in order (%d re-establishments)", i, finalRev, logs[i].reopens)
		}
	}
	for i := 1; i < members; i++ {
		n := len(seqs[0])
		if len(seqs[i]) < n {
			n = len(seqs[i])
		}
		for j := 0; j < n; j++ {
			a, b := seqs[0][j], seqs[i][j]
			if a.Type != b.Type || string(a.Kv.Key) != string(b.Kv.Key) || string(a.Kv.Value) != string(b.Kv.Value) ||
				a.Kv.ModRevision != b.Kv.ModRevision || a.Kv.CreateRevision != b.Kv.CreateRevision || a.Kv.Version != b.Kv.Version {
				fail("watch events of m0 and m%d differ at %d: %v vs %v", i, j, a, b)
				break
			}
		}
	}

	// (b) acknowledged writes are in the watch history at their revisions; nothing else is.
	byRev := map[int64]*mvccpb.Event{}
	for _, ev := range seqs[0] {
		byRev[ev.Kv.ModRevision] = ev
	}
	writers := map[string]*op{}
	acked := 0
	for _, o := range rec.ops {
		if o.kind == opGet {
			continue
		}
		writers[o.value] = o
		if o.outcome == outOK && (o.kind == opPut || o.swapped) {
			acked++
			ev := byRev[o.revision]
			if ev == nil || ev.Type != mvccpb.PUT || string(ev.Kv.Key) != o.key || string(ev.Kv.Value) != o.value {
				fail("acknowledged %s is not the event at revision %d: %v", o, o.revision, ev)
			}
		}
	}
	lastValue := map[string]string{}
	for _, ev := range seqs[0] {
		o := writers[string(ev.Kv.Value)]
		if ev.Type != mvccpb.PUT || o == nil || o.key != string(ev.Kv.Key) ||
			(o.outcome == outOK && o.kind == opCAS && !o.swapped) {
			fail("watch event at revision %d (%s %q=%q) was written by no client operation", ev.Kv.ModRevision, ev.Type, ev.Kv.Key, ev.Kv.Value)
		}
		lastValue[string(ev.Kv.Key)] = string(ev.Kv.Value)
	}
	for key, v := range final {
		if lastValue[key] != v {
			fail("final value of %s is %q, its last watch event says %q", key, v, lastValue[key])
		}
	}
	logf("(b) %d acknowledged writes checked against the watch history", acked)

	// (a) linearizability per key.
	perKey := map[string][]*op{}
	for _, o := range rec.ops {
		perKey[o.key] = append(perKey[o.key], o)
	}
	var names []string
	for k := range perKey {
		names = append(names, k)
	}
	sort.Strings(names)
	counts := map[string]int{}
	for _, o := range rec.ops {
		kind := []string{"put", "get", "cas"}[o.kind]
		counts[kind+"/"+[]string{"ok", "failed", "unknown"}[o.outcome]]++
	}
	logf("operations: %v", counts)
	for _, key := range names {
		t0 := time.Now()
		r := checkRegister(perKey[key], absent, *maxSteps)
		switch {
		case r.ok:
			logf("(a) %s: linearizable (%d ops, %d unread unknown writes left out, %d search steps, %v)", key, r.ops, r.dropped, r.steps, time.Since(t0).Round(time.Millisecond))
		case !r.conclusive:
			fail("%s: linearizability check inconclusive: %s", key, r.detail)
		default:
			fail("%s: NOT linearizable: %s", key, r.detail)
		}
		if !r.ok {
			file := filepath.Join(*work, "history-"+strings.TrimPrefix(key, prefix)+".txt")
			os.WriteFile(file, []byte(formatHistory(perKey[key])), 0o644)
			fmt.Println("  history:", file)
		}
	}
	st := c.fab
	logf("proxy: %d connections refused on cut links, %d from unidentified sources", atomic.LoadInt64(&st.refused), atomic.LoadInt64(&st.unknown))
	if failures > 0 {
		fmt.Printf("clusterfaults: %d checks FAILED (seed %d)\n", failures, *seed)
		exit(1)
	}
	fmt.Printf("clusterfaults: seed %d passed: %d operations, %d faults, final revision %d\n", *seed, len(rec.ops), len(done), finalRev)
	exit(0)
}
