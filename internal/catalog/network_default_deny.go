package catalog

import (
	"slices"
	"strconv"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/netpol"
)

// Network policy references shared by the checks of this topic.
var (
	cisNetworkPolicies = []string{"5.3.2"}
	nsaNetworkPolicies = []string{"Network separation and hardening: Network policies"}
	netpolDocs         = "https://kubernetes.io/docs/concepts/services-networking/network-policies/"
)

func init() {
	check.Register(defaultDenyCheck(netpol.Ingress, check.Medium, "T1046",
		"any pod in the cluster, and any address that can route to it, can connect to every port of those pods, so one compromised pod can scan and attack the rest"))
	check.Register(defaultDenyCheck(netpol.Egress, check.Low, "T1041",
		"they can connect anywhere: to the cloud metadata service, to the API server, and to the internet to fetch tools or send data out"))
}

// defaultDenyCheck builds namespace-no-default-deny-ingress or -egress.
func defaultDenyCheck(d netpol.Direction, severity check.Severity, technique, risk string) *check.Check {
	id := "namespace-no-default-deny-" + d.String()
	return &check.Check{
		Meta: check.Meta{
			ID:       id,
			Title:    "Namespace without a default-deny " + d.String() + " NetworkPolicy",
			Layer:    check.LayerCluster,
			Severity: severity,
			Reads:    withWorkloads("Namespace", "NetworkPolicy"),
			Looks: "every namespace that the manifests name (Namespace objects, workloads, NetworkPolicies): whether a " +
				"networking.k8s.io/v1 NetworkPolicy selects every pod (podSelector: {}) for " + d.String() + " without a rule that admits " +
				"every peer on every port (a default deny, or a policy that admits only, say, the namespace's own pods). Objects without a " +
				"namespace count as \"default\". The finding lists the workloads of the namespace that no policy isolates; " +
				"pod-not-isolated-" + d.String() + " reports only those of them reachable from outside the cluster. A namespace where no " +
				"workload runs yet is reported at low severity.",
			Rationale: "Pods that no NetworkPolicy selects for " + d.String() + " are not isolated: " + risk +
				". A default-deny policy isolates every pod of the namespace, present and future, so that only what other policies allow passes.",
			Remediation: "Add a NetworkPolicy with an empty podSelector and policyTypes [" + d.Title() + "] and no rules to the namespace, " +
				"then allow the traffic each workload needs with policies of its own.",
			Example: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-` + d.String() + `
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [` + d.Title() + `]`,
			References: check.References{CIS: cisNetworkPolicies, NSA: nsaNetworkPolicies, MITRE: []string{technique}, URLs: []string{netpolDocs + "#default-policies"}},
		},
		Run: func(ctx *check.Context) {
			for _, ns := range ctx.NetworkPolicies().Namespaces() {
				if slices.ContainsFunc(ns.Policies(), func(p *netpol.Policy) bool { return p.IsolatesAll(d) }) {
					continue
				}
				obj, path := namespaceAnchor(ns)
				switch {
				case obj == nil:
				case len(ns.Pods()) == 0:
					// Nothing runs there yet: the risk is to come.
					ctx.ReportFinding(check.Finding{Object: obj, Path: path, Severity: min(severity, check.Low), Message: "namespace " + quote(ns.Name) +
						" has no NetworkPolicy that isolates every pod for " + d.String() + "; no workload runs there yet, but the pods to come will not be isolated; add a default-deny " + d.String() + " policy"})
				default:
					ctx.Report(obj, path, "namespace "+quote(ns.Name)+" has no NetworkPolicy that isolates every pod for "+d.String()+
						notIsolatedIn(ns, d)+"; add a default-deny "+d.String()+" policy")
				}
			}
		},
	}
}

// notIsolatedIn says which workloads of ns no policy isolates for d, as
// ": N workloads are not isolated (a, b and c)"; "" when none is.
func notIsolatedIn(ns *netpol.Namespace, d netpol.Direction) string {
	var names []string
	for _, p := range ns.Pods() {
		if !p.Isolated(d) {
			names = append(names, p.Kind+" "+quote(p.Name))
		}
	}
	switch len(names) {
	case 0:
		return ""
	case 1:
		return ": " + names[0] + " is not isolated"
	}
	return ": " + strconv.Itoa(len(names)) + " workloads are not isolated (" + joinFirst(names, maxWorkloadsNamed) + ")"
}

// withWorkloads lists kinds a check reads beside the workload kinds.
func withWorkloads(kinds ...string) []string { return append(kinds, inventory.WorkloadKinds...) }

// namespaceAnchor is the object a finding about a namespace is reported
// on: its Namespace object, else its first workload or policy.
func namespaceAnchor(ns *netpol.Namespace) (*inventory.Object, string) {
	switch {
	case ns.Object != nil:
		return ns.Object, "metadata.name"
	case len(ns.Pods()) > 0:
		return ns.Pods()[0].View.Object, "metadata.namespace"
	case len(ns.Policies()) > 0:
		return ns.Policies()[0].Object, "metadata.namespace"
	}
	return nil, ""
}
