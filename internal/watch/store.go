package watch

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/metadata/metadatainformer"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"

	corev1 "k8s.io/api/core/v1"

	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/source/cluster"
)

// Store keeps, through one shared informer per resource (list and watch,
// read-only), every object the checks read: the resources a scan lists
// (cluster.Resources), Secrets and ConfigMaps by metadata only. It is the
// engine's Objects.
type Store struct {
	informers []*resourceInformer
	byKind    map[string][]*resourceInformer
	// Statuses say what became of each resource (watched, forbidden, not
	// served), in the order of cluster.Resources.
	Statuses []cluster.Status

	mu       sync.Mutex
	onChange func(o *inventory.Object, event string)
}

// resourceInformer is the informer of one resource.
type resourceInformer struct {
	resource cluster.Resource
	gvk      schema.GroupVersionKind
	informer cache.SharedIndexInformer
}

// Index names.
const (
	// byController indexes the objects a controller creates by its UID.
	byController = "controller"
	// byUID indexes controllers by their UID.
	byUID = "uid"
)

// NewStore discovers what the API server serves and prepares an informer
// for each resource the identity may list; Start runs them. A resource
// the identity may not list is reported in Statuses and its checks judge
// without it, as a scan's do.
func NewStore(ctx context.Context, cfg *rest.Config, resources []cluster.Resource) (*Store, error) {
	disc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, err
	}
	served, err := cluster.Served(disc)
	if err != nil {
		return nil, err
	}
	metaClient, err := metadata.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	s := &Store{byKind: map[string][]*resourceInformer{}}
	for _, r := range resources {
		st := cluster.Status{Resource: r, State: cluster.NotServed, Version: cluster.PickVersion(r, served)}
		if st.Version != "" {
			err := probe(ctx, metaClient, r, st.Version)
			var ri *resourceInformer
			if err == nil {
				ri, err = s.newInformer(cfg, metaClient, dyn, r, st.Version)
			}
			switch {
			case err == nil:
				st.State = cluster.Collected
				s.informers = append(s.informers, ri)
				s.byKind[r.Kind] = append(s.byKind[r.Kind], ri)
			case apierrors.IsForbidden(err):
				st.State, st.Err = cluster.Forbidden, err
			default:
				st.State, st.Err = cluster.Failed, err
			}
		}
		s.Statuses = append(s.Statuses, st)
	}
	return s, nil
}

// probe asks for one object of the resource through the metadata API:
// whether the identity may list it at all, before an informer retries a
// forbidden listing forever.
func probe(ctx context.Context, metaClient metadata.Interface, r cluster.Resource, version string) error {
	res := metaClient.Resource(schema.GroupVersionResource{Group: r.Group, Version: version, Resource: r.Resource})
	var err error
	if r.Name != "" {
		ns, name, _ := strings.Cut(r.Name, "/")
		if _, err = res.Namespace(ns).Get(ctx, name, metav1.GetOptions{}); apierrors.IsNotFound(err) {
			err = nil
		}
	} else {
		_, err = res.List(ctx, metav1.ListOptions{Limit: 1})
	}
	if err != nil {
		return fmt.Errorf("%s: %w", r, err)
	}
	return nil
}

// newInformer makes the informer of one resource: metadata only, custom
// resources as unstructured objects, else typed objects in protobuf.
func (s *Store) newInformer(cfg *rest.Config, metaClient metadata.Interface, dyn dynamic.Interface, r cluster.Resource, version string) (*resourceInformer, error) {
	gvr := schema.GroupVersionResource{Group: r.Group, Version: version, Resource: r.Resource}
	ri := &resourceInformer{resource: r, gvk: gvr.GroupVersion().WithKind(r.Kind)}
	indexers := cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc}
	switch {
	case cluster.IsController(r.Kind):
		indexers[byUID] = func(obj any) ([]string, error) {
			a, err := meta.Accessor(obj)
			if err != nil {
				return nil, err
			}
			return []string{string(a.GetUID())}, nil
		}
	case ownedKind(r.Kind):
		indexers[byController] = func(obj any) ([]string, error) {
			if uid := cluster.Controlled(ri.wrap(obj)); uid != "" {
				return []string{string(uid)}, nil
			}
			return nil, nil
		}
	}
	switch {
	case r.MetadataOnly:
		ri.informer = metadatainformer.NewFilteredMetadataInformer(metaClient, gvr, metav1.NamespaceAll, 0, indexers, nil).Informer()
	case r.Custom:
		ri.informer = dynamicinformer.NewFilteredDynamicInformer(dyn, gvr, metav1.NamespaceAll, 0, indexers, nil).Informer()
	default:
		client, err := cluster.NewTypedClient(cfg, gvr.GroupVersion())
		if err != nil {
			return nil, err
		}
		example, err := scheme.Scheme.New(ri.gvk)
		if err != nil {
			return nil, err
		}
		ns, selector := metav1.NamespaceAll, fields.Everything()
		if r.Name != "" {
			// One object, read whole (the EKS aws-auth ConfigMap).
			var name string
			ns, name, _ = strings.Cut(r.Name, "/")
			selector = fields.OneTermEqualSelector("metadata.name", name)
		}
		lw := cache.NewListWatchFromClient(client, r.Resource, ns, selector)
		ri.informer = cache.NewSharedIndexInformerWithOptions(lw, example, cache.SharedIndexInformerOptions{
			Indexers: indexers, ObjectDescription: r.String()})
	}
	if err := ri.informer.SetTransform(ri.transform); err != nil {
		return nil, err
	}
	if err := ri.informer.SetWatchErrorHandlerWithContext(func(_ context.Context, _ *cache.Reflector, err error) {
		slog.Warn("watch interrupted; resuming", "resource", r.String(), "error", err)
	}); err != nil {
		return nil, err
	}
	return ri, nil
}

