// Package apilifecycle says which Kubernetes API versions are deprecated or
// removed, in which release, and what replaces them. Kinds whose Go types
// are still in k8s.io/api carry their lifecycle in generated methods
// (APILifecycleDeprecated, APILifecycleRemoved, APILifecycleReplacement),
// which are read from the client-go scheme; kinds whose types left
// k8s.io/api with their version are listed in gone.go, from the Kubernetes
// deprecated API migration guide.
package apilifecycle

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/scheme"
)

// Version is a Kubernetes minor release, such as 1.25. The zero Version
// means none.
type Version struct {
	Major, Minor int
}

// Latest is the Kubernetes release whose API kube4c is built with (the
// minor version of k8s.io/api in go.mod).
var Latest = Version{1, 37}

// ParseVersion reads "1.25", "v1.25" or "1.25.3" (the patch is ignored).
func ParseVersion(s string) (Version, error) {
	t := strings.TrimPrefix(strings.TrimSpace(s), "v")
	major, rest, ok := strings.Cut(t, ".")
	minor, _, _ := strings.Cut(rest, ".")
	ma, err1 := strconv.Atoi(major)
	mi, err2 := strconv.Atoi(minor)
	if !ok || err1 != nil || err2 != nil || ma < 1 || mi < 0 {
		return Version{}, fmt.Errorf("%q is not a Kubernetes version such as 1.30", s)
	}
	return Version{ma, mi}, nil
}

// IsZero reports whether v is no version.
func (v Version) IsZero() bool { return v == Version{} }

// AtMost reports whether v is o or an earlier release.
func (v Version) AtMost(o Version) bool {
	return v.Major < o.Major || v.Major == o.Major && v.Minor <= o.Minor
}

// String formats v as 1.25.
func (v Version) String() string { return strconv.Itoa(v.Major) + "." + strconv.Itoa(v.Minor) }

// Status is the lifecycle of one kind in one API version.
type Status struct {
	// Deprecated is the release that deprecated it; zero when unknown.
	Deprecated Version
	// Removed is the release that stops (or stopped) serving it; zero
	// when no removal is planned.
	Removed Version
	// Replacement is the group, version and kind to use instead; empty
	// Kind when there is none.
	Replacement schema.GroupVersionKind
	// Instead says what to do when there is no replacement kind.
	Instead string
}

// RemovedBy reports whether a cluster of release v no longer serves it.
func (s Status) RemovedBy(v Version) bool { return !s.Removed.IsZero() && s.Removed.AtMost(v) }

// Of returns the lifecycle of gvk, and false when gvk is neither
// deprecated nor removed (or unknown to Kubernetes).
func Of(gvk schema.GroupVersionKind) (Status, bool) {
	s, ok := table()[gvk]
	return s, ok
}

// Gone reports whether gvk is a removed kind whose Go type k8s.io/api no
// longer has: the manifest loader reads it as an unstructured object
// rather than refusing it.
func Gone(gvk schema.GroupVersionKind) bool {
	_, ok := gone[gvk]
	return ok
}

// GoneVersion reports whether gv is a removed API version some of whose
// kinds are Gone (autoscaling/v2beta2).
func GoneVersion(gv schema.GroupVersion) bool {
	for gvk := range gone {
		if gvk.GroupVersion() == gv {
			return true
		}
	}
	return false
}

// table is every deprecated kind, built once from the scheme and gone.
var table = sync.OnceValue(func() map[schema.GroupVersionKind]Status {
	out := map[schema.GroupVersionKind]Status{}
	for gvk := range scheme.Scheme.AllKnownTypes() {
		if s, ok := generated(gvk); ok {
			out[gvk] = s
		}
	}
	for gvk, s := range gone {
		out[gvk] = s
	}
	resolved := make(map[schema.GroupVersionKind]Status, len(out))
	for gvk, s := range out {
		resolved[gvk] = finalReplacement(out, gvk, s)
	}
	return resolved
})

// Lifecycle methods generated into k8s.io/api types by
// prerelease-lifecycle-gen.
type (
	deprecatedIn  interface{ APILifecycleDeprecated() (int, int) }
	removedIn     interface{ APILifecycleRemoved() (int, int) }
	replacementOf interface {
		APILifecycleReplacement() schema.GroupVersionKind
	}
)

// generated reads the lifecycle of a typed kind of the scheme.
func generated(gvk schema.GroupVersionKind) (Status, bool) {
	if gvk.Version == "__internal" || strings.HasSuffix(gvk.Kind, "List") || gvk.Kind == "WatchEvent" {
		return Status{}, false
	}
	obj, err := scheme.Scheme.New(gvk)
	if err != nil {
		return Status{}, false
	}
	d, ok := obj.(deprecatedIn)
	if !ok {
		return Status{}, false
	}
	var s Status
	s.Deprecated.Major, s.Deprecated.Minor = d.APILifecycleDeprecated()
	if r, ok := obj.(removedIn); ok {
		s.Removed.Major, s.Removed.Minor = r.APILifecycleRemoved()
	}
	if r, ok := obj.(replacementOf); ok {
		s.Replacement = r.APILifecycleReplacement()
		// A few generated replacements name the List kind
		// (networking.k8s.io/v1beta1 IngressClass).
		s.Replacement.Kind = strings.TrimSuffix(s.Replacement.Kind, "List")
	}
	return s, !s.Deprecated.IsZero() || !s.Removed.IsZero()
}

// finalReplacement returns s with the replacement to migrate to: it
// follows replacements that are removed themselves (flowcontrol v1beta1 →
// v1beta3 → v1) and, for kinds whose metadata names none, takes the
// group's version of the same kind that is not deprecated
// (events.k8s.io/v1beta1 Event → events.k8s.io/v1).
func finalReplacement(all map[schema.GroupVersionKind]Status, gvk schema.GroupVersionKind, s Status) Status {
	if s.Replacement.Kind == "" && s.Instead == "" {
		s.Replacement = servedVersionOf(all, gvk)
	}
	for range 8 { // chains are short; the bound guards against a cycle
		next, deprecated := all[s.Replacement]
		if s.Replacement.Kind == "" || !deprecated || next.Removed.IsZero() {
			return s
		}
		switch {
		case next.Replacement.Kind != "":
			s.Replacement = next.Replacement
		case next.Instead != "":
			s.Replacement, s.Instead = schema.GroupVersionKind{}, next.Instead
		default:
			s.Replacement = servedVersionOf(all, s.Replacement)
		}
	}
	return s
}

// servedVersionOf returns gvk's kind in the first version of its group, in
// the scheme's order of preference, that is not deprecated.
func servedVersionOf(all map[schema.GroupVersionKind]Status, gvk schema.GroupVersionKind) schema.GroupVersionKind {
	for _, gv := range scheme.Scheme.PrioritizedVersionsForGroup(gvk.Group) {
		alt := gv.WithKind(gvk.Kind)
		if _, deprecated := all[alt]; !deprecated && scheme.Scheme.Recognizes(alt) {
			return alt
		}
	}
	return schema.GroupVersionKind{}
}
