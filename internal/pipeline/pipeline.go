// Package pipeline is the one way kube4c turns objects into a report:
// sources → inventory → checks → findings → severities and exceptions →
// report. Every door calls it: Scan for the files, the live cluster and a
// node's file system; Review for one object, as an admission request
// brings it. Commands only turn flags into a request, render the report
// and choose the exit code.
package pipeline

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/kube4c/kube4c/internal/audit"
	"github.com/kube4c/kube4c/internal/catalog"
	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/config"
	"github.com/kube4c/kube4c/internal/graph"
	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/rbac"
	"github.com/kube4c/kube4c/internal/rbac/bootstrap"
	"github.com/kube4c/kube4c/internal/report"
	"github.com/kube4c/kube4c/internal/source"
)

// Options are what every door sets alike: which checks run, and how.
type Options struct {
	// Config is the .kube4c.yaml in force; nil for none.
	Config *config.Config
	// Only and Skip are the --checks and --skip-checks lists.
	Only, Skip []string
	// Keep, when set, narrows the selected checks further (kube4c node
	// keeps the checks that decide node configuration).
	Keep func(*check.Check) bool
	// PSSVersion overrides the Pod Security Standards version of the PSS
	// checks ("latest", "v1.30"); empty keeps the config's.
	PSSVersion string
	// VulnsDetail makes image-vulnerability report each vulnerability
	// (scan --vulns-detail) rather than one finding per container.
	VulnsDetail bool
	// KubernetesVersion selects the built-in RBAC objects (the API
	// server's bootstrap policy) of that version ("v1.37"); empty means
	// the newest kube4c ships.
	KubernetesVersion string
	// IncludeBuiltin reports, at info, what those built-in objects grant
	// by design; by default checks say nothing of it.
	IncludeBuiltin bool
	// Now is the time of the scan; zero means the current time.
	Now time.Time
}

// Request is one scan.
type Request struct {
	Options
	// Source reads the objects.
	Source Source
	// Complete says the source holds every object of the cluster, so that
	// references to objects it lacks are reported (scan --complete). A
	// live source that could list every role is complete anyway.
	Complete bool
	// Verdicts asks for the pass, fail or not-applicable outcome of every
	// check in the report (kube4c node).
	Verdicts bool
	// Tool names the program in the report.
	Tool report.Tool
	// FailOn is the severity threshold the report is judged by.
	FailOn check.Severity
	// Prioritize counts each finding's attack paths (kube4c paths) and
	// orders the findings by them, most first (scan --prioritize).
	Prioritize bool
}

// Plan is a scan's selection of checks with their settings, decided
// before any input is read so that a bad flag or config fails at once.
type Plan struct {
	checks   []*check.Check
	settings check.Settings
	config   *config.Config
	now      time.Time
	engines  check.EngineOptions
	builtin  bool
	// oneByOne runs the checks on one goroutine (see check.Env.OneByOne).
	oneByOne bool
	// clock, when set, gives the time of each evaluation (a long-running
	// watcher); otherwise now is the time of every check.
	clock func() time.Time
}

// Checks returns the checks the plan runs.
func (p *Plan) Checks() []*check.Check { return p.checks }

// Config returns the configuration the plan was made with; nil for none.
func (p *Plan) Config() *config.Config { return p.config }

// Severity returns the severity of c's findings: the config's override,
// else the check's own.
func (p *Plan) Severity(c *check.Check) check.Severity { return p.config.Severity(c.ID, c.Severity) }

// Known returns every check and audit-log rule ID a user may write.
func Known() check.Known { return known() }

// known is Known, worked out once: the registries are complete before
// main runs, and a webhook asks for every request.
var known = sync.OnceValue(func() check.Known {
	return check.KnownOf(check.Default.Metas(), audit.Rules.Metas())
})

// NewPlan selects the checks of opts and validates their settings.
func NewPlan(opts Options) (*Plan, error) {
	if err := checksOnly(opts.Only, opts.Skip); err != nil {
		return nil, err
	}
	checks, err := config.Select(opts.Config, check.Default.All(), Known(), opts.Only, opts.Skip)
	if err != nil {
		return nil, err
	}
	if opts.Keep != nil {
		checks = slices.DeleteFunc(checks, func(c *check.Check) bool { return !opts.Keep(c) })
	}
	settings, err := Settings(opts.Config, opts.PSSVersion)
	if opts.VulnsDetail {
		settings = catalog.VulnsDetailSettings(settings)
	}
	if err != nil {
		return nil, err
	}
	if err := ValidateSettings(settings, checkMetas(checks)); err != nil {
		return nil, err
	}
	builtin, err := BuiltinRBAC(opts.KubernetesVersion)
	if err != nil {
		return nil, err
	}
	now := opts.Now
	var clock func() time.Time
	if now.IsZero() {
		now, clock = time.Now(), time.Now
	}
	return &Plan{checks: checks, settings: settings, config: opts.Config, now: now, clock: clock,
		engines: check.EngineOptions{RBAC: rbac.Options{Builtin: builtin}}, builtin: opts.IncludeBuiltin}, nil
}

