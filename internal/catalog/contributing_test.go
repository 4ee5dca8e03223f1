package catalog

import (
	"os"
	"strings"
	"testing"
)

// goBlocks returns the ```go code blocks of a Markdown page, in order.
func goBlocks(page string) []string {
	var blocks []string
	for rest := page; ; {
		_, after, ok := strings.Cut(rest, "```go\n")
		if !ok {
			return blocks
		}
		block, tail, _ := strings.Cut(after, "```\n")
		blocks = append(blocks, block)
		rest = tail
	}
}

// The example of docs/contributing.md is privileged.go as it is, so it
// compiles with this package; its test rows are rows of the catalogue.
func TestContributingExampleIsReal(t *testing.T) {
	page, err := os.ReadFile("../../docs/contributing.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := goBlocks(string(page))
	if len(blocks) != 2 {
		t.Fatalf("docs/contributing.md has %d go blocks, want the check and its test rows", len(blocks))
	}
	source, err := os.ReadFile("privileged.go")
	if err != nil {
		t.Fatal(err)
	}
	if blocks[0] != string(source) {
		t.Error("the example check of docs/contributing.md differs from internal/catalog/privileged.go: copy the file into the page")
	}
	table, err := os.ReadFile("catalogue_test.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range strings.Split(strings.TrimSpace(blocks[1]), "\n") {
		if !strings.Contains(string(table), row) {
			t.Errorf("test row of docs/contributing.md is not in catalogue_test.go: %s", row)
		}
	}
}
