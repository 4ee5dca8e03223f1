package inventory

import (
	"fmt"
	"slices"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// New indexes many objects of several kinds: by kind in load order, by
// key with the later of two definitions winning, and every workload with
// the paths of its containers.
func TestNewIndexes(t *testing.T) {
	var objects []*Object
	add := func(obj runtime.Object, meta *metav1.ObjectMeta, gvk schema.GroupVersionKind) *Object {
		o := &Object{GVK: gvk, Obj: obj, Meta: meta}
		objects = append(objects, o)
		return o
	}
	podGVK := schema.GroupVersionKind{Version: "v1", Kind: "Pod"}
	depGVK := schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}
	cmGVK := schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}
	const n = 3 * indexBlock
	for i := range n {
		name := fmt.Sprint("o", i%(n-5)) // the last five repeat the first names
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns"}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c"}}}}
		add(pod, &pod.ObjectMeta, podGVK)
		dep := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns"}}
		dep.Spec.Template.Spec.InitContainers = make([]corev1.Container, 20)
		dep.Spec.Template.Spec.EphemeralContainers = make([]corev1.EphemeralContainer, 1)
		add(dep, &dep.ObjectMeta, depGVK)
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns"}}
		add(cm, &cm.ObjectMeta, cmGVK)
	}
	inv := New(objects)
	for _, kind := range []string{"Pod", "Deployment", "ConfigMap"} {
		of := inv.ByKind(kind)
		if len(of) != n {
			t.Fatalf("%d objects of kind %s, want %d", len(of), kind, n)
		}
		for i := 1; i < len(of); i++ {
			if slices.Index(objects, of[i-1]) > slices.Index(objects, of[i]) {
				t.Fatalf("kind %s out of load order at %d", kind, i)
			}
		}
	}
	if got, want := inv.Get(schema.GroupKind{Group: "apps", Kind: "Deployment"}, "ns", "o3"), inv.ByKind("Deployment")[n-2]; got != want {
		t.Errorf("Get of a name defined twice returns %v, want the later definition", got.Ref())
	}
	if got := inv.Get(schema.GroupKind{Kind: "Deployment"}, "ns", "o3"); got != nil {
		t.Errorf("Get in the wrong group found %v", got.Ref())
	}
	if len(inv.Workloads()) != 2*n {
		t.Fatalf("%d workloads, want %d", len(inv.Workloads()), 2*n)
	}
	var paths []string
	for _, c := range inv.Workloads()[1].Containers() {
		paths = append(paths, c.Path)
	}
	want := []string{}
	for i := range 20 {
		want = append(want, fmt.Sprintf("spec.template.spec.initContainers[%d]", i))
	}
	want = append(want, "spec.template.spec.ephemeralContainers[0]")
	if !slices.Equal(paths, want) {
		t.Errorf("container paths %v, want %v", paths, want)
	}
	if got := inv.Workloads()[0].Containers()[0].Path; got != "spec.containers[0]" {
		t.Errorf("pod container path %q", got)
	}
}
