// Package source defines what every source of objects (files, stdin, a live
// cluster) hands to the inventory, beside the objects themselves: the
// problems it met on the way.
package source

import (
	"fmt"

	"github.com/kube4c/kube4c/internal/inventory"
)

// Problem is an input error, a warning, or a skipped document, located in
// the input.
type Problem struct {
	inventory.Location
	// Object names the object concerned, when it is known.
	Object string `json:"object,omitempty"`
	// Message says what is wrong.
	Message string `json:"message"`
}

// Error formats the problem as "file:line:col: [object: ]message".
func (p Problem) Error() string {
	prefix := p.Location.String()
	if p.Object != "" {
		if prefix != "" {
			prefix += ": "
		}
		prefix += p.Object
	}
	if prefix == "" {
		return p.Message
	}
	return fmt.Sprintf("%s: %s", prefix, p.Message)
}

// Result is what a source produced.
type Result struct {
	// Objects are the objects read, in input order.
	Objects []*inventory.Object
	// Errors are input errors: the documents concerned were not scanned.
	Errors []Problem
	// Warnings are problems that did not stop a document from being
	// scanned, such as unknown fields.
	Warnings []Problem
	// Skipped are documents that are not Kubernetes objects (no apiVersion
	// or kind).
	Skipped []Problem
	// Files is the number of files read; Documents the number of YAML or
	// JSON documents in them.
	Files, Documents int
}

// Merge appends other's content to r.
func (r *Result) Merge(other Result) {
	r.Objects = append(r.Objects, other.Objects...)
	r.Errors = append(r.Errors, other.Errors...)
	r.Warnings = append(r.Warnings, other.Warnings...)
	r.Skipped = append(r.Skipped, other.Skipped...)
	r.Files += other.Files
	r.Documents += other.Documents
}