// ownedKind reports whether objects of kind may be created by a controller.
func ownedKind(kind string) bool { return kind == "Pod" || kind == "ReplicaSet" || kind == "Job" }

// transform sets the kind of each object (list items and watch events
// carry none), and drops what no check reads: managed fields, often the
// largest part of an object's metadata, and a Node's heartbeats, which
// would otherwise make each Node change every few seconds.
func (ri *resourceInformer) transform(obj any) (any, error) {
	if o, ok := obj.(runtime.Object); ok {
		o.GetObjectKind().SetGroupVersionKind(ri.gvk)
	}
	if a, err := meta.Accessor(obj); err == nil {
		a.SetManagedFields(nil)
	}
	if node, ok := obj.(*corev1.Node); ok {
		for i := range node.Status.Conditions {
			node.Status.Conditions[i].LastHeartbeatTime = metav1.Time{}
		}
		node.ResourceVersion = ""
	}
	return obj, nil
}

// wrap makes an inventory object of a cached item, without changing it
// (the cache's objects are shared); nil for a tombstone of nothing.
func (ri *resourceInformer) wrap(item any) *inventory.Object {
	if t, ok := item.(cache.DeletedFinalStateUnknown); ok {
		item = t.Obj
	}
	obj, ok := item.(runtime.Object)
	if !ok {
		return nil
	}
	a, err := meta.Accessor(obj)
	if err != nil {
		return nil
	}
	return &inventory.Object{GVK: ri.gvk, Obj: obj, Meta: a}
}

// Start runs the informers until ctx ends, tells onChange about every
// object added, updated or deleted (after the first listing, too), and
// waits for the first listing of every resource.
func (s *Store) Start(ctx context.Context, onChange func(o *inventory.Object, event string)) error {
	s.mu.Lock()
	s.onChange = onChange
	s.mu.Unlock()
	for _, ri := range s.informers {
		_, err := ri.informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
			AddFunc: func(obj any) { s.changed(ri, obj, "add") },
			UpdateFunc: func(old, obj any) {
				if sameVersion(old, obj) {
					return
				}
				s.changed(ri, obj, "update")
			},
			DeleteFunc: func(obj any) { s.changed(ri, obj, "delete") },
		})
		if err != nil {
			return err
		}
		go ri.informer.RunWithContext(ctx)
	}
	var synced []cache.InformerSynced
	for _, ri := range s.informers {
		synced = append(synced, ri.informer.HasSynced)
	}
	if !cache.WaitForCacheSync(ctx.Done(), synced...) {
		return fmt.Errorf("the informers did not list every resource: %w", ctx.Err())
	}
	return nil
}

// sameVersion reports whether an update changed nothing a check reads:
// the same resourceVersion, or for a Node (whose heartbeats the transform
// drops) the same object.
func sameVersion(old, obj any) bool {
	a, errA := meta.Accessor(old)
	b, errB := meta.Accessor(obj)
	if errA != nil || errB != nil {
		return false
	}
	if a.GetResourceVersion() != "" && a.GetResourceVersion() == b.GetResourceVersion() {
		return true
	}
	_, isNode := obj.(*corev1.Node)
	return isNode && equality.Semantic.DeepEqual(old, obj)
}

// changed passes an event on, and for a controller, a change to each of
// the objects it created (they are checked or not as it exists).
func (s *Store) changed(ri *resourceInformer, item any, event string) {
	o := ri.wrap(item)
	if o == nil {
		return
	}
	s.mu.Lock()
	onChange := s.onChange
	s.mu.Unlock()
	onChange(o, event)
	if !cluster.IsController(o.Kind()) || event == "update" {
		return
	}
	for _, kind := range []string{"Pod", "ReplicaSet", "Job"} {
		for _, owned := range s.byKind[kind] {
			items, _ := owned.informer.GetIndexer().ByIndex(byController, string(o.Meta.GetUID()))
			for _, item := range items {
				if w := owned.wrap(item); w != nil {
					onChange(w, "owner")
				}
			}
		}
	}
}

