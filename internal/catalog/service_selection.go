package catalog

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/netpol"
)

// selectedWorkloads returns the workloads of the Service's namespace that
// its selector matches, and whether the check can judge the Service: it
// has a selector, and the manifests hold workloads of its namespace or the
// scan is complete.
func selectedWorkloads(ctx *check.Context, obj *inventory.Object, svc *corev1.Service) ([]*netpol.Workload, bool) {
	if len(svc.Spec.Selector) == 0 || svc.Spec.Type == corev1.ServiceTypeExternalName {
		return nil, false
	}
	ns := ctx.NetworkPolicies().Namespace(netpol.NamespaceOf(obj))
	if ns == nil {
		return nil, ctx.Complete
	}
	return ns.PodsMatching(svc.Spec.Selector), len(ns.Pods()) > 0 || ctx.Complete
}

func init() {
	check.Register(&check.Check{
		Meta: check.Meta{
			ID:       "service-selects-nothing",
			Title:    "Service whose selector matches no workload",
			Layer:    check.LayerCode,
			Severity: check.Low,
			Reads:    withWorkloads("Service"),
			Looks: "spec.selector of every Service with a selector against the pod labels of the workloads of its namespace, " +
				"when the manifests hold workloads of that namespace (always in a complete scan).",
			Rationale: "A Service that selects no pod has no endpoints: clients get connection errors. Worse, any pod that " +
				"someone later creates with matching labels receives the Service's traffic.",
			Remediation: "Make spec.selector match the labels of the pod template of the workload behind the Service.",
			Example: `spec:
  selector: {app: checkout}   # the Deployment's spec.template.metadata.labels`,
			References: check.References{URLs: []string{serviceDocs}},
		},
		Run: func(ctx *check.Context) {
			eachService(ctx.Inventory, func(obj *inventory.Object, svc *corev1.Service) {
				if pods, ok := selectedWorkloads(ctx, obj, svc); ok && len(pods) == 0 {
					ctx.Report(obj, "spec.selector", "Service "+quote(svc.Name)+" selects no workload of namespace "+quote(netpol.NamespaceOf(obj))+
						" ("+labels.FormatLabels(svc.Spec.Selector)+"): it has no endpoints; match the labels of its pods")
				}
			})
		},
	})
	check.Register(&check.Check{
		Meta: check.Meta{
			ID:       "service-port-mismatch",
			Title:    "Service targetPort that no selected container declares",
			Layer:    check.LayerCode,
			Severity: check.Low,
			Reads:    withWorkloads("Service"),
			Looks: "the targetPort of every port of a Service (its port when unset) against the container ports of the workloads " +
				"it selects: a named targetPort must be the name of a container port of the same protocol; a number must be declared " +
				"when the workload declares ports at all.",
			Rationale: "Traffic sent to a port nothing listens on fails, and a named targetPort that no container declares leaves " +
				"the Service without endpoints. Mismatches also confuse NetworkPolicies written for the declared ports.",
			Remediation: "Set targetPort to the name or number of the containerPort the application listens on.",
			Example: `ports:
  - port: 80
    targetPort: http   # containers: [{ports: [{name: http, containerPort: 8080}]}]`,
			References: check.References{URLs: []string{serviceDocs + "#defining-a-service"}},
		},
		Run: func(ctx *check.Context) {
			lacking := map[portQuestion]string{}
			eachService(ctx.Inventory, func(obj *inventory.Object, svc *corev1.Service) {
				pods, _ := selectedWorkloads(ctx, obj, svc)
				for i, sp := range svc.Spec.Ports {
					reportPortMismatch(ctx, obj, svc, i, sp, pods, lacking)
				}
			})
		},
	})
}

// portQuestion is which workloads of a namespace lack a target port:
// Services that share a selector select the same workloads, and often
// target the same ports, so each question is answered once.
type portQuestion struct {
	namespace, selector string // the selector as selectorKey writes it
	target              intstr.IntOrString
	proto               corev1.Protocol
}

// selectorKey writes a label selector so that two selectors have the same
// key exactly when they are equal.
func selectorKey(set map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(set)) {
		b.WriteString(strconv.Quote(k) + "=" + strconv.Quote(set[k]) + ",")
	}
	return b.String()
}

func reportPortMismatch(ctx *check.Context, obj *inventory.Object, svc *corev1.Service, i int, sp corev1.ServicePort, pods []*netpol.Workload, lacking map[portQuestion]string) {
	target, path := sp.TargetPort, fmt.Sprintf("spec.ports[%d].targetPort", i)
	if target.Type == intstr.Int && target.IntVal == 0 {
		target, path = intstr.FromInt32(sp.Port), fmt.Sprintf("spec.ports[%d].port", i)
	}
	proto := sp.Protocol
	if proto == "" {
		proto = corev1.ProtocolTCP
	}
	if len(pods) == 0 {
		return
	}
	q := portQuestion{netpol.NamespaceOf(obj), selectorKey(svc.Spec.Selector), target, proto}
	missing, ok := lacking[q]
	if !ok {
		missing = workloadsLacking(pods, target, proto)
		lacking[q] = missing
	}
	if missing != "" {
		ctx.Report(obj, path, "targetPort "+target.String()+"/"+string(proto)+" of Service "+quote(svc.Name)+" matches no container port of "+
			missing+"; use the name or number of the port the containers declare")
	}
}

// workloadsLacking lists the workloads that do not declare the target
// port, or returns "" when all do.
func workloadsLacking(pods []*netpol.Workload, target intstr.IntOrString, proto corev1.Protocol) string {
	var missing []string
	for _, p := range pods {
		if declaresPort(p, target, proto) {
			continue
		}
		if len(missing) < maxWorkloadsNamed {
			missing = append(missing, p.Kind+" "+quote(p.Name))
		} else {
			missing = append(missing, "") // counted, not named
		}
	}
	return joinFirst(missing, maxWorkloadsNamed)
}

// maxWorkloadsNamed is how many workloads a message names.
const maxWorkloadsNamed = 5

// declaresPort reports whether the workload declares target (a name, or a
// number) for the protocol. A number is not judged when the workload
// declares no port of that protocol at all: ports need not be declared.
func declaresPort(p *netpol.Workload, target intstr.IntOrString, proto corev1.Protocol) bool {
	declared := false
	for _, cp := range p.Ports() {
		if cp.Protocol != proto {
			continue
		}
		declared = true
		if target.Type == intstr.String && cp.Name == target.StrVal || target.Type == intstr.Int && cp.Port == target.IntVal {
			return true
		}
	}
	return target.Type == intstr.Int && !declared
}
