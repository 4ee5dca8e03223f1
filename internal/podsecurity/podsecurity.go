// Package podsecurity evaluates the workloads of an inventory against the
// Pod Security Standards with the Kubernetes Pod Security Admission
// library (k8s.io/pod-security-admission), telling which PSA check
// forbids what: PSA's own results do not name their check.
package podsecurity

import (
	"fmt"
	"slices"
	"sort"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"

	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/parallel"
)

// Result is a forbidding result of one PSA check.
type Result struct {
	policy.CheckResult
	// ID is the PSA check that forbids.
	ID policy.CheckID
	// Level is the level the PSA check belongs to.
	Level api.Level
}

// Evaluator evaluates the workloads of one inventory. Baseline results,
// which both levels need, are computed once per version, on every CPU.
// It is safe for concurrent use.
type Evaluator struct {
	workloads []*inventory.Workload
	// index finds a workload in workloads.
	index    map[*inventory.Workload]int
	mu       sync.Mutex
	versions map[api.Version]func() *atVersion
}

// atVersion is what the evaluation of every workload at one version starts
// from.
type atVersion struct {
	// baseline holds what the Baseline checks forbid, by workload.
	baseline []baselineOf
	// overridden holds the Baseline checks that the Restricted level
	// replaces (overriddenAt).
	overridden map[policy.CheckID]bool
}

// baselineOf is what the Baseline checks forbid in one workload, and the
// workload's spec as they evaluated it (defaulted).
type baselineOf struct {
	forbidden []Result
	spec      *corev1.PodSpec
}

// New returns the evaluator of inv's workloads.
func New(inv *inventory.Inventory) *Evaluator {
	e := &Evaluator{workloads: inv.Workloads(), index: map[*inventory.Workload]int{}, versions: map[api.Version]func() *atVersion{}}
	for i, w := range e.workloads {
		e.index[w] = i
	}
	return e
}

// Forbidden appends to dst the results of the PSA checks that forbid the
// pods of w, a workload of the inventory, at lv, in PSA's order.
func (e *Evaluator) Forbidden(dst []Result, lv api.LevelVersion, w *inventory.Workload) []Result {
	at := e.at(lv.Version)
	b := at.baseline[e.index[w]]
	if lv.Level != api.LevelRestricted {
		return append(dst, b.forbidden...)
	}
	for _, r := range b.forbidden {
		if !at.overridden[r.ID] {
			dst = append(dst, r)
		}
	}
	return allChecks().evaluate(dst, lv, api.LevelRestricted, w.PodMeta, b.spec)
}

// at returns the start of the evaluation at version v, computed the first
// time it is asked for.
func (e *Evaluator) at(v api.Version) *atVersion {
	e.mu.Lock()
	compute, ok := e.versions[v]
	if !ok {
		compute = sync.OnceValue(func() *atVersion {
			lv := api.LevelVersion{Level: api.LevelBaseline, Version: v}
			out := make([]baselineOf, len(e.workloads))
			parallel.Blocks(len(e.workloads), evaluateBlock, func(lo, hi int) {
				for i := lo; i < hi; i++ {
					spec := Defaulted(e.workloads[i].Spec)
					out[i] = baselineOf{allChecks().evaluate(nil, lv, api.LevelBaseline, e.workloads[i].PodMeta, spec), spec}
				}
			})
			return &atVersion{baseline: out, overridden: overriddenAt(v)}
		})
		e.versions[v] = compute
	}
	e.mu.Unlock()
	return compute()
}

// evaluateBlock is how many workloads one job of the Baseline evaluation
// takes.
const evaluateBlock = 256

// overriddenAt returns the Baseline checks that PSA skips at the
// Restricted level of version v because the variant of a Restricted check
// in force at v overrides them (for example seccompProfile_restricted
// replaces seccompProfile_baseline).
func overriddenAt(v api.Version) map[policy.CheckID]bool {
	out := map[policy.CheckID]bool{}
	for _, c := range policy.DefaultChecks() {
		if c.Level != api.LevelRestricted {
			continue
		}
		var inForce *policy.VersionedCheck
		for i := range c.Versions { // ordered by MinimumVersion
			if !v.Older(c.Versions[i].MinimumVersion) {
				inForce = &c.Versions[i]
			}
		}
		if inForce != nil {
			for _, id := range inForce.OverrideCheckIDs {
				out[id] = true
			}
		}
	}
	return out
}

// Defaulted returns spec as the API server stores it, as far as PSA's
// verdicts depend on it: PSA runs after defaulting, which turns a volume
// without a source into an emptyDir. spec itself is left alone (checks
// share the inventory); a copy is made only when a volume needs it.
func Defaulted(spec *corev1.PodSpec) *corev1.PodSpec {
	sourceless := func(v corev1.Volume) bool { return v.VolumeSource == corev1.VolumeSource{} }
	if !slices.ContainsFunc(spec.Volumes, sourceless) {
		return spec
	}
	out := *spec
	out.Volumes = slices.Clone(spec.Volumes)
	for i := range out.Volumes {
		if sourceless(out.Volumes[i]) {
			out.Volumes[i].EmptyDir = &corev1.EmptyDirVolumeSource{}
		}
	}
	return &out
}

// isolatedCheck is one PSA check with an evaluator that runs only it.
type isolatedCheck struct {
	id    policy.CheckID
	level api.Level
	eval  policy.Evaluator
}

// checks evaluates pods with PSA's default checks, telling which check
// forbade what.
type checks []isolatedCheck

// allChecks is the evaluator of every PSA check, built once.
var allChecks = sync.OnceValue(newChecks)

// newChecks makes one PSA evaluator per check of policy.DefaultChecks.
// Each evaluator holds one check and the checks that may override it,
// which allow every pod: PSA itself still selects the check's variant for
// a level and version, and skips it at Restricted when an overriding
// check applies.
func newChecks() checks {
	defaults := policy.DefaultChecks()
	allow := func(*metav1.ObjectMeta, *corev1.PodSpec) policy.CheckResult { return policy.CheckResult{Allowed: true} }
	out := make(checks, 0, len(defaults))
	for _, only := range defaults {
		isolated := []policy.Check{only}
		for _, c := range defaults {
			if !slices.ContainsFunc(c.Versions, func(v policy.VersionedCheck) bool { return slices.Contains(v.OverrideCheckIDs, only.ID) }) {
				continue
			}
			c.Versions = slices.Clone(c.Versions)
			for k := range c.Versions {
				c.Versions[k].CheckPod = allow
			}
			isolated = append(isolated, c)
		}
		eval, err := policy.NewEvaluator(isolated, nil)
		if err != nil {
			panic(fmt.Sprintf("pod security checks: %v", err))
		}
		out = append(out, isolatedCheck{id: only.ID, level: only.Level, eval: eval})
	}
	// PSA's own order: Baseline checks, then Restricted ones, by ID.
	sort.Slice(out, func(i, j int) bool {
		if out[i].level != out[j].level {
			return out[i].level == api.LevelBaseline
		}
		return out[i].id < out[j].id
	})
	return out
}

// evaluate appends to dst the results of the PSA checks of one level
// (Baseline or Restricted) that forbid the pod at lv.
func (cs checks) evaluate(dst []Result, lv api.LevelVersion, only api.Level, meta *metav1.ObjectMeta, spec *corev1.PodSpec) []Result {
	for _, c := range cs {
		if c.level != only {
			continue
		}
		for _, r := range c.eval.EvaluatePod(lv, meta, spec) {
			if !r.Allowed {
				dst = append(dst, Result{CheckResult: r, ID: c.id, Level: c.level})
			}
		}
	}
	return dst
}
