package catalog

import (
	"maps"
	"slices"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	appsv1beta1 "k8s.io/api/apps/v1beta1"
	appsv1beta2 "k8s.io/api/apps/v1beta2"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	extensionsv1beta1 "k8s.io/api/extensions/v1beta1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
)

// replicasOf returns the replica count of a scalable workload (nil when
// unset, which means 1) and whether the kind has replicas at all.
func replicasOf(obj *inventory.Object) (*int32, bool) {
	switch o := obj.Obj.(type) {
	case *appsv1.Deployment:
		return o.Spec.Replicas, true
	case *appsv1.StatefulSet:
		return o.Spec.Replicas, true
	case *appsv1.ReplicaSet:
		return o.Spec.Replicas, true
	case *appsv1beta1.Deployment:
		return o.Spec.Replicas, true
	case *appsv1beta2.Deployment:
		return o.Spec.Replicas, true
	case *extensionsv1beta1.Deployment:
		return o.Spec.Replicas, true
	case *corev1.ReplicationController:
		return o.Spec.Replicas, true
	}
	return nil, false
}

// autoscaled returns the kind/namespace/name of every workload an HPA scales.
func autoscaled(inv *inventory.Inventory) map[string]bool {
	out := map[string]bool{}
	for _, obj := range inv.ByKind("HorizontalPodAutoscaler") {
		switch h := obj.Obj.(type) {
		case *autoscalingv1.HorizontalPodAutoscaler:
			out[h.Spec.ScaleTargetRef.Kind+"/"+obj.Namespace()+"/"+h.Spec.ScaleTargetRef.Name] = true
		case *autoscalingv2.HorizontalPodAutoscaler:
			out[h.Spec.ScaleTargetRef.Kind+"/"+obj.Namespace()+"/"+h.Spec.ScaleTargetRef.Name] = true
		case *unstructured.Unstructured:
			// autoscaling/v2beta1 and v2beta2, removed from k8s.io/api,
			// have the scaleTargetRef of v2.
			if obj.GVK.Group == autoscalingv2.GroupName {
				kind, _, _ := unstructured.NestedString(h.Object, "spec", "scaleTargetRef", "kind")
				name, _, _ := unstructured.NestedString(h.Object, "spec", "scaleTargetRef", "name")
				out[kind+"/"+obj.Namespace()+"/"+name] = true
			}
		}
	}
	return out
}

// selectorOf returns a controller's pod selector and its field path. ok is
// false for kinds without a selector to compare, or whose selector
// Kubernetes generates (Jobs without manualSelector).
func selectorOf(obj *inventory.Object) (sel *metav1.LabelSelector, path string, ok bool) {
	const p = "spec.selector"
	switch o := obj.Obj.(type) {
	case *appsv1.Deployment:
		return o.Spec.Selector, p, true
	case *appsv1.StatefulSet:
		return o.Spec.Selector, p, true
	case *appsv1.DaemonSet:
		return o.Spec.Selector, p, true
	case *appsv1.ReplicaSet:
		return o.Spec.Selector, p, true
	case *batchv1.Job:
		if o.Spec.ManualSelector != nil && *o.Spec.ManualSelector {
			return o.Spec.Selector, p, true
		}
	case *corev1.ReplicationController:
		if len(o.Spec.Selector) > 0 {
			return &metav1.LabelSelector{MatchLabels: o.Spec.Selector}, p, true
		}
	}
	return nil, "", false
}

