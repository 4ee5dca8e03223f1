package catalog

import (
	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/netpol"
)

func init() {
	check.Register(&check.Check{
		Meta: check.Meta{
			ID:       "networkpolicy-selects-nothing",
			Title:    "NetworkPolicy that selects no workload",
			Layer:    check.LayerCluster,
			Severity: check.Low,
			Reads:    withWorkloads("NetworkPolicy"),
			Looks: "the podSelector of every networking.k8s.io/v1 NetworkPolicy against the pod labels of the workloads of its namespace, " +
				"when the manifests hold workloads of that namespace (always in a complete scan); an empty podSelector selects every pod and is never reported.",
			Rationale: "A policy whose podSelector matches no pod protects nothing: usually a label typo, or a policy left behind. " +
				"The pods it was written for stay unrestricted while the policy suggests otherwise.",
			Remediation: "Make spec.podSelector match the labels of the pod template of the workload the policy is for, or delete the policy.",
			Example: `spec:
  podSelector:
    matchLabels: {app: checkout}   # the Deployment's spec.template.metadata.labels`,
			References: check.References{NSA: nsaNetworkPolicies, URLs: []string{netpolDocs}},
		},
		Run: func(ctx *check.Context) {
			for _, p := range ctx.NetworkPolicies().Policies() {
				switch {
				case p.SelectorError() != nil:
					ctx.Report(p.Object, "spec.podSelector", "NetworkPolicy "+quote(p.Name)+" has an invalid podSelector ("+p.SelectorError().Error()+
						"): the API server refuses it; fix the selector")
				case !p.SelectsAll() && !p.SelectsSome() && (len(p.Namespace.Pods()) > 0 || ctx.Complete):
					ctx.Report(p.Object, "spec.podSelector", "NetworkPolicy "+quote(p.Name)+" selects no workload of namespace "+quote(p.Namespace.Name)+
						" (podSelector "+p.PodSelector()+"): it protects nothing; match the labels of the pods it is meant for")
				}
			}
		},
	})
	check.Register(&check.Check{
		Meta: check.Meta{
			ID:       "networkpolicy-allows-all",
			Title:    "NetworkPolicy rule that admits every source or destination",
			Layer:    check.LayerCluster,
			Severity: check.Low,
			Reads:    []string{"NetworkPolicy"},
			Looks: "the ingress and egress rules of every networking.k8s.io/v1 NetworkPolicy, for the directions its policyTypes " +
				"(as defaulted) cover: a rule with an empty or missing from/to list, or a peer ipBlock 0.0.0.0/0 or ::/0 without except.",
			Rationale: "Such a rule admits every pod of every namespace and every address of the internet. It undoes the isolation " +
				"the policy creates for the selected pods, which is rarely what the author meant outside of public entry points.",
			Remediation: "List the peers the pods need: podSelector and namespaceSelector for pods, ipBlock with except for external " +
				"networks (excluding 169.254.169.254 and the cluster ranges), and restrict the ports.",
			Example: `ingress:
  - from:
      - namespaceSelector:
          matchLabels: {kubernetes.io/metadata.name: ingress-nginx}
    ports: [{port: 8080}]`,
			References: check.References{NSA: nsaNetworkPolicies, MITRE: []string{"T1046"}, URLs: []string{netpolDocs + "#networkpolicy-resource"}},
		},
		Run: func(ctx *check.Context) {
			for _, p := range ctx.NetworkPolicies().Policies() {
				for _, d := range []netpol.Direction{netpol.Ingress, netpol.Egress} {
					for _, r := range p.Rules(d) {
						reportOpenRule(ctx, p, r)
					}
				}
			}
		},
	})
}

func reportOpenRule(ctx *check.Context, p *netpol.Policy, r *netpol.Rule) {
	who := map[netpol.Direction]string{netpol.Ingress: "every source", netpol.Egress: "every destination"}[r.Direction]
	ports := "on every port"
	if !r.AllPorts() {
		ports = "on " + r.Ports()
	}
	if r.AllPeers() {
		ctx.Report(p.Object, r.Path, "rule "+r.Path+" of NetworkPolicy "+quote(p.Name)+" has no peers, so it admits "+who+
			", inside and outside the cluster, "+ports+"; list the peers it needs")
		return
	}
	for _, peer := range r.Peers() {
		if peer.OpenIPBlock() {
			ctx.Report(p.Object, peer.Path+".ipBlock.cidr", "ipBlock "+peer.Spec.IPBlock.CIDR+" of NetworkPolicy "+quote(p.Name)+
				" admits every address, pods included, "+ports+"; narrow it and except the cluster ranges and 169.254.169.254")
		}
	}
}
