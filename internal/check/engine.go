package check

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"sort"
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

	var all []Finding
	var failed []Failure
	for i, r := range results {
		all = append(all, r...)
		if failures[i] != nil {
			failed = append(failed, Failure{CheckID: checks[i].ID, Err: failures[i]})
		}
	}
	Locate(all)
	Sort(all)
	return all, failed
}

func runOne(inv *inventory.Inventory, c *Check, env Env) (found []Finding, err error) {
	defer func() {
		if r := recover(); r != nil {
			found = nil
			err = fmt.Errorf("check %s panicked: %v\n%s", c.ID, r, debug.Stack())
		}
	}()
	ctx := &Context{Inventory: inv, Settings: env.Settings, Exceptions: env.Exceptions, Now: env.Now, Complete: env.Complete, check: c, emit: func(f Finding) { found = append(found, f) }}
	c.Run(ctx)
	return found, nil
}

// Locate fills in the Location of findings that have an object from a file.
func Locate(findings []Finding) {
	for i := range findings {
		f := &findings[i]
		if f.Object != nil && f.Location.File == "" {
			f.Location, _ = f.Object.Locate(f.Path)
		}
	}
}

// Sort orders findings by file, line, column, check ID, object and path.
func Sort(findings []Finding) {
	sort.SliceStable(findings, func(i, j int) bool {
		a, b := &findings[i], &findings[j]
		if a.Location.File != b.Location.File {
			return a.Location.File < b.Location.File
		}
		if a.Location.Line != b.Location.Line {
			return a.Location.Line < b.Location.Line
		}
		if a.Location.Column != b.Location.Column {
			return a.Location.Column < b.Location.Column
		}
		if a.CheckID != b.CheckID {
			return a.CheckID < b.CheckID
		}
		if ra, rb := refString(a), refString(b); ra != rb {
			return ra < rb
		}
		return a.Path < b.Path
	})
}

func refString(f *Finding) string {
	if f.Object == nil {
		return ""
	}
	return f.Object.Ref().String()
}
