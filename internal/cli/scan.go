package cli

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"
	"k8s.io/client-go/rest"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/config"
	"github.com/kube4c/kube4c/internal/pipeline"
	"github.com/kube4c/kube4c/internal/rbac/bootstrap"
	"github.com/kube4c/kube4c/internal/report"
	"github.com/kube4c/kube4c/internal/source/manifest"
)

type scanFlags struct {
	output         string
	outputFile     string
	failOn         string
	configPath     string
	checks         []string
	skipChecks     []string
	showSuppressed bool
	color          string
	pssVersion     string
	kubeVersion    string
	includeBuiltin bool
	complete       bool
	unrendered     bool
	vulns          []string
	vulnsDetail    bool
	prioritize     bool
	dast           []string
	verify         verifyFlags
	// failOnIncomplete makes a live scan fail (exit 2) when a check at or
	// above failOn could not read every kind it reads.
	failOnIncomplete bool
	cluster          *clusterFlags
}

func newScanCommand(g *globalFlags) *cobra.Command {
	f := &scanFlags{cluster: newClusterFlags()}
	cmd := &cobra.Command{
		Use:   "scan PATH...",
		Short: "Scan Kubernetes manifests or a live cluster for security problems",
		Long: "Scan YAML and JSON manifests (files, directories searched recursively, or - for standard input),\n" +
			"or with --cluster the live cluster of a kubeconfig context (read-only),\n" +
			"and report findings with the file, line and field to fix.\n\n" +
			"Exit codes: 0 when no finding is at or above --fail-on, 1 when one is, 2 on a usage, config or input error.",
		Example: "  kube4c scan ./deploy\n  kube4c scan -o sarif --output-file kube4c.sarif ./deploy\n  kube4c scan -o html --output-file report.html ./deploy\n  helm template ./chart | kube4c scan -\n" +
			"  kube4c scan --cluster --context prod\n  kube4c scan --cluster -n shop",
		Args: func(cmd *cobra.Command, args []string) error {
			f.cluster.resolve(cmd.Flags())
			switch {
			case f.cluster.enabled && len(args) > 0:
				return usageError("--cluster scans the live cluster and takes no paths (to name a kubeconfig cluster, write --cluster=NAME)")
			case !f.cluster.enabled && len(args) == 0:
				return usageError("scan needs a PATH (a file, a directory or - for standard input), or --cluster")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runScan(cmd, g, f, args)
		},
	}
	fl := cmd.Flags()
	f.addReportFlags(fl, "in the scanned path or a parent directory")
	fl.BoolVar(&f.complete, "complete", false, "the files hold every object of the cluster: report references to objects they lack (rbac-binding-missing-role)")
	fl.BoolVar(&f.failOnIncomplete, "fail-on-incomplete", false, "with --cluster: exit 2 when a check at or above --fail-on could not read a kind it reads (a scan that could list nothing always exits 2)")
	fl.StringArrayVar(&f.vulns, "vulns", nil, "image scanner reports to join to the workloads that run the images: Trivy JSON (trivy image -f json, trivy k8s -f json), "+
		"Grype JSON (grype -o json) or SARIF; a file or a directory of them, repeatable")
	fl.BoolVar(&f.vulnsDetail, "vulns-detail", false, "with --vulns: one finding per vulnerability of each container, instead of one per container with the counts and the worst IDs")
	fl.StringArrayVar(&f.dast, "dast", nil, "DAST reports (OWASP ZAP's traditional JSON or XML) to map to the Ingresses and Services "+
		"that expose the sites they tested; repeatable")
	f.verify.addFlags(fl)
	fl.BoolVar(&f.prioritize, "prioritize", false, "order the findings by the number of attack paths (kube4c paths) that take a step they make, most first, and say how many")
	fl.BoolVar(&f.unrendered, "allow-unrendered", false, "read the resources of a kustomization directory as they are, with a warning instead of an input error (for an exact scan, render it: kubectl kustomize DIR | kube4c scan -)")
	f.cluster.addFlags(fl)
	fl.StringVar(&f.pssVersion, "pss-version", "", `Pod Security Standards version for pss-baseline and pss-restricted: "latest" or v1.0 to v1.37 (default: the config's, else latest)`)
	addKubernetesVersionFlag(fl, &f.kubeVersion)
	fl.BoolVar(&f.includeBuiltin, "include-builtin", false, "also report, at info, what Kubernetes' built-in roles and bindings grant by design "+
		"(the control plane's own identities); a changed built-in role or binding is always reported")
	return cmd
}

// addKubernetesVersionFlag adds --kubernetes-version, which selects the
// built-in RBAC objects (the API server's bootstrap policy) of a version.
func addKubernetesVersionFlag(fl *pflag.FlagSet, v *string) {
	fl.StringVar(v, "kubernetes-version", "", "Kubernetes version whose built-in roles and bindings (cluster-admin, admin, edit, view, system:*) "+
		"count where the input lacks them: "+strings.Join(bootstrap.Versions(), ", ")+" (default: the newest)")
}

// addReportFlags adds the flags of every command that runs checks and
// reports like scan: output, threshold, config and check selection.
// configWhere says where the config file is looked for by default.
func (f *scanFlags) addReportFlags(fl *pflag.FlagSet, configWhere string) {
	fl.StringVarP(&f.output, "output", "o", "table", "output format: "+strings.Join(report.Formats(), ", "))
	fl.StringVar(&f.outputFile, "output-file", "", "write the report to this file instead of standard output")
	fl.StringVar(&f.failOn, "fail-on", "high", "exit 1 when a finding is at or above this severity (critical, high, medium, low, info, or none)")
	fl.StringVar(&f.configPath, "config", "", "config file (default: .kube4c.yaml "+configWhere+")")
	fl.StringSliceVar(&f.checks, "checks", nil, "run only these check IDs (comma-separated)")
	fl.StringSliceVar(&f.skipChecks, "skip-checks", nil, "do not run these check IDs (comma-separated)")
	fl.BoolVar(&f.showSuppressed, "show-suppressed", false, "also list findings that exceptions suppress")
	fl.StringVar(&f.color, "color", "auto", "colour the table: auto (on a terminal, unless NO_COLOR is set), always or never")
}

func runScan(cmd *cobra.Command, g *globalFlags, f *scanFlags, paths []string) error {
	plan, err := f.plan(paths, nil)
	if err != nil {
		return err
	}
	var src pipeline.Source = pipeline.Files{Paths: paths, Stdin: cmd.InOrStdin(), AllowUnrendered: f.unrendered}
	var live *rest.Config
	if f.cluster.enabled {
		if src, err = f.cluster.source(cmd, g); err != nil {
			return err
		}
		if target, err := f.cluster.target(); err == nil {
			live = target.Config
		}
	}
	if len(f.vulns)+len(f.dast) > 0 {
		src = pipeline.WithScannerReports{Source: src, Images: f.vulns, DAST: f.dast}
	}
	if src, err = f.verify.source(cmd, g, plan.Config(), src, live); err != nil {
		return err
	}
	var scanned []string // files the html report may quote
	if !f.cluster.enabled {
		scanned = paths
	}
	return scanAndReport(cmd, g, f, plan, pipeline.Request{Source: src, Complete: f.complete, Prioritize: f.prioritize}, scanned)
}

// plan reads the flags and the config (found from paths) and plans the
// checks (keep, when set, narrows them), rejecting bad values before any
// input is read.
func (f *scanFlags) plan(paths []string, keep func(*check.Check) bool) (*pipeline.Plan, error) {
	if _, err := parseFailOn(f.failOn); err != nil {
		return nil, err
	}
	cfg, err := loadConfig(f.configPath, paths)
	if err != nil {
		return nil, &exitError{code: ExitError, err: err}
	}
	plan, err := pipeline.NewPlan(pipeline.Options{Config: cfg, Only: f.checks, Skip: f.skipChecks, Keep: keep, PSSVersion: f.pssVersion,
		KubernetesVersion: f.kubeVersion, IncludeBuiltin: f.includeBuiltin, VulnsDetail: f.vulnsDetail})
	if err != nil {
		return nil, &exitError{code: ExitError, err: err}
	}
	if !contains(report.Formats(), f.output) {
		return nil, usageError("unknown output format %q (want one of %s)", f.output, strings.Join(report.Formats(), ", "))
	}
	return plan, nil
}

// scanAndReport runs the scan req asks for, writes the report and returns
// the error that carries the exit code. scanned are the paths whose files
// the report may quote (html snippets); nil for none.
func scanAndReport(cmd *cobra.Command, g *globalFlags, f *scanFlags, plan *pipeline.Plan, req pipeline.Request, scanned []string) error {
	failOn, _ := parseFailOn(f.failOn) // checked by plan
	req.Tool = report.Tool{Name: "kube4c", Version: version(), URI: "https://github.com/kube4c/kube4c"}
	req.FailOn = failOn
	var rep *report.Report
	var err error
	inPhase("scan", func() { rep, err = plan.Scan(cmd.Context(), req) })
	if err != nil {
		return &exitError{code: ExitError, err: err}
	}
	rep.Exceptions = plan.Config().ExceptionList()
	inPhase("report", func() { err = writeReport(cmd, f, g, rep, scannedFiles(scanned)) })
	if err != nil {
		return &exitError{code: ExitError, err: err}
	}
	if !g.quiet && f.outputFile == "" && f.output != "table" {
		// Machine formats own stdout; still tell a person about input errors.
		for _, e := range rep.Errors {
			fmt.Fprintln(cmd.ErrOrStderr(), "error:", report.SafeText(e.Error()))
		}
	}
	var blind []string
	if f.failOnIncomplete && failOn != noThreshold {
		blind = incompleteAtOrAbove(plan, rep, failOn)
	}
	switch {
	case len(rep.Errors) > 0 || len(rep.Failures) > 0:
		return &exitError{code: ExitError}
	case len(blind) > 0:
		return &exitError{code: ExitError, err: fmt.Errorf("--fail-on-incomplete: checks at or above %s could not read all they read: %s", failOn, strings.Join(blind, ", "))}
	case failOn != noThreshold && rep.Failed():
		return &exitError{code: ExitFindings}
	}
	return nil
}

// incompleteAtOrAbove returns the checks of rep at or above sev (as the
// plan's config rates them) that ran without some kinds they read.
func incompleteAtOrAbove(plan *pipeline.Plan, rep *report.Report, sev check.Severity) []string {
	if rep.Coverage == nil {
		return nil
	}
	var out []string
	for _, ic := range rep.Coverage.Incomplete {
		if c := check.Default.Get(ic.CheckID); c != nil && plan.Severity(c) >= sev {
			out = append(out, ic.CheckID+" ("+strings.Join(ic.Missing, ", ")+")")
		}
	}
	return out
}

// noThreshold is the --fail-on value "none": never exit 1.
const noThreshold = check.Critical + 1

func parseFailOn(s string) (check.Severity, error) {
	if strings.EqualFold(s, "none") || strings.EqualFold(s, "never") {
		return noThreshold, nil
	}
	sev, err := check.ParseSeverity(s)
	if err != nil {
		return 0, usageError("--fail-on: %v", err)
	}
	return sev, nil
}

// loadConfig reads the config named by --config, or the .kube4c.yaml found
// from the first scanned path upward. No config file is not an error.
func loadConfig(explicit string, paths []string) (*config.Config, error) {
	path := explicit
	if path == "" {
		start := "."
		if len(paths) > 0 && paths[0] != manifest.Stdin {
			start = paths[0]
		}
		if abs, err := filepath.Abs(start); err == nil {
			start = abs
		}
		found, ok := config.Find(start)
		if !ok {
			return nil, nil
		}
		path = found
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	slog.Debug("config", "path", path)
	return cfg, cfg.Validate(pipeline.Known())
}

// writeReport renders rep as the flags ask; quote, when set, reads the
// scanned files for the snippets of the html format.
func writeReport(cmd *cobra.Command, f *scanFlags, g *globalFlags, rep *report.Report, quote func(string) ([]byte, error)) error {
	var w io.Writer = cmd.OutOrStdout()
	isTTY, width := false, 0
	if f.outputFile != "" {
		file, err := os.Create(f.outputFile)
		if err != nil {
			return err
		}
		defer file.Close()
		w = file
	} else if file, ok := w.(*os.File); ok {
		isTTY = term.IsTerminal(int(file.Fd()))
		if isTTY {
			width, _, _ = term.GetSize(int(file.Fd()))
		}
	}
	color := f.color == "always" || f.color == "auto" && isTTY && os.Getenv("NO_COLOR") == ""
	bw := bufio.NewWriterSize(w, 256*1024)
	opts := report.Options{Color: color, ShowSuppressed: f.showSuppressed, Verbose: g.verbose, Width: width, LinkBase: githubLinkBase(), Source: quote}
	if err := report.Render(f.output, bw, rep, opts); err != nil {
		return err
	}
	return bw.Flush()
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// githubLinkBase is where GitHub Actions shows the files of the commit
// being checked, for the markdown format's links; "" elsewhere.
func githubLinkBase() string {
	server, repo, sha := os.Getenv("GITHUB_SERVER_URL"), os.Getenv("GITHUB_REPOSITORY"), os.Getenv("GITHUB_SHA")
	if server == "" || repo == "" || sha == "" {
		return ""
	}
	return strings.TrimSuffix(server, "/") + "/" + repo + "/blob/" + sha + "/"
}