// Synced reports whether every informer has listed its resource.
func (s *Store) Synced() bool {
	for _, ri := range s.informers {
		if !ri.informer.HasSynced() {
			return false
		}
	}
	return true
}

// Get returns the object ref names, nil when it is absent or owned.
func (s *Store) Get(ref inventory.Ref) *inventory.Object {
	key := ref.Name
	if ref.Namespace != "" {
		key = ref.Namespace + "/" + ref.Name
	}
	var found *inventory.Object
	for _, ri := range s.byKind[ref.Kind] {
		if ri.gvk.GroupVersion().String() != ref.APIVersion {
			continue
		}
		item, ok, err := ri.informer.GetStore().GetByKey(key)
		if err != nil || !ok {
			continue
		}
		if o := ri.wrap(item); o != nil && (found == nil || isPartial(found)) {
			found = o
		}
	}
	if found == nil || s.owned(found) {
		return nil
	}
	return found
}

// owned reports whether o was created by a controller that exists.
func (s *Store) owned(o *inventory.Object) bool {
	uid := cluster.Controlled(o)
	if uid == "" {
		return false
	}
	for kind, informers := range s.byKind {
		if !cluster.IsController(kind) {
			continue
		}
		for _, ri := range informers {
			if items, _ := ri.informer.GetIndexer().ByIndex(byUID, string(uid)); len(items) > 0 {
				return true
			}
		}
	}
	return false
}

// isPartial reports whether o carries metadata only.
func isPartial(o *inventory.Object) bool {
	_, ok := o.Obj.(*metav1.PartialObjectMetadata)
	return ok
}

// Unit returns the objects of a namespace and its Namespace, or for "" the
// cluster-scoped objects but Namespaces.
func (s *Store) Unit(unit string) []*inventory.Object {
	var out []*inventory.Object
	for _, ri := range s.informers {
		var items []any
		switch {
		case unit == "" && ri.resource.Namespaced, unit == "" && ri.resource.Kind == "Namespace":
		case unit == "":
			items = ri.informer.GetStore().List()
		case ri.resource.Kind == "Namespace":
			if item, ok, _ := ri.informer.GetStore().GetByKey(unit); ok {
				items = []any{item}
			}
		case ri.resource.Namespaced:
			items, _ = ri.informer.GetIndexer().ByIndex(cache.NamespaceIndex, unit)
		}
		out = s.appendChecked(out, ri, items)
	}
	return cluster.PreferContent(out)
}

// OfKinds returns every checked object of the kinds.
func (s *Store) OfKinds(kinds []string) []*inventory.Object {
	var out []*inventory.Object
	for _, ri := range s.informers {
		if slices.Contains(kinds, ri.resource.Kind) {
			out = s.appendChecked(out, ri, ri.informer.GetStore().List())
		}
	}
	return cluster.PreferContent(out)
}

// All returns every checked object.
func (s *Store) All() []*inventory.Object {
	var out []*inventory.Object
	for _, ri := range s.informers {
		out = s.appendChecked(out, ri, ri.informer.GetStore().List())
	}
	return cluster.PreferContent(out)
}

// appendChecked appends the items that are not owned.
func (s *Store) appendChecked(out []*inventory.Object, ri *resourceInformer, items []any) []*inventory.Object {
	for _, item := range items {
		if o := ri.wrap(item); o != nil && !s.owned(o) {
			out = append(out, o)
		}
	}
	return out
}

// Namespaces returns the names of the namespaces: those of the Namespace
// objects, and any other that holds an object.
func (s *Store) Namespaces() []string {
	set := map[string]bool{}
	for _, ri := range s.informers {
		switch {
		case ri.resource.Kind == "Namespace":
			for _, key := range ri.informer.GetStore().ListKeys() {
				set[key] = true
			}
		case ri.resource.Namespaced:
			for _, ns := range ri.informer.GetIndexer().ListIndexFuncValues(cache.NamespaceIndex) {
				set[ns] = true
			}
		}
	}
	delete(set, "")
	return slices.Sorted(maps.Keys(set))
}

// Complete reports whether every Role and ClusterRole is watched.
func (s *Store) Complete() bool { return len(s.byKind["Role"]) > 0 && len(s.byKind["ClusterRole"]) > 0 }

// Namespace returns a Namespace object, nil when there is none.
func (s *Store) Namespace(name string) *corev1.Namespace {
	for _, ri := range s.byKind["Namespace"] {
		if item, ok, _ := ri.informer.GetStore().GetByKey(name); ok {
			if ns, ok := item.(*corev1.Namespace); ok {
				return ns
			}
		}
	}
	return nil
}
