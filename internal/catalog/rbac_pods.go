package catalog

import (
	"github.com/kube4c/kube4c/internal/check"
)

var podAccessRefs = check.References{
	NSA:   []string{"Authentication and authorization: Role-based access control"},
	MITRE: []string{"T1609"},
}

// workloadResources are the resources that run pods, by API group.
var workloadResources = map[string][]string{
	"":      {"pods", "replicationcontrollers"},
	"apps":  {"deployments", "replicasets", "statefulsets", "daemonsets"},
	"batch": {"jobs", "cronjobs"},
}

// workloadProbes ask for creating (no name) and updating or patching (a
// name) every resource that runs pods.
func workloadProbes() []probe {
	var out []probe
	for _, group := range []string{"", "apps", "batch"} {
		out = append(out,
			probe{verbs: []string{"create"}, group: group, resources: workloadResources[group]},
			probe{verbs: verbsOf("update patch"), group: group, resources: workloadResources[group], anyName: true})
	}
	return out
}

func init() {
	registerRisk(&check.Check{
		Meta: check.Meta{
			ID:       "rbac-pod-exec",
			Title:    "Subject may exec into or attach to pods",
			Severity: check.High,
			Looks:    "every subject of every binding whose role grants create on pods/exec or pods/attach (core API group), even for named pods.",
			Rationale: "exec and attach run commands in a container, with its service account token, mounted secrets and " +
				"network access: whatever the pod may do, the subject may do.",
			Remediation: "Remove pods/exec and pods/attach from everyday roles; grant them for debugging through a separate, " +
				"audited role bound for a limited time.",
			Example: `rules:
  - apiGroups: [""]
    resources: ["pods", "pods/log"]
    verbs: ["get", "list", "watch"]  # no pods/exec, pods/attach`,
			References: podAccessRefs,
		},
	}, &risk{what: "exec into or attach to pods", probes: []probe{
		{verbs: []string{"create"}, resources: []string{"pods/exec", "pods/attach"}, anyName: true},
	}})

	registerRisk(&check.Check{
		Meta: check.Meta{
			ID:       "rbac-create-workloads",
			Title:    "Subject may create workloads in a privileged scope",
			Severity: check.High,
			Looks: "every subject of every ClusterRoleBinding, or RoleBinding in kube-system, whose role grants create, update " +
				"or patch on pods or a pod controller: replicationcontrollers (core), deployments, replicasets, statefulsets, " +
				"daemonsets (apps), jobs, cronjobs (batch).",
			Rationale: "Whoever creates a pod picks its service account and mounts: in kube-system or in every namespace, " +
				"that means running as the most privileged accounts there and reading every secret they can.",
			Remediation: "Grant workload write access in the application's own namespaces only, with RoleBindings; deploy " +
				"to kube-system through the cluster's provisioning, not a user or CI account.",
			Example: `kind: RoleBinding
metadata: {name: deployer, namespace: shop}   # not a ClusterRoleBinding, not kube-system
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects:
  - {kind: ServiceAccount, name: ci, namespace: ci}`,
			References: check.References{
				CIS:   []string{"5.1.4"},
				NSA:   []string{"Authentication and authorization: Role-based access control"},
				MITRE: []string{"T1610", "T1078"},
			},
		},
	}, &risk{what: "create or change workloads, and so run as any service account", scopes: privilegedScope, probes: workloadProbes()})

	registerRisk(&check.Check{
		Meta: check.Meta{
			ID:       "rbac-ephemeral-containers",
			Title:    "Subject may add ephemeral containers to pods",
			Severity: check.High,
			Looks:    "every subject of every binding whose role grants update or patch on pods/ephemeralcontainers (core API group), even for named pods.",
			Rationale: "An ephemeral container joins a running pod with an image and command of the subject's choosing, and " +
				"shares the pod's namespaces, volumes and service account: the same power as exec, by another door.",
			Remediation: "Keep pods/ephemeralcontainers out of everyday roles; grant it for debugging through a separate, audited role.",
			Example: `rules:
  - apiGroups: [""]
    resources: ["pods"]
    verbs: ["get", "list"]  # no pods/ephemeralcontainers`,
			References: podAccessRefs,
		},
	}, &risk{what: "add ephemeral containers to pods", probes: []probe{
		{verbs: verbsOf("update patch"), resources: []string{"pods/ephemeralcontainers"}, anyName: true},
	}})
}
