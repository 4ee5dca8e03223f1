package pipeline

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"k8s.io/client-go/rest"

	"github.com/kube4c/kube4c/internal/dast"
	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/report"
	"github.com/kube4c/kube4c/internal/signatures"
	"github.com/kube4c/kube4c/internal/source"
	"github.com/kube4c/kube4c/internal/source/cluster"
	"github.com/kube4c/kube4c/internal/source/manifest"
	"github.com/kube4c/kube4c/internal/source/node"
	"github.com/kube4c/kube4c/internal/vulns"
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
// standard input. A path that yields no Kubernetes object is an input
// error: a scan must not pass when its input went missing.
type Files struct {
	Paths []string
	// Stdin is read for "-"; nil means os.Stdin.
	Stdin io.Reader
	// AllowUnrendered makes a kustomization directory a warning rather
	// than an input error (scan --allow-unrendered).
	AllowUnrendered bool
}

// Load reads the files.
func (f Files) Load(context.Context) (*Input, error) {
	opts := manifest.Options{Stdin: f.Stdin, AllowUnrendered: f.AllowUnrendered, RequireObjects: true}
	return &Input{Result: manifest.Load(f.Paths, opts)}, nil
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
	in := &Input{Result: res.Result, Coverage: cov}
	if collected(cov) == 0 {
		// Nothing was read: the scan must not pass as if nothing were wrong.
		in.Errors = append(in.Errors, source.Problem{Object: c.Name,
			Message: "no resource could be listed (" + notCollectedSummary(cov) + "): nothing was checked; give the identity the permissions of deploy/rbac.yaml"})
	}
	return in, nil
}

// collected counts the resources that were listed.
func collected(cov *report.Coverage) int {
	n := 0
	for _, r := range cov.Resources {
		if r.State == "collected" {
			n++
		}
	}
	return n
}

// notCollectedSummary counts the resources not collected by state, e.g.
// "58 forbidden, 2 failed".
func notCollectedSummary(cov *report.Coverage) string {
	counts := map[string]int{}
	var states []string
	for _, r := range cov.NotCollected() {
		if counts[r.State] == 0 {
			states = append(states, r.State)
		}
		counts[r.State]++
	}
	var parts []string
	for _, st := range states {
		parts = append(parts, fmt.Sprintf("%d %s", counts[st], st))
	}
	if len(parts) == 0 {
		return "none is served"
	}
	return strings.Join(parts, ", ")
}

// WithScannerReports adds to what Source reads the results of scanners:
// image scanners' reports (files or directories of them) as ImageScan
// objects (vulns.Load), and DAST reports as WebScan objects (dast.Load).
// A report that cannot be read is an input error.
type WithScannerReports struct {
	Source
	Images, DAST []string
}

// Load reads the source, then the reports.
func (w WithScannerReports) Load(ctx context.Context) (*Input, error) {
	in, err := w.Source.Load(ctx)
	if err != nil {
		return nil, err
	}
	if len(w.Images) > 0 {
		in.Merge(vulns.Load(w.Images))
	}
	if len(w.DAST) > 0 {
		in.Merge(dast.Load(w.DAST))
	}
	return in, nil
}

// WithImageSignatures adds to what Source reads the verdict of Verifier on
// every image its workloads run: ImageSignature objects, one per image a
// policy covers, which the image-signature checks join to containers.
type WithImageSignatures struct {
	Source
	Verifier *signatures.Verifier
	// PullSecrets, when set, reads the image pull secrets the workloads
	// name (a live cluster), whose credentials are then used for their
	// images; what cannot be read is a warning.
	PullSecrets signatures.PullSecretSource
}

// Load reads the source, then verifies each distinct image once.
func (w WithImageSignatures) Load(ctx context.Context) (*Input, error) {
	in, err := w.Source.Load(ctx)
	if err != nil {
		return nil, err
	}
	reqs, problems := signatures.Requests(ctx, inventory.New(in.Objects), w.PullSecrets)
	in.Warnings = append(in.Warnings, problems...)
	for i, r := range w.Verifier.Verify(ctx, reqs) {
		in.Objects = append(in.Objects, signatures.NewObject(r, i))
	}
	return in, ctx.Err()
}
