package main

// A linearizability checker for one register (one key) with put, get and compare-and-swap, in
// the style of Wing & Gong with Lowe's memoisation (as in porcupine): search for an order of the
// operations that respects real time (an operation that completed before another was invoked
// comes first) and the register's sequential semantics. Operations whose outcome is unknown (a
// write that timed out or failed: it may or may not have taken effect) never complete, so they
// may take effect at any moment after their invocation, or never (= at the very end).
// Reads that failed are left out: they changed nothing and returned nothing.

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

type opKind int

const (
	opPut opKind = iota
	opGet
	opCAS
)

type outcome int

const (
	outOK outcome = iota
	outFailed
	outUnknown
)

type op struct {
	client   int
	kind     opKind
	key      string
	value    string // put: the value written; cas: the new value
	expect   string // cas: the value compared with
	invoke   int64  // ns since the start
	complete int64  // ns since the start; math.MaxInt64 when the outcome is unknown
	outcome  outcome
	found    bool   // get: the key existed
	result   string // get: the value read; cas that did not succeed: the value read in Else
	swapped  bool   // cas: the comparison held (the put was done)
	revision int64  // put / swapped cas that succeeded: the header revision of the write
	err      string
}

func (o *op) String() string {
	end := "?"
	if o.complete != math.MaxInt64 {
		end = fmt.Sprintf("%.3f", float64(o.complete)/1e9)
	}
	s := fmt.Sprintf("[%.3f,%s] c%d ", float64(o.invoke)/1e9, end, o.client)
	switch o.kind {
	case opPut:
		s += fmt.Sprintf("put(%s)", o.value)
	case opGet:
		if o.found {
			s += fmt.Sprintf("get -> %s", o.result)
		} else {
			s += "get -> (none)"
		}
	case opCAS:
		s += fmt.Sprintf("cas(%s -> %s)", o.expect, o.value)
		if o.outcome == outOK {
			if o.swapped {
				s += " -> swapped"
			} else {
				s += " -> not swapped, read " + o.result
			}
		}
	}
	switch o.outcome {
	case outUnknown:
		s += " UNKNOWN (" + o.err + ")"
	case outFailed:
		s += " FAILED (" + o.err + ")"
	}
	if o.revision > 0 {
		s += fmt.Sprintf(" rev %d", o.revision)
	}
	return s
}

const absent = "\x00absent"

// step applies o to state s: whether o may take effect now, and the state after it.
func step(s string, o *op) (bool, string) {
	switch o.kind {
	case opPut:
		return true, o.value
	case opGet:
		if !o.found {
			return s == absent, s
		}
		return s == o.result, s
	case opCAS:
		if o.outcome == outUnknown {
			if s == o.expect {
				return true, o.value
			}
			return true, s
		}
		if o.swapped {
			return s == o.expect, o.value
		}
		return s != o.expect && s == o.result, s
	}
	return false, s
}

type entry struct {
	isCall     bool
	op         *op
	id         int
	match      *entry // call -> its return
	prev, next *entry
}

type bitset []uint64

func (b bitset) set(i int) bitset   { b[i/64] |= 1 << uint(i%64); return b }
func (b bitset) clear(i int) bitset { b[i/64] &^= 1 << uint(i%64); return b }
func (b bitset) clone() bitset      { c := make(bitset, len(b)); copy(c, b); return c }
func (b bitset) hash() uint64 {
	h := uint64(14695981039346656037)
	for _, w := range b {
		h ^= w
		h *= 1099511628211
	}
	return h
}
func (b bitset) equal(c bitset) bool {
	for i := range b {
		if b[i] != c[i] {
			return false
		}
	}
	return true
}

type checkResult struct {
	ok, conclusive bool
	steps          int
	ops            int
	dropped        int    // unknown writes whose value nobody read: they can be left out
	detail         string // when not linearizable: where the search got stuck
}

