package rbac_test

import (
	"testing"
	"time"

	"github.com/kube4c/kube4c/internal/rbac"
	"github.com/kube4c/kube4c/internal/rbac/bootstrap"
	"github.com/kube4c/kube4c/internal/rbac/rbactest"
)

// withBuiltins is how scans build the engine: with the newest built-in
// roles.
func withBuiltins(b *testing.B) rbac.Options {
	b.Helper()
	set, err := bootstrap.Load(bootstrap.Latest())
	if err != nil {
		b.Fatal(err)
	}
	return rbac.Options{Builtin: set}
}

// bigEngine resolves a world of 5,000 roles and 10,000 bindings.
func bigEngine(b *testing.B) *rbac.Engine {
	b.Helper()
	w := rbactest.Generate(rbactest.Options{Seed: 42, Roles: 5000, Bindings: 10000})
	inv := w.Inventory()
	start := time.Now()
	e := rbac.New(inv, withBuiltins(b))
	b.Logf("resolved %d roles and %d bindings in %v", len(e.Roles()), len(e.Bindings()), time.Since(start))
	return e
}

// BenchmarkWhoCan answers who-can over 5,000 roles and 10,000 bindings; the
// target is under 100 ms per query.
func BenchmarkWhoCan(b *testing.B) {
	e := bigEngine(b)
	queries := []struct {
		name string
		q    rbac.Query
		all  bool
	}{
		{"get secrets -A", rbac.Query{Verb: "get", Resource: "secrets"}, true},
		{"create pods/exec -A", rbac.Query{Verb: "create", Resource: "pods", Subresource: "exec"}, true},
		{"* * -A", rbac.Query{Verb: "*", Group: "*", Resource: "*"}, true},
		{"list pods -n team-a", rbac.Query{Verb: "list", Resource: "pods", Namespace: "team-a"}, false},
		{"get /metrics", rbac.Query{Verb: "get", URL: "/metrics"}, false},
	}
	for _, q := range queries {
		b.Run(q.name, func(b *testing.B) {
			n := 0
			for b.Loop() {
				n = len(e.WhoCan(q.q, q.all))
			}
			b.ReportMetric(float64(n), "grants")
		})
	}
}

// BenchmarkCan lists the effective rules of a subject in the same world.
func BenchmarkCan(b *testing.B) {
	e := bigEngine(b)
	id := rbac.IdentityOf(rbac.Subject{Kind: "User", Name: "alice"})
	n := 0
	for b.Loop() {
		n = len(e.Can(id, ""))
	}
	b.ReportMetric(float64(n), "rules")
}

// BenchmarkNew resolves the world (aggregation, references, index).
func BenchmarkNew(b *testing.B) {
	w := rbactest.Generate(rbactest.Options{Seed: 42, Roles: 5000, Bindings: 10000})
	inv := w.Inventory()
	opts := withBuiltins(b)
	for b.Loop() {
		_ = rbac.New(inv, opts)
	}
	b.ReportMetric(float64(len(w.Objects)), "objects")
}
