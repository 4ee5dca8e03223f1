package catalog

import (
	"slices"

	"github.com/kube4c/kube4c/internal/check"
)

// rbacGrantFold is one binding granting one subject a role. The checks
// that judge such a grant each report at the binding's subjects[i], and
// kube4c reports what they found there as one finding, at the severity of
// the worst risk, listing every risk (docs/rbac.md). Among risks of one
// severity, the first listed here names the finding: the broadest first.
var rbacGrantFold = &check.Fold{ID: "rbac-grant", Checks: []string{
	"rbac-cluster-admin",
	"rbac-anonymous",
	"rbac-escalate",
	"rbac-bind",
	"rbac-impersonate",
	"rbac-create-tokens",
	"rbac-approve-csr",
	"rbac-eks-aws-auth",
	"rbac-read-secrets",
	"rbac-nodes-proxy",
	"rbac-webhook-control",
	"rbac-create-workloads",
	"rbac-pod-exec",
	"rbac-ephemeral-containers",
	"rbac-wildcard",
	"rbac-modify-status",
}}

// foldOf returns the fold of an RBAC check, or nil.
func foldOf(id string) *check.Fold {
	if slices.Contains(rbacGrantFold.Checks, id) {
		return rbacGrantFold
	}
	return nil
}
