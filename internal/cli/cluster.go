package cli

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/kube4c/kube4c/internal/pipeline"
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

// target returns the live cluster the flags name and how to read it. The
// flags are checked before the cluster is asked anything.
func (c *clusterFlags) target() (pipeline.Cluster, error) {
	ns, err := c.namespace()
	if err != nil {
		return pipeline.Cluster{}, err
	}
	cfg, err := c.config.ToRESTConfig()
	if err != nil {
		return pipeline.Cluster{}, usageError("cannot connect to the cluster: %v", err)
	}
	return pipeline.Cluster{Config: cfg, Name: c.clusterName(), Options: cluster.Options{Namespace: ns, KeepOwned: c.keepOwned}}, nil
}

// source returns the live cluster to scan, with the progress of listing
// it drawn on a terminal.
func (c *clusterFlags) source(cmd *cobra.Command, g *globalFlags) (pipeline.Source, error) {
	src, err := c.target()
	if err != nil {
		return nil, err
	}
	if file, ok := cmd.ErrOrStderr().(*os.File); ok && !g.quiet && term.IsTerminal(int(file.Fd())) {
		return &progressSource{Cluster: src, bar: newLineProgress(file, len(cluster.Resources))}, nil
	}
	return src, nil
}

// collect lists the cluster's objects of resources, for the commands that
// read a cluster without scanning it.
func (c *clusterFlags) collect(ctx context.Context, resources []cluster.Resource) (*cluster.Result, error) {
	src, err := c.target()
	if err != nil {
		return nil, err
	}
	src.Options.Resources = resources
	res, err := cluster.Collect(ctx, src.Config, src.Options)
	if err != nil {
		return nil, &exitError{code: ExitError, err: fmt.Errorf("cannot read the cluster: %w", err)}
	}
	return res, nil
}
