package catalog

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/netpol"
)

func init() {
	check.Register(&check.Check{
		Meta: check.Meta{
			ID:       "metadata-api-reachable",
			Title:    "Workload can reach the cloud metadata API",
			Layer:    check.LayerCloud,
			Severity: check.Medium,
			Reads:    withWorkloads("NetworkPolicy"),
			Looks: "the effective egress of every workload towards 169.254.169.254 and fd00:ec2::254 on TCP port 80: allowed when no " +
				"NetworkPolicy isolates its egress, when an egress rule has no destinations, or when an ipBlock holds the address and " +
				"does not except it. Workloads on the host network always count.",
			Rationale: "The instance metadata service hands out the node's cloud credentials and bootstrap data. A compromised pod " +
				"that reaches it can act with the node's cloud identity, and often take over the cluster.",
			Remediation: "Isolate egress with a default-deny policy and allow external destinations with ipBlocks that except " +
				"169.254.169.254/32 (and fd00:ec2::254/128); also use your provider's pod identity (IRSA, GKE Workload Identity, " +
				"Azure Workload Identity) and IMDSv2 with a hop limit of 1.",
			Example: `egress:
  - to:
      - ipBlock:
          cidr: 0.0.0.0/0
          except: [169.254.169.254/32, 10.0.0.0/8]`,
			References: check.References{
				NSA:   nsaNetworkPolicies,
				MITRE: []string{"T1552.005"},
				URLs:  []string{"https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html", netpolDocs},
			},
		},
		Run: func(ctx *check.Context) {
			eng := ctx.NetworkPolicies()
			// Whether an isolated pod reaches the metadata service depends
			// only on its egress policies: once per set of them.
			bySet := map[int]string{}
			for _, p := range eng.Pods() {
				why, ok := "", false
				set := p.PolicySet(netpol.Egress)
				if set != 0 && !p.HostNetwork {
					why, ok = bySet[set]
				}
				if !ok {
					why = metadataReach(eng, p)
					if set != 0 && !p.HostNetwork {
						bySet[set] = why
					}
				}
				if why == "" {
					continue
				}
				for _, w := range p.Definitions() {
					ctx.Report(w.Object, w.MetaPath+".labels", p.Kind+" "+quote(p.Name)+
						" can reach the cloud metadata API (169.254.169.254): "+why+"; block it with an egress policy that excepts 169.254.169.254/32")
				}
			}
		},
	})
}

// metadataReach says why pod may reach the metadata service on TCP 80, or
// returns "" when it may not.
func metadataReach(eng *netpol.Engine, p *netpol.Workload) string {
	switch {
	case p.HostNetwork:
		return "it uses the host network, which NetworkPolicy does not restrict"
	case !p.Isolated(netpol.Egress):
		return "no NetworkPolicy isolates its egress"
	case eng.Reach(netpol.PodEndpointOf(p), netpol.CloudMetadata).Allows(corev1.ProtocolTCP, 80) == netpol.Denied:
		return ""
	}
	var rules []string
	for _, rt := range eng.Admitting(netpol.PodEndpointOf(p), netpol.CloudMetadata, netpol.Egress) {
		if rt.Ports.Contains(corev1.ProtocolTCP, 80) {
			rules = append(rules, rt.Rule.Path+" of NetworkPolicy "+quote(rt.Rule.Policy.Name))
		}
	}
	switch len(rules) {
	case 0:
		return "its egress policies may admit it (they depend on labels the scan does not know)"
	case 1:
		return "egress " + rules[0] + " admits it"
	}
	return "egress " + joinFirst(rules, maxRulesNamed) + " admit it"
}

// maxRulesNamed is how many admitting rules a message names; kube4c netpol
// reach --explain lists them all.
const maxRulesNamed = 3
