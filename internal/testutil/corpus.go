// Package testutil holds helpers shared by tests and benchmarks.
package testutil

import (
	"os"
	"path/filepath"
	"testing"
)

// CorpusDir returns the shared test corpus (../shared/corpus beside the
// repository, or $KUBE4C_CORPUS). It fails the test when the corpus is
// missing: the corpus is part of the test setup, never optional.
func CorpusDir(tb testing.TB) string {
	tb.Helper()
	if dir := os.Getenv("KUBE4C_CORPUS"); dir != "" {
		return dir
	}
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			corpus := filepath.Join(filepath.Dir(dir), "shared", "corpus")
			if _, err := os.Stat(filepath.Join(corpus, "real")); err != nil {
				tb.Fatalf("the shared corpus is missing at %s (set KUBE4C_CORPUS): %v", corpus, err)
			}
			return corpus
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
}
