package catalog

import (
	"slices"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/rbac"
)

// discoveryRoles are the default ClusterRoles that Kubernetes binds to
// every user (and, for system:public-info-viewer, to anonymous requests).
var discoveryRoles = []string{"system:discovery", "system:basic-user", "system:public-info-viewer"}

// anonymousSeverity is the severity of granting the subject anything
// beyond discovery: critical for anonymous requests, high for every
// authenticated user, zero for other subjects.
func anonymousSeverity(s rbac.Subject) check.Severity {
	switch {
	case s.Kind == rbacv1.UserKind && s.Name == rbac.UserAnonymous,
		s.Kind == rbacv1.GroupKind && s.Name == rbac.GroupUnauthenticated:
		return check.Critical
	case s.Kind == rbacv1.GroupKind && s.Name == rbac.GroupAuthenticated:
		return check.High
	}
	return 0
}

func init() {
	registerRBAC(&check.Check{
		Meta: check.Meta{
			ID:       "rbac-anonymous",
			Title:    "Anonymous or every authenticated user is granted more than discovery",
			Severity: check.Critical,
			Looks: "every binding whose subjects include the user system:anonymous or the group system:unauthenticated " +
				"(critical), or the group system:authenticated (high), and whose role grants anything, unless the role is one " +
				"of the default discovery ClusterRoles: " + joinQuoted(discoveryRoles) + ".",
			Rationale: "system:unauthenticated is anyone who can reach the API server, and system:authenticated is every " +
				"user and every service account of every namespace. What they are granted is granted to an attacker first.",
			Remediation: "Bind the role to the users, groups or service accounts that need it instead.",
			Example: `subjects:
  - {kind: Group, name: platform-team, apiGroup: rbac.authorization.k8s.io}   # not system:authenticated`,
			References: check.References{
				NSA:   []string{"Authentication and authorization"},
				MITRE: []string{"T1078", "T1190"},
				URLs:  []string{"https://kubernetes.io/docs/reference/access-authn-authz/rbac/#discovery-roles"},
			},
		},
		Run: func(ctx *check.Context) {
			for _, b := range ctx.RBAC().Bindings() {
				r := b.Role
				if r == nil || len(r.Rules) == 0 || r.Kind == rbac.KindClusterRole && slices.Contains(discoveryRoles, r.Name) {
					continue
				}
				all := make([]int, len(r.Rules))
				for i := range all {
					all[i] = i
				}
				for i, s := range b.Subjects {
					if sev := anonymousSeverity(s); sev != 0 {
						reportGrant(ctx, grant{binding: b, subject: i, rules: all}, "use "+rolePhrase(r), sev)
					}
				}
			}
		},
	})
}
