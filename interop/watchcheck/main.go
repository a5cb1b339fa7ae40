// watchcheck checks etcd's watch guarantee against any etcd v3 endpoint: a watch delivers every
// event after its start revision exactly once, in revision order, with no gaps and no duplicates,
// and all events of one revision in one response.
//
// A single writer makes --revisions revisions under the prefix wc/ (Put, Delete, DeleteRange of a
// prefix, multi-op Txn) and models the key space, so it knows every event each revision produced.
// Watchers over overlapping ranges (single keys, prefixes, [key, end) ranges, from-key) are spread
// over several connections and several gRPC Watch streams per connection; some start before the
// writer, some are created midway at a past revision (history catch-up, then live) or at "now",
// some ask for prev_kv, and one stream is read slowly so the server must buffer or catch it up.
// Each watcher's events are then compared with the writer's record.
//
// Watches use raw Watch streams, not clientv3's Watcher, to see what the server sent: clientv3
// resumes broken streams silently, drops events in created responses, and buffers without limit,
// so a slow clientv3 reader would never push back on the server.
//
// The endpoint must have no other writers under wc/ (or after it, for the from-key watchers).
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"go.etcd.io/etcd/clientv3"
	pb "go.etcd.io/etcd/etcdserver/etcdserverpb"
	"go.etcd.io/etcd/mvcc/mvccpb"
	"go.etcd.io/etcd/pkg/logutil"
	"go.uber.org/zap"
	"google.golang.org/grpc"
)

const (
	keyPrefix      = "wc/"
	keyCount       = 50
	maxValueSize   = 2048
	connections    = 4
	streamsPerConn = 3
	opTimeout      = 10 * time.Second
)

func keyName(i int) string { return fmt.Sprintf("%s%02d", keyPrefix, i) }

type config struct {
	endpoint  string
	watchers  int
	revisions int
	seed      int64
	slow      time.Duration
	timeout   time.Duration
}

func main() {
	var cfg config
	var slowMS int
	flag.StringVar(&cfg.endpoint, "endpoints", "127.0.0.1:2379", "etcd endpoint (host:port)")
	flag.IntVar(&cfg.watchers, "watchers", 40, "number of watchers (at least 2)")
	flag.IntVar(&cfg.revisions, "revisions", 3000, "revisions the writer makes")
	flag.Int64Var(&cfg.seed, "seed", time.Now().UnixNano()%100000, "seed of the workload (printed, replayable)")
	flag.IntVar(&slowMS, "slow-ms", 5, "delay after each response on the slow watch stream")
	flag.DurationVar(&cfg.timeout, "timeout", 60*time.Second, "max wait after the last write for every watcher to catch up")
	flag.Parse()
	cfg.slow = time.Duration(slowMS) * time.Millisecond
	if cfg.watchers < 2 || cfg.revisions < 1 {
		fmt.Println("watchcheck: FAIL need --watchers >= 2 and --revisions >= 1")
		os.Exit(2)
	}
	fmt.Printf("watchcheck: endpoint=%s seed=%d watchers=%d revisions=%d slow-ms=%d\n",
		cfg.endpoint, cfg.seed, cfg.watchers, cfg.revisions, slowMS)
	// Whatever hangs, the run ends: the writer, the catch-up wait, and setup all fit in here.
	time.AfterFunc(cfg.timeout+3*time.Minute, func() {
		fmt.Printf("watchcheck: FAIL deadline exceeded (seed %d)\n", cfg.seed)
		os.Exit(1)
	})
	if err := run(cfg); err != nil {
		fmt.Printf("watchcheck: FAIL %v (seed %d)\n", err, cfg.seed)
		os.Exit(1)
	}
}

