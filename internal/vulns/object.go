package vulns

import (
	"strconv"

	"github.com/kube4c/kube4c/internal/inventory"
)

// ScanKind is the kind of the synthetic object that carries one image's
// scanner results beside the Kubernetes objects of a scan.
const ScanKind = "ImageScan"

// NewObject wraps the n-th image of a report as an inventory object read
// from the report's file.
func NewObject(img Image, n int) *inventory.Object {
	return inventory.NewSynthetic(ScanKind, img.Source+"#"+strconv.Itoa(n), img.Source, img)
}
