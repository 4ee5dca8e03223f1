package parallel

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"
)

func TestForCallsEachIndexOnce(t *testing.T) {
	for _, n := range []int{0, 1, 2, 7, 1000} {
		calls := make([]atomic.Int32, n)
		For(n, func(i int) { calls[i].Add(1) })
		for i := range calls {
			if got := calls[i].Load(); got != 1 {
				t.Errorf("n=%d: index %d called %d times, want 1", n, i, got)
			}
		}
	}
}

func TestBlocksCoverTheRangeOnce(t *testing.T) {
	for _, tc := range []struct{ n, size int }{{0, 4}, {1, 4}, {4, 4}, {5, 4}, {1001, 256}} {
		seen := make([]atomic.Int32, tc.n)
		Blocks(tc.n, tc.size, func(lo, hi int) {
			if hi-lo > tc.size || lo >= hi {
				t.Errorf("n=%d size=%d: block [%d, %d)", tc.n, tc.size, lo, hi)
			}
			for i := lo; i < hi; i++ {
				seen[i].Add(1)
			}
		})
		for i := range seen {
			if got := seen[i].Load(); got != 1 {
				t.Errorf("n=%d size=%d: item %d in %d blocks, want 1", tc.n, tc.size, i, got)
			}
		}
	}
}

func TestForPanicsInTheCaller(t *testing.T) {
	boom := errors.New("boom")
	defer func() {
		r := recover()
		p, ok := r.(*Panic)
		if !ok {
			t.Fatalf("recovered %T %v, want *Panic", r, r)
		}
		if p.Value != boom {
			t.Errorf("panic value %v, want %v", p.Value, boom)
		}
		if !strings.Contains(p.Error(), "boom") || !strings.Contains(p.Error(), "parallel_test.go") {
			t.Errorf("panic message lacks the value or the stack of the panicking call:\n%s", p.Error())
		}
	}()
	For(100, func(i int) {
		if i == 42 {
			panic(boom)
		}
	})
	t.Fatal("For returned after a call panicked")
}
