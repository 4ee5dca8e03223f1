package checkdoc

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kube4c/kube4c/internal/audit"
	_ "github.com/kube4c/kube4c/internal/catalog"
	"github.com/kube4c/kube4c/internal/check"
)

var update = flag.Bool("update", false, "rewrite docs/checks.md and docs/cis.md from the registry")

// docs/checks.md must be what the registry generates: a check added or
// changed without regenerating the page fails here.
func TestChecksPageIsCurrent(t *testing.T) {
	assertPageCurrent(t, "checks.md", Markdown(check.KnownOf(check.Default.Metas(), audit.Rules.Metas())))
}

// docs/cis.md must be what the registry generates.
func TestCISPageIsCurrent(t *testing.T) {
	assertPageCurrent(t, "cis.md", CISMarkdown(check.Default.All()))
}

// assertPageCurrent compares docs/name with want, rewriting it first with
// -update.
func assertPageCurrent(t *testing.T, name string, want []byte) {
	t.Helper()
	path := filepath.Join("..", "..", "docs", name)
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
		t.Fatalf("docs/%s is stale: regenerate it with `go test ./internal/checkdoc -update`", name)
	}
}

func TestMarkdownHasEveryCheck(t *testing.T) {
	all := check.KnownOf(check.Default.Metas(), audit.Rules.Metas())
	page := string(Markdown(all))
	for _, c := range all {
		if !strings.Contains(page, "\n## "+c.ID+"\n") || !strings.Contains(page, "[`"+c.ID+"`](#"+c.ID+")") {
			t.Errorf("no section or index entry for %s", c.ID)
		}
	}
}

func TestCISPageOrder(t *testing.T) {
	page := string(CISMarkdown(check.Default.All()))
	for _, pair := range [][2]string{{"| 1.1.2 |", "| 1.1.10 |"}, {"| 1.2.9 |", "| 1.2.10 |"}, {"| 1.4.2 |", "| 2.1 |"}, {"| 3.2.2 |", "| 4.1.1 |"}} {
		i, j := strings.Index(page, pair[0]), strings.Index(page, pair[1])
		if i < 0 || j >= 0 && j < i {
			t.Errorf("%s should come before %s", pair[0], pair[1])
		}
	}
	if !strings.Contains(page, "| 1.2.1 | 1.2.1 | [`apiserver-anonymous-auth`](checks.md#apiserver-anonymous-auth) |") {
		t.Error("no row for 1.2.1")
	}
}
