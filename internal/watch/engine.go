// Package watch keeps kube4c's findings about a live cluster current:
// informers feed an Engine, which re-runs only the checks a change can
// affect (by each check's Scope), and a writer turns the findings of each
// namespace into a report object (OpenReports or PolicyReport), written
// by server-side apply by the elected leader alone.
package watch

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/parallel"
	"github.com/kube4c/kube4c/internal/pipeline"
)

// Objects is what the engine judges: the cluster's objects as informers
// keep them, Pods, ReplicaSets and Jobs whose controller is known left
// out (their controller's template is checked instead, as a scan does).
type Objects interface {
	// Get returns the object ref names, or nil when it is absent or owned.
	Get(ref inventory.Ref) *inventory.Object
	// Unit returns the objects of one evaluation unit (see UnitOf): a
	// namespace's objects and its Namespace, or for "" the cluster-scoped
	// objects but Namespaces.
	Unit(unit string) []*inventory.Object
	// OfKinds returns every object of the kinds, in every namespace.
	OfKinds(kinds []string) []*inventory.Object
	// Namespaces returns the names of the cluster's namespaces.
	Namespaces() []string
	// Complete says every Role and ClusterRole could be listed, so that a
	// binding to a role the objects lack names a role that does not exist.
	Complete() bool
}

// UnitOf returns the unit an object is judged and reported in: its
// namespace; for a Namespace, its name; "" for other cluster-scoped
// objects and for findings about no object (the cluster's report).
func UnitOf(o *inventory.Object) string {
	switch {
	case o == nil:
		return ""
	case o.Kind() == "Namespace" && o.GVK.Group == "":
		return o.Name()
	}
	return o.Namespace()
}

// Engine holds the findings of every check over Objects and re-runs, for
// each change, only what the change can affect: the object's own checks
// (ScopeObject), the namespace checks of its namespace (ScopeNamespace),
// and the cluster checks that read its kind (ScopeCluster).
type Engine struct {
	plan    *pipeline.Plan
	objects Objects
	// checks by scope (index check.Scope; ScopeAuto is empty).
	checks [check.ScopeCluster + 1][]*check.Check
	// readEverywhere are the kinds every namespace's run of the namespace
	// checks reads: the cluster-scoped kinds they read beside the
	// Namespace, and their CrossNamespace kinds. A change to one of them
	// is a change to every namespace.
	readEverywhere map[string]bool
	// applicable counts the checks that read each kind ("*": every kind).
	applicable map[string]int

	mu    sync.Mutex
	dirty changes
	// byObject holds the findings of the object checks, by unit and object.
	byObject map[string]map[inventory.Ref]findings
	// byNamespace holds the findings of the namespace checks, by unit and check.
	byNamespace map[string]map[string]findings
	// byCluster holds the findings of the cluster checks, by check and unit.
	byCluster map[string]map[string]findings
	// finished holds each unit's findings as Findings returns them, until
	// an evaluation touches the unit; version counts those evaluations.
	finished map[string]findings
	version  map[string]int
}

// findings are the findings of one evaluation: counted, and suppressed by
// an exception.
type findings struct {
	kept, suppressed []*check.Finding
}

// changes are what changed since the last evaluation.
type changes struct {
	objects map[string]map[inventory.Ref]bool // by unit
	// namespaces maps a unit to the kinds that changed in it.
	namespaces map[string]map[string]bool
	// everyNamespace are kinds that changed for every namespace.
	everyNamespace map[string]bool
	// cluster are the kinds that changed for the cluster checks, each with
	// the namespaces it changed in ("" for a cluster-scoped object).
	cluster map[string]map[string]bool
	// all asks for every check over every object (the first evaluation).
	all bool
}

func newChanges() changes {
	return changes{objects: map[string]map[inventory.Ref]bool{}, namespaces: map[string]map[string]bool{},
		everyNamespace: map[string]bool{}, cluster: map[string]map[string]bool{}}
}

func (c *changes) empty() bool {
	return !c.all && len(c.objects) == 0 && len(c.namespaces) == 0 && len(c.everyNamespace) == 0 && len(c.cluster) == 0
}

