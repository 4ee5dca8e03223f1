package check

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/parallel"
	"github.com/kube4c/kube4c/internal/source/position"
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
// The findings are returned by pointer: a large scan has hundreds of
// thousands, and sorting them moves only pointers.
func Run(inv *inventory.Inventory, checks []*Check, env Env) ([]*Finding, []Failure) {
	results := make([]findingBuffer, len(checks))
	failures := make([]error, len(checks))
	var fused []int // the checks that set Containers run in one pass
	var fusedChecks []*Check
	for i, c := range checks {
		if c.Containers != nil {
			fused = append(fused, i)
			fusedChecks = append(fusedChecks, c)
		}
	}
	// More workers than CPUs: a check waiting for an index another check
	// is building (netpol.For, rbac.For) then leaves its CPU to others.
	workers := min(checkWorkersPerCPU*runtime.GOMAXPROCS(0), max(len(checks), 1))
	pass := newContainerPass(inv, fusedChecks, env, workers)
	// Jobs below len(checks) run one check; the others one block of the
	// container pass.
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for job := range jobs {
				if job >= len(checks) {
					pass.runBlock(job-len(checks), w)
					continue
				}
				results[job], failures[job] = runOne(inv, checks[job], env)
			}
		}()
	}
	for i, c := range checks {
		if c.Containers == nil {
			jobs <- i
		}
	}
	for b := range pass.blocks() {
		jobs <- len(checks) + b
	}
	close(jobs)
	wg.Wait()
	for k, i := range fused {
		results[i], failures[i] = pass.result(k)
	}

	slog.Debug("checks ran", "checks", len(checks))
	var failed []Failure
	for i := range results {
		if failures[i] != nil {
			failed = append(failed, Failure{CheckID: checks[i].ID, Err: failures[i]})
		}
	}
	return sortedResults(checks, results), failed
}

// checkWorkersPerCPU is how many checks run at once per CPU.
const checkWorkersPerCPU = 4

// findingBuffer collects the findings of one check in chunks that are
// never copied as they grow: a large scan moves each finding once, into
// the sorted result.
type findingBuffer struct {
	chunks [][]Finding
	// located[i] is how many findings at the start of chunks[i] locate
	// has seen (none when i is past its end).
	located []int
	// slab, while set, gives the buffer its chunks (see findingSlab).
	slab *findingSlab
}

// Chunk sizes of a findingBuffer: small for the many checks that find
// little, growing for the few that find much.
const (
	firstChunk = 16
	maxChunk   = 4096
)

// findingSlab is memory for the findings of buffers that are filled one
// after the other, as the checks of the container pass are on one worker.
// A buffer attached to it (findingBuffer.fillFrom) writes at the start of
// its free part and, once detached, keeps just what it used: no chunk is
// left part empty, where a buffer of its own wastes a quarter of its
// memory on average.
type findingSlab struct {
	free []Finding
}

func (b *findingBuffer) add(f Finding) {
	n := len(b.chunks)
	if n == 0 || len(b.chunks[n-1]) == cap(b.chunks[n-1]) {
		b.chunks = append(b.chunks, b.newChunk())
		n++
	}
	b.chunks[n-1] = append(b.chunks[n-1], f)
}

// newChunk returns an empty chunk to append findings to.
func (b *findingBuffer) newChunk() []Finding {
	n := len(b.chunks)
	if b.slab == nil {
		size := firstChunk
		if n > 0 {
			size = min(2*cap(b.chunks[n-1]), maxChunk)
		}
		return make([]Finding, 0, size)
	}
	if n > 0 && b.slab.holds(b.chunks[n-1]) {
		b.slab.free = nil // the last chunk took all of it
	}
	if len(b.slab.free) == 0 {
		b.slab.free = make([]Finding, maxChunk)
	}
	return b.slab.free[:0]
}

// holds reports whether chunk is the one the slab last gave out: it
// starts where the slab's free part does.
func (s *findingSlab) holds(chunk []Finding) bool {
	return cap(chunk) > 0 && cap(chunk) == cap(s.free) && &chunk[:1][0] == &s.free[:1][0]
}

