// Package check defines what a check is (metadata plus one function), what
// it reports (a Finding), the registries that hold checks, and the engine
// that runs them over an inventory.
//
// The built-in checks live in internal/catalog; audit-log rules share the
// metadata type (Meta) but have a registry of their own in internal/audit.
package check

import (
	"context"
	"slices"
	"time"

	"github.com/kube4c/kube4c/internal/inventory"
)

// References ties a check to the public guidance it implements.
type References struct {
	// CIS lists CIS Kubernetes Benchmark items, e.g. "5.2.2".
	CIS []string `json:"cis,omitempty"`
	// NSA lists sections of the NSA/CISA Kubernetes Hardening Guide.
	NSA []string `json:"nsa,omitempty"`
	// MITRE lists MITRE ATT&CK for Containers techniques, e.g. "T1611".
	MITRE []string `json:"mitre,omitempty"`
	// PSS lists Pod Security Standards controls, e.g. "baseline: Privileged Containers".
	PSS []string `json:"pss,omitempty"`
	// URLs lists further reading.
	URLs []string `json:"urls,omitempty"`
}

// Meta is what users and the reference docs read about a check or an
// audit-log rule. `kube4c checks` and docs/checks.md are generated from it.
type Meta struct {
	// ID is the stable slug users write in exceptions and configs.
	ID string `json:"id"`
	// Title is a one-line summary.
	Title string `json:"title"`
	// Layer is the 4C layer the check belongs to.
	Layer Layer `json:"layer"`
	// Severity is the default severity of its findings.
	Severity Severity `json:"severity"`
	// Looks describes what the check looks at.
	Looks string `json:"looks"`
	// Rationale says why it matters.
	Rationale string `json:"rationale"`
	// Remediation says how to fix a finding.
	Remediation string `json:"remediation"`
	// Example is an optional YAML snippet that shows the fix.
	Example string `json:"example,omitempty"`
	// References ties the check to public guidance.
	References References `json:"references"`
	// Reads lists the kinds of objects the check reads, and the only
	// kinds it reports on. Nil means the workload kinds
	// (inventory.WorkloadKinds); EveryKind, every object. A live scan that
	// could not list one of them marks the check incomplete.
	Reads []string `json:"reads,omitempty"`
	// Scope is how far the check looks to judge one object; kube4c watch
	// re-runs the check, after a change, only where the change can alter
	// its findings. ScopeAuto derives it from Reads.
	Scope Scope `json:"-"`
	// CrossNamespace lists the namespaced kinds, among Reads, of which an
	// object in one namespace can change a ScopeNamespace check's findings
	// in another (a service mesh's defaults in its root namespace). kube4c
	// watch gives every namespace's run those objects too, and re-runs the
	// check in every namespace when one of them changes.
	CrossNamespace []string `json:"-"`
	// ReadsNamespaces, for a ScopeCluster check that reads namespaced
	// objects of a live cluster in some namespaces only (the control
	// plane's static pods in kube-system), names them: kube4c watch
	// re-runs the check for a change there (or to a cluster-scoped object)
	// alone, over the objects there. A scan still gives the check every
	// object.
	ReadsNamespaces []string `json:"-"`
	// DisabledByDefault marks checks that run only when enabled in the config.
	DisabledByDefault bool `json:"disabledByDefault,omitempty"`
	// Fold, when set, is the root cause the check's findings share with
	// other checks': findings of the fold about the same object and field
	// path are reported as one (FoldFindings).
	Fold *Fold `json:"-"`
	// ValidateSettings, when set, checks the check's settings before a scan,
	// so that a bad value is a configuration error rather than a failed check.
	ValidateSettings func(s Settings) error `json:"-"`
}

// Metadata returns m itself: checks and audit-log rules embed a Meta, and
// registries reach it through this method.
func (m *Meta) Metadata() *Meta { return m }

// EveryKind in Meta.Reads stands for every kind of object.
const EveryKind = "*"

// ReadsKind reports whether the check reads objects of kind.
func (m *Meta) ReadsKind(kind string) bool {
	reads := m.ReadKinds()
	return slices.Contains(reads, kind) || slices.Contains(reads, EveryKind)
}

// ReadKinds returns the kinds the check reads.
func (m *Meta) ReadKinds() []string {
	if m.Reads == nil {
		return inventory.WorkloadKinds
	}
	return m.Reads
}

// Scope is how far a check looks to judge one object.
type Scope int

// Scopes, narrowest first.
const (
	// ScopeAuto derives the scope from Reads: a check that reads one
	// kind, the workload kinds (Reads nil) or EveryKind judges each object
	// alone (ScopeObject); one that reads several kinds, ScopeNamespace;
	// one that reads none (it judges the configuration), ScopeCluster.
	ScopeAuto Scope = iota
	// ScopeObject: a finding depends on the object it is about alone.
	ScopeObject
	// ScopeNamespace: a finding depends on the objects of its object's
	// namespace, on that Namespace, on cluster-scoped objects and on the
	// objects of the kinds in CrossNamespace; a finding about a Namespace,
	// on the objects of that namespace.
	ScopeNamespace
	// ScopeCluster: a finding may depend on any object of the kinds the
	// check reads, in any namespace (RBAC bindings name roles and subjects
	// across namespaces; a service mesh has mesh-wide defaults).
	ScopeCluster
)