func init() {
	check.Register(&check.Check{
		Meta: check.Meta{
			ID:          "single-replica",
			Title:       "Workload runs a single replica",
			Layer:       check.LayerCode,
			Reads:       append([]string{"HorizontalPodAutoscaler"}, inventory.WorkloadKinds...),
			Severity:    check.Info,
			Looks:       "spec.replicas of Deployments, StatefulSets, ReplicaSets and ReplicationControllers (unset means 1), unless a HorizontalPodAutoscaler among the scanned objects scales them.",
			Rationale:   "With one replica, every node drain, eviction or crash is an outage, and a PodDisruptionBudget cannot protect it.",
			Remediation: "Run at least two replicas (spread over nodes with topologySpreadConstraints), or let an autoscaler manage the count.",
			Example:     "spec:\n  replicas: 2",
			References: check.References{
				URLs: []string{"https://kubernetes.io/docs/concepts/workloads/pods/disruptions/"},
			},
		},
		Run: func(ctx *check.Context) {
			scaled := autoscaled(ctx.Inventory)
			for _, w := range ctx.Inventory.Workloads() {
				replicas, ok := replicasOf(w.Object)
				if !ok || scaled[w.Object.Kind()+"/"+w.Object.Namespace()+"/"+w.Object.Name()] {
					continue
				}
				switch {
				case replicas == nil:
					ctx.Report(w.Object, "spec.replicas", w.Object.Kind()+" sets no replicas, so it runs one; run at least two")
				case *replicas == 1:
					ctx.Report(w.Object, "spec.replicas", w.Object.Kind()+" runs a single replica; run at least two")
				}
			}
		},
	})

	check.Register(&check.Check{
		Meta: check.Meta{
			ID:       "default-namespace",
			Title:    "Object in the default namespace",
			Layer:    check.LayerCode,
			Reads:    []string{check.EveryKind},
			Severity: check.Low,
			Looks: "metadata.namespace of every object: the value default. Objects of files that name no namespace are not " +
				"reported, since the namespace is then chosen when they are applied.",
			Rationale: "The default namespace is where everything without a home ends up: policies, quotas and RBAC are rarely " +
				"set there, and it mixes unrelated applications.",
			Remediation: "Create a namespace per application or team and deploy there.",
			Example:     "metadata:\n  namespace: shop",
			References: check.References{
				CIS: []string{"5.7.4"},
				NSA: []string{"Network separation and hardening: Namespaces"},
			},
		},
		Run: func(ctx *check.Context) {
			for _, obj := range ctx.Inventory.Objects() {
				if obj.Namespace() == metav1.NamespaceDefault {
					ctx.Report(obj, "metadata.namespace", obj.Kind()+" is in the default namespace; deploy it to a dedicated namespace")
				}
			}
		},
	})

	check.Register(&check.Check{
		Meta: check.Meta{
			ID:          "naked-pod",
			Title:       "Pod without a controller",
			Layer:       check.LayerCode,
			Reads:       []string{"Pod"},
			Severity:    check.Low,
			Looks:       "Pods without ownerReferences.",
			Rationale:   "A pod that no controller owns is not rescheduled when its node fails and is not replaced when deleted.",
			Remediation: "Run it through a Deployment, StatefulSet, DaemonSet or Job.",
			Example:     "kind: Deployment   # with the pod under spec.template",
			References: check.References{
				URLs: []string{"https://kubernetes.io/docs/concepts/configuration/overview/#naked-pods-vs-replicasets-deployments-and-jobs"},
			},
		},
		Run: func(ctx *check.Context) {
			for _, obj := range ctx.Inventory.ByKind("Pod") {
				if _, ok := obj.Obj.(*corev1.Pod); ok && len(obj.Meta.GetOwnerReferences()) == 0 {
					ctx.Report(obj, "", "pod "+quote(obj.Name())+" has no controller: it is not recreated if its node fails; use a Deployment or Job")
				}
			}
		},
	})

	check.Register(&check.Check{
		Meta: check.Meta{
			ID:          "duplicate-env-var",
			Title:       "Environment variable defined twice",
			Layer:       check.LayerCode,
			Severity:    check.Low,
			Looks:       "the env names of every container.",
			Rationale:   "When a name appears twice, the last value silently wins; the other is dead configuration that reviewers still read and trust.",
			Remediation: "Keep one definition of each variable.",
			Example:     "env:\n  - {name: LOG_LEVEL, value: info}",
			References:  check.References{},
		},
		Run: check.PerContainer(func(ctx *check.Context, w *inventory.Workload, c inventory.Container) {
			first := map[string]int{}
			for i, e := range c.Env {
				if j, seen := first[e.Name]; seen {
					ctx.ReportContainer(w, c, c.Path+".env["+strconv.Itoa(i)+"].name", "env var "+e.Name+" of container "+quote(c.Name)+
						" is defined again (first as env["+strconv.Itoa(j)+"]); the last one wins; remove one")
					continue
				}
				first[e.Name] = i
			}
		}),
	})

	check.Register(&check.Check{
		Meta: check.Meta{
			ID:       "selector-mismatch",
			Title:    "Controller selector does not match its pod template",
			Layer:    check.LayerCode,
			Severity: check.Medium,
			Looks:    "spec.selector of Deployments, StatefulSets, DaemonSets, ReplicaSets, ReplicationControllers and Jobs with manualSelector, against the labels of spec.template.",
			Rationale: "The API server rejects such a controller, or (for older API versions) the controller never sees the pods " +
				"it creates and keeps creating more.",
			Remediation: "Make the template's labels satisfy the selector (matchLabels and matchExpressions).",
			Example: `spec:
  selector:
    matchLabels: {app: shop}
  template:
    metadata:
      labels: {app: shop}`,
			References: check.References{},
		},
		Run: func(ctx *check.Context) {
			selectors := selectorMemo{}
			for _, w := range ctx.Inventory.Workloads() {
				sel, path, ok := selectorOf(w.Object)
				if !ok {
					continue
				}
				if sel == nil {
					ctx.Report(w.Object, "spec", w.Object.Kind()+" has no spec.selector, which the API requires; add one that matches the template labels")
					continue
				}
				selector, err := selectors.of(sel)
				switch {
				case err != nil:
					ctx.Report(w.Object, path, "spec.selector is invalid: "+err.Error())
				case selector.Empty():
					ctx.Report(w.Object, path, "spec.selector is empty; the API rejects it: select the template's labels")
				case !selector.Matches(labels.Set(w.PodMeta.Labels)):
					ctx.Report(w.Object, path, "spec.selector ("+selector.String()+") does not match the template labels ("+labels.Set(w.PodMeta.Labels).String()+"); make them agree")
				}
			}
		},
	})
}

// selectorMemo converts label selectors that have only matchLabels once
// per distinct set of labels: the workloads made from one chart share
// them, and converting validates every key and value.
type selectorMemo map[string]parsedSelector

// parsedSelector is the outcome of metav1.LabelSelectorAsSelector.
type parsedSelector struct {
	selector labels.Selector
	err      error
}

// of returns metav1.LabelSelectorAsSelector(sel).
func (m selectorMemo) of(sel *metav1.LabelSelector) (labels.Selector, error) {
	if len(sel.MatchExpressions) > 0 {
		return metav1.LabelSelectorAsSelector(sel)
	}
	key := labelsKey(sel.MatchLabels)
	p, ok := m[key]
	if !ok {
		p.selector, p.err = metav1.LabelSelectorAsSelector(sel)
		m[key] = p
	}
	return p.selector, p.err
}

// labelsKey encodes a set of labels, valid or not, as a string that no
// other set has: the keys in order, each key and value after its length.
func labelsKey(set map[string]string) string {
	keys := slices.Sorted(maps.Keys(set))
	var b []byte
	for _, k := range keys {
		b = strconv.AppendInt(b, int64(len(k)), 10)
		b = append(append(b, ':'), k...)
		b = strconv.AppendInt(b, int64(len(set[k])), 10)
		b = append(append(b, ':'), set[k]...)
	}
	return string(b)
}
