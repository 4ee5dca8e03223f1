package cli

import (
	"bufio"
	"fmt"
	"net/netip"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/netpol"
	"github.com/kube4c/kube4c/internal/report"
	"github.com/kube4c/kube4c/internal/source/manifest"
)

func newNetpolCommand(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "netpol",
		Short: "Analyse NetworkPolicies",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newReachCommand(g))
	return cmd
}

type reachFlags struct {
	from, to, output string
	clusterCIDRs     []string
	explain          []string
}

func newReachCommand(g *globalFlags) *cobra.Command {
	f := &reachFlags{}
	cmd := &cobra.Command{
		Use:   "reach PATH...",
		Short: "Show which workloads may open connections to which, on which ports",
		Long: "Evaluate the NetworkPolicies of the manifests and print, for every pair of workloads, whether the\n" +
			"first may open a connection to the second and on which ports, plus the pseudo-endpoints\n" +
			"\"internet\" (addresses outside --cluster-cidr) and \"cloud-metadata\" (169.254.169.254, fd00:ec2::254).\n" +
			"Name workloads as namespace/name; objects without a namespace are in \"default\".\n\n" +
			"--explain FROM TO prints every policy and rule that decides one connection, in order.",
		Example: "  kube4c netpol reach ./deploy\n  kube4c netpol reach --from shop/frontend -o dot ./deploy | dot -Tsvg > reach.svg\n" +
			"  kube4c netpol reach ./deploy --explain shop/frontend shop/db",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runReach(cmd, g, f, args)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.from, "from", "", "only these sources: NS/WORKLOAD, a glob such as shop/*, or internet")
	fl.StringVar(&f.to, "to", "", "only these destinations: NS/WORKLOAD, a glob, internet or cloud-metadata")
	fl.StringVarP(&f.output, "output", "o", "table", "output format: "+strings.Join(report.ReachFormats(), ", "))
	fl.StringSliceVar(&f.clusterCIDRs, "cluster-cidr", nil, "CIDR of pod addresses, repeatable; the internet is everything outside (default: the private ranges)")
	fl.StringSliceVar(&f.explain, "explain", nil, "explain one connection: --explain FROM TO")
	return cmd
}

func runReach(cmd *cobra.Command, g *globalFlags, f *reachFlags, paths []string) error {
	var opts netpol.Options
	for _, c := range f.clusterCIDRs {
		p, err := netip.ParsePrefix(strings.TrimSpace(c))
		if err != nil {
			return usageError("--cluster-cidr: %q is not a CIDR", c)
		}
		opts.ClusterCIDRs = append(opts.ClusterCIDRs, p)
	}
	if !contains(report.ReachFormats(), f.output) {
		return usageError("unknown output format %q (want one of %s)", f.output, strings.Join(report.ReachFormats(), ", "))
	}
	explain, paths, err := explainPair(f.explain, paths)
	if err != nil {
		return err
	}

	loaded := manifest.Load(paths, manifest.Options{Stdin: cmd.InOrStdin()})
	eng := netpol.Build(inventory.New(loaded.Objects), opts)
	stderr := cmd.ErrOrStderr()
	for _, e := range loaded.Errors {
		fmt.Fprintln(stderr, "error:", report.SafeText(e.Error()))
	}
	if !g.quiet {
		for _, p := range eng.Problems() {
			loc, _ := p.Object.Locate(p.Path)
			fmt.Fprintln(stderr, "warning:", report.SafeText(fmt.Sprintf("%s: %s: %s", loc, p.Object.Ref(), p.Message)))
		}
	}

	w := bufio.NewWriter(cmd.OutOrStdout())
	if explain != nil {
		err = writeExplanation(w, eng, explain[0], explain[1])
	} else {
		err = writeGrid(w, eng, f)
	}
	if err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return &exitError{code: ExitError, err: err}
	}
	if len(loaded.Errors) > 0 {
		return &exitError{code: ExitError}
	}
	return nil
}

// explainPair reads --explain FROM TO. The flag takes one value, so TO
// arrives among the paths: it is the one argument that names no file.
// "--explain FROM,TO" and "--explain FROM --explain TO" work too.
func explainPair(values, args []string) (pair, paths []string, err error) {
	switch len(values) {
	case 0:
		return nil, args, nil
	case 2:
		return values, args, nil
	case 1:
		var missing []int
		for i, a := range args {
			if _, err := os.Stat(a); err != nil && a != manifest.Stdin {
				missing = append(missing, i)
			}
		}
		if len(missing) == 1 {
			i := missing[0]
			return []string{values[0], args[i]}, append(args[:i:i], args[i+1:]...), nil
		}
	}
	return nil, nil, usageError("--explain takes two endpoints: --explain FROM TO, then the paths to read")
}

func writeExplanation(w *bufio.Writer, eng *netpol.Engine, from, to string) error {
	src, err := eng.Lookup(from)
	if err != nil {
		return usageError("--explain: %v", err)
	}
	dst, err := eng.Lookup(to)
	if err != nil {
		return usageError("--explain: %v", err)
	}
	if src.Kind == netpol.MetadataEndpoint {
		return usageError("--explain: %s opens no connections", netpol.MetadataName)
	}
	return report.WriteExplanation(w, eng.Explain(src, dst))
}

func writeGrid(w *bufio.Writer, eng *netpol.Engine, f *reachFlags) error {
	pick := func(pattern string) ([]netpol.Endpoint, error) {
		if pattern == "" {
			return eng.Endpoints(), nil
		}
		eps, err := eng.Select(pattern)
		if err != nil {
			return nil, usageError("%v", err)
		}
		return eps, nil
	}
	from, err := pick(f.from)
	if err != nil {
		return err
	}
	to, err := pick(f.to)
	if err != nil {
		return err
	}
	return report.WriteReach(w, f.output, eng.Grid(from, to))
}
