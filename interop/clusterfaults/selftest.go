package main

// Self-test of the checker, run before every real run (--selftest): histories that are
// linearizable must pass, and ones with a stale read, a lost write, a wrong CAS, or a read of a
// value nobody wrote must be caught.

import (
	"fmt"
	"math"
)

const inf = math.MaxInt64

func selfTest() error {
	put := func(c int, v string, a, b int64) *op {
		o := &op{client: c, kind: opPut, key: "k", value: v, invoke: a, complete: b}
		if b == inf {
			o.outcome = outUnknown
		}
		return o
	}
	get := func(c int, v string, a, b int64) *op {
		return &op{client: c, kind: opGet, key: "k", found: v != "", result: v, invoke: a, complete: b}
	}
	cas := func(c int, exp, v string, swapped bool, read string, a, b int64) *op {
		o := &op{client: c, kind: opCAS, key: "k", expect: exp, value: v, swapped: swapped, result: read, invoke: a, complete: b}
		if b == inf {
			o.outcome = outUnknown
		}
		return o
	}
	cases := []struct {
		name string
		ok   bool
		h    []*op
	}{
		{"sequential", true, []*op{put(0, "a", 0, 1), get(1, "a", 2, 3), cas(0, "a", "b", true, "", 4, 5), get(1, "b", 6, 7)}},
		{"concurrent put/get sees either", true, []*op{put(0, "a", 0, 1), put(0, "b", 2, 10), get(1, "a", 3, 4), get(1, "b", 5, 6), get(2, "b", 7, 8)}},
		{"unknown put seen later", true, []*op{put(0, "a", 0, 1), put(1, "x", 2, inf), get(0, "a", 3, 4), get(0, "x", 5, 6)}},
		{"unknown put never seen", true, []*op{put(0, "a", 0, 1), put(1, "x", 2, inf), get(0, "a", 3, 4), get(0, "a", 50, 60)}},
		{"unknown cas took effect", true, []*op{put(0, "a", 0, 1), cas(1, "a", "b", false, "", 2, inf), get(0, "b", 5, 6)}},
		{"failed cas reads", true, []*op{put(0, "a", 0, 1), cas(1, "z", "b", false, "a", 2, 3)}},
		{"stale read", false, []*op{put(0, "a", 0, 1), put(0, "b", 2, 3), get(1, "a", 4, 5)}},
		{"read before write", false, []*op{get(1, "a", 0, 1), put(0, "a", 2, 3)}},
		{"lost write", false, []*op{put(0, "a", 0, 1), put(1, "b", 2, 3), get(0, "a", 4, 5), get(0, "b", 6, 7), get(1, "a", 8, 9)}},
		{"cas on wrong value", false, []*op{put(0, "a", 0, 1), cas(1, "z", "b", true, "", 2, 3)}},
		{"failed cas when it should hold", false, []*op{put(0, "a", 0, 1), cas(1, "a", "b", false, "a", 2, 3)}},
		{"unknown put seen then unseen", false, []*op{put(0, "a", 0, 1), put(1, "x", 2, inf), get(0, "x", 3, 4), get(0, "a", 5, 6)}},
		{"phantom value", false, []*op{put(0, "a", 0, 1), get(1, "q", 2, 3)}},
	}
	for _, c := range cases {
		r := checkRegister(c.h, absent, 100000)
		if !r.conclusive || r.ok != c.ok {
			return fmt.Errorf("checker self-test %q: want linearizable=%v, got %+v", c.name, c.ok, r)
		}
	}
	return nil
}
