package catalog

import (
	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/netpol"
)

func init() {
	check.Register(isolationCheck(netpol.Ingress, check.Medium, "T1046", "accept connections from every pod of the cluster and from any address that can route to them"))
	check.Register(isolationCheck(netpol.Egress, check.Low, "T1041", "may connect anywhere: other pods, the API server, the cloud metadata service and the internet"))
}

// isolationCheck builds pod-not-isolated-ingress or -egress.
func isolationCheck(d netpol.Direction, severity check.Severity, technique, risk string) *check.Check {
	return &check.Check{
		Meta: check.Meta{
			ID:       "pod-not-isolated-" + d.String(),
			Title:    "Workload that no NetworkPolicy isolates for " + d.String(),
			Layer:    check.LayerCluster,
			Severity: severity,
			Reads:    withWorkloads("NetworkPolicy", "Service", "Ingress"), // exposure raises the severity
			Looks: "every workload's pod labels against the podSelector of each networking.k8s.io/v1 NetworkPolicy of its namespace, " +
				"with policyTypes defaulted as the API server does (Ingress always, Egress when egress rules are written). One root cause, " +
				"one finding: a workload that no policy isolates is reported here only when it is reachable from outside the cluster " +
				"(a LoadBalancer or NodePort Service, a Service with externalIPs, or a Service an Ingress routes to selects it); the " +
				"others are listed in the finding of namespace-no-default-deny-" + d.String() + " about their namespace.",
			Rationale: "Pods that no NetworkPolicy selects for " + d.String() + " " + risk + ". Isolation is per pod: a policy only " +
				"restricts the pods its podSelector matches.",
			Remediation: "Add a default-deny " + d.String() + " policy to the namespace (podSelector: {}), or a policy whose podSelector matches " +
				"the workload's pod labels, and allow only the " + d.String() + " it needs.",
			Example: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: shop}
spec:
  podSelector:
    matchLabels: {app: api}
  policyTypes: [` + d.Title() + `]`,
			References: check.References{CIS: cisNetworkPolicies, NSA: nsaNetworkPolicies, MITRE: []string{technique}, URLs: []string{netpolDocs + "#the-two-sorts-of-pod-isolation"}},
		},
		Run: func(ctx *check.Context) {
			exposed := exposedWorkloads(ctx)
			for _, p := range ctx.NetworkPolicies().Pods() {
				by, ok := exposed[p]
				if p.Isolated(d) || !ok {
					continue // not isolated but not exposed: its namespace's finding lists it
				}
				msg := p.Kind + " " + quote(p.Name) + " is reachable from outside the cluster through " + by + ", and no NetworkPolicy of namespace " +
					quote(p.Namespace.Name) + " selects its pods for " + d.String() + ", so they are not isolated; add a default-deny policy or one that matches its labels"
				if p.HostNetwork {
					msg += " (it uses the host network, where most network plugins do not enforce NetworkPolicy at all)"
				}
				ctx.Report(p.View.Object, p.View.MetaPath+".labels", msg)
			}
		},
	}
}
