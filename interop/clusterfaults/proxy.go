package main

// A TCP proxy in front of each member's peer port. Every member advertises its proxy's address
// as its peer URL, so all peer traffic to member j enters through proxy j. To cut the link
// between members i and j in both directions, the proxies must know which member opened each
// connection; the peer protocol is not looked at (the server under test may speak another one
// than etcd's rafthttp). Instead the proxy finds the connecting socket in /proc/net/tcp{,6} (its
// local address is the accepted connection's remote address) and the member process that holds
// that socket among /proc/<pid>/fd. Connections from an unknown process are refused.

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type fabric struct {
	mu      sync.Mutex
	n       int
	cut     [][]bool              // cut[i][j] == cut[j][i]: no connections between i and j
	conns   map[[2]int][]net.Conn // [from, to] -> live connections (both halves)
	pidOf   func(member int) int  // current PID of a member, 0 when not running
	unknown int64                 // connections refused because their source was not identified
	refused int64                 // connections refused because their link was cut
}

func newFabric(n int, pidOf func(int) int) *fabric {
	f := &fabric{n: n, conns: map[[2]int][]net.Conn{}, pidOf: pidOf}
	f.cut = make([][]bool, n)
	for i := range f.cut {
		f.cut[i] = make([]bool, n)
	}
	return f
}

// setCut cuts (or heals) the link between members a and b; cutting closes its live connections.
func (f *fabric) setCut(a, b int, cut bool) {
	f.mu.Lock()
	f.cut[a][b], f.cut[b][a] = cut, cut
	var doomed []net.Conn
	if cut {
		doomed = append(doomed, f.conns[[2]int{a, b}]...)
		doomed = append(doomed, f.conns[[2]int{b, a}]...)
		delete(f.conns, [2]int{a, b})
		delete(f.conns, [2]int{b, a})
	}
	f.mu.Unlock()
	for _, c := range doomed {
		c.Close()
	}
}

func (f *fabric) isolate(m int, cut bool) {
	for o := 0; o < f.n; o++ {
		if o != m {
			f.setCut(m, o, cut)
		}
	}
}

func (f *fabric) healAll() {
	for a := 0; a < f.n; a++ {
		for b := a + 1; b < f.n; b++ {
			f.setCut(a, b, false)
		}
	}
}

// serve accepts connections for member `to` and forwards them to its real peer address.
func (f *fabric) serve(ln net.Listener, to int, target string) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go f.handle(c, to, target)
	}
}

func (f *fabric) handle(c net.Conn, to int, target string) {
	from := -1
	for attempt := 0; attempt < 5 && from < 0; attempt++ {
		from = f.identify(c)
		if from < 0 {
			time.Sleep(5 * time.Millisecond)
		}
	}
	if from < 0 {
		atomic.AddInt64(&f.unknown, 1)
		c.Close()
		return
	}
	f.mu.Lock()
	if f.cut[from][to] {
		f.mu.Unlock()
		atomic.AddInt64(&f.refused, 1)
		c.Close()
		return
	}
	f.mu.Unlock()
	up, err := net.DialTimeout("tcp", target, 2*time.Second)
	if err != nil {
		c.Close()
		return
	}
	key := [2]int{from, to}
	f.mu.Lock()
	if f.cut[from][to] { // cut while dialling
		f.mu.Unlock()
		c.Close()
		up.Close()
		return
	}
	f.conns[key] = append(f.conns[key], c, up)
	f.mu.Unlock()
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		io.Copy(dst, src)
		if tc, ok := dst.(*net.TCPConn); ok {
			tc.CloseWrite()
		}
		done <- struct{}{}
	}
	go pipe(up, c)
	go pipe(c, up)
	<-done
	<-done
	c.Close()
	up.Close()
	f.mu.Lock()
	list := f.conns[key]
	kept := list[:0]
	for _, x := range list {
		if x != c && x != up {
			kept = append(kept, x)
		}
	}
	if len(kept) == 0 {
		delete(f.conns, key)
	} else {
		f.conns[key] = kept
	}
	f.mu.Unlock()
}

// identify returns the member whose process opened the accepted connection c, or -1.
func (f *fabric) identify(c net.Conn) int {
	remote := c.RemoteAddr().(*net.TCPAddr) // the connecting socket's local address
	local := c.LocalAddr().(*net.TCPAddr)
	inode := socketInode(remote, local)
	if inode == "" {
		return -1
	}
	want := "socket:[" + inode + "]"
	for m := 0; m < f.n; m++ {
		pid := f.pidOf(m)
		if pid <= 0 {
			continue
		}
		dir := fmt.Sprintf("/proc/%d/fd", pid)
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if link, err := os.Readlink(filepath.Join(dir, e.Name())); err == nil && link == want {
				return m
			}
		}
	}
	return -1
}

// socketInode finds the inode of the TCP socket whose local address is `sock` and remote `peer`.
func socketInode(sock, peer *net.TCPAddr) string {
	for _, file := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		fh, err := os.Open(file)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(fh)
		sc.Scan() // header
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) < 10 {
				continue
			}
			if procAddrPort(fields[1]) == sock.Port && procAddrPort(fields[2]) == peer.Port &&
				procAddrIsLoopback(fields[1]) {
				fh.Close()
				return fields[9]
			}
		}
		fh.Close()
	}
	return ""
}

func procAddrPort(s string) int {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return -1
	}
	p, err := strconv.ParseUint(s[i+1:], 16, 16)
	if err != nil {
		return -1
	}
	return int(p)
}

// procAddrIsLoopback: 127.0.0.1 in /proc's byte order (IPv4 or IPv4-mapped IPv6).
func procAddrIsLoopback(s string) bool {
	host := s[:strings.LastIndexByte(s, ':')]
	return strings.HasSuffix(host, "0100007F")
}
