package cli

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/report"
	"github.com/kube4c/kube4c/internal/source"
	"github.com/kube4c/kube4c/internal/source/cluster"
)

// clusterFlags are the connection flags kubectl users know, from
// k8s.io/cli-runtime, plus the scope of a live scan.
type clusterFlags struct {
	enabled       bool
	allNamespaces bool
	keepOwned     bool
	config        *genericclioptions.ConfigFlags
}

func newClusterFlags() *clusterFlags {
	cf := genericclioptions.NewConfigFlags(true)
	// kube4c only reads; it never needs these.
	cf.CacheDir = nil
	cf.DisableCompression = nil
	return &clusterFlags{config: cf}
}

// currentCluster is the value of a bare --cluster: the current context's
// cluster.
const currentCluster = "(current)"

func (c *clusterFlags) addFlags(fs *pflag.FlagSet) {
	fs.BoolVarP(&c.allNamespaces, "all-namespaces", "A", false, "with --cluster: scan every namespace (the default unless -n is given)")
	fs.BoolVar(&c.keepOwned, "include-owned", false, "with --cluster: also check Pods, ReplicaSets and Jobs whose controller is checked")
	c.addConnectionFlags(fs, "scan the live cluster (read-only) instead of files; --cluster=NAME uses that kubeconfig cluster")
}

// addConnectionFlags adds kubectl's connection flags and --cluster, whose
// usage is given.
func (c *clusterFlags) addConnectionFlags(fs *pflag.FlagSet, usage string) {
	c.config.AddFlags(fs)
	// kubectl's --cluster names a kubeconfig cluster; kube4c's bare
	// --cluster also switches from files to the live cluster.
	flag := fs.Lookup("cluster")
	flag.NoOptDefVal = currentCluster
	flag.Usage = usage
}

// resolve reads the flags after parsing: whether a live scan was asked for.
func (c *clusterFlags) resolve(fs *pflag.FlagSet) {
	c.enabled = fs.Changed("cluster")
	if c.config.ClusterName != nil && *c.config.ClusterName == currentCluster {
		*c.config.ClusterName = ""
	}
}

// clusterName names the scanned cluster for reports: the context, else the
// server.
func (c *clusterFlags) clusterName() string {
	raw, err := c.config.ToRawKubeConfigLoader().RawConfig()
	if err == nil {
		ctx := raw.CurrentContext
		if c.config.Context != nil && *c.config.Context != "" {
			ctx = *c.config.Context
		}
		if ctx != "" {
			return ctx
		}
	}
	if cfg, err := c.config.ToRESTConfig(); err == nil {
		return cfg.Host
	}
	return "cluster"
}

// namespace returns the namespace a live scan is limited to, or "" for all.
func (c *clusterFlags) namespace() (string, error) {
	ns := ""
	if c.config.Namespace != nil {
		ns = *c.config.Namespace
	}
	if ns != "" && c.allNamespaces {
		return "", usageError("-n and -A (--all-namespaces) exclude each other")
	}
	return ns, nil
}

// collect lists the cluster's objects of resources (nil: every resource
// kube4c reads). Progress goes to progress (nil for none).
func (c *clusterFlags) collect(ctx context.Context, progress cluster.Progress, resources []cluster.Resource) (*cluster.Result, error) {
	ns, err := c.namespace()
	if err != nil {
		return nil, err
	}
	cfg, err := c.config.ToRESTConfig()
	if err != nil {
		return nil, usageError("cannot connect to the cluster: %v", err)
	}
	start := time.Now()
	res, err := cluster.Collect(ctx, cfg, cluster.Options{Namespace: ns, Progress: progress, KeepOwned: c.keepOwned, Resources: resources})
	if err != nil {
		return nil, &exitError{code: ExitError, err: fmt.Errorf("cannot read the cluster: %w", err)}
	}
	slog.Debug("collected", "objects", len(res.Objects), "requests", res.Requests, "owned", res.Owned, "elapsed", time.Since(start))
	return res, nil
}

// coverage turns a collection's statuses into the report's coverage,
// marking incomplete the checks that read a kind that was not collected.
func coverage(name string, res *cluster.Result, checks []*check.Check) *report.Coverage {
	cov := &report.Coverage{Cluster: name, Requests: res.Requests, Owned: res.Owned}
	for _, st := range res.Statuses {
		rc := report.ResourceCoverage{Resource: st.Resource.GroupResource().String(), Kind: st.Resource.Kind, Version: st.Version, State: string(st.State), Objects: st.Objects}
		if st.Err != nil {
			rc.Error = st.Err.Error()
		}
		cov.Resources = append(cov.Resources, rc)
	}
	missing := res.Incomplete()
	for _, c := range checks {
		var gaps []string
		for _, kind := range c.ReadKinds() {
			if slices.Contains(missing, kind) && !slices.Contains(gaps, kind) {
				gaps = append(gaps, kind)
			}
		}
		if len(gaps) > 0 {
			sort.Strings(gaps)
			cov.Incomplete = append(cov.Incomplete, report.IncompleteCheck{CheckID: c.ID, Missing: gaps})
		}
	}
	return cov
}

// loaded is what either door (files or cluster) produced.
type loaded struct {
	source.Result
	coverage *report.Coverage
}
