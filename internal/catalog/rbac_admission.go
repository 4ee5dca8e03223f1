package catalog

import (
	"github.com/kube4c/kube4c/internal/check"
)

func init() {
	webhooks := []string{"validatingwebhookconfigurations", "mutatingwebhookconfigurations"}
	const group = "admissionregistration.k8s.io"
	registerRisk(&check.Check{
		Meta: check.Meta{
			ID:       "rbac-webhook-control",
			Title:    "Subject may change admission webhooks",
			Severity: check.High,
			Looks: "every subject of every ClusterRoleBinding whose role grants create, update, patch, delete or " +
				"deletecollection on validatingwebhookconfigurations or mutatingwebhookconfigurations (" + group + "), " +
				"update, patch and delete even for named configurations. They are cluster-scoped: RoleBindings cannot grant them.",
			Rationale: "Admission webhooks see and may rewrite every object written to the cluster. Whoever controls them can " +
				"switch off policy enforcement or inject containers and credentials into any pod.",
			Remediation: "Leave webhook configurations to the cluster's provisioning and to the operators that own them, " +
				"with resourceNames.",
			Example: `rules:
  - apiGroups: ["` + group + `"]
    resources: ["validatingwebhookconfigurations"]
    verbs: ["get", "update", "patch"]
    resourceNames: ["my-operator-webhook"]`,
			References: check.References{
				CIS:   []string{"5.1.12"},
				NSA:   []string{"Authentication and authorization: Role-based access control"},
				MITRE: []string{"T1562.001"},
			},
		},
	}, &risk{what: "change admission webhooks", probes: []probe{
		{verbs: verbsOf("create deletecollection"), group: group, resources: webhooks, clusterScoped: true},
		{verbs: verbsOf("update patch delete"), group: group, resources: webhooks, anyName: true, clusterScoped: true},
	}})
}
