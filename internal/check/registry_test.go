package check

import (
	"slices"
	"strings"
	"testing"
)

// meta returns complete metadata with the ID, layer and severity.
func meta(id string, layer Layer) Meta {
	return Meta{ID: id, Title: "t", Layer: layer, Severity: Low, Looks: "l", Rationale: "r", Remediation: "fix"}
}

func TestRegistryOrdersByLayerThenID(t *testing.T) {
	r := NewRegistry[*Check]()
	for _, m := range []Meta{meta("b", LayerCloud), meta("z", LayerCode), meta("a", LayerCluster), meta("c", LayerCode)} {
		r.Add(&Check{Meta: m, Run: func(*Context) {}})
	}
	var ids []string
	for _, c := range r.All() {
		ids = append(ids, c.ID)
	}
	if want := []string{"c", "z", "a", "b"}; !slices.Equal(ids, want) {
		t.Errorf("All = %v, want %v", ids, want)
	}
	if r.Get("a").ID != "a" || r.Get("missing") != nil {
		t.Errorf("Get finds the wrong entries")
	}
}

// Registering a check twice, with incomplete metadata or without a Run
// function is a programming error.
func TestRegistryRefusesBadEntries(t *testing.T) {
	for name, add := range map[string]func(r *Registry[*Check]){
		"duplicate": func(r *Registry[*Check]) {
			r.Add(&Check{Meta: meta("a", LayerCode)})
			r.Add(&Check{Meta: meta("a", LayerCode)})
		},
		"bad id":   func(r *Registry[*Check]) { r.Add(&Check{Meta: meta("Not A Slug", LayerCode)}) },
		"no layer": func(r *Registry[*Check]) { r.Add(&Check{Meta: meta("a", "")}) },
		"no title": func(r *Registry[*Check]) { m := meta("a", LayerCode); m.Title = ""; r.Add(&Check{Meta: m}) },
		"no run":   func(*Registry[*Check]) { Register(&Check{Meta: meta("registered-without-run", LayerCode)}) },
		"bad sev":  func(r *Registry[*Check]) { m := meta("a", LayerCode); m.Severity = Unset; r.Add(&Check{Meta: m}) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("no panic")
				}
			}()
			add(NewRegistry[*Check]())
		})
	}
}

// Known IDs join registries; an unknown ID gets the closest known one as
// a suggestion.
func TestKnownSuggests(t *testing.T) {
	a, b := meta("host-network", LayerContainer), meta("audit-exec", LayerCluster)
	known := KnownOf([]*Meta{&a}, []*Meta{&b})
	if !known.Has("audit-exec") || !known.Has("host-network") || known.Has("host-pid") {
		t.Errorf("Has is wrong")
	}
	if got := known.UnknownID("host-netwrok"); !strings.Contains(got, `did you mean "host-network"?`) {
		t.Errorf("UnknownID = %q", got)
	}
	if got := known.UnknownID("completely-different"); strings.Contains(got, "did you mean") {
		t.Errorf("UnknownID suggests for a far ID: %q", got)
	}
}
