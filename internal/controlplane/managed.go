package controlplane

import (
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kube4c/kube4c/internal/inventory"
)

// managedLabels are node label prefixes that only managed platforms set.
// providerHint is a part of the provider ID that only the platform's nodes
// have ("" when the ID alone does not tell).
var managedLabels = []struct{ prefix, platform, providerID, providerHint string }{
	{"eks.amazonaws.com/", "EKS", "aws://", ""},
	{"cloud.google.com/gke-", "GKE", "gce://", "/gke-"},
	{"kubernetes.azure.com/", "AKS", "azure://", "/resourcegroups/mc_"},
}

// managedPlatform names the managed platform the inventory's nodes run on:
// a node with one of the platform's labels, or a provider ID only the
// platform's nodes have. "" when none does.
func managedPlatform(inv *inventory.Inventory) string {
	for _, obj := range inv.ByKind("Node") {
		node, ok := obj.Obj.(*corev1.Node)
		if !ok {
			continue
		}
		for _, m := range managedLabels {
			for label := range node.Labels {
				if strings.HasPrefix(label, m.prefix) {
					return m.platform
				}
			}
			id := strings.ToLower(node.Spec.ProviderID)
			if m.providerHint != "" && strings.HasPrefix(id, m.providerID) && strings.Contains(id, m.providerHint) {
				return m.platform
			}
		}
	}
	return ""
}