// NewEngine returns an engine over objects with the checks of plan. Its
// first Evaluate judges every object.
func NewEngine(plan *pipeline.Plan, objects Objects) *Engine {
	e := &Engine{plan: plan, objects: objects, readEverywhere: map[string]bool{}, dirty: newChanges(),
		byObject: map[string]map[inventory.Ref]findings{}, byNamespace: map[string]map[string]findings{},
		byCluster: map[string]map[string]findings{}, finished: map[string]findings{}, version: map[string]int{}}
	e.dirty.all = true
	e.applicable = map[string]int{}
	for _, c := range plan.Checks() {
		for _, kind := range c.ReadKinds() {
			e.applicable[kind]++
		}
		scope := c.EffectiveScope()
		e.checks[scope] = append(e.checks[scope], c)
		if scope == check.ScopeNamespace {
			for _, kind := range c.ReadKinds() {
				if clusterScopedKinds[kind] && kind != "Namespace" {
					e.readEverywhere[kind] = true
				}
			}
			for _, kind := range c.CrossNamespace {
				e.readEverywhere[kind] = true
			}
		}
	}
	return e
}

// clusterScopedKinds are the cluster-scoped kinds kube4c reads.
var clusterScopedKinds = map[string]bool{
	"Namespace": true, "Node": true, "ClusterRole": true, "ClusterRoleBinding": true,
	"ValidatingWebhookConfiguration": true, "MutatingWebhookConfiguration": true, "RuntimeClass": true,
	"CiliumClusterwideNetworkPolicy": true,
}

// Changed records that o (a version of it, or its last one when it was
// deleted) changed: the next Evaluate re-runs what it can affect.
func (e *Engine) Changed(o *inventory.Object) {
	e.mu.Lock()
	defer e.mu.Unlock()
	kind, unit := o.Kind(), UnitOf(o)
	add(e.dirty.objects, unit, o.Ref())
	switch {
	case e.readEverywhere[kind]:
		e.dirty.everyNamespace[kind] = true
	case o.Namespace() != "" || kind == "Namespace":
		add(e.dirty.namespaces, unit, kind)
	}
	add(e.dirty.cluster, kind, o.Namespace())
}

// add sets m[outer][inner].
func add[K comparable](m map[string]map[K]bool, outer string, inner K) {
	if m[outer] == nil {
		m[outer] = map[K]bool{}
	}
	m[outer][inner] = true
}

// Pending reports whether changes wait for an evaluation.
func (e *Engine) Pending() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return !e.dirty.empty()
}

// ResetAll makes the next evaluation judge every object again.
func (e *Engine) ResetAll() {
	e.mu.Lock()
	e.dirty.all = true
	e.mu.Unlock()
}

// Evaluate re-runs what changed since the last call and returns the units
// whose findings may have changed. It is called from one goroutine.
func (e *Engine) Evaluate(ctx context.Context) ([]string, error) {
	e.mu.Lock()
	ch := e.dirty
	e.dirty = newChanges()
	e.mu.Unlock()
	if ch.empty() {
		return nil, nil
	}
	if ch.all {
		// Every object, every namespace, every cluster check: what a
		// first listing or a full resync needs.
		for _, unit := range append(e.objects.Namespaces(), "") {
			ch.namespaces[unit] = map[string]bool{"*": true}
			ch.objects[unit] = nil // nil: the whole unit
		}
		add(ch.cluster, check.EveryKind, "")
	}
	touched := map[string]bool{}
	defer e.forget(touched)
	if err := e.evaluateObjects(ctx, ch.objects, touched); err != nil {
		e.redo(ch)
		return nil, err
	}
	if err := e.evaluateNamespaces(ctx, ch, touched); err != nil {
		e.redo(ch)
		return nil, err
	}
	if err := e.evaluateCluster(ctx, ch.cluster, touched); err != nil {
		e.redo(ch)
		return nil, err
	}
	return slices.Sorted(maps.Keys(touched)), nil
}

// forget drops the finished findings of the units an evaluation touched.
func (e *Engine) forget(touched map[string]bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for unit := range touched {
		e.version[unit]++
		delete(e.finished, unit)
	}
}

