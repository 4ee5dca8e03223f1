package catalog

import (
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kube4c/kube4c/internal/inventory"
)

// cloud is a cloud provider whose identities a cluster's pods may borrow.
type cloud string

// The providers the cloud checks know.
const (
	cloudAWS   cloud = "aws"
	cloudGCP   cloud = "gcp"
	cloudAzure cloud = "azure"
)

// cloudNames are the providers as messages name them.
var cloudNames = map[cloud]string{cloudAWS: "AWS", cloudGCP: "Google Cloud", cloudAzure: "Azure"}

// Workload identity annotations and labels of each provider, and the node
// labels that say which provider runs a node.
const (
	irsaRoleARN        = "eks.amazonaws.com/role-arn"
	gkeServiceAccount  = "iam.gke.io/gcp-service-account"
	azureClientID      = "azure.workload.identity/client-id"
	azureUseLabel      = "azure.workload.identity/use"
	aadPodIdentity     = "aadpodidbinding" // aad-pod-identity, deprecated
	gkeNodePool        = "cloud.google.com/gke-nodepool"
	gkeMetadataServer  = "iam.gke.io/gke-metadata-server-enabled"
	gkeMetadataServer2 = "cloud.google.com/gke-metadata-server-enabled"
	gkeMetadataProxy   = "cloud.google.com/metadata-proxy-ready"
	eksNodeGroup       = "eks.amazonaws.com/nodegroup"
	eksctlNodeGroup    = "alpha.eksctl.io/nodegroup-name"
	aksAgentPool       = "kubernetes.azure.com/agentpool"
	aksCluster         = "kubernetes.azure.com/cluster"
)

// Cloud provider guides the cloud checks refer to.
const (
	eksBestPracticesIAM = "https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html"
	gkeHardening        = "https://cloud.google.com/kubernetes-engine/docs/how-to/hardening-your-cluster"
	gkeWorkloadIdentity = "https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity"
	aksBaseline         = "https://learn.microsoft.com/en-us/azure/architecture/reference-architectures/containers/aks/baseline-aks"
	aksWorkloadIdentity = "https://learn.microsoft.com/en-us/azure/aks/workload-identity-overview"
)

// nodeCloud says which provider runs a node, from its providerID and
// labels, or "".
func nodeCloud(n *corev1.Node) cloud {
	id := n.Spec.ProviderID
	l := labels.Set(n.Labels)
	switch {
	case strings.HasPrefix(id, "aws://") || l.Has(eksNodeGroup) || l.Has(eksctlNodeGroup):
		return cloudAWS
	case strings.HasPrefix(id, "gce://") || l.Has(gkeNodePool):
		return cloudGCP
	case strings.HasPrefix(id, "azure://") || l.Has(aksAgentPool) || l.Has(aksCluster):
		return cloudAzure
	}
	return ""
}

// nodesOf returns the typed Nodes of the inventory.
func nodesOf(inv *inventory.Inventory) []*corev1.Node {
	var out []*corev1.Node
	for _, obj := range inv.ByKind("Node") {
		if n, ok := obj.Obj.(*corev1.Node); ok {
			out = append(out, n)
		}
	}
	return out
}

// clusterClouds says which providers run the cluster, and why: its Nodes
// when the inventory has any, else the workload identities its
// ServiceAccounts carry and the EKS aws-auth ConfigMap.
func clusterClouds(inv *inventory.Inventory) map[cloud]string {
	out := map[cloud]string{}
	for _, n := range nodesOf(inv) {
		if c := nodeCloud(n); c != "" && out[c] == "" {
			out[c] = "node " + quote(n.Name)
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, obj := range inv.ByKind("ServiceAccount") {
		ann := obj.Meta.GetAnnotations()
		for c, key := range map[cloud]string{cloudAWS: irsaRoleARN, cloudGCP: gkeServiceAccount, cloudAzure: azureClientID} {
			if ann[key] != "" && out[c] == "" {
				out[c] = key + " on service account " + quote(obj.Name())
			}
		}
	}
	// Even without its data (a live scan that may not get it), the
	// ConfigMap is EKS's.
	if inv.Get(configMapKind, "kube-system", "aws-auth") != nil && out[cloudAWS] == "" {
		out[cloudAWS] = "the aws-auth ConfigMap"
	}
	return out
}

// gkePool is a GKE node pool, as its Nodes' labels describe it.
type gkePool struct {
	name           string
	nodes          []*corev1.Node
	metadataServer bool // every node runs the GKE metadata server
	concealment    bool // some node runs the legacy metadata concealment proxy
}

// gkePools groups the GKE Nodes of the inventory by pool, sorted by name.
func gkePools(nodes []*corev1.Node) []*gkePool {
	byName := map[string]*gkePool{}
	var pools []*gkePool
	for _, n := range nodes {
		if nodeCloud(n) != cloudGCP {
			continue
		}
		name := n.Labels[gkeNodePool]
		p := byName[name]
		if p == nil {
			p = &gkePool{name: name, metadataServer: true}
			byName[name] = p
			pools = append(pools, p)
		}
		p.nodes = append(p.nodes, n)
		p.metadataServer = p.metadataServer && (n.Labels[gkeMetadataServer] == "true" || n.Labels[gkeMetadataServer2] == "true")
		p.concealment = p.concealment || n.Labels[gkeMetadataProxy] == "true"
	}
	sort.Slice(pools, func(i, j int) bool { return pools[i].name < pools[j].name })
	for _, p := range pools {
		sort.Slice(p.nodes, func(i, j int) bool { return p.nodes[i].Name < p.nodes[j].Name })
	}
	return pools
}
