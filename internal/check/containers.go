package check

import (
	"context"
	"fmt"
	"runtime/debug"
	"runtime/pprof"
	"time"

	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/position"
)

// workloadBlock is how many workloads the checks that set Containers go
// through together before moving on: a block's objects stay in the CPU
// cache while every such check reads them.
const workloadBlock = 256

// containerPass runs the checks that set Containers over the workloads of
// an inventory, one block of workloads per job.
type containerPass struct {
	inv    *inventory.Inventory
	env    Env
	checks []*Check // the checks that set Containers
	// found[b][k] and failed[b][k] are what checks[k] found in block b,
	// and its panic there; spent[b][k] is the time it took.
	found  [][]findingBuffer
	failed [][]error
	spent  [][]time.Duration
	// rules[w][k] is the rule of checks[k] on worker w. A worker makes
	// each rule once, for its first block, so that what a rule keeps (the
	// texts it has worded) serves all the blocks the worker runs.
	rules [][]workerRule
	// slabs[w] holds the findings of worker w.
	slabs []findingSlab
}

// workerRule is a check's rule as one worker of a containerPass runs it.
type workerRule struct {
	ctx  *Context // its findings go to the block being run
	rule ContainerRule
	made bool
}

// newContainerPass prepares the pass of checks over inv for as many
// workers (numbered from 0) as given.
func newContainerPass(inv *inventory.Inventory, checks []*Check, env Env, workers int) *containerPass {
	p := &containerPass{inv: inv, env: env, checks: checks}
	if len(checks) == 0 {
		return p
	}
	p.rules = make([][]workerRule, workers)
	p.slabs = make([]findingSlab, workers)
	for w := range p.rules {
		p.rules[w] = make([]workerRule, len(checks))
	}
	blocks := (len(inv.Workloads()) + workloadBlock - 1) / workloadBlock
	p.found = make([][]findingBuffer, blocks)
	p.failed = make([][]error, blocks)
	p.spent = make([][]time.Duration, blocks)
	for b := range blocks {
		p.found[b] = make([]findingBuffer, len(checks))
		p.failed[b] = make([]error, len(checks))
		p.spent[b] = make([]time.Duration, len(checks))
	}
	return p
}

// blocks is the number of jobs of the pass.
func (p *containerPass) blocks() int { return len(p.found) }

// runBlock runs every check of the pass over block b of the workloads on
// worker w, then locates their findings while the block's position
// indexes are still in the CPU cache.
func (p *containerPass) runBlock(b, w int) {
	workloads := p.blockWorkloads(b)
	for k, c := range p.checks {
		start := time.Now()
		found := &p.found[b][k]
		found.fillFrom(&p.slabs[w])
		p.failed[b][k] = p.runCheck(c, &p.rules[w][k], workloads, found)
		found.detach()
		p.spent[b][k] = time.Since(start)
	}
	p.locateBlock(b, workloads)
}

// blockWorkloads returns the workloads of block b.
func (p *containerPass) blockWorkloads(b int) []*inventory.Workload {
	all := p.inv.Workloads()
	return all[b*workloadBlock : min((b+1)*workloadBlock, len(all))]
}

// locateBlock locates the findings of block b, whose workloads are given,
// workload by workload, the findings of every check about one workload
// one after the other: their paths mostly begin alike, so each lookup
// continues from the last one (position.Cursor) in the part of the index
// still in the CPU cache.
func (p *containerPass) locateBlock(b int, workloads []*inventory.Workload) {
	found := p.found[b]
	// next[k] is where the findings of checks[k] not yet located begin.
	type place struct{ chunk, i int }
	next := make([]place, len(found))
	var cursor position.Cursor
	for _, w := range workloads {
		for k := range found {
			chunks, at := found[k].chunks, &next[k]
			for at.chunk < len(chunks) {
				chunk := chunks[at.chunk]
				if at.i == len(chunk) {
					at.chunk, at.i = at.chunk+1, 0
					continue
				}
				if chunk[at.i].Object != w.Object {
					break
				}
				chunk[at.i].locate(&cursor)
				at.i++
			}
		}
	}
	// A rule reports only about the workload it is given: what is left,
	// if anything, is located here, and every buffer is marked located.
	for k := range found {
		found[k].locate(&cursor)
	}
}

// runCheck runs one check's rule, as the worker has it in wr, over
// workloads. A panic becomes an error.
func (p *containerPass) runCheck(c *Check, wr *workerRule, workloads []*inventory.Workload, found *findingBuffer) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("check %s panicked: %v\n%s", c.ID, r, debug.Stack())
		}
	}()
	pprof.Do(context.Background(), pprof.Labels("check", c.ID), func(context.Context) {
		if !wr.made {
			wr.ctx = p.env.context(p.inv, c, nil)
			wr.rule = c.Containers(wr.ctx)
			wr.made = true
		}
		rule := wr.rule
		if rule == nil {
			return // nothing to do, for example until configured
		}
		wr.ctx.found = found
		// One reporter for the whole block: a closure per container would
		// be an allocation per container and check.
		r := &containerReporter{ctx: wr.ctx}
		report := r.report
		for _, w := range workloads {
			containers := w.Containers()
			for i := range containers {
				r.workload, r.container = w, &containers[i]
				rule(w, containers[i], report)
			}
		}
	})
	return nil
}

// result returns what checks[k] found over every block, in workload
// order, or its first panic (and nothing found).
func (p *containerPass) result(k int) (findingBuffer, error) {
	var out findingBuffer
	var spent time.Duration
	for b := range p.found {
		if err := p.failed[b][k]; err != nil {
			return findingBuffer{}, err
		}
		out.join(p.found[b][k])
		spent += p.spent[b][k]
	}
	logCheckRan(p.checks[k], out, spent)
	return out, nil
}

// containerReporter reports the findings of a container rule about the
// container it is looking at.
type containerReporter struct {
	ctx       *Context
	workload  *inventory.Workload
	container *inventory.Container
}

func (r *containerReporter) report(path, message string) {
	r.ctx.ReportFinding(Finding{Object: r.workload.Object, Container: r.container.Name, Path: path, Message: message})
}