// redo puts back changes an interrupted evaluation did not finish.
func (e *Engine) redo(ch changes) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.dirty.all = e.dirty.all || ch.all
	for unit, refs := range ch.objects {
		for ref := range refs {
			add(e.dirty.objects, unit, ref)
		}
		if refs == nil {
			e.dirty.all = true
		}
	}
	for unit, kinds := range ch.namespaces {
		for kind := range kinds {
			add(e.dirty.namespaces, unit, kind)
		}
	}
	maps.Copy(e.dirty.everyNamespace, ch.everyNamespace)
	for kind, namespaces := range ch.cluster {
		for ns := range namespaces {
			add(e.dirty.cluster, kind, ns)
		}
	}
}

// evaluateObjects re-runs the object checks over the changed objects,
// each unit's together (each is judged alone by these checks anyway).
func (e *Engine) evaluateObjects(ctx context.Context, changed map[string]map[inventory.Ref]bool, touched map[string]bool) error {
	checks := e.checks[check.ScopeObject]
	units := slices.Sorted(maps.Keys(changed))
	results := make([]map[inventory.Ref]findings, len(units))
	errs := make([]error, len(units))
	parallel.For(len(units), func(i int) {
		var objs []*inventory.Object
		if refs := changed[units[i]]; refs == nil {
			objs = e.objects.Unit(units[i])
		} else {
			for ref := range refs {
				if o := e.objects.Get(ref); o != nil {
					objs = append(objs, o)
				}
			}
		}
		var f findings
		f, errs[i] = e.run(ctx, objs, checks)
		results[i] = byRef(f)
	})
	if err := firstError(errs); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, unit := range units {
		touched[unit] = true
		held := e.byObject[unit]
		if changed[unit] == nil || held == nil {
			held = map[inventory.Ref]findings{}
			e.byObject[unit] = held
		}
		for ref := range changed[unit] {
			delete(held, ref)
		}
		maps.Copy(held, results[i])
		if len(held) == 0 {
			delete(e.byObject, unit)
		}
	}
	return nil
}

// evaluateNamespaces re-runs, in each changed unit, the namespace checks
// that read a changed kind.
func (e *Engine) evaluateNamespaces(ctx context.Context, ch changes, touched map[string]bool) error {
	if len(ch.everyNamespace) > 0 {
		for _, ns := range e.objects.Namespaces() {
			for kind := range ch.everyNamespace {
				add(ch.namespaces, ns, kind)
			}
		}
	}
	units := slices.Sorted(maps.Keys(ch.namespaces))
	type outcome struct {
		checks []*check.Check
		found  map[string]findings // by check
	}
	results := make([]outcome, len(units))
	errs := make([]error, len(units))
	parallel.For(len(units), func(i int) {
		unit := units[i]
		checks := checksReading(e.checks[check.ScopeNamespace], ch.namespaces[unit])
		if len(checks) == 0 {
			return
		}
		objs := e.objects.Unit(unit)
		// The cluster's unit holds the cluster-scoped objects already;
		// a namespace's holds its own objects of the kinds read
		// everywhere.
		if unit != "" && len(e.readEverywhere) > 0 {
			for _, o := range e.objects.OfKinds(slices.Collect(maps.Keys(e.readEverywhere))) {
				if UnitOf(o) != unit {
					objs = append(objs, o)
				}
			}
		}
		f, err := e.run(ctx, objs, checks)
		if err != nil {
			errs[i] = err
			return
		}
		// Findings about the cluster-scoped objects read alongside belong
		// to the cluster's unit, judged there.
		results[i] = outcome{checks: checks, found: byCheck(f.filter(func(f *check.Finding) bool { return UnitOf(f.Object) == unit }))}
	})
	if err := firstError(errs); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, unit := range units {
		if results[i].checks == nil {
			continue
		}
		touched[unit] = true
		held := e.byNamespace[unit]
		if held == nil {
			held = map[string]findings{}
			e.byNamespace[unit] = held
		}
		for _, c := range results[i].checks {
			delete(held, c.ID)
		}
		maps.Copy(held, results[i].found)
		if len(held) == 0 {
			delete(e.byNamespace, unit)
		}
	}
	return nil
}

