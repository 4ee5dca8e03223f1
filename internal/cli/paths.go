package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kube4c/kube4c/internal/graph"
	"github.com/kube4c/kube4c/internal/pipeline"
	"github.com/kube4c/kube4c/internal/report"
)

type pathsFlags struct {
	scan     scanFlags
	from, to []string
	max      int
	fixes    int
}

func newPathsCommand(g *globalFlags) *cobra.Command {
	f := &pathsFlags{scan: scanFlags{cluster: newClusterFlags(), failOn: "none"}}
	cmd := &cobra.Command{
		Use:   "paths PATH...",
		Short: "Show the attack paths from the internet and the namespaces' pods to cluster-admin, the nodes, secrets and the cloud",
		Long: "Build the attack graph of manifests (or, with --cluster, of the live cluster): entry points (the internet,\n" +
			"anonymous and authenticated users, code running in a namespace's pods), Services and Ingresses, workloads,\n" +
			"service accounts and other RBAC subjects, nodes, secrets, the cloud identity and cluster-admin, joined by the\n" +
			"findings of kube4c's checks and by NetworkPolicy reachability. Print the shortest paths from each entry to\n" +
			"each target with the evidence of every step, and the fixes that cut the most paths (docs/paths.md).\n\n" +
			"Exit codes: 0, or 2 on a usage, config or input error.",
		Example: "  kube4c paths ./deploy\n  kube4c paths --from internet --to cluster-admin ./deploy\n" +
			"  kube4c paths --cluster -o json > paths.json",
		Args: func(cmd *cobra.Command, args []string) error {
			f.scan.cluster.resolve(cmd.Flags())
			switch {
			case f.scan.cluster.enabled && len(args) > 0:
				return usageError("--cluster reads the live cluster and takes no paths")
			case !f.scan.cluster.enabled && len(args) == 0:
				return usageError("paths needs a PATH (a file, a directory or - for standard input), or --cluster")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPaths(cmd, g, f, args)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.scan.output, "output", "o", "table", "output format: "+strings.Join(report.PathsFormats(), ", ")+" (BloodHound CE)")
	fl.StringVar(&f.scan.outputFile, "output-file", "", "write the paths to this file instead of standard output")
	fl.StringVar(&f.scan.configPath, "config", "", "config file (default: .kube4c.yaml in the scanned path or a parent directory)")
	fl.StringSliceVar(&f.from, "from", nil, "start only from these entries: internet, anonymous, authenticated-user, pods:NAMESPACE (comma-separated)")
	fl.StringSliceVar(&f.to, "to", nil, "reach only these targets: cluster-admin, node, kube-system-secrets, cloud-identity, or KIND/NAMESPACE/NAME "+
		"(default: the first four)")
	fl.IntVar(&f.max, "max-paths", 3, "at most this many paths for each entry and target")
	fl.IntVar(&f.fixes, "fixes", 10, "name at most this many fixes that cut paths")
	f.scan.cluster.addFlags(fl)
	return cmd
}

func runPaths(cmd *cobra.Command, g *globalFlags, f *pathsFlags, paths []string) error {
	if !contains(report.PathsFormats(), f.scan.output) {
		return usageError("unknown output format %q (want one of %s)", f.scan.output, strings.Join(report.PathsFormats(), ", "))
	}
	// The scan's flags plan the checks; the output format is paths' own.
	planning := f.scan
	planning.output = "table"
	plan, err := planning.plan(paths, nil)
	if err != nil {
		return err
	}
	var src pipeline.Source = pipeline.Files{Paths: paths, Stdin: cmd.InOrStdin()}
	if f.scan.cluster.enabled {
		if src, err = f.scan.cluster.source(cmd, g); err != nil {
			return err
		}
	}
	var a *pipeline.Analysis
	inPhase("analyze", func() { a, err = plan.Analyze(cmd.Context(), pipeline.Request{Source: src}) })
	if err != nil {
		return &exitError{code: ExitError, err: err}
	}
	var gr *graph.Graph
	var found []graph.Path
	inPhase("graph", func() {
		gr = graph.Build(a.Inventory, a.Engines, append(a.Kept, a.Suppressed...))
		found, err = gr.Paths(graph.Options{From: f.from, To: f.to, Max: f.max})
	})
	if err != nil {
		return usageError("%v", err)
	}
	rep := &report.PathsReport{Tool: report.Tool{Name: "kube4c", Version: version(), URI: "https://github.com/kube4c/kube4c"},
		Graph: gr, Paths: found, ChokePoints: gr.ChokePoints(found, f.fixes), Errors: a.Input.Errors, Warnings: a.Input.Warnings,
		Files: a.Input.Files, Documents: a.Input.Documents, Objects: len(a.Input.Objects), Checks: plan.Checks()}
	var w io.Writer = cmd.OutOrStdout()
	if f.scan.outputFile != "" {
		file, err := os.Create(f.scan.outputFile)
		if err != nil {
			return &exitError{code: ExitError, err: err}
		}
		defer file.Close()
		w = file
	}
	bw := bufio.NewWriter(w)
	if err := report.RenderPaths(f.scan.output, bw, rep); err != nil {
		return &exitError{code: ExitError, err: err}
	}
	if err := bw.Flush(); err != nil {
		return &exitError{code: ExitError, err: err}
	}
	if len(a.Input.Errors) > 0 || len(a.Failures) > 0 {
		if f.scan.output != "table" && !g.quiet {
			for _, e := range a.Input.Errors {
				fmt.Fprintln(cmd.ErrOrStderr(), "error:", report.SafeText(e.Error()))
			}
		}
		return &exitError{code: ExitError}
	}
	return nil
}
