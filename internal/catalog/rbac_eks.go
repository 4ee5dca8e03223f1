package catalog

import (
	"github.com/kube4c/kube4c/internal/check"
)

func init() {
	registerRisk(&check.Check{
		Meta: check.Meta{
			ID:       "rbac-eks-aws-auth",
			Title:    "Subject may edit the EKS aws-auth ConfigMap",
			Severity: check.Critical,
			Looks: "every subject of every ClusterRoleBinding, or RoleBinding in kube-system, whose role grants update or " +
				"patch on configmaps (core API group) without resourceNames or with aws-auth among them.",
			Rationale: "On EKS, the aws-auth ConfigMap in kube-system maps IAM roles and users to Kubernetes users and groups; " +
				"whoever edits it can map an IAM identity they control to system:masters.",
			Remediation: "Limit configmap writes in kube-system to named ConfigMaps other than aws-auth, and move to EKS access " +
				"entries, which are managed through the AWS API.",
			Example: `rules:
  - apiGroups: [""]
    resources: ["configmaps"]
    verbs: ["get", "update", "patch"]
    resourceNames: ["coredns"]   # not aws-auth`,
			References: check.References{
				NSA:   []string{"Authentication and authorization: Role-based access control"},
				MITRE: []string{"T1098", "T1078.004"},
				URLs:  []string{"https://docs.aws.amazon.com/eks/latest/userguide/auth-configmap.html"},
			},
		},
	}, &risk{what: "edit the aws-auth ConfigMap", scopes: privilegedScope, probes: []probe{
		{verbs: verbsOf("update patch"), resources: []string{"configmaps"}, name: "aws-auth"},
	}})
}
