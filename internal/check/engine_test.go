package check

import (
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kube4c/kube4c/internal/inventory"
)

// Run returns findings ordered by file, line, column, check ID, object and
// path, equal findings in the order the check reported them, whatever the
// order the checks ran and reported in.
func TestRunOrdersFindings(t *testing.T) {
	pod := func(name string) *inventory.Object {
		return &inventory.Object{Obj: &corev1.Pod{}, Meta: &metav1.ObjectMeta{Name: name, Namespace: "ns"}}
	}
	a, b := pod("a"), pod("b")
	at := func(file string, line, col int) inventory.Location {
		return inventory.Location{File: file, Line: line, Column: col}
	}
	reports := map[string][]Finding{
		"zeta": {
			{Object: a, Path: "p", Location: at("b.yaml", 1, 1), Message: "zeta b.yaml:1:1"},
			{Object: a, Path: "p", Location: at("a.yaml", 9, 1), Message: "zeta a.yaml:9:1"},
		},
		"alpha": {
			{Object: b, Path: "p", Location: at("a.yaml", 9, 1), Message: "alpha a.yaml:9:1 b"},
			{Object: a, Path: "q", Location: at("a.yaml", 9, 1), Message: "alpha a.yaml:9:1 a q"},
			{Object: a, Path: "p", Location: at("a.yaml", 9, 1), Message: "alpha a.yaml:9:1 a p first"},
			{Object: a, Path: "p", Location: at("a.yaml", 9, 1), Message: "alpha a.yaml:9:1 a p second"},
			{Object: a, Path: "p", Location: at("a.yaml", 10, 2), Message: "alpha a.yaml:10:2"},
			{Object: a, Path: "p", Location: at("a.yaml", 9, 0), Message: "alpha a.yaml:9:0"},
			{Message: "alpha without a file"},
		},
	}
	var checks []*Check
	for _, id := range []string{"zeta", "alpha"} {
		checks = append(checks, &Check{ID: id, Run: func(ctx *Context) {
			for _, f := range reports[id] {
				ctx.ReportFinding(f)
			}
		}})
	}
	got, failures := Run(inventory.New(nil), checks, Env{})
	if len(failures) > 0 {
		t.Fatal(failures)
	}
	var lines []string
	for _, f := range got {
		lines = append(lines, fmt.Sprintf("%s: %s", f.CheckID, f.Message))
	}
	want := []string{
		"alpha: alpha without a file",
		"alpha: alpha a.yaml:9:0",
		"alpha: alpha a.yaml:9:1 a p first",
		"alpha: alpha a.yaml:9:1 a p second",
		"alpha: alpha a.yaml:9:1 a q",
		"alpha: alpha a.yaml:9:1 b",
		"zeta: zeta a.yaml:9:1",
		"alpha: alpha a.yaml:10:2",
		"zeta: zeta b.yaml:1:1",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("order:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}
