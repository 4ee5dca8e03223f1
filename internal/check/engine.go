package check

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"maps"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/parallel"
)

// Failure records a check that panicked. The other checks still run.
type Failure struct {
	CheckID string
	Err     error
}

// Env is what checks may read beside the inventory.
type Env struct {
	Settings   Settings
	Exceptions []Exception
	Now        time.Time
	// Complete says the inventory holds every object of the cluster (a
	// live scan, or scan --complete on files), so an object it lacks does
	// not exist.
	Complete bool
	// IncludeBuiltin: see Context.IncludeBuiltin.
	IncludeBuiltin bool
	// Engines are the inventory's shared engines; nil builds new ones for
	// this run, with EngineOptions.
	Engines       *Engines
	EngineOptions EngineOptions
	// Verdicts, when set, collects the passes and not-applicables checks
	// record.
	Verdicts *Verdicts
	// OneByOne runs the checks one after the other on the caller's
	// goroutine: for a small inventory among many served at once (an
	// admission review), where spreading one over every CPU only adds
	// scheduling.
	OneByOne bool
}

// Run runs checks over inv, in parallel, and returns their findings in a
// stable order: by file, line, column, check ID, object and field path,
// and otherwise in the order the checks reported them. A check that
// panics is reported as a Failure and yields no findings. When ctx is
// cancelled, Run returns its error and no findings.
func Run(ctx context.Context, inv *inventory.Inventory, checks []*Check, env Env) ([]*Finding, []Failure, error) {
	if env.Engines == nil {
		env.Engines = NewEngines(inv, env.EngineOptions)
	}
	found := make([]findingList, len(checks))
	failures := make([]error, len(checks))
	// More workers than CPUs: a check waiting for an engine another check
	// is building leaves its CPU to the others.
	workers := checkWorkersPerCPU * runtime.GOMAXPROCS(0)
	if env.OneByOne {
		workers = 1
	}
	parallel.ForWith(workers, len(checks), func(i int) {
		if ctx.Err() == nil {
			found[i], failures[i] = runOne(ctx, inv, checks[i], env)
		}
	})
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	var failed []Failure
	for i, err := range failures {
		if err != nil {
			failed = append(failed, Failure{CheckID: checks[i].ID, Err: err})
		}
	}
	return sortFindings(found), failed, nil
}

// checkWorkersPerCPU is how many checks run at once per CPU.
const checkWorkersPerCPU = 4

// runOne runs check c and returns its findings, or its panic as an error.
func runOne(parent context.Context, inv *inventory.Inventory, c *Check, env Env) (found findingList, err error) {
	start := time.Now()
	ctx := &Context{Context: parent, Inventory: inv, Settings: env.Settings, Exceptions: env.Exceptions, Now: env.Now,
		Complete: env.Complete, IncludeBuiltin: env.IncludeBuiltin, engines: env.Engines, check: c}
	var verdicts []Verdict
	if env.Verdicts != nil {
		ctx.verdicts = &verdicts
	}
	defer func() {
		if r := recover(); r != nil {
			found, err = findingList{}, fmt.Errorf("check %s panicked: %v\n%s", c.ID, r, debug.Stack())
		}
		slog.Debug("check ran", "check", c.ID, "findings", found.len(), "elapsed", time.Since(start))
	}()
	// The label attributes CPU profile samples to the check (pprof -tags).
	pprof.Do(parent, pprof.Labels("check", c.ID), func(context.Context) { c.Run(ctx) })
	if env.Verdicts != nil {
		env.Verdicts.add(verdicts)
	}
	return ctx.found, nil
}

// sortFindings returns pointers to the findings of every check (found[i]
// holds those of the i-th check, in the order it reported them), sorted
// by file, then line, column, check ID, object and path; findings equal
// in all of these keep their order. Each file's findings are sorted on
// their own, files on every CPU.
func sortFindings(found []findingList) []*Finding {
	byFile := map[string][]*Finding{}
	total := 0
	for _, list := range found {
		total += list.len()
		list.all(func(f *Finding) { byFile[f.Location.File] = append(byFile[f.Location.File], f) })
	}
	files := slices.Sorted(maps.Keys(byFile))
	parallel.For(len(files), func(i int) { slices.SortStableFunc(byFile[files[i]], compareFindings) })
	out := make([]*Finding, 0, total)
	for _, name := range files {
		out = append(out, byFile[name]...)
	}
	return out
}

// compareFindings orders two findings of one file.
func compareFindings(a, b *Finding) int {
	if c := cmp.Or(cmp.Compare(a.Location.Line, b.Location.Line), cmp.Compare(a.Location.Column, b.Location.Column),
		strings.Compare(a.CheckID, b.CheckID)); c != 0 {
		return c
	}
	if c := inventory.CompareObjects(a.Object, b.Object); c != 0 {
		return c
	}
	return strings.Compare(a.Path, b.Path)
}
