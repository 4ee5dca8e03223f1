package check

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
)

// Registry holds checks by ID.
type Registry struct {
	byID map[string]*Check
}

// Default is the registry the built-in checks add themselves to.
var Default = NewRegistry()

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{byID: make(map[string]*Check)} }

var idPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Register adds c to the default registry. It panics when the metadata is
// incomplete or the ID is taken: both are programming errors found at start.
func Register(c *Check) { Default.Add(c) }

// Add adds c to r; see Register.
func (r *Registry) Add(c *Check) {
	if err := c.validate(); err != nil {
		panic(err)
	}
	if _, dup := r.byID[c.ID]; dup {
		panic(fmt.Sprintf("check %q registered twice", c.ID))
	}
	// The layer constant itself, not an equal string: its findings are
	// then counted without comparing layers (see report.countKinds).
	c.Layer = Layers()[slices.Index(Layers(), c.Layer)]
	r.byID[c.ID] = c
}

func (c *Check) validate() error {
	switch {
	case !idPattern.MatchString(c.ID):
		return fmt.Errorf("check ID %q is not a lower-case slug", c.ID)
	case c.Title == "" || c.Looks == "" || c.Rationale == "" || c.Remediation == "":
		return fmt.Errorf("check %q lacks a title, what it looks at, a rationale or a remediation", c.ID)
	case !c.Layer.Valid():
		return fmt.Errorf("check %q has no valid layer", c.ID)
	case c.Severity < Info || c.Severity > Critical:
		return fmt.Errorf("check %q has no valid severity", c.ID)
	case countSet(c.Run != nil, c.Containers != nil, c.Audit != nil) != 1:
		return fmt.Errorf("check %q needs exactly one of a Run, a Containers and an Audit function", c.ID)
	}
	return nil
}

func countSet(flags ...bool) int {
	n := 0
	for _, f := range flags {
		if f {
			n++
		}
	}
	return n
}

// Get returns the check with the ID, or nil.
func (r *Registry) Get(id string) *Check { return r.byID[id] }

// All returns every check, ordered by layer (code, container, cluster,
// cloud) and then by ID.
func (r *Registry) All() []*Check {
	out := make([]*Check, 0, len(r.byID))
	for _, c := range r.byID {
		out = append(out, c)
	}
	rank := map[Layer]int{}
	for i, l := range Layers() {
		rank[l] = i
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Layer != out[j].Layer {
			return rank[out[i].Layer] < rank[out[j].Layer]
		}
		return out[i].ID < out[j].ID
	})
	return out
}
