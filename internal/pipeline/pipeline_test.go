package pipeline

import (
	"testing"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/controlplane"
	"github.com/kube4c/kube4c/internal/report"
	"github.com/kube4c/kube4c/internal/source/cluster"
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
// files that only a node's file system holds: a check whose kind kube4c
// never lists would pass on a cluster without having looked.
func TestClusterCollectsWhatChecksRead(t *testing.T) {
	nodeFiles := map[string]bool{controlplane.HostKind: true, controlplane.KubeletConfigKind: true, controlplane.EncryptionConfigKind: true,
		controlplane.AuditPolicyKind: true, controlplane.KubeProxyConfigKind: true}
	collected := map[string]bool{}
	for _, r := range cluster.Resources {
		collected[r.Kind] = true
	}
	for _, c := range check.Default.All() {
		for _, kind := range c.ReadKinds() {
			if !collected[kind] && !nodeFiles[kind] {
				t.Errorf("%s reads %s, which a live scan does not collect (internal/source/cluster/resources.go)", c.ID, kind)
			}
		}
	}
}
