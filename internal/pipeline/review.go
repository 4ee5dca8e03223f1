package pipeline

import (
	"context"
	"slices"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/report"
)

// ReviewRequest is one object to review, as an admission request brings
// it, with what is known of the cluster around it.
type ReviewRequest struct {
	Options
	// Object is the object to review.
	Object *inventory.Object
	// Known are the cluster's objects already known (for example from an
	// informer cache): the cross-object checks judge Object among them.
	// An object of Known with Object's kind, namespace and name is the
	// old version of Object and is left out. Nil reviews Object alone.
	Known []*inventory.Object
	// Complete says Known holds every object of the cluster.
	Complete bool
}

// Review checks one object, among the objects known beside it, and
// returns the findings about that object alone (after severities and
// exceptions). Findings about the other objects are left out: they are
// not what the request changes.
func Review(ctx context.Context, req ReviewRequest) (*report.Report, error) {
	plan, err := NewPlan(req.Options)
	if err != nil {
		return nil, err
	}
	return plan.Review(ctx, req)
}

// Review is Review with the checks already planned.
func (p *Plan) Review(ctx context.Context, req ReviewRequest) (*report.Report, error) {
	objects := make([]*inventory.Object, 0, len(req.Known)+1)
	for _, o := range req.Known {
		if !sameObject(o, req.Object) {
			objects = append(objects, o)
		}
	}
	objects = append(objects, req.Object)
	inv := inventory.New(objects)
	// Only the checks that read the object's kind can report on it; a
	// server reviews many objects at once, so each runs on one goroutine.
	judging := *p
	judging.oneByOne = true
	judging.checks = slices.DeleteFunc(slices.Clone(p.checks), func(c *check.Check) bool {
		return !c.ReadsKind(req.Object.Kind())
	})
	kept, suppressed, failures, err := judging.check(ctx, inv, req.Complete, nil, nil)
	if err != nil {
		return nil, err
	}
	other := func(f *check.Finding) bool { return f.Object != req.Object }
	return &report.Report{
		Findings:   p.fold(slices.DeleteFunc(kept, other)),
		Suppressed: p.fold(slices.DeleteFunc(suppressed, other)),
		Checks:     p.checks,
		Warnings:   annotationProblems(inventory.New([]*inventory.Object{req.Object})),
		Failures:   failures,
		Documents:  1,
		Objects:    1,
	}, nil
}

// sameObject reports whether a and b are versions of one object: the same
// group, kind, namespace and name.
func sameObject(a, b *inventory.Object) bool {
	return a.GVK.GroupKind() == b.GVK.GroupKind() && a.Namespace() == b.Namespace() && a.Name() == b.Name()
}

// Evaluate runs checks, a subset of the plan's, over objects as one
// inventory, one check after the other on the caller's goroutine, and
// returns their findings after severities and exceptions, not yet folded
// (Fold). kube4c watch calls it for the part of the cluster a change can
// affect; complete says objects hold every object those checks read.
func (p *Plan) Evaluate(ctx context.Context, objects []*inventory.Object, checks []*check.Check, complete bool) (kept, suppressed []*check.Finding, failures []check.Failure, err error) {
	judging := *p
	judging.oneByOne = true
	judging.checks = checks
	if p.clock != nil {
		judging.now = p.clock()
	}
	return judging.check(ctx, inventory.New(objects), complete, nil, nil)
}

// Fold reports the findings of one root cause as one, as a scan does:
// findings Evaluate returned, about the same objects.
func (p *Plan) Fold(findings []*check.Finding) []*check.Finding { return p.fold(findings) }
