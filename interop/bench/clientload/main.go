// clientload: put or serializable range load through clientv3, optionally with a user or over
// TLS, for the auth and TLS benchmarks (etcd's own loadgen has neither). --conns clients share
// the --clients goroutines (closed loop) for --duration; prints "RESULT qps=… p99_ms=… ops=…".
// With --user, each client authenticates once (clientv3 keeps the token and sends it on every
// call), as a real application does. With --cacert, every connection is TLS, verified against
// that CA.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"io/ioutil"
	"fmt"
	"math/rand"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"go.etcd.io/etcd/clientv3"
)

func main() {
	endpoints := flag.String("endpoints", "127.0.0.1:2379", "comma-separated endpoints")
	workload := flag.String("workload", "put", "put | range")
	clients := flag.Int("clients", 64, "concurrent goroutines")
	conns := flag.Int("conns", 8, "clientv3 clients (connections)")
	duration := flag.Duration("duration", 4*time.Second, "how long to run")
	user := flag.String("user", "", "user:password (empty: no auth)")
	keySpace := flag.Int("key-space", 100000, "keys written (put) or one key read (range)")
	caCert := flag.String("cacert", "", "CA certificate file: connect over TLS (empty: plaintext)")
	flag.Parse()

	var tlsConfig *tls.Config
	if *caCert != "" {
		pem, err := ioutil.ReadFile(*caCert)
		if err != nil {
			fmt.Fprintln(os.Stderr, "cacert:", err)
			os.Exit(1)
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		tlsConfig = &tls.Config{RootCAs: pool}
	}

	var name, password string
	if *user != "" {
		parts := strings.SplitN(*user, ":", 2)
		name, password = parts[0], parts[1]
	}
	var cs []*clientv3.Client
	for i := 0; i < *conns; i++ {
		c, err := clientv3.New(clientv3.Config{
			Endpoints: strings.Split(*endpoints, ","), DialTimeout: 5 * time.Second, Username: name, Password: password,
			TLS: tlsConfig,
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, "connect:", err)
			os.Exit(1)
		}
		defer c.Close()
		cs = append(cs, c)
	}
	value := strings.Repeat("v", 256)
	if _, err := cs[0].Put(context.Background(), "bench/range-key", value); err != nil {
		fmt.Fprintln(os.Stderr, "prefill:", err)
		os.Exit(1)
	}
	deadline := time.Now().Add(*duration)
	var mu sync.Mutex
	var latencies []time.Duration
	errors := 0
	var wg sync.WaitGroup
	for g := 0; g < *clients; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			c := cs[g%len(cs)]
			random := rand.New(rand.NewSource(int64(g)))
			var mine []time.Duration
			failed := 0
			for time.Now().Before(deadline) {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				start := time.Now()
				var err error
				if *workload == "put" {
					_, err = c.Put(ctx, fmt.Sprintf("bench/%08d", random.Intn(*keySpace)), value)
				} else {
					_, err = c.Get(ctx, "bench/range-key", clientv3.WithSerializable())
				}
				cancel()
				if err != nil {
					failed++
					continue
				}
				mine = append(mine, time.Since(start))
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			errors += failed
			mu.Unlock()
		}(g)
	}
	wg.Wait()
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	p99 := 0.0
	if len(latencies) > 0 {
		p99 = float64(latencies[len(latencies)*99/100]) / 1e6
	}
	fmt.Printf("RESULT qps=%.0f p99_ms=%.2f ops=%d errors=%d\n", float64(len(latencies))/duration.Seconds(), p99, len(latencies), errors)
}
