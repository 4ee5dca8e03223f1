package cli

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/kube4c/kube4c/internal/pipeline"
	"github.com/kube4c/kube4c/internal/source/cluster"
)

// lineProgress redraws one status line on a terminal while a cluster is
// listed: resources done and objects counted.
type lineProgress struct {
	mu      sync.Mutex
	w       io.Writer
	total   int
	done    int
	objects map[string]int
}

func newLineProgress(w io.Writer, total int) *lineProgress {
	return &lineProgress{w: w, total: total, objects: map[string]int{}}
}

// Listed records objects listed so far for kind.
func (p *lineProgress) Listed(kind string, objects int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.objects[kind] = objects
	p.draw(kind)
}

// Done records a finished resource.
func (p *lineProgress) Done(kind string, state cluster.State, objects int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	p.objects[kind] = objects
	p.draw(kind)
}

func (p *lineProgress) draw(kind string) {
	sum := 0
	for _, n := range p.objects {
		sum += n
	}
	const width = 24
	filled := width * p.done / max(p.total, 1)
	bar := make([]byte, width)
	for i := range bar {
		bar[i] = '-'
		if i < filled {
			bar[i] = '#'
		}
	}
	fmt.Fprintf(p.w, "\r\x1b[Klisting [%s] %d/%d resources, %d objects (%s)", bar, p.done, p.total, sum, kind)
}

// finish clears the status line.
func (p *lineProgress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprint(p.w, "\r\x1b[K")
}

// progressSource is a cluster source that draws its progress.
type progressSource struct {
	pipeline.Cluster
	bar *lineProgress
}

// Load lists the cluster, drawing the progress line until it is done.
func (p *progressSource) Load(ctx context.Context) (*pipeline.Input, error) {
	defer p.bar.finish()
	p.Cluster.Options.Progress = p.bar
	return p.Cluster.Load(ctx)
}
