package catalog

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/source/manifest"
	"github.com/kube4c/kube4c/internal/testutil"
)

func corpusInventory(b *testing.B) *inventory.Inventory {
	b.Helper()
	res := manifest.Load([]string{filepath.Join(testutil.CorpusDir(b), "real")}, manifest.Options{})
	return inventory.New(res.Objects)
}

// BenchmarkRunAllChecks runs every registered check over the real-world
// corpus (already loaded): the cost of checking, without parsing.
func BenchmarkRunAllChecks(b *testing.B) {
	inv := corpusInventory(b)
	checks := check.Default.All()
	b.ReportAllocs()
	for b.Loop() {
		check.Run(context.Background(), inv, checks, check.Env{Now: time.Now()})
	}
	b.ReportMetric(float64(inv.Len())*float64(b.N)/b.Elapsed().Seconds(), "objects/s")
}

// BenchmarkRunOneCheck runs a single workload check, the baseline that
// BenchmarkRunAllChecks is compared with.
func BenchmarkRunOneCheck(b *testing.B) {
	inv := corpusInventory(b)
	checks := []*check.Check{check.Default.Get("privileged-container")}
	b.ReportAllocs()
	for b.Loop() {
		check.Run(context.Background(), inv, checks, check.Env{Now: time.Now()})
	}
	b.ReportMetric(float64(inv.Len())*float64(b.N)/b.Elapsed().Seconds(), "objects/s")
}

// BenchmarkCheckPhase runs the default checks, then every check, as a
// scan does, on a fresh inventory each time (so indexes the checks share
// are rebuilt), locating and sorting the findings. It reads the real-world
// corpus, or the directory in KUBE4C_BENCH_SET (hack/bench.sh makes a
// 20,000-workload set).
func BenchmarkCheckPhase(b *testing.B) {
	dir := os.Getenv("KUBE4C_BENCH_SET")
	if dir == "" {
		dir = filepath.Join(testutil.CorpusDir(b), "real")
	}
	res := manifest.Load([]string{dir}, manifest.Options{})
	if len(res.Objects) == 0 {
		b.Fatalf("no objects in %s (KUBE4C_BENCH_SET must name a directory of manifests, absolute or relative to the package)", dir)
	}
	var defaults, every []*check.Check
	for _, c := range check.Default.All() {
		every = append(every, c)
		if !c.DisabledByDefault {
			defaults = append(defaults, c)
		}
	}
	for _, set := range []struct {
		name   string
		checks []*check.Check
	}{{"default", defaults}, {"every", every}} {
		b.Run(set.name, func(b *testing.B) {
			b.ReportAllocs()
			findings := 0
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				inv := inventory.New(res.Objects)
				b.StartTimer()
				out, _, _ := check.Run(context.Background(), inv, set.checks, check.Env{Now: time.Now()})
				findings = len(out)
			}
			b.ReportMetric(float64(findings), "findings")
		})
	}
}
