package checks

import (
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
		check.Run(inv, checks, check.Env{Now: time.Now()})
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
		check.Run(inv, checks, check.Env{Now: time.Now()})
	}
	b.ReportMetric(float64(inv.Len())*float64(b.N)/b.Elapsed().Seconds(), "objects/s")
}
