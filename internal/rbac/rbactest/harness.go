package rbactest

import (
	"context"
	"fmt"

	"github.com/kube4c/kube4c/internal/rbac"
)

// Authorizer answers whether an identity may make a query. The API
// server's SubjectAccessReview is one (a live test wraps a client-go call
// in AuthorizerFunc); kube4c's engine and its views are others.
type Authorizer interface {
	Authorize(ctx context.Context, id rbac.Identity, q rbac.Query) (bool, error)
}

// AuthorizerFunc adapts a function to Authorizer.
type AuthorizerFunc func(ctx context.Context, id rbac.Identity, q rbac.Query) (bool, error)

// Authorize calls f.
func (f AuthorizerFunc) Authorize(ctx context.Context, id rbac.Identity, q rbac.Query) (bool, error) {
	return f(ctx, id, q)
}

// Engine asks the engine's authorizer path (rbac.Engine.Allowed).
func Engine(e *rbac.Engine) Authorizer {
	return AuthorizerFunc(func(_ context.Context, id rbac.Identity, q rbac.Query) (bool, error) {
		return e.Allowed(id, q), nil
	})
}

// WhoCan answers from who-can: the identity is allowed when one of the
// subjects who-can lists for the query names it.
func WhoCan(e *rbac.Engine) Authorizer {
	return AuthorizerFunc(func(_ context.Context, id rbac.Identity, q rbac.Query) (bool, error) {
		for _, g := range e.WhoCan(q, false) {
			if g.Allows(id) {
				return true, nil
			}
		}
		return false, nil
	})
}

// Can answers from can: the identity is allowed when one of its merged
// effective rules in the query's namespace allows the query. It keeps the
// rules of each identity and namespace it has computed.
func Can(e *rbac.Engine) Authorizer {
	cache := map[string][]rbac.Permission{}
	return AuthorizerFunc(func(_ context.Context, id rbac.Identity, q rbac.Query) (bool, error) {
		key := id.String() + "\x00" + q.Namespace
		perms, ok := cache[key]
		if !ok {
			perms = e.Can(id, q.Namespace)
			cache[key] = perms
		}
		return rbac.Allows(perms, q), nil
	})
}

// Disagreement is a case two authorizers answer differently.
type Disagreement struct {
	Case
	Want, Got bool
}

// String describes the disagreement.
func (d Disagreement) String() string {
	return fmt.Sprintf("%s asks %s: want %t, got %t", d.Identity, d.Query.String(), d.Want, d.Got)
}

// Report sums up a comparison.
type Report struct {
	// Cases is how many cases were asked; Allowed how many want allowed.
	Cases, Allowed int
	// Disagreements lists the cases answered differently.
	Disagreements []Disagreement
}

// Agreement is the share of cases both answered alike, from 0 to 1.
func (r *Report) Agreement() float64 {
	if r.Cases == 0 {
		return 1
	}
	return float64(r.Cases-len(r.Disagreements)) / float64(r.Cases)
}

// Compare asks both authorizers every case. want is the reference (the
// API server, in a live test). An error of either stops the comparison.
func Compare(ctx context.Context, want, got Authorizer, cases []Case) (Report, error) {
	rep := Report{Cases: len(cases)}
	for _, c := range cases {
		w, err := want.Authorize(ctx, c.Identity, c.Query)
		if err != nil {
			return rep, fmt.Errorf("reference on %s / %s: %w", c.Identity, c.Query.String(), err)
		}
		g, err := got.Authorize(ctx, c.Identity, c.Query)
		if err != nil {
			return rep, fmt.Errorf("candidate on %s / %s: %w", c.Identity, c.Query.String(), err)
		}
		if w {
			rep.Allowed++
		}
		if w != g {
			rep.Disagreements = append(rep.Disagreements, Disagreement{Case: c, Want: w, Got: g})
		}
	}
	return rep, nil
}