// BuiltinRBAC returns the built-in RBAC objects of a Kubernetes version
// ("" for the newest), or an error naming the versions kube4c ships.
func BuiltinRBAC(kubernetesVersion string) (*bootstrap.Set, error) {
	minor, err := bootstrap.Resolve(kubernetesVersion)
	if err != nil {
		return nil, fmt.Errorf("--kubernetes-version: %v", err)
	}
	return bootstrap.Load(minor)
}

// checksOnly refuses the audit-log rules among the IDs of --checks and
// --skip-checks: a scan cannot run them, and running nothing in silence
// would pass a gate.
func checksOnly(only, skip []string) error {
	var errs []error
	for _, list := range [][]string{only, skip} {
		for _, id := range list {
			if id = strings.TrimSpace(id); audit.Rules.Get(id) != nil {
				errs = append(errs, fmt.Errorf("%s is an audit-log rule, which kube4c audit analyze and audit serve run, not a check of a scan", id))
			}
		}
	}
	return errors.Join(errs...)
}

// Settings returns the settings checks read: cfg's, with a PSS version
// given on the command line on top.
func Settings(cfg *config.Config, pssVersion string) (check.Settings, error) {
	var settings check.Settings
	if cfg != nil {
		settings = cfg
	}
	if pssVersion == "" {
		return settings, nil
	}
	if err := catalog.ValidatePSSVersion(pssVersion); err != nil {
		return nil, fmt.Errorf("--pss-version: %v", err)
	}
	return catalog.PSSVersionSettings(settings, pssVersion), nil
}

