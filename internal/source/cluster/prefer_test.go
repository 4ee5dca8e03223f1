package cluster

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kube4c/kube4c/internal/inventory"
)

func TestPreferContentKeepsTheWholeCopy(t *testing.T) {
	cm := schema.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}
	whole := func(kind schema.GroupVersionKind, name string) *inventory.Object {
		o := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system", Name: name}}
		return &inventory.Object{GVK: kind, Obj: o, Meta: o}
	}
	partial := func(name string) *inventory.Object {
		o := &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system", Name: name}}
		return &inventory.Object{GVK: cm, Obj: o, Meta: o}
	}
	pod := whole(schema.GroupVersionKind{Version: "v1", Kind: "Pod"}, "aws-auth") // same name, another kind
	objs := []*inventory.Object{partial("aws-auth"), partial("other"), whole(cm, "aws-auth"), pod}
	var got []string
	for _, o := range PreferContent(objs) {
		_, p := o.Obj.(*metav1.PartialObjectMetadata)
		got = append(got, o.Kind()+"/"+o.Name()+map[bool]string{true: " (metadata)", false: ""}[p])
	}
	want := []string{"ConfigMap/other (metadata)", "ConfigMap/aws-auth", "Pod/aws-auth"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if only := []*inventory.Object{pod}; len(PreferContent(only)) != 1 {
		t.Errorf("without metadata-only objects, objects are dropped")
	}
}
