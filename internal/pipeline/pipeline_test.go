package pipeline

import (
	"testing"

	"github.com/kube4c/kube4c/internal/report"
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
