// writer: makes --count puts (key: prefix + zero-padded number modulo --key-space, --value-size
// bytes each) through
// --clients concurrent clientv3 clients, retrying each put until it is acknowledged, so the
// test knows every key was written. Prints "wrote N keys".
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.etcd.io/etcd/clientv3"
)

func main() {
	endpoints := flag.String("endpoints", "127.0.0.1:2379", "comma-separated endpoints")
	prefix := flag.String("prefix", "k", "key prefix")
	count := flag.Int("count", 1000, "keys to put")
	clients := flag.Int("clients", 16, "concurrent clients")
	valueSize := flag.Int("value-size", 256, "bytes per value")
	keySpace := flag.Int64("key-space", 0, "distinct keys, overwritten in turn (0: one key per put)")
	deadline := flag.Duration("deadline", 120*time.Second, "give up after this long")
	flag.Parse()

	started := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), *deadline)
	defer cancel()
	client, err := clientv3.New(clientv3.Config{Endpoints: strings.Split(*endpoints, ","), DialTimeout: 5 * time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, "connect:", err)
		os.Exit(1)
	}
	defer client.Close()
	value := strings.Repeat("v", *valueSize)
	var next int64 = -1
	var failed int32
	var wg sync.WaitGroup
	for c := 0; c < *clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := atomic.AddInt64(&next, 1)
				if i >= int64(*count) {
					return
				}
				if *keySpace > 0 {
					i %= *keySpace
				}
				key := fmt.Sprintf("%s%06d", *prefix, i)
				for {
					attempt, done := context.WithTimeout(ctx, 5*time.Second)
					_, err := client.Put(attempt, key, value)
					done()
					if err == nil {
						break
					}
					if ctx.Err() != nil {
						atomic.StoreInt32(&failed, 1)
						return
					}
					time.Sleep(50 * time.Millisecond)
				}
			}
		}()
	}
	wg.Wait()
	if failed != 0 {
		fmt.Fprintln(os.Stderr, "deadline reached before every put was acknowledged")
		os.Exit(1)
	}
	fmt.Printf("wrote %d keys in %.1f s\n", *count, time.Since(started).Seconds())
}