// fillFrom attaches the buffer to slab until detach.
func (b *findingBuffer) fillFrom(slab *findingSlab) { b.slab = slab }

// detach leaves the slab's memory after the buffer's last chunk free for
// the next buffer, and the buffer on its own.
func (b *findingBuffer) detach() {
	if b.slab == nil {
		return
	}
	if n := len(b.chunks); n > 0 && b.slab.holds(b.chunks[n-1]) {
		last := b.chunks[n-1]
		b.chunks[n-1] = last[:len(last):len(last)]
		b.slab.free = b.slab.free[len(last):]
	}
	b.slab = nil
}

// locate locates the buffer's findings through c.
func (b *findingBuffer) locate(c *position.Cursor) {
	for i, chunk := range b.chunks {
		for j := range chunk[b.seen(i):] {
			chunk[b.seen(i)+j].locate(c)
		}
	}
	b.located = b.located[:0]
	for _, chunk := range b.chunks {
		b.located = append(b.located, len(chunk))
	}
}

// seen returns how many findings of chunk i locate has seen.
func (b *findingBuffer) seen(i int) int {
	if i < len(b.located) {
		return b.located[i]
	}
	return 0
}

// join appends the chunks of o to the buffer.
func (b *findingBuffer) join(o findingBuffer) {
	for len(b.located) < len(b.chunks) {
		b.located = append(b.located, 0)
	}
	for i := range o.chunks {
		b.located = append(b.located, o.seen(i))
	}
	b.chunks = append(b.chunks, o.chunks...)
}

func runOne(inv *inventory.Inventory, c *Check, env Env) (found findingBuffer, err error) {
	if c.Run == nil {
		// An audit-log rule: it has nothing to say about an inventory.
		return found, nil
	}
	start := time.Now()
	defer func() { logCheckRan(c, found, time.Since(start)) }()
	defer func() {
		if r := recover(); r != nil {
			found = findingBuffer{}
			err = fmt.Errorf("check %s panicked: %v\n%s", c.ID, r, debug.Stack())
		}
	}()
	var verdicts []Verdict
	ctx := env.context(inv, c, &found)
	if env.Verdicts != nil {
		ctx.record = func(v Verdict) { verdicts = append(verdicts, v) }
	}
	// The label attributes CPU profile samples to the check (pprof -tags).
	pprof.Do(context.Background(), pprof.Labels("check", c.ID), func(context.Context) { c.Run(ctx) })
	if env.Verdicts != nil {
		env.Verdicts.add(verdicts)
	}
	return found, nil
}

// context returns the Context a check runs with, its findings going to
// found.
func (env Env) context(inv *inventory.Inventory, c *Check, found *findingBuffer) *Context {
	return &Context{Inventory: inv, Settings: env.Settings, Exceptions: env.Exceptions, Now: env.Now, Complete: env.Complete, check: c, found: found}
}

// logCheckRan logs, at debug level, what a check found and the time it
// took.
func logCheckRan(c *Check, found findingBuffer, spent time.Duration) {
	n := 0
	for _, ch := range found.chunks {
		n += len(ch)
	}
	slog.Debug("check ran", "check", c.ID, "findings", n, "elapsed", spent)
}

// locateAll fills in the Location of the findings that have an object
// from a file and no location yet, on every CPU. It looks up the findings
// of one object one after the other, which keeps the object's position
// index in the CPU's cache.
func locateAll(all []*Finding) {
	var pending []*Finding
	for _, f := range all {
		if f.unlocated() {
			pending = append(pending, f)
		}
	}
	order, _ := GroupByObject(pending)
	const batch = 4096
	parallel.Blocks(len(order), batch, func(lo, hi int) {
		var c position.Cursor
		for _, i := range order[lo:hi] {
			pending[i].locate(&c)
		}
	})
}

// sortKey is what the findings of one file are sorted by, compactly:
// findings are large and their fields far apart in memory.
type sortKey struct {
	// pos is the line in the high and the column in the low 32 bits.
	pos uint64
	// check ranks the check ID among the checks of the run.
	check int32
	// index is the finding's position in the run's list.
	index int32
}

