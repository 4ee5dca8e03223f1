package catalog

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/netpol"
)

// exposedWorkloads returns the workloads reachable from outside the
// cluster, each with what exposes it: those a LoadBalancer or NodePort
// Service, a Service with externalIPs, or a Service an Ingress routes to
// selects.
func exposedWorkloads(ctx *check.Context) map[*netpol.Workload]string {
	exposed := map[*netpol.Workload]string{}
	expose := func(obj *inventory.Object, svc *corev1.Service, by string) {
		pods, _ := selectedWorkloads(ctx, obj, svc)
		for _, p := range pods {
			if _, ok := exposed[p]; !ok {
				exposed[p] = by
			}
		}
	}
	eachService(ctx.Inventory, func(obj *inventory.Object, svc *corev1.Service) {
		switch {
		case svc.Spec.Type == corev1.ServiceTypeLoadBalancer, svc.Spec.Type == corev1.ServiceTypeNodePort:
			expose(obj, svc, string(svc.Spec.Type)+" Service "+quote(svc.Name))
		case len(svc.Spec.ExternalIPs) > 0:
			expose(obj, svc, "Service "+quote(svc.Name)+" with externalIPs")
		}
	})
	for _, obj := range ctx.Inventory.ByKind("Ingress") {
		ing, ok := viewIngress(obj.Obj)
		if !ok {
			continue
		}
		for _, b := range ing.backends {
			svcObj := ctx.Inventory.Get(schema.GroupKind{Kind: "Service"}, obj.Namespace(), b.service)
			if svcObj == nil {
				continue
			}
			if svc, ok := svcObj.Obj.(*corev1.Service); ok {
				expose(svcObj, svc, "Ingress "+quote(obj.Name())+" (through Service "+quote(svc.Name)+")")
			}
		}
	}
	return exposed
}
