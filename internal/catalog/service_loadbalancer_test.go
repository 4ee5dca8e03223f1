package catalog

import "testing"

func TestServiceLoadBalancerOpen(t *testing.T) {
	svc := func(extra string) string {
		return `apiVersion: v1
kind: Service
metadata:
  name: s
` + extra + `spec:
  type: LoadBalancer
  ports: [{port: 80}]
`
	}
	expectFindings(t, scanText(t, "service-loadbalancer-open", svc("")), "spec.type")
	expectFindings(t, scanText(t, "service-loadbalancer-open", svc("")+"  loadBalancerSourceRanges: [10.0.0.0/8, 0.0.0.0/0]\n"),
		"spec.loadBalancerSourceRanges[1]")
	expectFindings(t, scanText(t, "service-loadbalancer-open", svc("  annotations: {service.beta.kubernetes.io/load-balancer-source-ranges: \"::/0\"}\n")),
		"metadata.annotations[service.beta.kubernetes.io/load-balancer-source-ranges]")
	for name, extra := range map[string]string{
		"aws":   "  annotations: {service.beta.kubernetes.io/aws-load-balancer-internal: \"true\"}\n",
		"aws2":  "  annotations: {service.beta.kubernetes.io/aws-load-balancer-scheme: internal}\n",
		"gke":   "  annotations: {networking.gke.io/load-balancer-type: Internal}\n",
		"azure": "  annotations: {service.beta.kubernetes.io/azure-load-balancer-internal: \"true\"}\n",
	} {
		t.Run("internal "+name, func(t *testing.T) {
			expectFindings(t, scanText(t, "service-loadbalancer-open", svc(extra)))
		})
	}
	expectFindings(t, scanText(t, "service-loadbalancer-open", svc("")+"  loadBalancerSourceRanges: [203.0.113.0/24]\n"))
	expectFindings(t, scanText(t, "service-loadbalancer-open", "apiVersion: v1\nkind: Service\nmetadata: {name: c}\nspec: {type: ClusterIP}\n"))
}
