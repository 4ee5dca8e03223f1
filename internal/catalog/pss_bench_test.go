package catalog

import (
	"context"
	"testing"
	"time"

	"github.com/kube4c/kube4c/internal/check"
)

// BenchmarkPSS runs both PSS checks over the real-world corpus.
func BenchmarkPSS(b *testing.B) {
	inv := corpusInventory(b)
	checks := []*check.Check{check.Default.Get(PSSBaselineID), check.Default.Get(PSSRestrictedID)}
	b.ReportAllocs()
	for b.Loop() {
		check.Run(context.Background(), inv, checks, check.Env{Now: time.Now()})
	}
	b.ReportMetric(float64(len(inv.Workloads()))*float64(b.N)/b.Elapsed().Seconds(), "workloads/s")
}
