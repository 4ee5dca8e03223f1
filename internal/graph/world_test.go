package graph_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kube4c/kube4c/internal/graph"
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

// chains words paths as "from > node > node ... (possible)", sorted.
func chains(g *graph.Graph, paths []graph.Path) []string {
	var out []string
	for _, p := range paths {
		parts := []string{g.Nodes()[p.From].ID}
		for _, i := range p.Edges {
			parts = append(parts, g.Nodes()[g.Edges()[i].To].ID)
		}
		s := strings.Join(parts, " > ")
		if p.Possible {
			s += " (possible)"
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

func TestExamplesDebug(t *testing.T) {
	g := world(t, "../../examples")
	paths, err := g.Paths(graph.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range chains(g, paths) {
		t.Log(c)
	}
	for _, cp := range g.ChokePoints(paths, 0) {
		t.Log("choke:", cp.Evidence.CheckID, cp.Evidence.Object.Name(), cp.Evidence.Path, cp.Cuts)
	}
}