// EffectiveScope returns the check's scope, derived from Reads when the
// check leaves it to ScopeAuto.
func (m *Meta) EffectiveScope() Scope {
	switch {
	case m.Scope != ScopeAuto:
		return m.Scope
	case m.Reads == nil || len(m.Reads) == 1 || slices.Contains(m.Reads, EveryKind):
		return ScopeObject
	case len(m.Reads) == 0:
		return ScopeCluster
	}
	return ScopeNamespace
}

// Check is one check: its metadata and the function that runs it.
type Check struct {
	Meta
	// Run inspects the inventory the context gives and reports findings
	// through it. A check about one container at a time is written with
	// PerContainer.
	Run func(ctx *Context) `json:"-"`
	// Fix, when set, gives the mechanical fix of one of the check's
	// findings (kube4c fix, SARIF fixes), or an error saying why that
	// finding has none. Checks whose fixes need judgement leave it nil.
	Fix func(f *Finding) (Patch, error) `json:"-"`
}

// Settings gives checks their configuration. The zero value means defaults.
type Settings interface {
	// Decode fills out with the check's settings, if any are configured.
	Decode(checkID string, out any) error
}

// Context is what a check's Run function receives: the inventory, its
// settings, the shared cross-object engines, and where its findings go.
// It is a context.Context too: a long check stops early when Err is set.
// A Context serves one check on one goroutine.
type Context struct {
	context.Context
	// Inventory holds every object of the scan.
	Inventory *inventory.Inventory
	// Settings carries check-specific configuration.
	Settings Settings
	// Exceptions are the configured exceptions (for checks about them).
	Exceptions []Exception
	// Now is the time of the scan, for checks that compare dates.
	Now time.Time
	// Complete says the inventory holds every object of the cluster, so
	// that checks may report references to objects it lacks.
	Complete bool
	// IncludeBuiltin asks checks to report, at info, what Kubernetes'
	// own built-in objects do by design (the API server's bootstrap RBAC
	// policy); without it they say nothing of those.
	IncludeBuiltin bool

	engines  *Engines
	check    *Check
	found    findingList
	verdicts *[]Verdict // nil when the run does not collect verdicts
}

// Report records a finding of the running check about obj at the field
// path (in field.Path notation, e.g. "spec.containers[0].image"; empty for
// the object itself). Severity and remediation come from the check.
func (c *Context) Report(obj *inventory.Object, path string, message string) {
	c.ReportFinding(Finding{Object: obj, Path: path, Message: message})
}

// ReportContainer records a finding about container ct of workload w at
// the field path.
func (c *Context) ReportContainer(w *inventory.Workload, ct inventory.Container, path, message string) {
	c.ReportFinding(Finding{Object: w.Object, Container: ct.Name, Path: path, Message: message})
}

// ReportFinding records a finding with more detail (for example a container
// name or a severity other than the check's default). What f leaves unset
// is taken from the check, and its location from its object's source.
func (c *Context) ReportFinding(f Finding) {
	f.CheckID = c.check.ID
	f.Layer = c.check.Layer
	if f.Severity == Unset {
		f.Severity = c.check.Severity
	}
	if f.Remediation == "" {
		f.Remediation = c.check.Remediation
	}
	if f.Object != nil && f.Location.File == "" {
		f.Location, _ = f.Object.Locate(f.Path)
	}
	c.found.add(f)
}

// PerContainer makes a check's Run function from a rule about one
// container: the rule is called for every container of every workload of
// the inventory and reports through ctx (ReportContainer).
func PerContainer(rule func(ctx *Context, w *inventory.Workload, c inventory.Container)) func(*Context) {
	return PerWorkload(func(ctx *Context, w *inventory.Workload) {
		for _, c := range w.Containers() {
			rule(ctx, w, c)
		}
	})
}

// PerWorkload makes a check's Run function from a rule about one workload
// (a Pod, a PodTemplate or a controller's pod template): the rule is
// called for every workload of the inventory. It stops early when the
// context is cancelled.
func PerWorkload(rule func(ctx *Context, w *inventory.Workload)) func(*Context) {
	return func(ctx *Context) {
		for i, w := range ctx.Inventory.Workloads() {
			if i%cancelStride == 0 && ctx.Err() != nil {
				return
			}
			rule(ctx, w)
		}
	}
}

// cancelStride is how many workloads PerWorkload looks at between two
// looks at the context.
const cancelStride = 256

// Overlay returns base (which may be nil) with set applied to what the
// settings of the checks ids decode to, after base's own values: a flag
// given on the command line over the config file. set receives the
// pointer the check decodes into.
func Overlay(base Settings, set func(out any), ids ...string) Settings {
	return overlay{base: base, set: set, ids: ids}
}

// overlay is the Settings Overlay returns.
type overlay struct {
	base Settings
	set  func(out any)
	ids  []string
}

// Decode decodes base's settings, then applies the overlay.
func (o overlay) Decode(checkID string, out any) error {
	var err error
	if o.base != nil {
		err = o.base.Decode(checkID, out)
	}
	if slices.Contains(o.ids, checkID) {
		o.set(out)
	}
	return err
}
