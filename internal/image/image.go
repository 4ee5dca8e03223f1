// Package image reads the container image references of an inventory:
// registry, repository, tag and digest, as the container runtime would
// resolve them (docker.io/library/nginx for nginx).
package image

import (
	"strings"

	"github.com/distribution/reference"

	"github.com/kube4c/kube4c/internal/inventory"
)

// Ref is a parsed container image reference.
type Ref struct {
	// Named is the fully qualified reference.
	Named reference.Named
	// Tag is the reference's tag; "" when none.
	Tag string
	// Digest is the reference's digest ("sha256:..."); "" when none.
	Digest string
}

// Parse parses an image reference as Kubernetes passes it to the runtime.
func Parse(image string) (Ref, error) {
	named, err := reference.ParseNormalizedNamed(strings.TrimSpace(image))
	if err != nil {
		return Ref{}, err
	}
	r := Ref{Named: named}
	if t, ok := named.(reference.Tagged); ok {
		r.Tag = t.Tag()
	}
	if d, ok := named.(reference.Digested); ok {
		r.Digest = d.Digest().String()
	}
	return r, nil
}

// Mutable reports whether the reference can point at other content later:
// it has no digest.
func (r Ref) Mutable() bool { return r.Digest == "" }

// FamiliarName returns the repository as people write it, e.g. "nginx"
// for docker.io/library/nginx.
func (r Ref) FamiliarName() string { return reference.FamiliarName(r.Named) }

// Domain returns the registry of the reference, e.g. "docker.io".
func (r Ref) Domain() string { return reference.Domain(r.Named) }

// Parsed is the outcome of parsing one image reference.
type Parsed struct {
	Ref Ref
	Err error
}

// Set holds every distinct image of an inventory's workloads, parsed once.
// It is read-only after NewSet and safe for concurrent use.
type Set struct {
	byImage map[string]Parsed
}

// NewSet parses the image of every container of inv's workloads.
func NewSet(inv *inventory.Inventory) *Set {
	s := &Set{byImage: map[string]Parsed{}}
	for _, w := range inv.Workloads() {
		for _, c := range w.Containers() {
			if _, ok := s.byImage[c.Image]; !ok {
				ref, err := Parse(c.Image)
				s.byImage[c.Image] = Parsed{ref, err}
			}
		}
	}
	return s
}

// Of returns the parsed reference of image, which must be the image of a
// container of the inventory (others are parsed on the spot).
func (s *Set) Of(image string) Parsed {
	if p, ok := s.byImage[image]; ok {
		return p
	}
	ref, err := Parse(image)
	return Parsed{ref, err}
}
