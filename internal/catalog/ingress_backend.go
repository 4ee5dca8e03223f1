package catalog

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/netpol"
)

func init() {
	check.Register(&check.Check{
		Meta: check.Meta{
			ID:       "ingress-backend-missing",
			Title:    "Ingress backend Service or port that does not exist",
			Layer:    check.LayerCode,
			Severity: check.Medium,
			Reads:    []string{"Ingress", "Service"},
			Looks: "the Service backends of every Ingress (default backend and paths) against the Services of its namespace: the " +
				"Service must exist when the manifests hold Services of that namespace (always in a complete scan), and the port number or name must be one of its ports.",
			Rationale: "A missing backend answers 503, and leaves the route open to whoever later creates a Service of that name: " +
				"the Ingress will send them the traffic, TLS terminated, of its host and path.",
			Remediation: "Point the backend at an existing Service and one of its ports, or remove the path.",
			Example: `backend:
  service:
    name: checkout     # an existing Service of the Ingress's namespace
    port: {name: http} # one of its spec.ports[].name`,
			References: check.References{MITRE: []string{"T1557"}, URLs: []string{"https://kubernetes.io/docs/concepts/services-networking/ingress/#the-ingress-resource"}},
		},
		Run: func(ctx *check.Context) {
			services := map[[2]string]*corev1.Service{}
			namespaces := map[string]bool{}
			eachService(ctx.Inventory, func(obj *inventory.Object, svc *corev1.Service) {
				ns := netpol.NamespaceOf(obj)
				namespaces[ns] = true
				if services[[2]string{ns, svc.Name}] == nil {
					services[[2]string{ns, svc.Name}] = svc
				}
			})
			for _, obj := range ctx.Inventory.ByKind("Ingress") {
				v, ok := viewIngress(obj.Obj)
				if !ok {
					continue
				}
				ns := netpol.NamespaceOf(obj)
				for _, b := range v.backends {
					svc := services[[2]string{ns, b.service}]
					switch {
					case svc == nil && (namespaces[ns] || ctx.Complete):
						ctx.Report(obj, b.servicePath, "Ingress "+quote(obj.Name())+" routes to Service "+quote(b.service)+
							", which is not among the Services of namespace "+quote(ns)+"; point it at an existing Service")
					case svc != nil && !servicePortExists(svc, b.port):
						ctx.Report(obj, b.portPath, "Ingress "+quote(obj.Name())+" routes to port "+quote(b.port.String())+" of Service "+
							quote(b.service)+", which has no such port; use one of its spec.ports")
					}
				}
			}
		},
	})
}

// servicePortExists reports whether the Service has a port of that number
// or name.
func servicePortExists(svc *corev1.Service, port intstr.IntOrString) bool {
	for _, p := range svc.Spec.Ports {
		if port.Type == intstr.String && p.Name == port.StrVal || port.Type == intstr.Int && p.Port == port.IntVal {
			return true
		}
	}
	return false
}
