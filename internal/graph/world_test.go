package graph_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kube4c/kube4c/internal/graph"
	"github.com/kube4c/kube4c/internal/graph/graphtest"
	"github.com/kube4c/kube4c/internal/pipeline"
)

// world builds the graph of manifests (the files of a directory, or YAML
// text written to one).
func world(t *testing.T, dir string) *graph.Graph {
	t.Helper()
	plan, err := pipeline.NewPlan(pipeline.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := plan.Analyze(context.Background(), pipeline.Request{Source: pipeline.Files{Paths: []string{dir}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Input.Errors) > 0 {
		t.Fatalf("input errors: %v", a.Input.Errors)
	}
	return graph.Build(a.Inventory, a.Engines, append(a.Kept, a.Suppressed...))
}

// worldOf writes manifests to a directory and builds their graph.
func worldOf(t *testing.T, manifests string) *graph.Graph {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "world.yaml"), []byte(manifests), 0o644); err != nil {
		t.Fatal(err)
	}
	return world(t, dir)
}

func TestWorlds(t *testing.T) {
	for _, w := range graphtest.Worlds {
		t.Run(w.Name, func(t *testing.T) {
			g := worldOf(t, w.Manifests)
			paths, err := g.Paths(w.Opts)
			if err != nil {
				t.Fatal(err)
			}
			got := graphtest.Chains(g, paths)
			for _, absent := range w.Absent {
				if slices.Contains(got, absent) {
					t.Errorf("path %s found, which must not be", absent)
				}
			}
			if !slices.Equal(got, w.Want) {
				t.Errorf("paths:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(w.Want, "\n"))
			}
			fixes := g.ChokePoints(paths, 0)
			first := ""
			if len(fixes) > 0 {
				first = fixes[0].Evidence.CheckID + " " + fixes[0].Evidence.Object.Name()
			}
			if first != w.FirstFix {
				t.Errorf("first fix %q, want %q", first, w.FirstFix)
			}
		})
	}
}

// On examples/: the storefront's way from the internet to the cloud
// identity (its egress lets it reach the metadata API), the build
// runner's to cluster-admin, and the docker.sock mount and the "*"
// ClusterRole among the fixes.
func TestExamplesPaths(t *testing.T) {
	g := world(t, "../../examples")
	paths, err := g.Paths(graph.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := graphtest.Chains(g, paths)
	for _, want := range []string{
		"internet > service:shop/storefront > workload:shop/Deployment/storefront > cloud-identity (possible)",
		"pods:ci > workload:ci/Deployment/build-runner > sa:ci/build-runner > cluster-admin",
		"pods:logging > workload:logging/DaemonSet/log-agent > node:*",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("no path %s in\n%s", want, strings.Join(got, "\n"))
		}
	}
	var fixes []string
	for _, c := range g.ChokePoints(paths, 0) {
		fixes = append(fixes, c.Evidence.CheckID+" "+c.Evidence.Object.Name()+" "+c.Evidence.Path)
	}
	for _, want := range []string{
		"rbac-cluster-admin build-runner subjects[0]",
		"container-runtime-socket build-runner spec.template.spec.volumes[0].hostPath.path",
	} {
		if !slices.Contains(fixes, want) {
			t.Errorf("fixes %q lack %q", fixes, want)
		}
	}
}

// A Secret named with --to is reached by reading its namespace's
// secrets; one no one can read has no path; one not in the input is an
// error.
func TestSecretTarget(t *testing.T) {
	g := worldOf(t, graphtest.Worlds[0].Manifests+`---
apiVersion: v1
kind: Secret
metadata: {name: etcd-backup-key, namespace: kube-system}
---
apiVersion: v1
kind: Secret
metadata: {name: unread, namespace: web}
`)
	paths, err := g.Paths(graph.Options{From: []string{"internet"}, To: []string{"Secret/kube-system/etcd-backup-key"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"internet > service:web/app > workload:web/Deployment/app > sa:web/app > secrets:kube-system"}
	if got := graphtest.Chains(g, paths); !slices.Equal(got, want) {
		t.Errorf("paths %q, want %q", got, want)
	}
	if paths, err := g.Paths(graph.Options{To: []string{"Secret/web/unread"}}); err != nil || len(paths) != 0 {
		t.Errorf("an unread secret: %v, %v", paths, err)
	}
	if _, err := g.Paths(graph.Options{To: []string{"Secret/web/missing"}}); err == nil {
		t.Error("a secret the input lacks is not an error")
	}
}
