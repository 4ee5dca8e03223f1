package netpol

import (
	"slices"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"

	"github.com/kube4c/kube4c/internal/inventory"
)

// Controllers add labels to the pods they create beyond those of the pod
// template: Services and NetworkPolicies select them too (a Service of one
// StatefulSet replica selects statefulset.kubernetes.io/pod-name). Some
// have a value the manifest tells (a Job's name), some a value per pod
// (a StatefulSet's pod names), some a value only the cluster knows (a
// template hash).

// controllerLabel is a label a controller adds to the pods of a workload.
type controllerLabel struct {
	// values are the values the workload's pods may carry; nil when the
	// cluster chooses them.
	values []string
}

// The labels the cluster chooses the value of, by the kind of controller
// that adds them (shared by every workload of the kind: read only).
var (
	chosen           = controllerLabel{}
	deploymentLabels = map[string]controllerLabel{"pod-template-hash": chosen}
	daemonSetLabels  = map[string]controllerLabel{"controller-revision-hash": chosen, "pod-template-generation": chosen}
	jobLabels        = map[string]controllerLabel{"controller-uid": chosen, "batch.kubernetes.io/controller-uid": chosen}
	cronJobLabels    = map[string]controllerLabel{"job-name": chosen, "batch.kubernetes.io/job-name": chosen, "controller-uid": chosen, "batch.kubernetes.io/controller-uid": chosen}
)

// controllerLabels returns the labels that w's controller adds to its pods:
// those whose value may differ from pod to pod or is chosen by the
// cluster (a map that may be shared: do not modify it), and those whose
// value the manifest tells for every pod.
func controllerLabels(w *inventory.Workload) (perPod map[string]controllerLabel, fixed labels.Set) {
	switch w.Object.Kind() {
	case "Deployment", "ReplicaSet":
		return deploymentLabels, nil
	case "DaemonSet":
		return daemonSetLabels, nil
	case "StatefulSet":
		replicas := 1
		if s, ok := w.Object.Obj.(*appsv1.StatefulSet); ok && s.Spec.Replicas != nil {
			replicas = int(*s.Spec.Replicas)
		}
		names, indexes := make([]string, replicas), make([]string, replicas)
		for i := range replicas {
			names[i], indexes[i] = w.Object.Name()+"-"+strconv.Itoa(i), strconv.Itoa(i)
		}
		return map[string]controllerLabel{
			"controller-revision-hash":           chosen,
			"statefulset.kubernetes.io/pod-name": {names},
			"apps.kubernetes.io/pod-index":       {indexes},
		}, nil
	case "Job":
		return jobLabels, labels.Set{"job-name": w.Object.Name(), "batch.kubernetes.io/job-name": w.Object.Name()}
	case "CronJob":
		return cronJobLabels, nil // its Jobs are named when they are created
	}
	return nil, nil
}

// isControllerKey reports whether some controller adds the label key to
// its pods.
func isControllerKey(key string) bool {
	switch key {
	case "pod-template-hash", "controller-revision-hash", "pod-template-generation", "statefulset.kubernetes.io/pod-name",
		"apps.kubernetes.io/pod-index", "job-name", "batch.kubernetes.io/job-name", "controller-uid", "batch.kubernetes.io/controller-uid":
		return true
	}
	return false
}

// matchPod says whether a valid selector selects the pods of p: Allowed
// when it selects every one, Unknown when it selects only some (a
// StatefulSet's pod names) or depends on a value the cluster chooses, and
// Denied otherwise.
func (s selector) matchPod(p *Workload) Decision {
	if !s.given || s.err != nil {
		return Denied
	}
	if s.sel.Matches(p.Labels) {
		return Allowed
	}
	if len(p.controller) == 0 {
		return Denied
	}
	reqs, _ := s.sel.Requirements()
	d := Allowed
	for _, r := range reqs {
		if r.Matches(p.Labels) {
			continue
		}
		cl, ok := p.controller[r.Key()]
		if !ok || r.Operator() == selection.DoesNotExist {
			return Denied
		}
		if cl.values != nil && !slices.ContainsFunc(cl.values, func(v string) bool { return r.Matches(labels.Set{r.Key(): v}) }) {
			return Denied
		}
		d = Unknown
	}
	return d
}
