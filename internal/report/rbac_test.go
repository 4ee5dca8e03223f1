package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/kube4c/kube4c/internal/rbac"
)

// rbacRoles builds the RBAC engine of testdata/rbac/roles.yaml.
func rbacRoles(t *testing.T) *rbac.Engine {
	t.Helper()
	return rbac.New(loadFixture(t, "testdata/rbac/roles.yaml"), rbac.Options{})
}

// renderRBAC renders in each of the RBACFormats and compares with the
// golden files name.FORMAT.golden.
func renderRBAC(t *testing.T, name string, write func(w *bytes.Buffer, format string) error) {
	t.Helper()
	for _, format := range RBACFormats() {
		var b bytes.Buffer
		if err := write(&b, format); err != nil {
			t.Fatal(err)
		}
		golden(t, "rbac/"+name+"."+format+".golden", b.Bytes())
	}
}

// who-can as kube4c rbac who-can writes it: with a namespace, across all
// namespaces, through an aggregated role, and for a non-resource URL.
func TestWhoCanGolden(t *testing.T) {
	e := rbacRoles(t)
	for name, tc := range map[string]struct {
		q   rbac.Query
		all bool
	}{
		"who-can-exec":    {rbac.Query{Verb: "create", Resource: "pods", Subresource: "exec", Namespace: "shop"}, false},
		"who-can-scale":   {rbac.Query{Verb: "update", Group: "apps", Resource: "statefulsets", Subresource: "scale"}, true},
		"who-can-get-pod": {rbac.Query{Verb: "get", Resource: "pods", Name: "web-0"}, true},
		"who-can-metrics": {rbac.Query{Verb: "get", URL: "/metrics"}, false},
	} {
		t.Run(name, func(t *testing.T) {
			grants := e.WhoCan(tc.q, tc.all)
			renderRBAC(t, name, func(w *bytes.Buffer, format string) error { return WriteWhoCan(w, format, tc.q, tc.all, grants) })
		})
	}
}

// can as kube4c rbac can writes it: a service account, a user with an
// extra group in one namespace, and the superuser group.
func TestCanGolden(t *testing.T) {
	e := rbacRoles(t)
	for name, tc := range map[string]struct {
		subject   string
		groups    []string
		namespace string
	}{
		"can-ci":      {"sa:shop/ci", nil, ""},
		"can-bob":     {"user:bob", []string{"monitoring"}, "shop"},
		"can-masters": {"group:system:masters", nil, ""},
	} {
		t.Run(name, func(t *testing.T) {
			s, err := rbac.ParseSubject(tc.subject)
			if err != nil {
				t.Fatal(err)
			}
			id := rbac.IdentityOf(s, tc.groups...)
			perms := e.Can(id, tc.namespace)
			renderRBAC(t, name, func(w *bytes.Buffer, format string) error { return WriteCan(w, format, s, id, tc.namespace, perms) })
		})
	}
}

// The JSON of who-can names the whole chain of a grant: binding and where
// it names the subject, role and where it is written, rules by index, and
// where an aggregated rule comes from.
func TestWhoCanJSONNamesTheChain(t *testing.T) {
	e := rbacRoles(t)
	q := rbac.Query{Verb: "get", Resource: "pods", Name: "web-0"}
	var b bytes.Buffer
	if err := WriteWhoCan(&b, "json", q, true, e.WhoCan(q, true)); err != nil {
		t.Fatal(err)
	}
	var doc whoCanDoc
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Query != q || !doc.AllNamespaces || len(doc.Grants) != 3 || !doc.Grants[0].Implicit || doc.Grants[0].Binding != nil {
		t.Fatalf("%+v", doc)
	}
	g := doc.Grants[2]
	if g.Subject.Name != "ci" || g.Scope != "cluster" || g.Binding.Name != "readers" || g.Binding.Location != "testdata/rbac/roles.yaml:55" ||
		g.Role.Name != "reader" || !g.Role.Aggregated || len(g.Rules) != 1 || g.Rules[0].WrittenIn == nil ||
		*g.Rules[0].WrittenIn != (rbacRuleOriginJSON{Role: "ClusterRole/pod-reader", Index: 0}) {
		t.Errorf("ci's grant: %+v", g)
	}
}

func TestRBACRefusesUnknownFormat(t *testing.T) {
	for _, err := range []error{
		WriteWhoCan(&bytes.Buffer{}, "yaml", rbac.Query{}, false, nil),
		WriteCan(&bytes.Buffer{}, "yaml", rbac.Subject{}, rbac.Identity{}, "", nil),
	} {
		if err == nil || !strings.Contains(err.Error(), "table or json") {
			t.Errorf("error %v", err)
		}
	}
}