// evaluateCluster re-runs the cluster checks that read a changed kind
// where they read it, over every object of the kinds they read (in the
// namespaces they read, for those that declare them).
func (e *Engine) evaluateCluster(ctx context.Context, changed map[string]map[string]bool, touched map[string]bool) error {
	checks := clusterChecksFor(e.checks[check.ScopeCluster], changed)
	if len(checks) == 0 {
		return nil
	}
	// One run for each set of namespaces read.
	groups := map[string][]*check.Check{}
	for _, c := range checks {
		key := strings.Join(c.ReadsNamespaces, ",")
		groups[key] = append(groups[key], c)
	}
	var f findings
	for _, key := range slices.Sorted(maps.Keys(groups)) {
		group := groups[key]
		read := map[string]bool{}
		for _, c := range group {
			for _, k := range c.ReadKinds() {
				read[k] = true
			}
		}
		var objs []*inventory.Object
		if key == "" {
			objs = e.objects.OfKinds(slices.Sorted(maps.Keys(read)))
		} else {
			for _, unit := range append([]string{""}, group[0].ReadsNamespaces...) {
				for _, o := range e.objects.Unit(unit) {
					if read[o.Kind()] || read[check.EveryKind] {
						objs = append(objs, o)
					}
				}
			}
		}
		found, err := e.run(ctx, objs, group)
		if err != nil {
			return err
		}
		f = f.plus(found)
	}
	found := byCheck(f)
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, c := range checks {
		for unit := range e.byCluster[c.ID] {
			touched[unit] = true
		}
		delete(e.byCluster, c.ID)
		if f, ok := found[c.ID]; ok {
			e.byCluster[c.ID] = byUnit(f)
			for unit := range e.byCluster[c.ID] {
				touched[unit] = true
			}
		}
	}
	return nil
}

// run runs checks over objs.
func (e *Engine) run(ctx context.Context, objs []*inventory.Object, checks []*check.Check) (findings, error) {
	if len(checks) == 0 {
		return findings{}, nil
	}
	kept, suppressed, _, err := e.plan.Evaluate(ctx, objs, checks, e.objects.Complete())
	return findings{kept: kept, suppressed: suppressed}, err
}

// clusterChecksFor returns the cluster checks that read a changed kind in
// a namespace they read (every namespace, unless they declare some; a
// cluster-scoped object, always).
func clusterChecksFor(checks []*check.Check, changed map[string]map[string]bool) []*check.Check {
	if _, all := changed[check.EveryKind]; all {
		return checks
	}
	return slices.DeleteFunc(slices.Clone(checks), func(c *check.Check) bool {
		for kind, namespaces := range changed {
			if c.ReadsKind(kind) && (len(c.ReadsNamespaces) == 0 || namespaces[""] ||
				slices.ContainsFunc(c.ReadsNamespaces, func(ns string) bool { return namespaces[ns] })) {
				return false
			}
		}
		return true
	})
}

