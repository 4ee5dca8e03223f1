package checkdoc

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kube4c/kube4c/internal/check"
	_ "github.com/kube4c/kube4c/internal/checks"
)

var update = flag.Bool("update", false, "rewrite docs/checks.md from the registry")

// docs/checks.md must be what the registry generates: a check added or
// changed without regenerating the page fails here.
func TestChecksPageIsCurrent(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "checks.md")
	want := Markdown(check.Default.All())
	if *update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (generate it with: go test ./internal/checkdoc -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("docs/checks.md is stale: regenerate it with `go test ./internal/checkdoc -update` (or kube4c checks -o markdown > docs/checks.md)")
	}
}

func TestMarkdownHasEveryCheck(t *testing.T) {
	page := string(Markdown(check.Default.All()))
	for _, c := range check.Default.All() {
		if !strings.Contains(page, "\n## "+c.ID+"\n") || !strings.Contains(page, "[`"+c.ID+"`](#"+c.ID+")") {
			t.Errorf("no section or index entry for %s", c.ID)
		}
	}
}
