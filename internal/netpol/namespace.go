package netpol

import (
	"slices"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kube4c/kube4c/internal/inventory"
)

// DefaultNamespace is where objects without a namespace are applied.
const DefaultNamespace = "default"

// NamespaceOf returns the namespace obj lives in: its own, or "default"
// when the manifest names none.
func NamespaceOf(obj *inventory.Object) string {
	if ns := obj.Namespace(); ns != "" {
		return ns
	}
	return DefaultNamespace
}

// Namespace is a namespace that a Namespace object, a workload or a policy
// of the inventory names.
type Namespace struct {
	// Name is the namespace's name.
	Name string
	// Labels are its labels. NameLabel is always set; when Known is false
	// it is the only label known.
	Labels labels.Set
	// Known reports whether a Namespace object gives its labels.
	Known bool
	// Object is the Namespace object, or nil.
	Object *inventory.Object

	pods     []*Workload
	policies []*Policy
	// byLabel indexes pods by label, in pod order.
	byLabel map[label][]*Workload
	// matching memoizes PodsMatching by its sorted label keys: several
	// checks ask, and many Services share a selector.
	matchingMu sync.Mutex
	matching   map[string][]*Workload
}

// index adds a pod to the namespace and its label index.
func (ns *Namespace) index(p *Workload) {
	ns.pods = append(ns.pods, p)
	for k, v := range p.Labels {
		ns.byLabel[label{k, v}] = append(ns.byLabel[label{k, v}], p)
	}
}

// candidates returns a superset of the pods carrying every label of keys:
// the shortest list of pods carrying one of them, or every pod. Labels a
// controller may add to pods (isControllerKey) do not narrow the list.
func (ns *Namespace) candidates(keys []label) []*Workload {
	best := ns.pods
	for _, k := range keys {
		if isControllerKey(k.key) {
			continue
		}
		if list := ns.byLabel[k]; len(list) < len(best) {
			best = list
		}
	}
	return best
}

// PodsMatching returns the workloads whose pods' labels include every
// label of set (a Service selector), ordered by ID: all their pods, or
// some (see Workload.controller). The result is shared by every
// caller asking for the same labels and must not be modified.
func (ns *Namespace) PodsMatching(set map[string]string) []*Workload {
	keys := make([]label, 0, len(set))
	for k, v := range set {
		keys = append(keys, label{k, v})
	}
	slices.SortFunc(keys, compareLabels)
	var memoKey strings.Builder
	for _, l := range keys {
		memoKey.WriteString(l.key)
		memoKey.WriteByte(0)
		memoKey.WriteString(l.value)
		memoKey.WriteString("\x00\x00")
	}
	ns.matchingMu.Lock()
	out, ok := ns.matching[memoKey.String()]
	ns.matchingMu.Unlock()
	if ok {
		return out
	}
	sel := selector{given: true, sel: labels.SelectorFromSet(set)}
	for _, p := range ns.candidates(keys) {
		if sel.matchPod(p) != Denied {
			out = append(out, p)
		}
	}
	out = slices.Clip(out)
	ns.matchingMu.Lock()
	ns.matching[memoKey.String()] = out
	ns.matchingMu.Unlock()
	return out
}

// Pods returns the workloads of the namespace, ordered by ID.
func (ns *Namespace) Pods() []*Workload { return ns.pods }

// Policies returns the NetworkPolicies of the namespace, ordered by name.
func (ns *Namespace) Policies() []*Policy { return ns.policies }

// Annotations returns the annotations of the Namespace object, if any.
func (ns *Namespace) Annotations() map[string]string {
	if ns.Object == nil {
		return nil
	}
	return ns.Object.Meta.GetAnnotations()
}

func newNamespace(name string, obj *inventory.Object) *Namespace {
	ns := &Namespace{Name: name, Labels: labels.Set{}, Object: obj, byLabel: map[label][]*Workload{}, matching: map[string][]*Workload{}}
	if obj != nil {
		if o, ok := obj.Obj.(*corev1.Namespace); ok {
			ns.Known = true
			for k, v := range o.Labels {
				ns.Labels[k] = v
			}
		}
	}
	ns.Labels[NameLabel] = name
	return ns
}
