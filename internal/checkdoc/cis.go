package checkdoc

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/kube4c/kube4c/internal/check"
)

// cisRow is one CIS item a check decides.
type cisRow struct {
	item string
	c    *check.Check
}

// CISMarkdown renders the page that maps CIS Kubernetes Benchmark items to
// the checks that decide them (audit-log rules judge events, not
// configuration, and are not among checks). kube-bench reports the benchmark's own item
// numbers (its cis-1.12 configuration), so its ID is the item number.
func CISMarkdown(checks []*check.Check) []byte {
	var rows []cisRow
	for _, c := range checks {
		for _, item := range c.References.CIS {
			if inNodeSections(item) {
				rows = append(rows, cisRow{item, c})
			}
		}
	}
	slices.SortStableFunc(rows, func(a, b cisRow) int { return compareItems(a.item, b.item) })
	var b bytes.Buffer
	b.WriteString("# CIS Kubernetes Benchmark v1.12: control plane and node items\n\n")
	b.WriteString("<!-- Generated from the check registry by `go test ./internal/checkdoc -update`; do not edit. -->\n\n")
	b.WriteString("`kube4c node [--root DIR]` decides these items from a node's parsed configuration, and `kube4c scan --cluster` " +
		"decides the control-plane ones from the static pods in kube-system (not applicable on EKS, GKE and AKS, whose control plane " +
		"the provider runs). Each item is reported as pass, fail or not applicable with the reason (`-o json`, `results`). " +
		"kube-bench reports these items under the benchmark's own numbers (its `cis-1.12` configuration), given in the second column.\n\n")
	fmt.Fprintf(&b, "%d items.\n\n", len(rows))
	b.WriteString("| CIS v1.12 | kube-bench ID | Check | Severity | Title |\n|---|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | [`%s`](checks.md#%s) | %s | %s |\n", r.item, r.item, r.c.ID, r.c.ID, r.c.Severity, escapeCell(r.c.Title))
	}

	return b.Bytes()
}

// inNodeSections reports whether a CIS item is in sections 1 to 4.
func inNodeSections(item string) bool {
	return len(item) > 0 && item[0] >= '1' && item[0] <= '4'
}

// compareItems orders dotted item numbers numerically.
func compareItems(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < min(len(as), len(bs)); i++ {
		x, _ := strconv.Atoi(as[i])
		y, _ := strconv.Atoi(bs[i])
		if x != y {
			return x - y
		}
	}
	return len(as) - len(bs)
}
