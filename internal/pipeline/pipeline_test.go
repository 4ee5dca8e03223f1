package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/controlplane"
	"github.com/kube4c/kube4c/internal/dast"
	"github.com/kube4c/kube4c/internal/report"
	"github.com/kube4c/kube4c/internal/signatures"
	"github.com/kube4c/kube4c/internal/source/cluster"
	"github.com/kube4c/kube4c/internal/vulns"
)

// A live source is complete for RBAC when it could list every Role and
// ClusterRole.
func TestRolesCollected(t *testing.T) {
	cov := func(roleState, clusterRoleState string) *report.Coverage {
		return &report.Coverage{Resources: []report.ResourceCoverage{
			{Kind: "Role", State: roleState}, {Kind: "ClusterRole", State: clusterRoleState}, {Kind: "Secret", State: "forbidden"},
		}}
	}
	for _, tt := range []struct {
		cov  *report.Coverage
		want bool
	}{
		{nil, false},
		{cov("collected", "collected"), true},
		{cov("collected", "forbidden"), false},
		{&report.Coverage{}, false},
	} {
		if got := rolesCollected(tt.cov); got != tt.want {
			t.Errorf("rolesCollected(%+v) = %t", tt.cov, got)
		}
	}
}

// A live scan collects every kind a check reads, but the configuration
// files that only a node's file system holds and the scanners' reports
// given with --vulns and --dast: a check whose kind kube4c never lists
// would pass on a cluster without having looked.
func TestClusterCollectsWhatChecksRead(t *testing.T) {
	nodeFiles := map[string]bool{controlplane.HostKind: true, controlplane.KubeletConfigKind: true, controlplane.EncryptionConfigKind: true,
		controlplane.AuditPolicyKind: true, controlplane.KubeProxyConfigKind: true, vulns.ScanKind: true, dast.ScanKind: true, signatures.Kind: true}
	collected := map[string]bool{}
	for _, r := range cluster.Resources {
		collected[r.Kind] = true
	}
	for _, c := range check.Default.All() {
		for _, kind := range c.ReadKinds() {
			if !collected[kind] && !nodeFiles[kind] && kind != check.EveryKind {
				t.Errorf("%s reads %s, which a live scan does not collect (internal/source/cluster/resources.go)", c.ID, kind)
			}
		}
	}
}

// The same object in two files: each copy is checked on its own labels
// whatever the order of the files, and a warning names both files.
func TestDuplicatesAreOrderIndependent(t *testing.T) {
	dir := t.TempDir()
	web := func(tier string) string {
		return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {matchLabels: {app: web}}\n" +
			"  template:\n    metadata: {labels: {app: web, tier: " + tier + "}}\n    spec: {containers: [{name: w, image: w:1}]}\n" +
			"---\napiVersion: v1\nkind: Service\nmetadata: {name: web-" + tier + ", namespace: shop}\nspec: {type: LoadBalancer, loadBalancerSourceRanges: [10.0.0.0/8], selector: {tier: " + tier + "}, ports: [{port: 80}]}\n"
	}
	policy := "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: front, namespace: shop}\nspec: {podSelector: {matchLabels: {tier: front}}}\n"
	a, b := filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yaml")
	if os.WriteFile(a, []byte(web("front")+policy), 0o644) != nil || os.WriteFile(b, []byte(web("back")), 0o644) != nil {
		t.Fatal("cannot write the fixtures")
	}
	scan := func(paths ...string) ([]string, []string) {
		rep, err := Scan(context.Background(), Request{Options: Options{Only: []string{"pod-not-isolated-ingress"}}, Source: Files{Paths: paths}})
		if err != nil {
			t.Fatal(err)
		}
		var found, warnings []string
		for _, f := range rep.Findings {
			found = append(found, f.Location.File+" "+f.Message)
		}
		for _, w := range rep.Warnings {
			warnings = append(warnings, w.Error())
		}
		slices.Sort(found)
		return found, warnings
	}
	ab, warnAB := scan(a, b)
	ba, warnBA := scan(b, a)
	if len(ab) != 1 || !strings.HasPrefix(ab[0], b+" ") {
		t.Errorf("want one finding, about the copy in b.yaml that no policy isolates: %q", ab)
	}
	if !slices.Equal(ab, ba) {
		t.Errorf("findings depend on the order of the files:\n%q\n%q", ab, ba)
	}
	for _, w := range [][]string{warnAB, warnBA} {
		if len(w) != 1 || !strings.Contains(w[0], "a.yaml") || !strings.Contains(w[0], "b.yaml") || !strings.Contains(w[0], "also defined at") {
			t.Errorf("want one warning naming both files: %q", w)
		}
	}
}
