package cluster

import (
	"k8s.io/apimachinery/pkg/types"

	"github.com/kube4c/kube4c/internal/inventory"
)

// controllerKinds are the kinds whose pod template is checked in place of
// the pods (or ReplicaSets, or Jobs) they create.
var controllerKinds = map[string]bool{
	"Deployment": true, "ReplicaSet": true, "StatefulSet": true, "DaemonSet": true,
	"Job": true, "CronJob": true, "ReplicationController": true,
}

// ownedKinds are the kinds a controller creates.
var ownedKinds = map[string]bool{"Pod": true, "ReplicaSet": true, "Job": true}

// dropOwned removes Pods, ReplicaSets and Jobs whose controlling owner was
// collected: the owner's template already describes them, and checking
// both would report each problem several times.
func dropOwned(objs []*inventory.Object) ([]*inventory.Object, int) {
	controllers := map[types.UID]bool{}
	for _, o := range objs {
		if controllerKinds[o.Kind()] {
			controllers[o.Meta.GetUID()] = true
		}
	}
	kept := objs[:0]
	dropped := 0
	for _, o := range objs {
		if ownedKinds[o.Kind()] {
			if ref := controllerOf(o); ref != "" && controllers[ref] {
				dropped++
				continue
			}
		}
		kept = append(kept, o)
	}
	return kept, dropped
}

// Controlled returns the UID of o's controller when o is of a kind a
// controller creates (a Pod, ReplicaSet or Job), "" otherwise; o is left
// out of a scan when an object of that UID is a controller (IsController).
func Controlled(o *inventory.Object) types.UID {
	if !ownedKinds[o.Kind()] {
		return ""
	}
	return controllerOf(o)
}

// IsController reports whether objects of kind have a pod template that is
// checked in place of the objects they create.
func IsController(kind string) bool { return controllerKinds[kind] }

func controllerOf(o *inventory.Object) types.UID {
	for _, ref := range o.Meta.GetOwnerReferences() {
		if ref.Controller != nil && *ref.Controller {
			return ref.UID
		}
	}
	return ""
}