// sortedResults returns the findings of every check's buffer ordered by
// file, line, column, check ID, object and path; checks[i] made
// results[i].
func sortedResults(checks []*Check, results []findingBuffer) []*Finding {
	ranks := checkRanks(checks)
	total := 0
	for i := range results {
		for _, chunk := range results[i].chunks {
			total += len(chunk)
		}
	}
	all := make([]*Finding, 0, total)
	checkOf := make([]int32, 0, total)
	var pending []*Finding // not located by their check's pass
	for i := range results {
		for k, chunk := range results[i].chunks {
			for j := range chunk {
				all = append(all, &chunk[j])
				checkOf = append(checkOf, ranks[i])
			}
			for j := range chunk[results[i].seen(k):] {
				pending = append(pending, &chunk[results[i].seen(k)+j])
			}
		}
	}
	locateAll(pending)
	slog.Debug("findings located", "findings", len(all))

	// One pass over the findings: number the files in order of appearance
	// (neighbouring findings are mostly in one file, so the map is only
	// asked when the file changes) and take the positions.
	fileIDs := map[string]int32{}
	var names []string
	var perID []int
	fileOf := make([]int32, len(all))
	pos := make([]uint64, len(all))
	last, lastSeen, id := "", false, int32(0)
	for i, f := range all {
		if name := f.Location.File; !lastSeen || name != last {
			var ok bool
			if id, ok = fileIDs[name]; !ok {
				id = int32(len(names))
				fileIDs[name] = id
				names = append(names, name)
				perID = append(perID, 0)
			}
			last, lastSeen = name, true
		}
		fileOf[i] = id
		perID[id]++
		pos[i] = uint64(uint32(f.Location.Line))<<32 | uint64(uint32(f.Location.Column))
	}
	// Files in name order: rankOf[id] is the rank of file id.
	byName := make([]int32, len(names))
	for i := range byName {
		byName[i] = int32(i)
	}
	slices.SortFunc(byName, func(a, b int32) int { return strings.Compare(names[a], names[b]) })
	rankOf := make([]int32, len(names))
	perFile := make([]int, len(names)+1)
	for rank, id := range byName {
		rankOf[id] = int32(rank)
		perFile[rank+1] = perID[id]
	}
	for i := 1; i < len(perFile); i++ {
		perFile[i] += perFile[i-1]
	}
	// Group the keys by file, then sort the groups in parallel.
	grouped := make([]sortKey, len(all))
	next := slices.Clone(perFile[:len(names)])
	for i := range all {
		rank := rankOf[fileOf[i]]
		grouped[next[rank]] = sortKey{pos: pos[i], check: checkOf[i], index: int32(i)}
		next[rank]++
	}
	compare := func(x, y sortKey) int {
		if x.pos != y.pos {
			return cmp.Compare(x.pos, y.pos)
		}
		if x.check != y.check {
			return cmp.Compare(x.check, y.check)
		}
		a, b := all[x.index], all[y.index]
		if a.Object != b.Object {
			if c := strings.Compare(refString(a), refString(b)); c != 0 {
				return c
			}
		}
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return cmp.Compare(x.index, y.index) // keeps equal findings in run order
	}
	parallel.For(len(names), func(file int) {
		slices.SortFunc(grouped[perFile[file]:perFile[file+1]], compare)
	})
	out := make([]*Finding, len(grouped))
	for i, k := range grouped {
		out[i] = all[k.index]
	}
	return out
}

// checkRanks returns the rank of each check's ID among the IDs of checks.
// Checks that share an ID share a rank.
func checkRanks(checks []*Check) []int32 {
	ids := make([]string, len(checks))
	for i, c := range checks {
		ids[i] = c.ID
	}
	slices.Sort(ids)
	ranks := make([]int32, len(checks))
	for i, c := range checks {
		r, _ := slices.BinarySearch(ids, c.ID)
		ranks[i] = int32(r)
	}
	return ranks
}

func refString(f *Finding) string {
	if f.Object == nil {
		return ""
	}
	return f.Object.Ref().String()
}
