package catalog

import (
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kube4c/kube4c/internal/check"
)

// internalLBAnnotations make a cloud provider create a load balancer that is
// only reachable from the private network, keyed by annotation with the
// values that mean "internal" (compared case-insensitively).
var internalLBAnnotations = map[string][]string{
	// AWS (in-tree provider and AWS Load Balancer Controller).
	"service.beta.kubernetes.io/aws-load-balancer-internal": {"true", "0.0.0.0/0"},
	"service.beta.kubernetes.io/aws-load-balancer-scheme":   {"internal"},
	// Google Cloud.
	"networking.gke.io/load-balancer-type": {"internal"},
	"cloud.google.com/load-balancer-type":  {"internal"},
	// Azure.
	"service.beta.kubernetes.io/azure-load-balancer-internal": {"true"},
}

// sourceRangesAnnotation is the older way to restrict a load balancer's clients.
const sourceRangesAnnotation = "service.beta.kubernetes.io/load-balancer-source-ranges"

func isInternalLoadBalancer(annotations map[string]string) bool {
	for key, values := range internalLBAnnotations {
		v, ok := annotations[key]
		if !ok {
			continue
		}
		for _, want := range values {
			if strings.EqualFold(strings.TrimSpace(v), want) {
				return true
			}
		}
	}
	return false
}

// openRange reports whether a CIDR admits the whole internet.
func openRange(cidr string) bool {
	c := strings.TrimSpace(cidr)
	return c == "0.0.0.0/0" || c == "::/0"
}

func init() {
	check.Register(&check.Check{
		Meta: check.Meta{
			ID:       "service-loadbalancer-open",
			Title:    "LoadBalancer Service open to the internet",
			Layer:    check.LayerCode,
			Reads:    []string{"Service"},
			Severity: check.High,
			Looks: "Services of type LoadBalancer: spec.loadBalancerSourceRanges, the " + sourceRangesAnnotation +
				" annotation, and the internal load balancer annotations of AWS, Google Cloud and Azure.",
			Rationale: "Without source ranges, a cloud load balancer accepts connections from any address on the " +
				"internet, so every exposed port can be scanned and attacked from anywhere.",
			Remediation: "List the client networks in spec.loadBalancerSourceRanges, or make the load balancer " +
				"internal with your cloud's annotation, or expose the application through an Ingress or gateway " +
				"that authenticates clients.",
			Example: `spec:
  type: LoadBalancer
  loadBalancerSourceRanges:
    - 203.0.113.0/24`,
			References: check.References{
				NSA:   []string{"Network separation and hardening"},
				MITRE: []string{"T1190"},
				URLs:  []string{"https://kubernetes.io/docs/concepts/services-networking/service/#loadbalancer"},
			},
		},
		Run: func(ctx *check.Context) {
			for _, obj := range ctx.Inventory.ByKind("Service") {
				svc, ok := obj.Obj.(*corev1.Service)
				if !ok || svc.Spec.Type != corev1.ServiceTypeLoadBalancer || isInternalLoadBalancer(svc.Annotations) {
					continue
				}
				ranges := svc.Spec.LoadBalancerSourceRanges
				path := "spec.loadBalancerSourceRanges"
				if len(ranges) == 0 {
					if a := svc.Annotations[sourceRangesAnnotation]; strings.TrimSpace(a) != "" {
						ranges = strings.Split(a, ",")
						path = "metadata.annotations[" + sourceRangesAnnotation + "]"
					}
				}
				switch {
				case len(ranges) == 0:
					ctx.Report(obj, "spec.type", "LoadBalancer Service "+quote(svc.Name)+
						" has no loadBalancerSourceRanges and is not internal: it is reachable from the whole internet; restrict it to your client networks")
				default:
					for i, r := range ranges {
						if openRange(r) {
							p := path
							if path == "spec.loadBalancerSourceRanges" {
								p += "[" + strconv.Itoa(i) + "]"
							}
							ctx.Report(obj, p, "LoadBalancer Service "+quote(svc.Name)+" admits "+strings.TrimSpace(r)+
								": that is the whole internet; list only your client networks")
						}
					}
				}
			}
		},
	})
}
