package inventory

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// SyntheticGroupVersion is the group and version of the kinds kube4c
// makes from what is not a Kubernetes object (a scanner's report).
var SyntheticGroupVersion = schema.GroupVersion{Group: "kube4c.io", Version: "v1"}

// Synthetic is an object of the inventory made from something that is not
// a Kubernetes object, so that checks read it as they read any other: the
// content of one scanner report's entry, say. Its content is read-only.
type Synthetic[T any] struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Content           T `json:"content"`
}

// DeepCopyObject copies the object, for runtime.Object; the content,
// read-only, is shared.
func (s *Synthetic[T]) DeepCopyObject() runtime.Object {
	out := *s
	s.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	return &out
}

// NewSynthetic returns an object of kind (in SyntheticGroupVersion) named
// name, read from file, that carries content.
func NewSynthetic[T any](kind, name, file string, content T) *Object {
	gvk := SyntheticGroupVersion.WithKind(kind)
	s := &Synthetic[T]{TypeMeta: metav1.TypeMeta{APIVersion: gvk.GroupVersion().String(), Kind: kind},
		ObjectMeta: metav1.ObjectMeta{Name: name}, Content: content}
	return &Object{GVK: gvk, Obj: s, Meta: s, Source: Source{File: file}}
}

// SyntheticContent returns the content of the synthetic objects of kind
// in inv that carry a T.
func SyntheticContent[T any](inv *Inventory, kind string) []*T {
	var out []*T
	for _, obj := range inv.ByKind(kind) {
		if s, ok := obj.Obj.(*Synthetic[T]); ok {
			out = append(out, &s.Content)
		}
	}
	return out
}
