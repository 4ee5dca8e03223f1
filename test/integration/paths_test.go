//go:build integration

package integration

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kube4c/kube4c/internal/graph/graphtest"
)

// The attack-graph worlds, loaded into the real API server, give with
// kube4c paths --cluster the paths they give from files. The cluster
// holds other tests' objects too, so each world's chains must be among
// the paths found, and its absent ones not.
func TestClusterPathsMatchFiles(t *testing.T) {
	for _, w := range graphtest.Worlds {
		if w.FilesOnly {
			continue
		}
		t.Run(w.Name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "world.yaml"), []byte(w.Manifests), 0o644); err != nil {
				t.Fatal(err)
			}
			// The world leaves with its test: other tests judge the
			// whole cluster.
			objs := load(t, dir)
			created := apply(t, admin, objs)
			if len(created) != len(objs) {
				t.Logf("%d of %d objects created (the others exist already)", len(created), len(objs))
			}
			t.Cleanup(func() { remove(t, admin, created) })
			args := []string{"paths", "--cluster", "--kubeconfig", adminKubeconfig, "-q", "-o", "json", "--max-paths", "50"}
			if len(w.Opts.From) > 0 {
				args = append(args, "--from", strings.Join(w.Opts.From, ","))
			}
			if len(w.Opts.To) > 0 {
				args = append(args, "--to", strings.Join(w.Opts.To, ","))
			}
			code, out, errOut := kube4c(t, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var doc struct {
				Paths []struct {
					From     string
					Possible bool
					Hops     []struct{ To string }
				}
			}
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range doc.Paths {
				parts := []string{p.From}
				for _, h := range p.Hops {
					parts = append(parts, h.To)
				}
				chain := strings.Join(parts, " > ")
				if p.Possible {
					chain += " (possible)"
				}
				got = append(got, chain)
			}
			for _, want := range w.Want {
				if !slices.Contains(got, want) {
					t.Errorf("no path %s among\n%s", want, strings.Join(got, "\n"))
				}
			}
			for _, absent := range w.Absent {
				if slices.Contains(got, absent) {
					t.Errorf("path %s found, which must not be", absent)
				}
			}
		})
	}
}
