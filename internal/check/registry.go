package check

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
)

// Described is what a registry holds: a check, or an audit-log rule, each
// with its metadata.
type Described interface {
	Metadata() *Meta
}

// Registry holds checks (or audit-log rules) by ID.
type Registry[T Described] struct {
	byID map[string]T
}

// NewRegistry returns an empty registry.
func NewRegistry[T Described]() *Registry[T] { return &Registry[T]{byID: make(map[string]T)} }

// Default is the registry the built-in checks add themselves to.
var Default = NewRegistry[*Check]()

// Register adds c to the default registry. It panics when the metadata is
// incomplete, Run is missing or the ID is taken: all are programming
// errors found at start.
func Register(c *Check) {
	if c.Run == nil {
		panic(fmt.Sprintf("check %q has no Run function", c.ID))
	}
	Default.Add(c)
}

var idPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Add adds x to r; see Register.
func (r *Registry[T]) Add(x T) {
	m := x.Metadata()
	if err := m.validate(); err != nil {
		panic(err)
	}
	if _, dup := r.byID[m.ID]; dup {
		panic(fmt.Sprintf("check %q registered twice", m.ID))
	}
	r.byID[m.ID] = x
}

func (m *Meta) validate() error {
	switch {
	case !idPattern.MatchString(m.ID):
		return fmt.Errorf("check ID %q is not a lower-case slug", m.ID)
	case m.Title == "" || m.Looks == "" || m.Rationale == "" || m.Remediation == "":
		return fmt.Errorf("check %q lacks a title, what it looks at, a rationale or a remediation", m.ID)
	case !m.Layer.Valid():
		return fmt.Errorf("check %q has no valid layer", m.ID)
	case m.Severity < Info || m.Severity > Critical:
		return fmt.Errorf("check %q has no valid severity", m.ID)
	case m.Fold != nil && !slices.Contains(m.Fold.Checks, m.ID):
		return fmt.Errorf("check %q is not among the checks of its fold %q", m.ID, m.Fold.ID)
	}
	return nil
}

// Get returns the entry with the ID, or the zero T (nil) when there is none.
func (r *Registry[T]) Get(id string) T { return r.byID[id] }

// All returns every entry, ordered by layer (code, container, cluster,
// cloud) and then by ID.
func (r *Registry[T]) All() []T {
	out := make([]T, 0, len(r.byID))
	for _, x := range r.byID {
		out = append(out, x)
	}
	slices.SortFunc(out, func(a, b T) int { return compareMeta(a.Metadata(), b.Metadata()) })
	return out
}

// Metas returns the metadata of every entry, in the order of All.
func (r *Registry[T]) Metas() []*Meta {
	all := r.All()
	out := make([]*Meta, len(all))
	for i, x := range all {
		out[i] = x.Metadata()
	}
	return out
}

// compareMeta orders metadata by layer, innermost first, then by ID.
func compareMeta(a, b *Meta) int {
	return cmp.Or(cmp.Compare(slices.Index(Layers(), a.Layer), slices.Index(Layers(), b.Layer)), cmp.Compare(a.ID, b.ID))
}

// Known is every ID a user may write in a config, an annotation or a flag:
// the checks and the audit-log rules together.
type Known []*Meta

// KnownOf joins the metadata of several registries (see Registry.Metas),
// ordered by layer and ID.
func KnownOf(metas ...[]*Meta) Known {
	out := slices.Concat(metas...)
	slices.SortFunc(out, compareMeta)
	return out
}

// Has reports whether id is known.
func (k Known) Has(id string) bool {
	return slices.ContainsFunc(k, func(m *Meta) bool { return m.ID == id })
}

// UnknownID formats the error message for an ID that is not known,
// suggesting the closest known ID when there is one.
func (k Known) UnknownID(id string) string {
	return fmt.Sprintf("unknown check %q%s", id, k.suggestion(id))
}

func (k Known) suggestion(id string) string {
	if s := k.Closest(id); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}

// Closest returns the known ID closest to id in edit distance, or ""
// when none is close enough to be a likely typo.
func (k Known) Closest(id string) string {
	best, bestDist := "", max(2, len(id)/3)+1
	for _, m := range k {
		if d := editDistance(id, m.ID); d < bestDist {
			best, bestDist = m.ID, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
