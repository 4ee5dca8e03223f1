package catalog

import (
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/kube4c/kube4c/internal/check"
)

// Load balancer annotations of the cloud providers.
const (
	// AWS: the in-tree provider reads aws-load-balancer-internal; the AWS
	// Load Balancer Controller reads aws-load-balancer-scheme, and makes
	// the NLBs it manages internal unless the scheme says internet-facing.
	awsLBScheme   = "service.beta.kubernetes.io/aws-load-balancer-scheme"
	awsLBInternal = "service.beta.kubernetes.io/aws-load-balancer-internal"
	awsLBType     = "service.beta.kubernetes.io/aws-load-balancer-type"
	awsLBClass    = "service.k8s.aws/nlb"
	// Google Cloud.
	gkeLBType       = "networking.gke.io/load-balancer-type"
	gkeLBTypeLegacy = "cloud.google.com/load-balancer-type"
	// Azure.
	azureLBInternal    = "service.beta.kubernetes.io/azure-load-balancer-internal"
	azureAllowedRanges = "service.beta.kubernetes.io/azure-allowed-ip-ranges"
	azureAllowedTags   = "service.beta.kubernetes.io/azure-allowed-service-tags"
)

// sourceRangesAnnotation is the older way to restrict a load balancer's clients.
const sourceRangesAnnotation = "service.beta.kubernetes.io/load-balancer-source-ranges"

// lbExposure says whether a Service's load balancer is internal, and which
// annotation (if any) makes it explicitly internet-facing.
func lbExposure(svc *corev1.Service) (internal bool, publicBy string) {
	a := svc.Annotations
	is := func(key string, values ...string) bool {
		v, ok := a[key]
		if !ok {
			return false
		}
		for _, want := range values {
			if strings.EqualFold(strings.TrimSpace(v), want) {
				return true
			}
		}
		return false
	}
	awsController := is(awsLBType, "external", "nlb-ip") || svc.Spec.LoadBalancerClass != nil && *svc.Spec.LoadBalancerClass == awsLBClass
	switch {
	case is(awsLBScheme, "internal"):
		return true, ""
	case is(awsLBScheme, "internet-facing"):
		return false, awsLBScheme
	case is(awsLBInternal, "true", "0.0.0.0/0"):
		return true, ""
	case is(awsLBInternal, "false"):
		return false, awsLBInternal
	case awsController:
		return true, "" // the controller's default scheme
	case is(gkeLBType, "internal") || is(gkeLBTypeLegacy, "internal"):
		return true, ""
	case is(gkeLBType, "external"):
		return false, gkeLBType
	case is(gkeLBTypeLegacy, "external"):
		return false, gkeLBTypeLegacy
	case is(azureLBInternal, "true"):
		return true, ""
	case is(azureLBInternal, "false"):
		return false, azureLBInternal
	}
	return false, ""
}

// lbSources returns the client ranges of a load balancer and the path of
// the field that gives them: loadBalancerSourceRanges, the older
// annotation, or Azure's allowed IP ranges. restricted is set when Azure
// service tags limit the clients instead.
func lbSources(svc *corev1.Service) (ranges []string, path string, restricted bool) {
	if r := svc.Spec.LoadBalancerSourceRanges; len(r) > 0 {
		return r, "spec.loadBalancerSourceRanges", false
	}
	for _, key := range []string{sourceRangesAnnotation, azureAllowedRanges} {
		if a := svc.Annotations[key]; strings.TrimSpace(a) != "" {
			return strings.Split(a, ","), "metadata.annotations[" + key + "]", false
		}
	}
	if tags := svc.Annotations[azureAllowedTags]; strings.TrimSpace(tags) != "" {
		return nil, "", !strings.Contains(strings.ToLower(tags), "internet")
	}
	return nil, "", false
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
			Layer:    check.LayerCloud,
			Reads:    []string{"Service"},
			Severity: check.High,
			Looks: "Services of type LoadBalancer: spec.loadBalancerSourceRanges, the " + sourceRangesAnnotation + " annotation and " +
				"Azure's " + azureAllowedRanges + " and " + azureAllowedTags + "; and whether the provider makes the load balancer " +
				"internal or internet-facing. AWS: " + awsLBScheme + " (internal or internet-facing) over " + awsLBInternal +
				"; NLBs of the AWS Load Balancer Controller (" + awsLBType + ": external or nlb-ip, or loadBalancerClass " + awsLBClass +
				") are internal unless the scheme says otherwise. Google Cloud: " + gkeLBType + " (and " + gkeLBTypeLegacy + "): Internal or External. " +
				"Azure: " + azureLBInternal + ". Without a provider's annotation the load balancer is taken as internet-facing.",
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
				URLs: []string{"https://kubernetes.io/docs/concepts/services-networking/service/#loadbalancer",
					"https://docs.aws.amazon.com/eks/latest/best-practices/load-balancing.html",
					"https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/",
					"https://cloud.google.com/kubernetes-engine/docs/concepts/service-load-balancer-parameters",
					"https://learn.microsoft.com/en-us/azure/aks/internal-lb"},
			},
		},
		Run: func(ctx *check.Context) {
			for _, obj := range ctx.Inventory.ByKind("Service") {
				svc, ok := obj.Obj.(*corev1.Service)
				if !ok || svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
					continue
				}
				internal, publicBy := lbExposure(svc)
				if internal {
					continue
				}
				ranges, path, restricted := lbSources(svc)
				switch {
				case restricted:
				case len(ranges) == 0 && publicBy != "":
					ctx.Report(obj, "metadata.annotations["+publicBy+"]", "LoadBalancer Service "+quote(svc.Name)+" is made internet-facing by "+
						publicBy+": "+strings.TrimSpace(svc.Annotations[publicBy])+" and has no source ranges: it is reachable from the whole internet; "+
						"restrict loadBalancerSourceRanges to your client networks or make it internal")
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