// checksReading returns the checks that read one of kinds ("*" for any).
func checksReading(checks []*check.Check, kinds map[string]bool) []*check.Check {
	if kinds[check.EveryKind] {
		return checks
	}
	var out []*check.Check
	for _, c := range checks {
		for kind := range kinds {
			if c.ReadsKind(kind) {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

// Findings returns the findings of one unit, kept and suppressed by an
// exception, folded as a scan folds them and in a stable order. The
// slices are shared: callers do not modify them.
func (e *Engine) Findings(unit string) (kept, suppressed []*check.Finding) {
	e.mu.Lock()
	if f, ok := e.finished[unit]; ok {
		e.mu.Unlock()
		return f.kept, f.suppressed
	}
	version := e.version[unit]
	var all findings
	for _, f := range e.byObject[unit] {
		all = all.plus(f)
	}
	for _, f := range e.byNamespace[unit] {
		all = all.plus(f)
	}
	for _, byUnit := range e.byCluster {
		all = all.plus(byUnit[unit])
	}
	e.mu.Unlock()
	done := findings{kept: e.finish(all.kept), suppressed: e.finish(all.suppressed)}
	e.mu.Lock()
	if e.version[unit] == version {
		e.finished[unit] = done
	}
	e.mu.Unlock()
	return done.kept, done.suppressed
}

// Passes counts, for a unit's report summary, the checks each object of
// the unit passed: every check that reads its kind, less those that found
// something about it (kept or suppressed).
func (e *Engine) Passes(unit string, kept, suppressed []*check.Finding) int {
	total := 0
	for _, o := range e.objects.Unit(unit) {
		total += e.applicable[o.Kind()] + e.applicable[check.EveryKind]
	}
	failed := map[string]bool{}
	for _, f := range slices.Concat(kept, suppressed) {
		if f.Object != nil {
			failed[f.CheckID+" "+f.Object.Ref().String()] = true
		}
	}
	return max(0, total-len(failed))
}

// Units returns the units that hold findings.
func (e *Engine) Units() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	units := map[string]bool{}
	for unit := range e.byObject {
		units[unit] = true
	}
	for unit := range e.byNamespace {
		units[unit] = true
	}
	for _, byUnit := range e.byCluster {
		for unit := range byUnit {
			units[unit] = true
		}
	}
	return slices.Sorted(maps.Keys(units))
}

// finish folds findings gathered from several evaluations and sorts them
// (compareFindings). Each evaluation wraps the objects anew: findings
// about one object are first made to share one, by reference, so that
// they fold together. They are sorted object by object: a unit's few
// hundred objects, then each object's few findings, not thousands of
// findings at once.
func (e *Engine) finish(fs []*check.Finding) []*check.Finding {
	canonical := map[inventory.Ref]*inventory.Object{}
	byObject := map[*inventory.Object][]*check.Finding{}
	for _, f := range fs {
		if f.Object != nil {
			ref := f.Object.Ref()
			if o, ok := canonical[ref]; !ok {
				canonical[ref] = f.Object
			} else if o != f.Object {
				copied := *f
				copied.Object = o
				f = &copied
			}
		}
		byObject[f.Object] = append(byObject[f.Object], f)
	}
	out := make([]*check.Finding, 0, len(fs))
	for _, o := range slices.SortedFunc(maps.Keys(byObject), inventory.CompareObjects) {
		group := byObject[o]
		slices.SortStableFunc(group, compareFindings)
		out = append(out, group...)
	}
	return e.plan.Fold(out)
}

func (f findings) plus(g findings) findings {
	return findings{kept: append(f.kept, g.kept...), suppressed: append(f.suppressed, g.suppressed...)}
}

// filter returns the findings keep accepts.
func (f findings) filter(keep func(*check.Finding) bool) findings {
	var out findings
	for _, x := range f.kept {
		if keep(x) {
			out.kept = append(out.kept, x)
		}
	}
	for _, x := range f.suppressed {
		if keep(x) {
			out.suppressed = append(out.suppressed, x)
		}
	}
	return out
}

// group splits findings by key.
func group[K comparable](f findings, key func(*check.Finding) K) map[K]findings {
	out := map[K]findings{}
	for _, x := range f.kept {
		g := out[key(x)]
		g.kept = append(g.kept, x)
		out[key(x)] = g
	}
	for _, x := range f.suppressed {
		g := out[key(x)]
		g.suppressed = append(g.suppressed, x)
		out[key(x)] = g
	}
	return out
}

func byCheck(f findings) map[string]findings {
	return group(f, func(x *check.Finding) string { return x.CheckID })
}
func byUnit(f findings) map[string]findings {
	return group(f, func(x *check.Finding) string { return UnitOf(x.Object) })
}

// byRef groups findings by object; findings about no object (none of the
// object checks makes one) are dropped.
func byRef(f findings) map[inventory.Ref]findings {
	out := group(f.filter(func(x *check.Finding) bool { return x.Object != nil }),
		func(x *check.Finding) inventory.Ref { return x.Object.Ref() })
	return out
}

func firstError(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// compareFindings orders findings by object, check, field path, container
// and message: a report's order, whatever order the evaluations ran in.
func compareFindings(a, b *check.Finding) int {
	return cmp.Or(inventory.CompareObjects(a.Object, b.Object), strings.Compare(a.CheckID, b.CheckID),
		strings.Compare(a.Path, b.Path), strings.Compare(a.Container, b.Container), strings.Compare(a.Message, b.Message))
}

func refString(o *inventory.Object) string {
	if o == nil {
		return ""
	}
	return o.Ref().String()
}