// ValidateSettings has each of checks validate its settings.
func ValidateSettings(settings check.Settings, checks []*check.Meta) error {
	var errs []error
	for _, c := range checks {
		if c.ValidateSettings != nil {
			if err := c.ValidateSettings(settings); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

func checkMetas(checks []*check.Check) []*check.Meta {
	out := make([]*check.Meta, len(checks))
	for i, c := range checks {
		out[i] = &c.Meta
	}
	return out
}

// Scan reads req's source and checks it. The error is for what stops the
// scan (a bad flag or config, a cluster that cannot be reached, ctx
// cancelled); a document that could not be read is an input error in the
// report, and the other documents are still checked.
func Scan(ctx context.Context, req Request) (*report.Report, error) {
	plan, err := NewPlan(req.Options)
	if err != nil {
		return nil, err
	}
	return plan.Scan(ctx, req)
}

// Scan is Scan with the checks already planned.
func (p *Plan) Scan(ctx context.Context, req Request) (*report.Report, error) {
	start := time.Now()
	a, err := p.analyze(ctx, req, req.Verdicts)
	if err != nil {
		return nil, err
	}
	in := a.Input
	slog.Debug("checked", "checks", len(p.checks), "findings", len(a.Kept), "suppressed", len(a.Suppressed), "elapsed", time.Since(start))
	if req.Prioritize {
		if err := prioritize(a); err != nil {
			return nil, err
		}
	}
	rep := &report.Report{
		Tool:       req.Tool,
		Findings:   a.Kept,
		Suppressed: a.Suppressed,
		Checks:     p.checks,
		Errors:     in.Errors,
		Warnings:   slices.Concat(in.Warnings, duplicateWarnings(a.Inventory), annotationProblems(a.Inventory)),
		Skipped:    in.Skipped,
		Failures:   a.Failures,
		Files:      in.Files,
		Documents:  in.Documents,
		Objects:    len(in.Objects),
		FailOn:     req.FailOn,
		Coverage:   in.Coverage,
	}
	if a.verdicts != nil {
		rep.Verdicts = a.verdicts.Outcomes(p.checks, a.Kept, a.Suppressed)
	}
	rep.Findings, rep.Suppressed = p.fold(a.Kept), p.fold(a.Suppressed)
	if req.Prioritize {
		byPaths := func(a, b *check.Finding) int { return cmp.Compare(b.AttackPaths, a.AttackPaths) }
		slices.SortStableFunc(rep.Findings, byPaths)
		slices.SortStableFunc(rep.Suppressed, byPaths)
	}
	return rep, nil
}

// prioritize counts, for every finding, the attack paths (kube4c paths,
// default entries and targets) that take a step it makes.
func prioritize(a *Analysis) error {
	all := slices.Concat(a.Kept, a.Suppressed)
	g := graph.Build(a.Inventory, a.Engines, all)
	paths, err := g.Paths(graph.Options{})
	if err != nil {
		return err
	}
	counts := g.PathCounts(paths)
	for _, f := range all {
		f.AttackPaths = counts[graph.FixKey(f)]
	}
	return nil
}

// Analysis is what a scan knows before it reports: the objects, their
// engines and every finding, before findings of one root cause are
// folded into one. kube4c paths builds its graph from it.
type Analysis struct {
	Input     *Input
	Inventory *inventory.Inventory
	Engines   *check.Engines
	// Kept and Suppressed are the findings, exceptions applied.
	Kept, Suppressed []*check.Finding
	Failures         []check.Failure

	verdicts *check.Verdicts // collected when the request asks for them
}

// Analyze reads the source and runs the plan's checks, keeping the
// inventory and its engines.
func (p *Plan) Analyze(ctx context.Context, req Request) (*Analysis, error) {
	return p.analyze(ctx, req, false)
}

// analyze is Analyze, collecting the checks' verdicts when asked.
func (p *Plan) analyze(ctx context.Context, req Request, verdicts bool) (*Analysis, error) {
	in, err := req.Source.Load(ctx)
	if err != nil {
		return nil, err
	}
	slog.Debug("loaded", "files", in.Files, "documents", in.Documents, "objects", len(in.Objects), "errors", len(in.Errors))
	if in.Coverage != nil {
		in.Coverage.Incomplete = incompleteChecks(in.Coverage, p.checks)
	}
	a := &Analysis{Input: in, Inventory: inventory.New(in.Objects)}
	a.Engines = check.NewEngines(a.Inventory, p.engines)
	if verdicts {
		a.verdicts = &check.Verdicts{}
	}
	a.Kept, a.Suppressed, a.Failures, err = p.check(ctx, a.Inventory, req.Complete || rolesCollected(in.Coverage), a.Engines, a.verdicts)
	return a, err
}

// check runs the plan's checks over inv and applies severities and
// exceptions. engines may be nil.
func (p *Plan) check(ctx context.Context, inv *inventory.Inventory, complete bool, engines *check.Engines, verdicts *check.Verdicts) (kept, suppressed []*check.Finding, failures []check.Failure, err error) {
	exceptions := p.config.ExceptionList()
	env := check.Env{Settings: p.settings, Exceptions: exceptions, Now: p.now, Complete: complete, Engines: engines, EngineOptions: p.engines,
		IncludeBuiltin: p.builtin, Verdicts: verdicts, OneByOne: p.oneByOne}
	findings, failures, err := check.Run(ctx, inv, p.checks, env)
	if err != nil {
		return nil, nil, nil, err
	}
	p.config.ApplySeverities(findings)
	kept = findings
	if check.MayApplyExceptions(inv, exceptions) {
		kept, suppressed = check.ApplyExceptions(findings, exceptions, p.now)
	}
	return kept, suppressed, failures, nil
}

// duplicateWarnings returns one warning for each object defined more than
// once, at its last definition (the one that counts where one object is
// needed), naming where the first others are.
func duplicateWarnings(inv *inventory.Inventory) []source.Problem {
	var out []source.Problem
	for _, group := range inv.Duplicates() {
		last := group[len(group)-1]
		var others []string
		for _, o := range group[:min(len(group)-1, maxPlacesNamed)] {
			loc, _ := o.Locate("")
			others = append(others, loc.String())
		}
		if more := len(group) - 1 - len(others); more > 0 {
			others = append(others, fmt.Sprintf("%d more places", more))
		}
		loc, _ := last.Locate("")
		out = append(out, source.Problem{Location: loc, Object: last.Ref().String(), Message: "also defined at " + strings.Join(others, ", ") +
			": each definition is checked on its own; where one object is needed (an RBAC role, a ServiceAccount), the last one read counts"})
	}
	return out
}

// maxPlacesNamed is how many other definitions a duplicate warning names.
const maxPlacesNamed = 3

// fold reports the findings of one root cause as one (check.Fold), after
// severities, exceptions and verdicts have seen each.
func (p *Plan) fold(findings []*check.Finding) []*check.Finding {
	return check.FoldFindings(findings, p.checks)
}

// annotationProblems returns the problems of the ignore annotations of
// inv's objects, as input warnings.
func annotationProblems(inv *inventory.Inventory) []source.Problem {
	var out []source.Problem
	for _, p := range check.AnnotationProblems(inv, Known()) {
		out = append(out, source.Problem{Location: p.Location, Object: p.Object.Ref().String(), Message: p.Message})
	}
	return out
}

// incompleteChecks returns the checks that read a kind that was not
// collected.
func incompleteChecks(cov *report.Coverage, checks []*check.Check) []report.IncompleteCheck {
	var missing []string
	for _, r := range cov.NotCollected() {
		missing = append(missing, r.Kind)
	}
	var out []report.IncompleteCheck
	for _, c := range checks {
		var gaps []string
		for _, kind := range missing {
			if c.ReadsKind(kind) && !slices.Contains(gaps, kind) {
				gaps = append(gaps, kind)
			}
		}
		if len(gaps) > 0 {
			sort.Strings(gaps)
			out = append(out, report.IncompleteCheck{CheckID: c.ID, Missing: gaps})
		}
	}
	return out
}

// rolesCollected reports whether a live source listed every Role and
// ClusterRole, so that a binding to a role it lacks names a role that
// does not exist.
func rolesCollected(cov *report.Coverage) bool {
	if cov == nil {
		return false
	}
	collected := 0
	for _, r := range cov.Resources {
		if r.Kind == "Role" || r.Kind == "ClusterRole" {
			if r.State != "collected" {
				return false
			}
			collected++
		}
	}
	return collected == 2
}
