package inventory

import (
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kube4c/kube4c/internal/parallel"
)

// Key identifies an object in the inventory.
type Key struct {
	Group     string
	Kind      string
	Namespace string
	Name      string
}

// Inventory is the indexed set of objects one scan looks at. It is built
// once and read concurrently by checks; it must not change after Build.
type Inventory struct {
	objects []*Object
	byKind  map[string][]*Object
	// byKey finds objects by key, in one map per kind: they are built in
	// parallel.
	byKey      map[string]map[Key]*Object
	duplicates [][]*Object
	workloads  []*Workload
}

// New indexes objects. The order of objects is kept.
func New(objects []*Object) *Inventory {
	inv := &Inventory{
		objects: objects,
		byKind:  make(map[string][]*Object),
		byKey:   make(map[string]map[Key]*Object),
	}
	// Reading each object's pod spec and identity is most of the work, and
	// independent from object to object: it is done on every CPU.
	workloads := make([]*Workload, len(objects))
	parallel.Blocks(len(objects), indexBlock, func(lo, hi int) {
		for i, o := range objects[lo:hi] {
			workloads[lo+i] = workloadOf(o)
		}
	})
	var kinds []string
	for i, o := range objects {
		kind := o.GVK.Kind
		if _, ok := inv.byKind[kind]; !ok {
			kinds = append(kinds, kind)
		}
		inv.byKind[kind] = append(inv.byKind[kind], o)
		if w := workloads[i]; w != nil {
			inv.workloads = append(inv.workloads, w)
		}
	}
	byKey := make([]map[Key]*Object, len(kinds))
	dups := make([][][]*Object, len(kinds))
	parallel.For(len(kinds), func(k int) {
		byKey[k], dups[k] = indexKind(inv.byKind[kinds[k]])
	})
	for k, kind := range kinds {
		inv.byKey[kind] = byKey[k]
		inv.duplicates = append(inv.duplicates, dups[k]...)
	}
	return inv
}

// indexKind indexes the objects of one kind by key, a later definition
// winning, and returns the groups of objects that share a key, in load
// order.
func indexKind(of []*Object) (map[Key]*Object, [][]*Object) {
	m := make(map[Key]*Object, len(of))
	var shared map[Key][]*Object
	var order []Key
	for _, o := range of {
		key := keyOf(o.GVK.GroupKind(), o.Namespace(), o.Name())
		if first, ok := m[key]; ok {
			if shared == nil {
				shared = map[Key][]*Object{}
			}
			if shared[key] == nil {
				shared[key] = []*Object{first}
				order = append(order, key)
			}
			shared[key] = append(shared[key], o)
		}
		m[key] = o
	}
	groups := make([][]*Object, len(order))
	for i, key := range order {
		groups[i] = shared[key]
	}
	return m, groups
}

// indexBlock is how many objects one job of New reads.
const indexBlock = 2048

func keyOf(gk schema.GroupKind, namespace, name string) Key {
	return Key{Group: gk.Group, Kind: gk.Kind, Namespace: namespace, Name: name}
}

// Objects returns every object, in load order.
func (inv *Inventory) Objects() []*Object { return inv.objects }

// Len is the number of objects.
func (inv *Inventory) Len() int { return len(inv.objects) }

// ByKind returns the objects of a kind in any API group and version, in load
// order. Checks type-assert Obj to the versions they understand.
func (inv *Inventory) ByKind(kind string) []*Object { return inv.byKind[kind] }

// Duplicates returns the groups of objects that share a group, kind,
// namespace and name (the same manifest read from several files), each in
// load order. Each object is checked on its own; where one object is
// needed (Get), the last definition counts, as kubectl apply would leave
// the cluster.
func (inv *Inventory) Duplicates() [][]*Object { return inv.duplicates }

// Get returns the object of the group, kind, namespace and name, or nil:
// the last definition when several share them (see Duplicates).
func (inv *Inventory) Get(gk schema.GroupKind, namespace, name string) *Object {
	return inv.byKey[gk.Kind][keyOf(gk, namespace, name)]
}

// Workloads returns the PodSpec view of every object that runs pods.
func (inv *Inventory) Workloads() []*Workload { return inv.workloads }
