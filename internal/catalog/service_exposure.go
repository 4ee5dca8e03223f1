package catalog

import (
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
)

const serviceDocs = "https://kubernetes.io/docs/concepts/services-networking/service/"

// eachService calls fn for every core/v1 Service of the inventory.
func eachService(inv *inventory.Inventory, fn func(obj *inventory.Object, svc *corev1.Service)) {
	for _, obj := range inv.ByKind("Service") {
		if svc, ok := obj.Obj.(*corev1.Service); ok {
			fn(obj, svc)
		}
	}
}

func init() {
	check.Register(&check.Check{
		Meta: check.Meta{
			ID:       "service-nodeport",
			Title:    "Service of type NodePort",
			Layer:    check.LayerCode,
			Severity: check.Low,
			Reads:    []string{"Service"},
			Looks:    "spec.type of every Service.",
			Rationale: "A NodePort Service opens its port on every node of the cluster, on all of the node's addresses. It bypasses " +
				"load balancer and Ingress controls, and anyone who can reach a node can reach the application.",
			Remediation: "Use a ClusterIP Service behind an Ingress or Gateway, or a LoadBalancer restricted with " +
				"loadBalancerSourceRanges; if a NodePort is required, firewall the node port range.",
			Example: `spec:
  type: ClusterIP`,
			References: check.References{NSA: []string{"Network separation and hardening"}, MITRE: []string{"T1190", "T1046"}, URLs: []string{serviceDocs + "#type-nodeport"}},
		},
		Run: func(ctx *check.Context) {
			eachService(ctx.Inventory, func(obj *inventory.Object, svc *corev1.Service) {
				if svc.Spec.Type != corev1.ServiceTypeNodePort {
					return
				}
				var ports []string
				for _, p := range svc.Spec.Ports {
					node := "an allocated node port"
					if p.NodePort != 0 {
						node = "node port " + strconv.Itoa(int(p.NodePort))
					}
					ports = append(ports, strconv.Itoa(int(p.Port))+" on "+node)
				}
				ctx.Report(obj, "spec.type", "Service "+quote(svc.Name)+" is of type NodePort: it is reachable on every node's address (port "+
					strings.Join(ports, ", ")+"); use ClusterIP behind an Ingress, or a restricted LoadBalancer")
			})
		},
	})
	check.Register(&check.Check{
		Meta: check.Meta{
			ID:       "service-external-ips",
			Title:    "Service with externalIPs (CVE-2020-8554)",
			Layer:    check.LayerCode,
			Severity: check.Medium,
			Reads:    []string{"Service"},
			Looks:    "spec.externalIPs of every Service.",
			Rationale: "Nodes route traffic for a Service's externalIPs to its pods, whatever the address is. Anyone allowed to " +
				"create or edit Services can thus claim any address, for instance a DNS server or an external API, and intercept " +
				"the cluster's traffic to it (CVE-2020-8554, not fixed in Kubernetes itself).",
			Remediation: "Remove spec.externalIPs and use a LoadBalancer or an Ingress. Block the field cluster-wide with the " +
				"DenyServiceExternalIPs admission plugin or a policy engine.",
			Example: `spec:
  type: LoadBalancer   # instead of externalIPs
  loadBalancerSourceRanges: [203.0.113.0/24]`,
			References: check.References{
				NSA:   []string{"Network separation and hardening"},
				MITRE: []string{"T1557"},
				URLs:  []string{"https://nvd.nist.gov/vuln/detail/CVE-2020-8554", "https://github.com/kubernetes/kubernetes/issues/97076"},
			},
		},
		Run: func(ctx *check.Context) {
			eachService(ctx.Inventory, func(obj *inventory.Object, svc *corev1.Service) {
				if len(svc.Spec.ExternalIPs) > 0 {
					ctx.Report(obj, "spec.externalIPs", "Service "+quote(svc.Name)+" sets externalIPs "+strings.Join(svc.Spec.ExternalIPs, ", ")+
						": Services can capture traffic to any address this way (CVE-2020-8554); use a LoadBalancer or Ingress")
				}
			})
		},
	})
}
