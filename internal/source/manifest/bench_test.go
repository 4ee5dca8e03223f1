package manifest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/kube4c/kube4c/internal/testutil"
)

// BenchmarkLoadCorpus loads every manifest of the shared real-world corpus.
// For the 20,000-workload set, run hack/bench.sh.
func BenchmarkLoadCorpus(b *testing.B) {
	dir := filepath.Join(testutil.CorpusDir(b), "real")
	var size int64
	_ = filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && HasExtension(info.Name()) {
			size += info.Size()
		}
		return nil
	})
	b.SetBytes(size)
	b.ReportAllocs()
	docs := 0
	for b.Loop() {
		docs = Load([]string{dir}, Options{}).Documents
	}
	b.ReportMetric(float64(docs)*float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}
