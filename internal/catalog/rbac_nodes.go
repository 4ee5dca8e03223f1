package catalog

import (
	"github.com/kube4c/kube4c/internal/check"
)

func init() {
	registerRisk(&check.Check{
		Meta: check.Meta{
			ID:       "rbac-nodes-proxy",
			Title:    "Subject may reach the kubelet API through nodes/proxy",
			Severity: check.High,
			Looks: "every subject of every ClusterRoleBinding whose role grants get, create, update, patch or delete on " +
				"nodes/proxy (core API group), even for named nodes. Nodes are cluster-scoped: RoleBindings cannot grant it.",
			Rationale: "nodes/proxy forwards requests to the kubelet, whose API runs commands in any container of the node " +
				"and reads its logs, bypassing the API server's audit and admission.",
			Remediation: "Remove nodes/proxy; monitoring agents need nodes/metrics or nodes/stats instead.",
			Example: `rules:
  - apiGroups: [""]
    resources: ["nodes/metrics", "nodes/stats"]
    verbs: ["get"]`,
			References: check.References{
				CIS:   []string{"5.1.10"},
				NSA:   []string{"Authentication and authorization: Role-based access control"},
				MITRE: []string{"T1609", "T1611"},
			},
		},
	}, &risk{what: "reach the kubelet API through nodes/proxy", probes: []probe{
		{verbs: verbsOf("get create update patch delete"), resources: []string{"nodes/proxy"}, anyName: true, clusterScoped: true},
	}})

	registerRisk(&check.Check{
		Meta: check.Meta{
			ID:       "rbac-modify-status",
			Title:    "Subject may write the status of pods, services or nodes",
			Severity: check.Low,
			Looks: "every subject of every binding whose role grants update or patch on pods/status, services/status or " +
				"nodes/status (core API group), even for named objects. Nodes are cluster-scoped: only ClusterRoleBindings count for them.",
			Rationale: "Status is what controllers and other components believe. Writing services/status sets a LoadBalancer " +
				"ingress IP and can redirect cluster traffic (CVE-2020-8554); pod and node status steer endpoints and scheduling.",
			Remediation: "Leave status writes to the controllers that own them; remove */status from user and CI roles.",
			Example: `rules:
  - apiGroups: [""]
    resources: ["services"]
    verbs: ["get", "list", "update"]  # not services/status`,
			References: check.References{
				NSA:   []string{"Authentication and authorization: Role-based access control"},
				MITRE: []string{"T1557"},
				URLs:  []string{"https://github.com/kubernetes/kubernetes/issues/97076"},
			},
		},
	}, &risk{what: "write the status of pods, services or nodes", probes: []probe{
		{verbs: verbsOf("update patch"), resources: []string{"pods/status", "services/status"}, anyName: true},
		{verbs: verbsOf("update patch"), resources: []string{"nodes/status"}, anyName: true, clusterScoped: true},
	}})
}