func run(cfg config) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	writerClient, err := dial(cfg.endpoint)
	if err != nil {
		return err
	}
	defer writerClient.Close()
	var streams []*stream
	var slowStream *stream
	for c := 0; c < connections; c++ {
		cli, err := dial(cfg.endpoint)
		if err != nil {
			return err
		}
		defer cli.Close()
		for s := 0; s < streamsPerConn; s++ {
			st, err := openStream(ctx, cli, fmt.Sprintf("conn %d stream %d", c, s), 0)
			if err != nil {
				return err
			}
			streams = append(streams, st)
		}
		if c == 0 { // the slow stream shares a connection: its backlog must not stall the others
			if slowStream, err = openStream(ctx, cli, "conn 0 slow stream", cfg.slow); err != nil {
				return err
			}
		}
	}

	rng := rand.New(rand.NewSource(cfg.seed))
	w, err := newWriter(ctx, writerClient.KV, rng)
	if err != nil {
		return err
	}
	watchers, initial, midway := planWatchers(cfg, rng, streams, slowStream)
	streams = append(streams, slowStream)
	for _, wt := range initial {
		if err := wt.stream.add(wt); err != nil {
			return err
		}
	}
	if err := waitCreated(initial, 10*time.Second); err != nil {
		return err
	}

	// Midway watchers are created at three points of the run, while the writer keeps going.
	checkpoints := map[int][]*watcher{}
	for i, wt := range midway {
		at := cfg.revisions * (1 + i%3) / 4
		checkpoints[at] = append(checkpoints[at], wt)
	}
	started := time.Now()
	for w.made() < cfg.revisions {
		for _, wt := range checkpoints[w.made()] {
			if wt.startRev != 0 { // a past revision: from the first write to the next one
				wt.startRev = w.firstRev + rng.Int63n(w.lastRev-w.firstRev+2)
			}
			if err := wt.stream.add(wt); err != nil {
				return err
			}
		}
		delete(checkpoints, w.made())
		if err := w.step(ctx); err != nil {
			return fmt.Errorf("writer: %v", err)
		}
	}
	fmt.Printf("watchcheck: wrote %d revisions (%d..%d) in %.1fs\n",
		cfg.revisions, w.firstRev, w.lastRev, time.Since(started).Seconds())

	complete := waitDelivered(watchers, w, cfg.timeout)
	fmt.Printf("watchcheck: delivery finished %.1fs after the first write\n", time.Since(started).Seconds())
	// Anything extra (a duplicate after the last expected event) has this long to show up.
	// The streams stay open until the results are in, so a stream error is the server's doing.
	time.Sleep(300 * time.Millisecond)
	slowStream.mu.Lock()
	fmt.Printf("watchcheck: slow stream got %d events in %d responses, the largest with %d\n",
		slowStream.events, slowStream.responses, slowStream.largest)
	slowStream.mu.Unlock()

	failing, events := 0, 0
	for _, wt := range watchers {
		got, problem := wt.result()
		events += len(got)
		if problem == "" {
			problem = compareEvents(wt.expected(w), got)
			if problem != "" && !complete[wt] {
				problem = fmt.Sprintf("still incomplete after %s: %s", cfg.timeout, problem)
			}
		}
		if problem != "" {
			failing++
			fmt.Printf("watcher %d (%s): %s\n", wt.id, wt.describe(), problem)
		}
	}
	for _, st := range streams {
		if problem := st.problem(); problem != "" {
			failing++
			fmt.Printf("%s: %s\n", st.name, problem)
		}
	}
	if failing > 0 {
		return fmt.Errorf("%d failing watchers/streams, watchers=%d revisions=%d events=%d", failing, len(watchers), cfg.revisions, events)
	}
	fmt.Printf("watchcheck: OK watchers=%d revisions=%d events=%d\n", len(watchers), cfg.revisions, events)
	return nil
}

func dial(endpoint string) (*clientv3.Client, error) {
	logConfig := logutil.DefaultZapLoggerConfig
	logConfig.Level = zap.NewAtomicLevelAt(zap.ErrorLevel)
	cli, err := clientv3.New(clientv3.Config{
		Endpoints:   []string{endpoint},
		DialTimeout: 5 * time.Second,
		DialOptions: []grpc.DialOption{grpc.WithBlock()},
		LogConfig:   &logConfig,
	})
	if err != nil {
		return nil, fmt.Errorf("dial %s: %v", endpoint, err)
	}
	return cli, nil
}

// ---- the writer ----

// revisionRecord is one revision the writer made, with its events in the order etcd emits them
// (the operations' order; a range delete in key order). Events always carry PrevKv.
type revisionRecord struct {
	rev    int64
	events []*mvccpb.Event
}

// mutation is one operation of a write: a put, or a delete of [key, end) (end "" = just key).
type mutation struct {
	key, end string
	value    []byte
	isDelete bool
}

