package bootstrap

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

func TestVersions(t *testing.T) {
	vs := Versions()
	if len(vs) == 0 || Latest() != vs[len(vs)-1] || !slices.Contains(vs, "v1.37") {
		t.Fatalf("versions %v, latest %s", vs, Latest())
	}
	for in, want := range map[string]string{"": Latest(), "v1.37": "v1.37", "1.37": "v1.37", "v1.37.2": "v1.37", "v1.37.0-rc.1": "v1.37"} {
		if got, err := Resolve(in); err != nil || got != want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"v1.12", "latest", "v2", "1.x"} {
		if _, err := Resolve(in); err == nil || !strings.Contains(err.Error(), "v1.") {
			t.Errorf("Resolve(%q): %v; want an error", in, err)
		}
	}
}

// Every shipped set parses, holds the roles every cluster has, and is
// written as Encode writes it (so that a refresh changes only what the
// API server changed).
func TestShippedSetsAreCanonical(t *testing.T) {
	for _, v := range Versions() {
		s, err := Load(v)
		if err != nil {
			t.Fatal(err)
		}
		if s.Version != v || !strings.HasPrefix(s.Source, v+".") {
			t.Errorf("%s: version %q from %q", v, s.Version, s.Source)
		}
		names := map[string]bool{}
		for _, r := range s.ClusterRoles {
			names[r.Name] = true
		}
		for _, want := range []string{"cluster-admin", "admin", "edit", "view", "system:node", "system:kube-scheduler"} {
			if !names[want] {
				t.Errorf("%s lacks ClusterRole %s", v, want)
			}
		}
		if len(s.ClusterRoleBindings) == 0 || len(s.Roles) == 0 || len(s.RoleBindings) == 0 {
			t.Errorf("%s: %d ClusterRoleBindings, %d Roles, %d RoleBindings", v, len(s.ClusterRoleBindings), len(s.Roles), len(s.RoleBindings))
		}
		raw, _ := Raw(v)
		again, err := Encode(s)
		if err != nil || !bytes.Equal(raw, again) {
			t.Errorf("%s is not as Encode writes it (%v)", v, err)
		}
	}
}
