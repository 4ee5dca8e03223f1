package admission

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"k8s.io/client-go/kubernetes/fake"

	_ "github.com/kube4c/kube4c/internal/catalog"
	"github.com/kube4c/kube4c/internal/check"
)

var update = flag.Bool("update", false, "rewrite docs/admission-checks.md from the registry")

// docs/admission-checks.md must be what the registry generates.
func TestAdmissionChecksPageIsCurrent(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "admission-checks.md")
	want := ChecksMarkdown(check.Default.All())
	if *update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("docs/admission-checks.md is stale: regenerate it with `go test ./internal/admission -update` (%v)", err)
	}
}

// The page's list of cached kinds is what the cache keeps.
func TestCachedKindsAreTheCache(t *testing.T) {
	c := NewCache(fake.NewClientset())
	for _, k := range CachedKinds {
		if !c.Holds(k) {
			t.Errorf("CachedKinds lists %s, which the cache does not keep", k)
		}
	}
	for k := range c.informers {
		if !slices.Contains(CachedKinds, k) {
			t.Errorf("the cache keeps %s, which CachedKinds does not list", k)
		}
	}
}
