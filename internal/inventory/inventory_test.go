package inventory

import (
	"sync"
	"sync/atomic"
	"testing"
)

func TestMemoBuildsOncePerKey(t *testing.T) {
	inv := New(nil)
	var builds atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if v := inv.Memo("engine", func() any { builds.Add(1); return 42 }); v != 42 {
				t.Errorf("got %v", v)
			}
		}()
	}
	wg.Wait()
	if builds.Load() != 1 {
		t.Errorf("built %d times", builds.Load())
	}
	if v := inv.Memo("other", func() any { return "x" }); v != "x" {
		t.Errorf("second key: %v", v)
	}
}
