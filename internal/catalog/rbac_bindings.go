package catalog

import (
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/rbac"
)

func init() {
	registerRBAC(&check.Check{
		Meta: check.Meta{
			ID:       "rbac-binding-missing-role",
			Title:    "Binding refers to a role that does not exist",
			Severity: check.Medium,
			Looks: "the roleRef of every RoleBinding and ClusterRoleBinding. A ClusterRoleBinding that refers to a Role is always " +
				"reported (it can never grant anything); a role missing from the inventory only when the inventory is complete: " +
				"a live cluster, or scan --complete on files.",
			Rationale: "A binding to a missing role grants nothing today, and everything the role will hold to whoever " +
				"creates it with that name: a dormant grant that reviews of existing roles do not see.",
			Remediation: "Delete the binding, or create the role it was meant for.",
			Example: `roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: view   # a role that exists`,
			References: check.References{
				NSA:   []string{"Authentication and authorization: Role-based access control"},
				MITRE: []string{"T1098"},
			},
		},
		Run: func(ctx *check.Context) {
			for _, b := range ctx.RBAC().Bindings() {
				switch {
				case b.Role != nil:
				case b.Kind == rbac.KindClusterRoleBinding && b.RoleRef.Kind == rbac.KindRole:
					ctx.Report(b.Object, "roleRef.kind", "ClusterRoleBinding "+quote(b.Name)+" refers to Role "+quote(b.RoleRef.Name)+
						": a ClusterRoleBinding can only use a ClusterRole, so it grants nothing")
				case ctx.Complete:
					where := ""
					if b.RoleRef.Kind == rbac.KindRole {
						where = " in namespace " + quote(b.Namespace)
					}
					ctx.Report(b.Object, "roleRef.name", b.Kind+" "+quote(refName(b.Namespace, b.Name))+" refers to "+b.RoleRef.Kind+" "+
						quote(b.RoleRef.Name)+", which does not exist"+where+": whoever creates it grants it to the subjects")
				}
			}
		},
	})

	registerRBAC(&check.Check{
		Meta: check.Meta{
			ID:       "rbac-default-sa-bound",
			Title:    "Binding grants permissions to a default service account",
			Severity: check.Medium,
			Looks:    "every subject of every RoleBinding and ClusterRoleBinding that is a ServiceAccount named default.",
			Rationale: "Every namespace has a default service account, and every pod that names no account runs as it. " +
				"Permissions given to it go to every such pod, present and future.",
			Remediation: "Create a service account for the workload that needs the permissions, bind the role to it and set " +
				"serviceAccountName in the pod spec.",
			Example: `subjects:
  - {kind: ServiceAccount, name: shop-api, namespace: shop}   # not default`,
			References: check.References{
				CIS:   []string{"5.1.5"},
				NSA:   []string{"Authentication and authorization: Role-based access control"},
				MITRE: []string{"T1078.001"},
			},
		},
		Run: func(ctx *check.Context) {
			for _, b := range ctx.RBAC().Bindings() {
				for i, s := range b.Subjects {
					if s.Kind == rbacv1.ServiceAccountKind && s.Name == "default" && s.Matchable() {
						reportSubject(ctx, b, i, check.Finding{Message: "the default service account of namespace " + quote(s.Namespace) +
							" is bound to " + b.RoleRefString() + " " + scopePhrase(b.Scope()) + " by " + b.Kind + " " + quote(refName(b.Namespace, b.Name)) +
							": every pod of the namespace that names no service account gets these permissions"})
					}
				}
			}
		},
	})
}
