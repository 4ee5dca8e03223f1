package pipeline

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"k8s.io/client-go/rest"

	"github.com/kube4c/kube4c/internal/report"
	"github.com/kube4c/kube4c/internal/source"
	"github.com/kube4c/kube4c/internal/source/cluster"
	"github.com/kube4c/kube4c/internal/source/manifest"
	"github.com/kube4c/kube4c/internal/source/node"
)

// Source reads the objects a scan looks at.
type Source interface {
	// Load reads the objects. The error is for what stops the whole
	// source; a document or a resource that could not be read is a
	// problem in the Input.
	Load(ctx context.Context) (*Input, error)
}

// Input is what a source read.
type Input struct {
	source.Result
	// Coverage says what a live source could collect; nil for files.
	Coverage *report.Coverage
}

// Files reads manifests: files, directories (recursively) and "-" for
// standard input.
type Files struct {
	Paths []string
	// Stdin is read for "-"; nil means os.Stdin.
	Stdin io.Reader
}

// Load reads the files.
func (f Files) Load(context.Context) (*Input, error) {
	return &Input{Result: manifest.Load(f.Paths, manifest.Options{Stdin: f.Stdin})}, nil
}

// Node reads a node's control-plane and kubelet files under Root.
type Node struct {
	Root string
}

// Load reads the node's files.
func (n Node) Load(context.Context) (*Input, error) {
	return &Input{Result: node.Load(n.Root, node.Options{})}, nil
}

// Cluster reads a live cluster, read-only.
type Cluster struct {
	// Config connects to the API server.
	Config *rest.Config
	// Name names the cluster in reports (the kubeconfig context).
	Name string
	// Options scope the collection (namespace, progress, owned objects).
	Options cluster.Options
}

// Load lists the cluster's objects.
func (c Cluster) Load(ctx context.Context) (*Input, error) {
	start := time.Now()
	res, err := cluster.Collect(ctx, c.Config, c.Options)
	if err != nil {
		return nil, fmt.Errorf("cannot read the cluster: %w", err)
	}
	slog.Debug("collected", "objects", len(res.Objects), "requests", res.Requests, "owned", res.Owned, "elapsed", time.Since(start))
	cov := &report.Coverage{Cluster: c.Name, Requests: res.Requests, Owned: res.Owned}
	for _, st := range res.Statuses {
		rc := report.ResourceCoverage{Resource: st.Resource.String(), Kind: st.Resource.Kind, Version: st.Version, State: string(st.State), Objects: st.Objects}
		if st.Err != nil {
			rc.Error = st.Err.Error()
		}
		cov.Resources = append(cov.Resources, rc)
	}
	return &Input{Result: res.Result, Coverage: cov}, nil
}
