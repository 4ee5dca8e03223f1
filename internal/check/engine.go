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
	"github.com/kube4c/kube4c/internal/position"
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

// add appends f and returns where it is kept.
func (b *findingBuffer) add(f Finding) *Finding {
	n := len(b.chunks)
	if n == 0 || len(b.chunks[n-1]) == cap(b.chunks[n-1]) {
		b.chunks = append(b.chunks, b.newChunk())
		n++
	}
	b.chunks[n-1] = append(b.chunks[n-1], f)
	return &b.chunks[n-1][len(b.chunks[n-1])-1]
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
		for j := b.seen(i); j < len(chunk); j++ {
			chunk[j].locate(c)
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
	// The findings of results[i] go to all[starts[i]:starts[i+1]]; each
	// check's are listed on any CPU.
	starts := make([]int, len(results)+1)
	for i := range results {
		starts[i+1] = starts[i]
		for _, chunk := range results[i].chunks {
			starts[i+1] += len(chunk)
		}
	}
	all := make([]*Finding, starts[len(results)])
	checkOf := make([]int32, len(all))
	pendingOf := make([][]*Finding, len(results)) // not located by their check's pass
	parallel.For(len(results), func(i int) {
		at := starts[i]
		for k, chunk := range results[i].chunks {
			for j := range chunk {
				all[at], checkOf[at] = &chunk[j], ranks[i]
				at++
			}
			for j := results[i].seen(k); j < len(chunk); j++ {
				pendingOf[i] = append(pendingOf[i], &chunk[j])
			}
		}
	})
	locateAll(slices.Concat(pendingOf...))
	slog.Debug("findings located", "findings", len(all))

	grouped, perFile := groupByFile(all, checkOf)
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
	parallel.For(len(perFile)-1, func(file int) {
		slices.SortFunc(grouped[perFile[file]:perFile[file+1]], compare)
	})
	out := make([]*Finding, len(grouped))
	parallel.Blocks(len(grouped), sortPiece, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			out[i] = all[grouped[i].index]
		}
	})
	return out
}

// sortPiece is how many findings one job of the sort's passes takes.
const sortPiece = 1 << 15

// filePiece is what one piece of the findings says of their files.
type filePiece struct {
	names  []string // the files, in order of appearance in the piece
	counts []int    // counts[id] findings are in file names[id]
	rank   []int32  // rank[id] is the rank of names[id] among every file
	next   []int    // next[rank] is where the piece's next key of that file goes
}

// groupByFile returns the sort keys of all, findings of one file together
// and files in name order: the keys of the file ranked r are
// grouped[perFile[r]:perFile[r+1]], in the order of all. checkOf[i] ranks
// the check of all[i]. The findings are read in pieces, on every CPU.
func groupByFile(all []*Finding, checkOf []int32) (grouped []sortKey, perFile []int) {
	pieces := make([]filePiece, (len(all)+sortPiece-1)/sortPiece)
	fileOf := make([]int32, len(all)) // numbered within the piece
	pos := make([]uint64, len(all))
	parallel.Blocks(len(all), sortPiece, func(lo, hi int) {
		p := &pieces[lo/sortPiece]
		ids := map[string]int32{}
		// Neighbouring findings are mostly in one file: the map is asked
		// only when the file changes.
		last, lastSeen, id := "", false, int32(0)
		for i := lo; i < hi; i++ {
			f := all[i]
			if name := f.Location.File; !lastSeen || name != last {
				var ok bool
				if id, ok = ids[name]; !ok {
					id = int32(len(p.names))
					ids[name] = id
					p.names = append(p.names, name)
					p.counts = append(p.counts, 0)
				}
				last, lastSeen = name, true
			}
			fileOf[i] = id
			p.counts[id]++
			pos[i] = uint64(uint32(f.Location.Line))<<32 | uint64(uint32(f.Location.Column))
		}
	})
	// Rank the files by name, and count the findings of each.
	rankOf := map[string]int32{}
	var names []string
	for _, p := range pieces {
		for _, name := range p.names {
			if _, ok := rankOf[name]; !ok {
				rankOf[name] = 0
				names = append(names, name)
			}
		}
	}
	slices.Sort(names)
	for r, name := range names {
		rankOf[name] = int32(r)
	}
	perFile = make([]int, len(names)+1)
	for i := range pieces {
		p := &pieces[i]
		p.rank = make([]int32, len(p.names))
		for id, name := range p.names {
			p.rank[id] = rankOf[name]
			perFile[rankOf[name]+1] += p.counts[id]
		}
	}
	for r := 1; r < len(perFile); r++ {
		perFile[r] += perFile[r-1]
	}
	// Each piece writes its keys after those of the pieces before it.
	start := slices.Clone(perFile[:len(names)])
	for i := range pieces {
		p := &pieces[i]
		p.next = slices.Clone(start)
		for id, r := range p.rank {
			start[r] += p.counts[id]
		}
	}
	grouped = make([]sortKey, len(all))
	parallel.Blocks(len(all), sortPiece, func(lo, hi int) {
		p := &pieces[lo/sortPiece]
		for i := lo; i < hi; i++ {
			r := p.rank[fileOf[i]]
			grouped[p.next[r]] = sortKey{pos: pos[i], check: checkOf[i], index: int32(i)}
			p.next[r]++
		}
	})
	return grouped, perFile
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
