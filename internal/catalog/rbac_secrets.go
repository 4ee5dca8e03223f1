package catalog

import (
	"github.com/kube4c/kube4c/internal/check"
)

// criticalIfPrivileged is the severity of grants that are critical
// cluster-wide or in kube-system and high elsewhere.
func criticalIfPrivileged(scope string) check.Severity {
	if privilegedScope(scope) {
		return check.Critical
	}
	return check.High
}

func init() {
	registerRisk(&check.Check{
		Meta: check.Meta{
			ID:       "rbac-read-secrets",
			Title:    "Subject may read secrets",
			Severity: check.Critical,
			Looks: "every subject of every binding whose role grants get, list or watch on secrets (core API group) " +
				"without resourceNames. Critical cluster-wide or in kube-system, high in other namespaces.",
			Rationale: "Secrets hold passwords, keys and service account tokens. Reading them in kube-system or across the " +
				"cluster yields the credentials of controllers and often of cluster-admin; list and watch return every value at once.",
			Remediation: "Grant get on the named secrets the subject needs (resourceNames), in its own namespace; never list or watch.",
			Example: `rules:
  - apiGroups: [""]
    resources: ["secrets"]
    verbs: ["get"]
    resourceNames: ["app-tls"]`,
			References: check.References{
				CIS:   []string{"5.1.2"},
				NSA:   []string{"Authentication and authorization: Role-based access control"},
				MITRE: []string{"T1552.007"},
			},
		},
	}, &risk{what: "read secrets", severity: criticalIfPrivileged, probes: []probe{
		{verbs: verbsOf("get list watch"), resources: []string{"secrets"}},
	}})

	registerRisk(&check.Check{
		Meta: check.Meta{
			ID:       "rbac-create-tokens",
			Title:    "Subject may create service account tokens",
			Severity: check.Critical,
			Looks: "every subject of every binding whose role grants create on serviceaccounts/token (core API group), even " +
				"for named service accounts. Critical cluster-wide or in kube-system, high in other namespaces.",
			Rationale: "The TokenRequest API mints a token for a service account, with all of its permissions. In kube-system " +
				"or cluster-wide that includes the controllers' accounts.",
			Remediation: "Remove create on serviceaccounts/token, or limit it with resourceNames to accounts with few permissions.",
			Example: `rules:
  - apiGroups: [""]
    resources: ["serviceaccounts/token"]
    verbs: ["create"]
    resourceNames: ["metrics-reader"]`,
			References: check.References{
				CIS:   []string{"5.1.13"},
				NSA:   []string{"Authentication and authorization: Role-based access control"},
				MITRE: []string{"T1528"},
			},
		},
	}, &risk{what: "create service account tokens", severity: criticalIfPrivileged, probes: []probe{
		{verbs: []string{"create"}, resources: []string{"serviceaccounts/token"}, anyName: true},
	}})
}