// checkRegister checks one key's history, starting from `initial`; maxSteps bounds the search.
func checkRegister(history []*op, initial string, maxSteps int) checkResult {
	// An unknown write whose value no operation ever read is equivalent to one that never took
	// effect (values are unique, so nothing could depend on it): leave it out.
	read := map[string]bool{}
	for _, o := range history {
		if o.outcome == outOK && (o.kind == opGet && o.found || o.kind == opCAS && !o.swapped) {
			read[o.result] = true
		}
	}
	var ops []*op
	dropped := 0
	for _, o := range history {
		switch {
		case o.outcome == outFailed && o.kind == opGet:
		case o.outcome == outUnknown && o.kind == opGet:
		case o.outcome == outUnknown && !read[o.value]:
			dropped++
		default:
			ops = append(ops, o)
		}
	}
	res := checkResult{ops: len(ops), dropped: dropped}
	// Events: calls and returns by time; at equal times calls first (they overlap).
	type ev struct {
		t      int64
		isCall bool
		id     int
	}
	evs := make([]ev, 0, 2*len(ops))
	for i, o := range ops {
		evs = append(evs, ev{o.invoke, true, i}, ev{o.complete, false, i})
	}
	sort.Slice(evs, func(a, b int) bool {
		if evs[a].t != evs[b].t {
			return evs[a].t < evs[b].t
		}
		return evs[a].isCall && !evs[b].isCall
	})
	head := &entry{}
	calls := make([]*entry, len(ops))
	prev := head
	for _, e := range evs {
		n := &entry{isCall: e.isCall, op: ops[e.id], id: e.id, prev: prev}
		prev.next = n
		prev = n
		if e.isCall {
			calls[e.id] = n
		} else {
			calls[e.id].match = n
		}
	}
	lift := func(e *entry) {
		e.prev.next = e.next
		if e.next != nil {
			e.next.prev = e.prev
		}
		m := e.match
		m.prev.next = m.next
		if m.next != nil {
			m.next.prev = m.prev
		}
	}
	unlift := func(e *entry) {
		m := e.match
		m.prev.next = m
		if m.next != nil {
			m.next.prev = m
		}
		e.prev.next = e
		if e.next != nil {
			e.next.prev = e
		}
	}
	type cached struct {
		lin   bitset
		state string
	}
	type frame struct {
		e     *entry
		state string
	}
	cache := map[uint64][]cached{}
	seen := func(lin bitset, state string) bool {
		h := lin.hash() ^ uint64(len(state))*31
		for _, c := range cache[h] {
			if c.state == state && c.lin.equal(lin) {
				return true
			}
		}
		cache[h] = append(cache[h], cached{lin.clone(), state})
		return false
	}
	lin := make(bitset, (len(ops)+63)/64)
	state := initial
	var stack []frame
	deepest, stuckAt := 0, (*entry)(nil)
	e := head.next
	for head.next != nil {
		res.steps++
		if res.steps > maxSteps {
			res.detail = fmt.Sprintf("search bounded at %d steps", maxSteps)
			return res
		}
		if e.isCall {
			if ok, next := step(state, e.op); ok {
				lin.set(e.id)
				if !seen(lin, next) {
					stack = append(stack, frame{e, state})
					state = next
					lift(e)
					e = head.next
					continue
				}
				lin.clear(e.id)
			}
			e = e.next
			continue
		}
		// A return whose call is not linearized yet: undo the last choice.
		if len(stack) > deepest || stuckAt == nil {
			deepest, stuckAt = len(stack), e
		}
		if len(stack) == 0 {
			res.conclusive = true
			res.detail = describeStuck(stuckAt, deepest)
			return res
		}
		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		state = top.state
		lin.clear(top.e.id)
		unlift(top.e)
		e = top.e.next
	}
	res.ok, res.conclusive = true, true
	return res
}

func describeStuck(e *entry, depth int) string {
	if e == nil {
		return ""
	}
	return fmt.Sprintf("at best %d operations linearized; then no order lets this one complete: %s", depth, e.op)
}

func formatHistory(history []*op) string {
	var b strings.Builder
	for _, o := range history {
		b.WriteString(o.String())
		b.WriteByte('\n')
	}
	return b.String()
}
