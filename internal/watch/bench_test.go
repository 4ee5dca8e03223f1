package watch

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/pipeline"
)

// BenchmarkEngineChange measures, over a generated set of workloads
// (KUBE4C_BENCH_SET, a directory of hack/bench-set.sh), the first
// evaluation of everything and then the re-evaluation after one object
// changes, by scope.
//
//	KUBE4C_BENCH_SET=.cache/bench/w20000-f200 go test -run '^$' -bench EngineChange ./internal/watch
func BenchmarkEngineChange(b *testing.B) {
	dir := os.Getenv("KUBE4C_BENCH_SET")
	if dir == "" {
		b.Fatal("set KUBE4C_BENCH_SET to a directory of hack/bench-set.sh")
	}
	objs := load(b, dir)
	plan, err := pipeline.NewPlan(pipeline.Options{})
	if err != nil {
		b.Fatal(err)
	}
	m := newMemObjects(objs)
	e := NewEngine(plan, m)
	start := time.Now()
	if _, err := e.Evaluate(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(time.Since(start).Seconds(), "first-s")
	for _, c := range plan.Checks() {
		if c.EffectiveScope() == check.ScopeCluster && c.ReadsKind("Pod") {
			b.Logf("cluster-scope check re-run on each workload change: %s", c.ID)
		}
	}
	changed := objs[len(objs)/2]
	b.ResetTimer()
	for b.Loop() {
		e.Changed(changed)
		if _, err := e.Evaluate(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}
