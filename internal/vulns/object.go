package vulns

import (
	"strconv"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kube4c/kube4c/internal/inventory"
)

// ScanKind is the kind of the synthetic object that carries one image's
// scanner results beside the Kubernetes objects of a scan.
const ScanKind = "ImageScan"

// ScanGVK is the group, version and kind of ImageScan objects.
var ScanGVK = schema.GroupVersionKind{Group: "kube4c.io", Version: "v1", Kind: ScanKind}

// Scan is one image's scanner results as an object of the inventory.
type Scan struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Image             Image `json:"image"`
}

// DeepCopyObject copies the scan, for runtime.Object.
func (s *Scan) DeepCopyObject() runtime.Object {
	out := *s
	s.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	out.Image.Digests = append([]string(nil), s.Image.Digests...)
	out.Image.Vulnerabilities = append([]Vulnerability(nil), s.Image.Vulnerabilities...)
	return &out
}

// NewObject wraps the n-th image of a report as an inventory object read
// from the report's file.
func NewObject(img Image, n int) *inventory.Object {
	s := &Scan{TypeMeta: metav1.TypeMeta{APIVersion: ScanGVK.GroupVersion().String(), Kind: ScanKind},
		ObjectMeta: metav1.ObjectMeta{Name: img.Source + "#" + strconv.Itoa(n)}, Image: img}
	return &inventory.Object{GVK: ScanGVK, Obj: s, Meta: s, Source: inventory.Source{File: img.Source}}
}
