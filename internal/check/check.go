// Package check defines what a check is, what it reports and how the
// registered checks run over an inventory.
package check

import (
	"time"

	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/parallel"
	"github.com/kube4c/kube4c/internal/position"
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

// Check is the metadata of one check plus the function that runs it.
type Check struct {
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
	// Reads lists the kinds of objects the check reads. Nil means the
	// workload kinds (inventory.WorkloadKinds). A live scan that could not
	// list one of them marks the check incomplete.
	Reads []string `json:"reads,omitempty"`
	// DisabledByDefault marks checks that run only when enabled in the config.
	DisabledByDefault bool `json:"disabledByDefault,omitempty"`
	// Run inspects the inventory and reports findings. It is nil for
	// audit-log rules and for checks that set Containers.
	Run func(ctx *Context) `json:"-"`
	// Containers, set instead of Run, returns the rule to call for every
	// container of every workload (the context gives the inventory and
	// settings), or nil when there is nothing to check. The engine runs
	// all such checks together, a block of workloads at a time, so that
	// each workload is read from memory once rather than once per check.
	Containers func(ctx *Context) ContainerRule `json:"-"`
	// Audit, set instead of Run for audit-log rules, returns the evaluator
	// of one stream of audit events, configured with the check's settings.
	// Scans of an inventory skip these checks; kube4c audit runs them.
	Audit func(s Settings) EventRule `json:"-"`
	// ValidateSettings, when set, checks the check's settings before a scan,
	// so that a bad value is a configuration error rather than a failed check.
	ValidateSettings func(s Settings) error `json:"-"`
}

// ContainerRule inspects one container of a workload and reports as many
// findings as it needs through report.
type ContainerRule func(w *inventory.Workload, c inventory.Container, report func(path, message string))

// Context is what a check's Run function receives.
type Context struct {
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
	check    *Check
	found    *findingBuffer
	record   func(Verdict)
}

// Report records a finding of the running check about obj at the field
// path (in field.Path notation, e.g. "spec.containers[0].image"; empty for
// the object itself). Severity and remediation come from the check; the
// engine resolves the file position.
func (c *Context) Report(obj *inventory.Object, path string, message string) {
	c.ReportFinding(Finding{Object: obj, Path: path, Message: message})
}

// ReportFinding records a finding with more detail (for example a container
// name or a severity other than the check's default).
func (c *Context) ReportFinding(f Finding) {
	c.complete(c.found.add(f))
}

// complete fills in what f takes from the running check.
func (c *Context) complete(f *Finding) {
	f.CheckID = c.check.ID
	f.Layer = c.check.Layer
	if f.Severity == Unset {
		f.Severity = c.check.Severity
	}
	if f.Remediation == "" {
		f.Remediation = c.check.Remediation
	}
}

// ReportInBlocks lets a check that does much work per item spread it over
// every CPU: it calls fn for consecutive blocks [lo, hi) of at most size
// of the items 0..n-1, in parallel, and records what each block reports
// through its report function (as ReportFinding would) in block order, so
// that the findings come out as if the blocks had run one after the
// other. fn must be safe to run concurrently with itself and must report
// only through report.
func (c *Context) ReportInBlocks(n, size int, fn func(lo, hi int, report func(Finding))) {
	blocks := make([]findingBuffer, (n+size-1)/size)
	parallel.Blocks(n, size, func(lo, hi int) {
		found := &blocks[lo/size]
		fn(lo, hi, func(f Finding) { c.complete(found.add(f)) })
		// Located now, while the block's objects are in the CPU cache.
		found.locate(&position.Cursor{})
	})
	for _, b := range blocks {
		c.found.join(b)
	}
}

// Settings gives checks their configuration. The zero value means defaults.
type Settings interface {
	// Decode fills out with the check's settings, if any are configured.
	Decode(checkID string, out any) error
}

// ReadKinds returns the kinds the check reads.
func (c *Check) ReadKinds() []string {
	if c.Reads == nil {
		return inventory.WorkloadKinds
	}
	return c.Reads
}
