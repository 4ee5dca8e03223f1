package check

import (
	"cmp"
	"fmt"
	"log/slog"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kube4c/kube4c/internal/inventory"
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
	// Verdicts, when set, collects the passes and not-applicables checks
	// record.
	Verdicts *Verdicts
}

// Run runs checks over inv, in parallel, and returns their findings with
// locations resolved, in a stable order (file, line, column, check ID).
// A check that panics is reported as a Failure and yields no findings.
func Run(inv *inventory.Inventory, checks []*Check, env Env) ([]Finding, []Failure) {
	results := make([][]Finding, len(checks))
	failures := make([]error, len(checks))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(runtime.GOMAXPROCS(0), max(len(checks), 1)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				results[i], failures[i] = runOne(inv, checks[i], env)
			}
		}()
	}
	for i := range checks {
		jobs <- i
	}
	close(jobs)
	wg.Wait()

	total := 0
	for _, r := range results {
		total += len(r)
	}
	all := make([]Finding, 0, total)
	var failed []Failure
	for i, r := range results {
		all = append(all, r...)
		if failures[i] != nil {
			failed = append(failed, Failure{CheckID: checks[i].ID, Err: failures[i]})
		}
	}
	Locate(all)
	return sorted(all), failed
}

func runOne(inv *inventory.Inventory, c *Check, env Env) (found []Finding, err error) {
	if c.Run == nil {
		// An audit-log rule: it has nothing to say about an inventory.
		return nil, nil
	}
	start := time.Now()
	defer func() {
		slog.Debug("check ran", "check", c.ID, "findings", len(found), "elapsed", time.Since(start))
	}()
	defer func() {
		if r := recover(); r != nil {
			found = nil
			err = fmt.Errorf("check %s panicked: %v\n%s", c.ID, r, debug.Stack())
		}
	}()
	var verdicts []Verdict
	ctx := &Context{Inventory: inv, Settings: env.Settings, Exceptions: env.Exceptions, Now: env.Now, Complete: env.Complete, check: c, emit: func(f Finding) { found = append(found, f) }}
	if env.Verdicts != nil {
		ctx.record = func(v Verdict) { verdicts = append(verdicts, v) }
	}
	c.Run(ctx)
	if env.Verdicts != nil {
		env.Verdicts.add(verdicts)
	}
	return found, nil
}

// Locate fills in the Location of findings that have an object from a
// file, using every CPU.
func Locate(findings []Finding) {
	workers := runtime.GOMAXPROCS(0)
	chunk := (len(findings) + workers - 1) / max(workers, 1)
	var wg sync.WaitGroup
	for start := 0; start < len(findings); start += chunk {
		part := findings[start:min(start+chunk, len(findings))]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range part {
				f := &part[i]
				if f.Object != nil && f.Location.File == "" {
					f.Location, _ = f.Object.Locate(f.Path)
				}
			}
		}()
	}
	wg.Wait()
}

// Sort orders findings by file, line, column, check ID, object and path.
func Sort(findings []Finding) { copy(findings, sorted(findings)) }

// sorted returns findings in the order of Sort, in a new slice. It sorts
// compact keys rather than the findings themselves, which are large to
// move.
func sorted(findings []Finding) []Finding {
	type key struct {
		file, line, col int32
		index           int32
	}
	files := map[string]int32{}
	for i := range findings {
		files[findings[i].Location.File] = 0
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for rank, name := range names {
		files[name] = int32(rank)
	}
	keys := make([]key, len(findings))
	for i := range findings {
		l := &findings[i].Location
		keys[i] = key{file: files[l.File], line: int32(l.Line), col: int32(l.Column), index: int32(i)}
	}
	slices.SortFunc(keys, func(x, y key) int {
		if c := cmp.Compare(x.file, y.file); c != 0 {
			return c
		}
		if c := cmp.Compare(x.line, y.line); c != 0 {
			return c
		}
		if c := cmp.Compare(x.col, y.col); c != 0 {
			return c
		}
		a, b := &findings[x.index], &findings[y.index]
		if c := strings.Compare(a.CheckID, b.CheckID); c != 0 {
			return c
		}
		if a.Object != b.Object {
			if c := strings.Compare(refString(a), refString(b)); c != 0 {
				return c
			}
		}
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return cmp.Compare(x.index, y.index) // keeps equal findings in run order
	})
	out := make([]Finding, len(findings))
	for i, k := range keys {
		out[i] = findings[k.index]
	}
	return out
}

func refString(f *Finding) string {
	if f.Object == nil {
		return ""
	}
	return f.Object.Ref().String()
}
