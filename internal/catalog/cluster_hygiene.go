package catalog

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/netpol"
)

// Pod Security Admission namespace labels.
const (
	pssEnforceLabel          = "pod-security.kubernetes.io/enforce"
	serviceAccountAnnotation = "kubernetes.io/service-account.name"
)

// namespacesWithoutPods are created by Kubernetes and run no workloads.
var namespacesWithoutPods = map[string]bool{"kube-public": true, "kube-node-lease": true}

func init() {
	check.Register(&check.Check{
		Meta: check.Meta{
			ID:       "pss-namespace-unlabeled",
			Title:    "Namespace does not enforce a Pod Security Standard",
			Layer:    check.LayerCluster,
			Severity: check.Medium,
			Reads:    withWorkloads("Namespace"), // the severity says whether workloads run there
			Looks: "the " + pssEnforceLabel + " label of every Namespace: missing (kube-public and kube-node-lease, which run no pods, " +
				"are exempt; a namespace where no workload of the scan runs yet is reported at low severity), or privileged anywhere but kube-system.",
			Rationale: "Without an enforce label the Pod Security Admission controller admits any pod into the namespace, " +
				"privileged ones included (unless the cluster-wide default says otherwise): one compromised deployer can then take over nodes.",
			Remediation: "Label the namespace with the strictest level its workloads meet (restricted, else baseline), after " +
				"checking them with pod-security.kubernetes.io/warn and audit labels first.",
			Example: `metadata:
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/enforce-version: latest`,
			References: check.References{
				CIS:   []string{"5.2.1"},
				NSA:   []string{"Kubernetes Pod security: Pod security enforcement"},
				MITRE: []string{"T1611"},
				URLs:  []string{"https://kubernetes.io/docs/concepts/security/pod-security-admission/"},
			},
		},
		Run: func(ctx *check.Context) {
			running := map[string]bool{}
			for _, w := range ctx.Inventory.Workloads() {
				running[netpol.NamespaceOf(w.Object)] = true
			}
			for _, obj := range ctx.Inventory.ByKind("Namespace") {
				name := obj.Name()
				level, ok := obj.Meta.GetLabels()[pssEnforceLabel]
				switch {
				case !ok && !namespacesWithoutPods[name] && !running[name]:
					// Nothing runs there yet: the risk is to come.
					ctx.ReportFinding(check.Finding{Object: obj, Path: "metadata.labels", Severity: check.Low, Message: "namespace " + quote(name) +
						" has no " + pssEnforceLabel + " label; no workload runs there yet, but any pod will be admitted; enforce baseline or restricted"})
				case !ok && !namespacesWithoutPods[name]:
					ctx.Report(obj, "metadata.labels", "namespace "+quote(name)+" has no "+pssEnforceLabel+" label, so any pod is admitted; enforce baseline or restricted")
				case ok && level == "privileged" && name != "kube-system":
					ctx.Report(obj, "metadata.labels["+pssEnforceLabel+"]", "namespace "+quote(name)+" enforces the privileged level, which admits any pod; enforce baseline or restricted")
				}
			}
		},
	})

	check.Register(&check.Check{
		Meta: check.Meta{
			ID:       "legacy-sa-token-secret",
			Title:    "Long-lived service account token Secret",
			Layer:    check.LayerCluster,
			Severity: check.Medium,
			Reads:    []string{"Secret"},
			Looks: "Secrets of type kubernetes.io/service-account-token, recognised from metadata alone (the " + serviceAccountAnnotation +
				" annotation) so that kube4c never reads their data.",
			Rationale: "These tokens never expire and are not bound to a pod: anyone who copies one keeps the service account's " +
				"access until the Secret is deleted. Since Kubernetes 1.24, pods get short-lived projected tokens instead.",
			Remediation: "Delete the Secret and let clients use projected tokens (TokenRequest, kubectl create token) that expire.",
			Example: `# instead of a Secret of type kubernetes.io/service-account-token:
kubectl create token my-service-account --duration 1h`,
			References: check.References{
				NSA:   []string{"Kubernetes Pod security: Protecting Pod service account tokens"},
				MITRE: []string{"T1528", "T1552.007"},
				URLs:  []string{"https://kubernetes.io/docs/concepts/security/service-accounts/#get-a-token"},
			},
		},
		Run: func(ctx *check.Context) {
			for _, obj := range ctx.Inventory.ByKind("Secret") {
				sa, annotated := obj.Meta.GetAnnotations()[serviceAccountAnnotation]
				if s, ok := obj.Obj.(*corev1.Secret); ok && s.Type != corev1.SecretTypeServiceAccountToken {
					continue
				} else if !ok && !annotated {
					continue
				}
				ctx.Report(obj, "", "Secret "+quote(obj.Name())+" holds a long-lived token of service account "+quote(sa)+"; delete it and use projected, expiring tokens")
			}
		},
	})
}