type writer struct {
	kv       clientv3.KV
	rng      *rand.Rand
	model    map[string]*mvccpb.KeyValue // the key space as the writer's history leaves it
	firstRev int64                       // first revision the writer made
	lastRev  int64                       // the store's revision after the latest write
	mu       sync.Mutex                  // guards history (read by the catch-up wait)
	history  []revisionRecord
}

// newWriter clears wc/ so that the model (empty) is the truth, whatever ran before.
func newWriter(ctx context.Context, kv clientv3.KV, rng *rand.Rand) (*writer, error) {
	opCtx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()
	resp, err := kv.Delete(opCtx, keyPrefix, clientv3.WithPrefix())
	if err != nil {
		return nil, fmt.Errorf("clearing %s: %v", keyPrefix, err)
	}
	rev := resp.Header.Revision
	return &writer{kv: kv, rng: rng, model: map[string]*mvccpb.KeyValue{}, firstRev: rev + 1, lastRev: rev}, nil
}

func (w *writer) made() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.history)
}

func (w *writer) records() []revisionRecord {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.history
}

// step makes one write. Deletes of missing keys make no revision; that is checked, not recorded.
func (w *writer) step(ctx context.Context) error {
	var muts []mutation
	switch p := w.rng.Intn(100); {
	case p < 45:
		muts = []mutation{w.randomPut(w.rng.Intn(keyCount))}
	case p < 60:
		muts = []mutation{{key: w.deleteTarget(), isDelete: true}}
	case p < 70: // a prefix such as wc/3: up to ten keys deleted in one revision
		prefix := fmt.Sprintf("%s%d", keyPrefix, w.rng.Intn(keyCount/10))
		muts = []mutation{{key: prefix, end: clientv3.GetPrefixRangeEnd(prefix), isDelete: true}}
	default: // a Txn over distinct keys (etcd refuses a key twice in one Txn)
		for _, k := range w.rng.Perm(keyCount)[:2+w.rng.Intn(5)] {
			if w.rng.Intn(3) == 0 {
				muts = append(muts, mutation{key: keyName(k), isDelete: true})
			} else {
				muts = append(muts, w.randomPut(k))
			}
		}
	}
	ops := make([]clientv3.Op, len(muts))
	for i, m := range muts {
		if m.isDelete {
			ops[i] = clientv3.OpDelete(m.key, clientv3.WithRange(m.end), clientv3.WithPrevKV())
		} else {
			ops[i] = clientv3.OpPut(m.key, string(m.value), clientv3.WithPrevKV())
		}
	}
	opCtx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()
	// The server's prev kvs per operation, to check the model against.
	serverPrev := make([][]*mvccpb.KeyValue, len(muts))
	var rev int64
	if len(ops) == 1 {
		resp, err := w.kv.Do(opCtx, ops[0])
		if err != nil {
			return err
		}
		if put := resp.Put(); put != nil {
			rev = put.Header.Revision
			if put.PrevKv != nil {
				serverPrev[0] = []*mvccpb.KeyValue{put.PrevKv}
			}
		} else {
			rev = resp.Del().Header.Revision
			serverPrev[0] = resp.Del().PrevKvs
		}
	} else {
		resp, err := w.kv.Txn(opCtx).Then(ops...).Commit()
		if err != nil {
			return err
		}
		rev = resp.Header.Revision
		for i, r := range resp.Responses {
			if put := r.GetResponsePut(); put != nil && put.PrevKv != nil {
				serverPrev[i] = []*mvccpb.KeyValue{put.PrevKv}
			} else if del := r.GetResponseDeleteRange(); del != nil {
				serverPrev[i] = del.PrevKvs
			}
		}
	}
	return w.record(rev, muts, serverPrev)
}

func (w *writer) randomPut(k int) mutation {
	value := make([]byte, w.rng.Intn(maxValueSize+1))
	for i := range value {
		value[i] = byte('a' + w.rng.Intn(26))
	}
	return mutation{key: keyName(k), value: value}
}

// deleteTarget is mostly an existing key, sometimes any key (a missing one makes no revision).
func (w *writer) deleteTarget() string {
	if len(w.model) > 0 && w.rng.Intn(5) > 0 {
		keys := w.keysIn("", "\x00")
		return keys[w.rng.Intn(len(keys))]
	}
	return keyName(w.rng.Intn(keyCount))
}

