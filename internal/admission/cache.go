package admission

import (
	"context"
	"fmt"
	"maps"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"

	"github.com/kube4c/kube4c/internal/inventory"
)

// Cache keeps, through shared informers (read-only: list and watch), the
// objects the cross-object checks read: namespaces, workloads, Services,
// Ingresses, NetworkPolicies, ServiceAccounts and RBAC. Secrets and
// ConfigMaps are left out, so checks that read them never refuse.
type Cache struct {
	factory   informers.SharedInformerFactory
	informers map[string]kindInformer // by kind
}

// kindInformer is the informer of one kind, and its group and version.
type kindInformer struct {
	gvk        schema.GroupVersionKind
	informer   cache.SharedIndexInformer
	namespaced bool
}

// NewCache returns a cache over client; Start fills it.
func NewCache(client kubernetes.Interface) *Cache {
	f := informers.NewSharedInformerFactoryWithOptions(client, 0, informers.WithTransform(stripManagedFields))
	c := &Cache{factory: f, informers: map[string]kindInformer{}}
	add := func(gv schema.GroupVersion, kind string, namespaced bool, inf cache.SharedIndexInformer) {
		c.informers[kind] = kindInformer{gvk: gv.WithKind(kind), informer: inf, namespaced: namespaced}
	}
	core, apps, batch := f.Core().V1(), f.Apps().V1(), f.Batch().V1()
	net, rbac := f.Networking().V1(), f.Rbac().V1()
	v1 := schema.GroupVersion{Version: "v1"}
	add(v1, "Namespace", false, core.Namespaces().Informer())
	add(v1, "Pod", true, core.Pods().Informer())
	add(v1, "ReplicationController", true, core.ReplicationControllers().Informer())
	add(v1, "Service", true, core.Services().Informer())
	add(v1, "ServiceAccount", true, core.ServiceAccounts().Informer())
	appsV1 := schema.GroupVersion{Group: "apps", Version: "v1"}
	add(appsV1, "Deployment", true, apps.Deployments().Informer())
	add(appsV1, "StatefulSet", true, apps.StatefulSets().Informer())
	add(appsV1, "DaemonSet", true, apps.DaemonSets().Informer())
	add(appsV1, "ReplicaSet", true, apps.ReplicaSets().Informer())
	batchV1 := schema.GroupVersion{Group: "batch", Version: "v1"}
	add(batchV1, "Job", true, batch.Jobs().Informer())
	add(batchV1, "CronJob", true, batch.CronJobs().Informer())
	netV1 := schema.GroupVersion{Group: "networking.k8s.io", Version: "v1"}
	add(netV1, "NetworkPolicy", true, net.NetworkPolicies().Informer())
	add(netV1, "Ingress", true, net.Ingresses().Informer())
	rbacV1 := schema.GroupVersion{Group: "rbac.authorization.k8s.io", Version: "v1"}
	add(rbacV1, "Role", true, rbac.Roles().Informer())
	add(rbacV1, "RoleBinding", true, rbac.RoleBindings().Informer())
	add(rbacV1, "ClusterRole", false, rbac.ClusterRoles().Informer())
	add(rbacV1, "ClusterRoleBinding", false, rbac.ClusterRoleBindings().Informer())
	return c
}

// stripManagedFields drops what no check reads, the largest part of most
// objects' metadata.
func stripManagedFields(obj any) (any, error) {
	if a, err := meta.Accessor(obj); err == nil {
		a.SetManagedFields(nil)
	}
	return obj, nil
}

// Start runs the informers until ctx ends and waits for their first
// listing; it fails when they cannot sync (for example, forbidden).
func (c *Cache) Start(ctx context.Context) error {
	c.factory.Start(ctx.Done())
	for kind, synced := range c.factory.WaitForCacheSync(ctx.Done()) {
		if !synced {
			return fmt.Errorf("the informer cache could not list %v: check the webhook's RBAC (deploy/admission)", kind)
		}
	}
	return nil
}

// Synced reports whether every informer has listed its kind.
func (c *Cache) Synced() bool {
	for _, k := range c.informers {
		if !k.informer.HasSynced() {
			return false
		}
	}
	return true
}

// Holds reports whether the cache keeps every object of kind.
func (c *Cache) Holds(kind string) bool {
	_, ok := c.informers[kind]
	return ok
}

// NamespaceLabels returns the labels of a namespace.
func (c *Cache) NamespaceLabels(namespace string) (map[string]string, bool) {
	item, ok, err := c.informers["Namespace"].informer.GetStore().GetByKey(namespace)
	if err != nil || !ok {
		return nil, false
	}
	return item.(*corev1.Namespace).Labels, true
}

// Objects returns what obj is judged among: the objects of its namespace,
// its Namespace, and the cluster-wide RBAC objects (which bind subjects of
// every namespace). Objects of other namespaces cannot change a finding
// about obj: policies, Services and Roles act within their namespace.
func (c *Cache) Objects(obj *inventory.Object) []*inventory.Object {
	ns := obj.Namespace()
	var out []*inventory.Object
	for _, kind := range slices.Sorted(maps.Keys(c.informers)) {
		k := c.informers[kind]
		var items []any
		switch {
		case kind == "Namespace":
			if item, ok, _ := k.informer.GetStore().GetByKey(ns); ok {
				items = []any{item}
			}
		case k.namespaced && ns != "":
			items, _ = k.informer.GetIndexer().ByIndex(cache.NamespaceIndex, ns)
		case !k.namespaced:
			items = k.informer.GetStore().List()
		}
		for _, item := range items {
			if o := wrap(item, k.gvk); o != nil {
				out = append(out, o)
			}
		}
	}
	return out
}

// wrap makes an inventory object of a cached item, without changing it
// (the cache's objects are shared).
func wrap(item any, gvk schema.GroupVersionKind) *inventory.Object {
	obj, ok := item.(runtime.Object)
	if !ok {
		return nil
	}
	a, err := meta.Accessor(obj)
	if err != nil {
		return nil
	}
	return &inventory.Object{GVK: gvk, Obj: obj, Meta: a}
}
