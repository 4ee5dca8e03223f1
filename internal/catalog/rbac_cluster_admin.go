package catalog

import (
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/rbac"
)

// fullWildcard reports whether a rule grants every verb on every resource
// of every API group, for every name.
func fullWildcard(r *rbacv1.PolicyRule) bool {
	return hasWildcard(r.Verbs) && hasWildcard(r.APIGroups) && hasWildcard(r.Resources) && len(r.ResourceNames) == 0
}

func init() {
	registerRBAC(&check.Check{
		Meta: check.Meta{
			ID:       "rbac-cluster-admin",
			Title:    "Subject holds cluster-admin",
			Severity: check.Critical,
			Looks: "every subject of every binding: ClusterRoleBindings whose role has a rule granting \"*\" verbs on \"*\" " +
				"resources of \"*\" API groups, and bindings of any kind to the ClusterRole cluster-admin (even when the role " +
				"itself is not among the scanned objects). The group system:masters is left out: its members are superusers anyway.",
			Rationale: "cluster-admin can do anything: read every secret, run any pod on any node, rewrite RBAC and admission. " +
				"A stolen token or a compromised pod of such a subject is the whole cluster.",
			Remediation: "Bind a role with the verbs and resources the subject needs instead of cluster-admin; keep " +
				"cluster-admin for break-glass accounts outside day-to-day use.",
			Example: `kind: ClusterRoleBinding
metadata: {name: ci-deployer}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: deployer}  # not cluster-admin
subjects:
  - {kind: ServiceAccount, name: ci, namespace: ci}`,
			References: check.References{
				CIS:   []string{"5.1.1", "5.1.7"},
				NSA:   []string{"Authentication and authorization: Role-based access control"},
				MITRE: []string{"T1078", "T1098.006"},
			},
		},
		Run: func(ctx *check.Context) {
			e := ctx.RBAC()
			const what = "do anything"
			wildcard := map[*rbac.Binding]bool{}
			for _, g := range grantsWhere(e, func(r *rbacv1.PolicyRule, scope string) bool { return scope == "" && fullWildcard(r) }) {
				wildcard[g.binding] = true
				reportGrant(ctx, g, what, 0)
			}
			for _, b := range e.Bindings() {
				if wildcard[b] || b.RoleRef.Kind != rbac.KindClusterRole || b.RoleRef.Name != "cluster-admin" {
					continue
				}
				for i, s := range b.Subjects {
					if reportable(s) {
						role := `ClusterRole "cluster-admin"`
						if b.Role != nil {
							role = rolePhrase(b.Role)
						}
						reportSubject(ctx, b, i, check.Finding{Folded: &check.Folded{Summary: what}, Message: subjectPhrase(s) + " is bound to " +
							role + " " + scopePhrase(b.Scope()) + " by " + b.Kind + " " + quote(refName(b.Namespace, b.Name))})
					}
				}
			}
		},
	})
}
