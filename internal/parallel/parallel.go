// Package parallel runs independent pieces of work on every CPU.
package parallel

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// For calls fn(i) for each i in [0, n) on up to GOMAXPROCS goroutines and
// returns once every call has returned. Calls take the next i as they
// finish, so uneven pieces of work still keep every CPU busy.
//
// A panic in fn does not crash the program from another goroutine: For
// waits for the other calls, then panics in the caller with a *Panic that
// carries the first panic's value and stack, so that a recover in the
// caller (as the check engine has) still catches it.
func For(n int, fn func(i int)) { ForWith(runtime.GOMAXPROCS(0), n, fn) }

// ForWith is For on up to workers goroutines: more than the CPUs when
// calls may wait for one another.
func ForWith(workers, n int, fn func(i int)) {
	workers = min(workers, n)
	var (
		next    atomic.Int64
		wg      sync.WaitGroup
		once    sync.Once
		panicky *Panic
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if r := recover(); r != nil {
					once.Do(func() { panicky = &Panic{Value: r, Stack: debug.Stack()} })
					next.Store(int64(n)) // the others stop at their next piece
				}
			}()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
	if panicky != nil {
		panic(panicky)
	}
}

// Blocks calls fn(lo, hi) for consecutive ranges [lo, hi) of at most size
// items that together cover [0, n), through For.
func Blocks(n, size int, fn func(lo, hi int)) {
	For((n+size-1)/size, func(b int) { fn(b*size, min((b+1)*size, n)) })
}

// Panic is what For panics with when fn panicked on another goroutine.
type Panic struct {
	// Value is what fn panicked with.
	Value any
	// Stack is the stack of the goroutine that panicked.
	Stack []byte
}

// Error returns the panic's value and the stack where it happened.
func (p *Panic) Error() string { return fmt.Sprintf("%v\n\n%s", p.Value, p.Stack) }
