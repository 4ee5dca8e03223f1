package catalog

import (
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/kube4c/kube4c/internal/check"
)

// roleVerbProbes are the requests of a verb that the API server checks on
// roles when RBAC objects are written: on any Role or ClusterRole, or on
// cluster-admin by name.
func roleVerbProbes(verb string) []probe {
	return []probe{
		{verbs: []string{verb}, group: rbacv1.GroupName, resources: []string{"roles", "clusterroles"}},
		{verbs: []string{verb}, group: rbacv1.GroupName, resources: []string{"clusterroles"}, name: "cluster-admin"},
	}
}

var rbacEscalationRefs = check.References{
	CIS:   []string{"5.1.8"},
	NSA:   []string{"Authentication and authorization: Role-based access control"},
	MITRE: []string{"T1098.006", "T1078"},
	URLs:  []string{"https://kubernetes.io/docs/concepts/security/rbac-good-practices/#escalate-verb"},
}

func init() {
	registerRisk(&check.Check{
		Meta: check.Meta{
			ID:       "rbac-escalate",
			Title:    "Subject may escalate: write roles with permissions it does not hold",
			Severity: check.Critical,
			Looks: "every subject of every binding whose role grants the escalate verb on roles or clusterroles " +
				"(rbac.authorization.k8s.io), for any role or for cluster-admin by name.",
			Rationale: "RBAC stops a subject from writing a role with more permissions than it holds, unless it has escalate. " +
				"With escalate and write access to roles, it can give itself any permission.",
			Remediation: "Remove escalate from the role. Subjects that manage RBAC for others need bind on named roles, not escalate.",
			Example: `rules:
  - apiGroups: ["rbac.authorization.k8s.io"]
    resources: ["roles"]
    verbs: ["get", "list", "create", "update"]  # no escalate`,
			References: rbacEscalationRefs,
		},
	}, &risk{what: "escalate (write roles granting what it lacks)", probes: roleVerbProbes("escalate")})

	registerRisk(&check.Check{
		Meta: check.Meta{
			ID:       "rbac-bind",
			Title:    "Subject may bind any role",
			Severity: check.Critical,
			Looks: "every subject of every binding whose role grants the bind verb on roles or clusterroles " +
				"(rbac.authorization.k8s.io) without resourceNames, or with cluster-admin among them. Bind limited to named, " +
				"harmless roles is the recommended way to delegate and is not reported.",
			Rationale: "RBAC stops a subject from binding a role with more permissions than it holds, unless it has bind on " +
				"that role. Bind on every role (or on cluster-admin) plus write access to bindings makes the subject cluster-admin.",
			Remediation: "Limit bind to the roles the subject may hand out, with resourceNames.",
			Example: `rules:
  - apiGroups: ["rbac.authorization.k8s.io"]
    resources: ["clusterroles"]
    verbs: ["bind"]
    resourceNames: ["view", "edit"]`,
			References: rbacEscalationRefs,
		},
	}, &risk{what: "bind any role", probes: roleVerbProbes("bind")})

	impersonate := []string{"impersonate"}
	registerRisk(&check.Check{
		Meta: check.Meta{
			ID:       "rbac-impersonate",
			Title:    "Subject may impersonate users, groups or service accounts",
			Severity: check.Critical,
			Looks: "every subject of every binding whose role grants impersonate on users, groups or serviceaccounts (core API " +
				"group) or on userextras or uids (authentication.k8s.io), even for named identities only. users, groups, " +
				"userextras and uids are cluster-scoped: only ClusterRoleBindings grant them.",
			Rationale: "Impersonation lets the subject act as another user, group or service account, with all of its " +
				"permissions; impersonating system:masters or a controller's service account is cluster-admin.",
			Remediation: "Remove impersonate, or limit it with resourceNames to identities that hold less than the subject.",
			Example: `rules:
  - apiGroups: [""]
    resources: ["serviceaccounts"]
    verbs: ["impersonate"]
    resourceNames: ["readonly-bot"]`,
			References: rbacEscalationRefs,
		},
	}, &risk{what: "impersonate other identities", probes: []probe{
		{verbs: impersonate, resources: []string{"users", "groups"}, anyName: true, clusterScoped: true},
		{verbs: impersonate, resources: []string{"serviceaccounts"}, anyName: true},
		{verbs: impersonate, group: "authentication.k8s.io", resources: []string{"userextras/*", "uids"}, anyName: true, clusterScoped: true},
	}})
}