// keysIn lists the model's keys in [key, end) ("" end = just key, "\x00" = from key), sorted.
func (w *writer) keysIn(key, end string) []string {
	var keys []string
	for k := range w.model {
		if inRange(k, key, end) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// record applies a write to the model, checking the server's revision and prev kvs against it.
func (w *writer) record(rev int64, muts []mutation, serverPrev [][]*mvccpb.KeyValue) error {
	var events []*mvccpb.Event
	for i, m := range muts {
		if !m.isDelete {
			prev := w.model[m.key]
			var prevs []*mvccpb.KeyValue
			if prev != nil {
				prevs = append(prevs, prev)
			}
			if err := checkPrev(m.key, prevs, serverPrev[i]); err != nil {
				return err
			}
			kv := &mvccpb.KeyValue{Key: []byte(m.key), Value: m.value, CreateRevision: rev, ModRevision: rev, Version: 1}
			if prev != nil {
				kv.CreateRevision, kv.Version = prev.CreateRevision, prev.Version+1
			}
			w.model[m.key] = kv
			events = append(events, &mvccpb.Event{Type: mvccpb.PUT, Kv: kv, PrevKv: prev})
			continue
		}
		keys := w.keysIn(m.key, m.end)
		var prevs []*mvccpb.KeyValue
		for _, k := range keys {
			prevs = append(prevs, w.model[k])
		}
		if err := checkPrev(m.key+".."+m.end, prevs, serverPrev[i]); err != nil {
			return err
		}
		for _, prev := range prevs {
			delete(w.model, string(prev.Key))
			kv := &mvccpb.KeyValue{Key: prev.Key, ModRevision: rev}
			events = append(events, &mvccpb.Event{Type: mvccpb.DELETE, Kv: kv, PrevKv: prev})
		}
	}
	if len(events) == 0 {
		if rev != w.lastRev {
			return fmt.Errorf("a write that changed nothing moved the revision from %d to %d", w.lastRev, rev)
		}
		return nil
	}
	if rev != w.lastRev+1 {
		return fmt.Errorf("a write after revision %d got revision %d, want %d", w.lastRev, rev, w.lastRev+1)
	}
	w.lastRev = rev
	w.mu.Lock()
	w.history = append(w.history, revisionRecord{rev: rev, events: events})
	w.mu.Unlock()
	return nil
}

// checkPrev compares the model's previous key-values of an operation with the server's.
func checkPrev(what string, model, server []*mvccpb.KeyValue) error {
	if len(model) != len(server) {
		return fmt.Errorf("%s: server's prev kvs %s, model's %s", what, describeKVs(server), describeKVs(model))
	}
	for i := range model {
		if !sameKV(model[i], server[i]) {
			return fmt.Errorf("%s: server's prev kvs %s, model's %s", what, describeKVs(server), describeKVs(model))
		}
	}
	return nil
}

// ---- watchers and streams ----

type watcher struct {
	id       int
	kind     string // what the range is, for reports
	key, end string // end "" = just key, "\x00" = from key
	startRev int64  // requested start revision; 0 = after the store's revision at creation
	prevKV   bool
	midway   bool
	stream   *stream

	mu           sync.Mutex // guards what the stream's receive loop fills in
	created      bool
	createdRev   int64 // header revision of the created response
	events       []*mvccpb.Event
	lastRev      int64 // revision of the last event received
	lastFragment bool  // the last response was a fragment: the next may continue its revision
	violation    string
}

func (wt *watcher) describe() string {
	start := "now"
	if wt.startRev != 0 {
		start = fmt.Sprintf("rev %d", wt.startRev)
	}
	when := "before the writer"
	if wt.midway {
		when = "midway"
	}
	s := fmt.Sprintf("%s, created %s from %s, %s", wt.kind, when, start, wt.stream.name)
	if wt.prevKV {
		s += ", prev_kv"
	}
	return s
}

// fail keeps the first protocol violation; the caller holds wt.mu.
func (wt *watcher) fail(format string, args ...interface{}) {
	if wt.violation == "" {
		wt.violation = fmt.Sprintf(format, args...)
	}
}

func (wt *watcher) receive(resp *pb.WatchResponse) {
	wt.mu.Lock()
	defer wt.mu.Unlock()
	if resp.Canceled {
		wt.fail("canceled by the server: reason %q, compact_revision %d", resp.CancelReason, resp.CompactRevision)
		return
	}
	if len(resp.Events) == 0 { // a progress notification
		return
	}
	for i, ev := range resp.Events {
		if ev.Kv == nil {
			wt.fail("event without kv")
			return
		}
		if i > 0 && ev.Kv.ModRevision < resp.Events[i-1].Kv.ModRevision {
			wt.fail("events out of revision order within one response: %d after %d", ev.Kv.ModRevision, resp.Events[i-1].Kv.ModRevision)
		}
	}
	first, last := resp.Events[0].Kv.ModRevision, resp.Events[len(resp.Events)-1].Kv.ModRevision
	if first == wt.lastRev && !wt.lastFragment {
		wt.fail("the events of revision %d were split across responses", first)
	}
	if resp.Header != nil && resp.Header.Revision < last {
		wt.fail("a response's header revision %d is below its events' revision %d", resp.Header.Revision, last)
	}
	wt.events = append(wt.events, resp.Events...)
	wt.lastRev, wt.lastFragment = last, resp.Fragment
}

func (wt *watcher) result() ([]*mvccpb.Event, string) {
	wt.mu.Lock()
	defer wt.mu.Unlock()
	if !wt.created && wt.violation == "" {
		return wt.events, "no created response"
	}
	return wt.events, wt.violation
}

// expected filters the writer's record by the watcher's range and start revision.
func (wt *watcher) expected(w *writer) []*mvccpb.Event {
	wt.mu.Lock()
	start := wt.startRev
	if start == 0 {
		start = wt.createdRev + 1
	}
	wt.mu.Unlock()
	var out []*mvccpb.Event
	for _, rec := range w.records() {
		if rec.rev < start {
			continue
		}
		for _, ev := range rec.events {
			if !inRange(string(ev.Kv.Key), wt.key, wt.end) {
				continue
			}
			if !wt.prevKV {
				ev = &mvccpb.Event{Type: ev.Type, Kv: ev.Kv}
			}
			out = append(out, ev)
		}
	}
	return out
}

// stream is one gRPC Watch stream carrying several watchers, told apart by watch ID.
type stream struct {
	name string
	grpc pb.Watch_WatchClient
	slow time.Duration // sleep after each response, so the server must buffer or catch up

	sendMu sync.Mutex // gRPC forbids concurrent Sends on one stream
	mu     sync.Mutex
	// Created responses come in the order of the create requests, so the oldest pending
	// watcher owns the next one.
	pending   []*watcher
	byID      map[int64]*watcher
	recvErr   error
	violation string
	// How the server batched the events: shows whether the slow stream was caught up in bulk.
	responses, events, largest int
}

func openStream(ctx context.Context, cli *clientv3.Client, name string, slow time.Duration) (*stream, error) {
	// Catch-up responses can hold up to 1000 revisions of kilobyte values.
	g, err := pb.NewWatchClient(cli.ActiveConnection()).Watch(ctx, grpc.MaxCallRecvMsgSize(math.MaxInt32))
	if err != nil {
		return nil, fmt.Errorf("%s: opening the Watch stream: %v", name, err)
	}
	st := &stream{name: name, grpc: g, slow: slow, byID: map[int64]*watcher{}}
	go st.receiveLoop()
	return st, nil
}

func (st *stream) add(wt *watcher) error {
	st.mu.Lock()
	st.pending = append(st.pending, wt)
	st.mu.Unlock()
	st.sendMu.Lock()
	defer st.sendMu.Unlock()
	err := st.grpc.Send(&pb.WatchRequest{RequestUnion: &pb.WatchRequest_CreateRequest{CreateRequest: &pb.WatchCreateRequest{
		Key: []byte(wt.key), RangeEnd: []byte(wt.end), StartRevision: wt.startRev, PrevKv: wt.prevKV,
	}}})
	if err != nil {
		return fmt.Errorf("%s: sending a create request: %v", st.name, err)
	}
	return nil
}

func (st *stream) receiveLoop() {
	for {
		resp, err := st.grpc.Recv()
		if err != nil {
			st.mu.Lock()
			st.recvErr = err
			st.mu.Unlock()
			return
		}
		st.dispatch(resp)
		time.Sleep(st.slow)
	}
}

func (st *stream) dispatch(resp *pb.WatchResponse) {
	st.mu.Lock()
	st.responses++
	st.events += len(resp.Events)
	if len(resp.Events) > st.largest {
		st.largest = len(resp.Events)
	}
	wt := st.byID[resp.WatchId]
	if resp.Created {
		if len(st.pending) == 0 {
			st.violate("a created response (watch ID %d) without a pending create request", resp.WatchId)
			st.mu.Unlock()
			return
		}
		if wt != nil {
			st.violate("watch ID %d given to a second watcher", resp.WatchId)
		}
		wt = st.pending[0]
		st.pending = st.pending[1:]
		st.byID[resp.WatchId] = wt
	}
	st.mu.Unlock()
	if wt == nil {
		st.mu.Lock()
		st.violate("a response for unknown watch ID %d", resp.WatchId)
		st.mu.Unlock()
		return
	}
	if !resp.Created {
		wt.receive(resp)
		return
	}
	wt.mu.Lock()
	defer wt.mu.Unlock()
	wt.created = true
	if resp.Header != nil {
		wt.createdRev = resp.Header.Revision
	}
	if resp.Canceled {
		wt.fail("creation refused: %q", resp.CancelReason)
	}
	if len(resp.Events) > 0 { // clientv3 drops these
		wt.fail("%d events in the created response", len(resp.Events))
	}
}

// violate keeps the first stream-level protocol violation; the caller holds st.mu.
func (st *stream) violate(format string, args ...interface{}) {
	if st.violation == "" {
		st.violation = fmt.Sprintf(format, args...)
	}
}

func (st *stream) problem() string {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.violation != "" {
		return st.violation
	}
	if st.recvErr != nil {
		return fmt.Sprintf("stream broke: %v", st.recvErr)
	}
	return ""
}

// planWatchers makes the watchers: the first two on the slow stream (the whole prefix from the
// start, and a from-key watcher catching up midway), the rest round-robin over the normal streams
// with ranges, start points and prev_kv drawn from the seed. Midway watchers with startRev -1 get
// a past revision when they are created; those with 0 start "now".
func planWatchers(cfg config, rng *rand.Rand, normal []*stream, slow *stream) (all, initial, midway []*watcher) {
	for i := 0; i < cfg.watchers; i++ {
		wt := &watcher{id: i}
		a, b := rng.Intn(keyCount), rng.Intn(keyCount)
		if a > b {
			a, b = b, a
		}
		kind := rng.Intn(5)
		if i < 2 {
			kind = 4 - 3*i // whole prefix, then from-key
		}
		switch kind {
		case 0:
			wt.key, wt.kind = keyName(a), "key "+keyName(a)
		case 1:
			wt.key = fmt.Sprintf("%s%d", keyPrefix, a/10)
			wt.end, wt.kind = clientv3.GetPrefixRangeEnd(wt.key), "prefix "+wt.key
		case 2:
			wt.key, wt.end = keyName(a), keyName(b+1)
			wt.kind = fmt.Sprintf("range [%s, %s)", wt.key, wt.end)
		case 3:
			wt.key, wt.end, wt.kind = keyName(a), "\x00", "from key "+keyName(a)
		case 4:
			wt.key, wt.end, wt.kind = keyPrefix, clientv3.GetPrefixRangeEnd(keyPrefix), "prefix "+keyPrefix
		}
		wt.prevKV = rng.Intn(3) == 0 || i == 0
		switch phase := rng.Intn(4); {
		case i == 0 || (i > 1 && phase < 2):
			initial = append(initial, wt)
		case i == 1 || phase == 2:
			wt.midway, wt.startRev = true, -1
			midway = append(midway, wt)
		default:
			wt.midway = true
			midway = append(midway, wt)
		}
		if i < 2 {
			wt.stream = slow
		} else {
			wt.stream = normal[(i-2)%len(normal)]
		}
		all = append(all, wt)
	}
	return all, initial, midway
}

func waitCreated(watchers []*watcher, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for _, wt := range watchers {
		for {
			wt.mu.Lock()
			created := wt.created
			wt.mu.Unlock()
			if created {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("watcher %d (%s) not created after %s", wt.id, wt.describe(), timeout)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	return nil
}

// waitDelivered waits until every watcher has as many events as expected or has reached the last
// expected revision (so a gap fails at once, not at the timeout), or has a violation or a broken
// stream; it returns the watchers that got there.
func waitDelivered(watchers []*watcher, w *writer, timeout time.Duration) map[*watcher]bool {
	complete := map[*watcher]bool{}
	type target struct {
		count   int
		lastRev int64
	}
	want := map[*watcher]target{}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) && len(complete) < len(watchers) {
		for _, wt := range watchers {
			if complete[wt] {
				continue
			}
			wt.mu.Lock()
			created, got, lastRev, violated := wt.created, len(wt.events), wt.lastRev, wt.violation != ""
			wt.mu.Unlock()
			if !created {
				continue
			}
			if _, ok := want[wt]; !ok {
				expected := wt.expected(w)
				want[wt] = target{count: len(expected)}
				if len(expected) > 0 {
					want[wt] = target{count: len(expected), lastRev: expected[len(expected)-1].Kv.ModRevision}
				}
			}
			if got >= want[wt].count || (got > 0 && lastRev >= want[wt].lastRev) || violated || wt.stream.problem() != "" {
				complete[wt] = true
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return complete
}

// ---- comparing ----

func compareEvents(want, got []*mvccpb.Event) string {
	for i := 0; i < len(want) && i < len(got); i++ {
		if sameEvent(want[i], got[i]) {
			continue
		}
		hint := ""
		if i > 0 && sameEvent(got[i], got[i-1]) {
			hint = " (a duplicate)"
		} else if got[i].Kv.ModRevision > want[i].Kv.ModRevision {
			hint = " (the wanted event is missing)"
		} else if got[i].Kv.ModRevision < want[i].Kv.ModRevision {
			hint = " (an unexpected event)"
		}
		return fmt.Sprintf("event %d of %d: got %s, want %s%s", i+1, len(want), describeEvent(got[i]), describeEvent(want[i]), hint)
	}
	if len(got) > len(want) {
		return fmt.Sprintf("%d events, want %d: extra event %s", len(got), len(want), describeEvent(got[len(want)]))
	}
	if len(got) < len(want) {
		return fmt.Sprintf("%d events, want %d: missing from %s", len(got), len(want), describeEvent(want[len(got)]))
	}
	return ""
}

func sameEvent(a, b *mvccpb.Event) bool {
	return a.Type == b.Type && sameKV(a.Kv, b.Kv) && sameKV(a.PrevKv, b.PrevKv)
}

func sameKV(a, b *mvccpb.KeyValue) bool {
	if a == nil || b == nil {
		return a == b
	}
	return bytes.Equal(a.Key, b.Key) && bytes.Equal(a.Value, b.Value) && a.CreateRevision == b.CreateRevision &&
		a.ModRevision == b.ModRevision && a.Version == b.Version && a.Lease == b.Lease
}

func describeEvent(ev *mvccpb.Event) string {
	s := ev.Type.String() + " " + describeKV(ev.Kv)
	if ev.PrevKv != nil {
		s += " prev " + describeKV(ev.PrevKv)
	}
	return s
}

func describeKV(kv *mvccpb.KeyValue) string {
	if kv == nil {
		return "<nil>"
	}
	h := fnv.New32a()
	h.Write(kv.Value)
	s := fmt.Sprintf("%s mod=%d create=%d ver=%d value=%dB#%08x", kv.Key, kv.ModRevision, kv.CreateRevision, kv.Version, len(kv.Value), h.Sum32())
	if kv.Lease != 0 {
		s += fmt.Sprintf(" lease=%d", kv.Lease)
	}
	return s
}

func describeKVs(kvs []*mvccpb.KeyValue) string {
	parts := make([]string, len(kvs))
	for i, kv := range kvs {
		parts[i] = describeKV(kv)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func inRange(k, key, end string) bool {
	switch end {
	case "":
		return k == key
	case "\x00":
		return k >= key
	}
	return k >= key && k < end
}
