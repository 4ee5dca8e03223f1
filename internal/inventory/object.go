// Package inventory holds the objects of one scan, typed and indexed, and
// gives checks a PodSpec view of every workload kind.
package inventory

import (
	"cmp"
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kube4c/kube4c/internal/position"
)

// Object is one Kubernetes object of the inventory.
type Object struct {
	// GVK is the object's group, version and kind as written.
	GVK schema.GroupVersionKind
	// Obj is the decoded object: a typed API struct for built-in kinds, an
	// *unstructured.Unstructured for everything else.
	Obj runtime.Object
	// Meta gives access to the object's metadata.
	Meta metav1.Object
	// Source says where the object came from.
	Source Source
}

// Source records where an object was read.
type Source struct {
	// File is the path of the file it was read from; empty for a live cluster.
	File string
	// Document is the 0-based index of the YAML document in the file.
	Document int
	// Positions maps field paths of the document to lines; nil for a live cluster.
	Positions *position.Index
	// PathPrefix is prepended to field paths when the object is an item of a
	// List document (for example "items[3]").
	PathPrefix string
}

// Location is a place in a source file. Line and Column are 1-based; zero
// when unknown.
type Location struct {
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
}

// String formats the location as file:line:column, as far as it is known.
func (l Location) String() string {
	switch {
	case l.File == "":
		return ""
	case l.Line == 0:
		return l.File
	case l.Column == 0:
		return fmt.Sprintf("%s:%d", l.File, l.Line)
	default:
		return fmt.Sprintf("%s:%d:%d", l.File, l.Line, l.Column)
	}
}

// Namespace returns the object's namespace as written (empty when unset).
func (o *Object) Namespace() string { return o.Meta.GetNamespace() }

// Name returns the object's name (or generateName when no name is set).
func (o *Object) Name() string {
	if n := o.Meta.GetName(); n != "" {
		return n
	}
	return o.Meta.GetGenerateName()
}

// Kind returns the object's kind.
func (o *Object) Kind() string { return o.GVK.Kind }

// APIVersion returns the object's apiVersion as written.
func (o *Object) APIVersion() string { return o.GVK.GroupVersion().String() }

// Locate returns where the field at path (field.Path notation; empty for
// the object itself) is in the source. When the field is absent, it returns
// the location of its deepest present parent and false.
func (o *Object) Locate(path string) (Location, bool) { return o.LocateWith(nil, path) }

// LocateWith is Locate through a cursor (nil for none), which makes the
// lookups of many paths of one object cheaper.
func (o *Object) LocateWith(c *position.Cursor, path string) (Location, bool) {
	loc := Location{File: o.Source.File}
	if o.Source.Positions == nil {
		return loc, false
	}
	full := o.Source.PathPrefix
	if path != "" {
		if full != "" && path[0] != '[' {
			full += "."
		}
		full += path
	}
	var pos position.Pos
	var exact bool
	if c != nil {
		pos, exact = c.Lookup(o.Source.Positions, full)
	} else {
		pos, exact = o.Source.Positions.Lookup(full)
	}
	loc.Line, loc.Column = pos.Line, pos.Column
	return loc, exact
}

// Ref is the identity of an object as reports print it.
type Ref struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`
}

// Ref returns the object's identity.
func (o *Object) Ref() Ref {
	return Ref{APIVersion: o.APIVersion(), Kind: o.Kind(), Namespace: o.Namespace(), Name: o.Name()}
}

// Compare orders references by kind, namespace, name and API version,
// field by field (building no string).
func (r Ref) Compare(o Ref) int {
	return cmp.Or(strings.Compare(r.Kind, o.Kind), strings.Compare(r.Namespace, o.Namespace), strings.Compare(r.Name, o.Name),
		strings.Compare(r.APIVersion, o.APIVersion))
}

// CompareObjects orders objects by their references, none first.
func CompareObjects(a, b *Object) int {
	switch {
	case a == b:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return a.Ref().Compare(b.Ref())
}

// String formats the reference as Kind/namespace/name.
func (r Ref) String() string {
	if r.Namespace == "" {
		return r.Kind + "/" + r.Name
	}
	return r.Kind + "/" + r.Namespace + "/" + r.Name
}
