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
	results := make([]findingBuffer, len(checks))
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

	var chunks [][]Finding
	var failed []Failure
	for i := range results {
		chunks = append(chunks, results[i].chunks...)
		if failures[i] != nil {
			failed = append(failed, Failure{CheckID: checks[i].ID, Err: failures[i]})
		}
	}
	locateChunks(chunks)
	return sortedChunks(chunks), failed
}

// findingBuffer collects the findings of one check in chunks that are
// never copied as they grow: a large scan moves each finding once, into
// the sorted result.
type findingBuffer struct {
	chunks [][]Finding
}

// Chunk sizes of a findingBuffer: small for the many checks that find
// little, growing for the few that find much.
const (
	firstChunk = 16
	maxChunk   = 4096
)

func (b *findingBuffer) add(f Finding) {
	n := len(b.chunks)
	if n == 0 || len(b.chunks[n-1]) == cap(b.chunks[n-1]) {
		size := firstChunk
		if n > 0 {
			size = min(2*cap(b.chunks[n-1]), maxChunk)
		}
		b.chunks = append(b.chunks, make([]Finding, 0, size))
		n++
	}
	b.chunks[n-1] = append(b.chunks[n-1], f)
}

func runOne(inv *inventory.Inventory, c *Check, env Env) (found findingBuffer, err error) {
	if c.Run == nil {
		// An audit-log rule: it has nothing to say about an inventory.
		return found, nil
	}
	start := time.Now()
	defer func() {
		n := 0
		for _, ch := range found.chunks {
			n += len(ch)
		}
		slog.Debug("check ran", "check", c.ID, "findings", n, "elapsed", time.Since(start))
	}()
	defer func() {
		if r := recover(); r != nil {
			found = findingBuffer{}
			err = fmt.Errorf("check %s panicked: %v\n%s", c.ID, r, debug.Stack())
		}
	}()
	var verdicts []Verdict
	ctx := &Context{Inventory: inv, Settings: env.Settings, Exceptions: env.Exceptions, Now: env.Now, Complete: env.Complete, check: c, emit: found.add}
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
	var chunks [][]Finding
	for start := 0; start < len(findings); start += chunk {
		chunks = append(chunks, findings[start:min(start+chunk, len(findings))])
	}
	locateChunks(chunks)
}

// locateChunks is Locate over several slices, the slices shared out among
// the CPUs.
func locateChunks(chunks [][]Finding) {
	next := make(chan []Finding, len(chunks))
	for _, c := range chunks {
		next <- c
	}
	close(next)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(chunks)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for part := range next {
				for i := range part {
					f := &part[i]
					if f.Object != nil && f.Location.File == "" {
						f.Location, _ = f.Object.Locate(f.Path)
					}
				}
			}
		}()
	}
	wg.Wait()
}

// Sort orders findings by file, line, column, check ID, object and path.
func Sort(findings []Finding) { copy(findings, sortedChunks([][]Finding{findings})) }

// sortedChunks returns the findings of chunks in the order of Sort, in a
// new slice. It sorts compact keys rather than the findings themselves,
// which are large to move.
func sortedChunks(chunks [][]Finding) []Finding {
	type key struct {
		file, line, col int32
		index           int32
	}
	var all []*Finding
	for _, c := range chunks {
		for i := range c {
			all = append(all, &c[i])
		}
	}
	files := map[string]int32{}
	last := ""
	for _, f := range all {
		if name := f.Location.File; name != last || len(files) == 0 {
			files[name], last = 0, name
		}
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for rank, name := range names {
		files[name] = int32(rank)
	}
	keys := make([]key, len(all))
	rank, last := int32(0), ""
	for i, f := range all {
		l := &f.Location
		if l.File != last || i == 0 {
			rank, last = files[l.File], l.File
		}
		keys[i] = key{file: rank, line: int32(l.Line), col: int32(l.Column), index: int32(i)}
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
		a, b := all[x.index], all[y.index]
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
	out := make([]Finding, len(all))
	for i, k := range keys {
		out[i] = *all[k.index]
	}
	return out
}

func refString(f *Finding) string {
	if f.Object == nil {
		return ""
	}
	return f.Object.Ref().String()
}
