package catalog

import (
	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
)

func init() {
	check.Register(&check.Check{
		Meta: check.Meta{
			ID:       "node-metadata-exposed",
			Title:    "Node pool exposes the node's cloud credentials to pods",
			Layer:    check.LayerCloud,
			Severity: check.High,
			Reads:    []string{"Node"},
			Looks: "the labels of GKE Nodes (" + gkeNodePool + "), per node pool: a pool whose nodes do not all carry " + gkeMetadataServer +
				"=true (or " + gkeMetadataServer2 + "=true) runs without the GKE metadata server. The legacy metadata concealment " +
				"proxy (" + gkeMetadataProxy + ") is named but does not count: it hides kube-env, not the service-account token. " +
				"EKS nodes' IMDS settings (IMDSv2, hop limit) and AKS nodes' access to the Azure Instance Metadata Service are not " +
				"visible from Kubernetes, so their Nodes are not judged: see metadata-api-reachable and cloud-node-identity.",
			Rationale: "Without the GKE metadata server, every pod of the pool can ask the Compute Engine metadata server for the node's " +
				"service-account token (often the Compute Engine default service account, with project-wide Editor rights) and the " +
				"node's bootstrap credentials.",
			Remediation: "Enable GKE Workload Identity on the cluster and the GKE metadata server on every node pool " +
				"(gcloud container node-pools update POOL --workload-metadata=GKE_METADATA), and give the nodes a least-privilege " +
				"service account.",
			Example: `gcloud container node-pools update default-pool \
  --cluster prod --workload-metadata=GKE_METADATA`,
			References: check.References{
				MITRE: []string{"T1552.005"},
				URLs:  []string{gkeHardening, gkeWorkloadIdentity, eksBestPracticesIAM},
			},
		},
		Run: func(ctx *check.Context) {
			nodes := nodesOf(ctx.Inventory)
			if len(nodes) == 0 {
				return
			}
			objects := map[string]*inventory.Object{}
			for _, obj := range ctx.Inventory.ByKind("Node") {
				objects[obj.Name()] = obj
			}
			for _, pool := range gkePools(nodes) {
				if pool.metadataServer {
					continue
				}
				names := make([]string, len(pool.nodes))
				for i, n := range pool.nodes {
					names[i] = n.Name
				}
				what := "node"
				if len(names) > 1 {
					what = "nodes"
				}
				msg := "node pool " + quote(pool.name) + " (" + what + " " + joinFirst(quoteAll(names), maxRulesNamed) +
					") runs without the GKE metadata server: its pods can read the node's service-account token from the Compute Engine metadata server"
				if pool.concealment {
					msg += " (its metadata concealment proxy hides kube-env, not the token)"
				}
				ctx.Report(objects[pool.nodes[0].Name], "metadata.labels", msg+"; enable the GKE metadata server on the pool")
			}
		},
	})
}

// quoteAll quotes each name.
func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = quote(n)
	}
	return out
}
