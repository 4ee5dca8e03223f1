package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/kube4c/kube4c/internal/catalog"
	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/config"
	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/report"
	"github.com/kube4c/kube4c/internal/source"
	"github.com/kube4c/kube4c/internal/source/cluster"
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
	complete       bool
	cluster        *clusterFlags
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
		Example: "  kube4c scan ./deploy\n  kube4c scan -o sarif --output-file kube4c.sarif ./deploy\n  helm template ./chart | kube4c scan -\n" +
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
	f.cluster.addFlags(fl)
	fl.StringVar(&f.pssVersion, "pss-version", "", `Pod Security Standards version for pss-baseline and pss-restricted: "latest" or v1.0 to v1.37 (default: the config's, else latest)`)
	return cmd
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
	run, err := prepareRun(f, paths, nil)
	if err != nil {
		return err
	}
	loaded, err := load(cmd, g, f, paths, run.checks)
	if err != nil {
		return err
	}
	return run.checkAndReport(cmd, g, f, loaded, inventoryComplete(f.complete, loaded.coverage))
}

// checkRun is what a command that runs checks and reports like scan has
// prepared before reading its input.
type checkRun struct {
	start    time.Time
	failOn   check.Severity
	cfg      *config.Config
	checks   []*check.Check
	settings check.Settings
	// verdicts, when set, collects passes and not-applicables for the report.
	verdicts *check.Verdicts
}

// prepareRun reads the flags and the config and selects the checks (keep,
// when set, narrows them), rejecting bad values before any input is read.
func prepareRun(f *scanFlags, paths []string, keep func(*check.Check) bool) (*checkRun, error) {
	// Scanning allocates many short-lived objects: collecting less often
	// makes large scans markedly faster, while the soft memory limit makes
	// the collector work harder before the heap grows past it.
	tuneGC()
	run := &checkRun{start: time.Now()}
	var err error
	if run.failOn, err = parseFailOn(f.failOn); err != nil {
		return nil, err
	}
	if run.cfg, err = loadConfig(f.configPath, paths); err != nil {
		return nil, &exitError{code: ExitError, err: err}
	}
	if run.checks, err = run.cfg.Select(check.Default, f.checks, f.skipChecks); err != nil {
		return nil, &exitError{code: ExitError, err: err}
	}
	// Audit-log rules read audit events, not objects: kube4c audit runs them.
	run.checks = slices.DeleteFunc(run.checks, (*check.Check).IsAuditRule)
	if keep != nil {
		run.checks = slices.DeleteFunc(run.checks, func(c *check.Check) bool { return !keep(c) })
	}
	if run.settings, err = checkSettings(run.cfg, f, run.checks); err != nil {
		return nil, err
	}
	// Reject an unknown format before reading anything.
	if !contains(report.Formats(), f.output) {
		return nil, usageError("unknown output format %q (want one of %s)", f.output, strings.Join(report.Formats(), ", "))
	}
	return run, nil
}

// checkAndReport runs the checks over what was loaded, writes the report
// and returns the error that carries the exit code.
func (run *checkRun) checkAndReport(cmd *cobra.Command, g *globalFlags, f *scanFlags, loaded *loaded, complete bool) error {
	start, cfg, checks, failOn := run.start, run.cfg, run.checks, run.failOn
	slog.Debug("loaded", "files", loaded.Files, "documents", loaded.Documents, "objects", len(loaded.Objects), "errors", len(loaded.Errors), "elapsed", time.Since(start))
	inv := inventory.New(loaded.Objects)

	now := time.Now()
	exceptions := cfg.ExceptionList()
	relaxGCForChecks()
	var findings []*check.Finding
	var failures []check.Failure
	inPhase("check", func() {
		findings, failures = check.Run(inv, checks, check.Env{Settings: run.settings, Exceptions: exceptions, Now: now, Complete: complete, Verdicts: run.verdicts})
	})
	cfg.ApplySeverities(findings)
	kept, suppressed := findings, []*check.Finding(nil)
	if check.MayApplyExceptions(inv, exceptions) {
		kept, suppressed = check.ApplyExceptions(findings, exceptions, now)
	}
	slog.Debug("checked", "checks", len(checks), "findings", len(kept), "suppressed", len(suppressed), "elapsed", time.Since(start))

	rep := &report.Report{
		Tool:       report.Tool{Name: "kube4c", Version: version(), URI: "https://github.com/kube4c/kube4c"},
		Findings:   kept,
		Suppressed: suppressed,
		Checks:     checks,
		Errors:     loaded.Errors,
		Warnings:   append(loaded.Warnings, check.AnnotationProblems(inv, check.Default)...),
		Skipped:    loaded.Skipped,
		Failures:   failures,
		Files:      loaded.Files,
		Documents:  loaded.Documents,
		Objects:    len(loaded.Objects),
		FailOn:     failOn,
		Coverage:   loaded.coverage,
	}
	if run.verdicts != nil {
		rep.Verdicts = run.verdicts.Outcomes(checks, kept, suppressed)
	}
	var err error
	inPhase("report", func() { err = writeReport(cmd, f, g, rep) })
	if err != nil {
		return &exitError{code: ExitError, err: err}
	}
	slog.Debug("reported", "format", f.output, "elapsed", time.Since(start))
	if !g.quiet && f.outputFile == "" && f.output != "table" {
		// Machine formats own stdout; still tell a person about input errors.
		for _, e := range rep.Errors {
			fmt.Fprintln(cmd.ErrOrStderr(), "error:", e.Error())
		}
	}
	switch {
	case len(rep.Errors) > 0 || len(rep.Failures) > 0:
		return &exitError{code: ExitError}
	case failOn != noThreshold && rep.Failed():
		return &exitError{code: ExitFindings}
	}
	return nil
}

// load reads the objects to scan: the files, or the live cluster.
func load(cmd *cobra.Command, g *globalFlags, f *scanFlags, paths []string, checks []*check.Check) (*loaded, error) {
	if !f.cluster.enabled {
		var res source.Result
		inPhase("load", func() { res = manifest.Load(paths, manifest.Options{Stdin: cmd.InOrStdin()}) })
		return &loaded{Result: res}, nil
	}
	var progress cluster.Progress
	var bar *lineProgress
	if file, ok := cmd.ErrOrStderr().(*os.File); ok && !g.quiet && term.IsTerminal(int(file.Fd())) {
		bar = newLineProgress(file, len(cluster.Resources))
		progress = bar
	}
	res, err := f.cluster.collect(cmd.Context(), progress, nil)
	if bar != nil {
		bar.finish()
	}
	if err != nil {
		return nil, err
	}
	return &loaded{Result: res.Result, coverage: coverage(f.cluster.clusterName(), res, checks)}, nil
}

// checkSettings returns the settings the checks read: the config's, with
// command-line overrides on top, validated by each selected check.
func checkSettings(cfg *config.Config, f *scanFlags, selected []*check.Check) (check.Settings, error) {
	var settings check.Settings = cfg
	if f.pssVersion != "" {
		if err := catalog.ValidatePSSVersion(f.pssVersion); err != nil {
			return nil, usageError("--pss-version: %v", err)
		}
		settings = catalog.PSSVersionSettings(cfg, f.pssVersion)
	}
	return settings, validateSettings(settings, selected)
}

// validateSettings has each selected check validate its settings.
func validateSettings(settings check.Settings, selected []*check.Check) error {
	var errs []error
	for _, c := range selected {
		if c.ValidateSettings != nil {
			if err := c.ValidateSettings(settings); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if len(errs) > 0 {
		return &exitError{code: ExitError, err: errors.Join(errs...)}
	}
	return nil
}

// scanMemoryLimit is the soft heap limit of a scan: below it, garbage
// collection is relaxed for speed.
const scanMemoryLimit = 1536 << 20

// tuneGC relaxes garbage collection for a scan, unless GOGC or GOMEMLIMIT
// say otherwise.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(scanMemoryLimit)
	}
}

// checkGCPercent is the GOGC of checking and reporting. The loaded objects
// stay in use until the end, so a collection then mostly marks them again
// to reclaim little; collecting rarely trades memory, still capped by the
// soft limit, for that work.
const checkGCPercent = 400

// relaxGCForChecks sets checkGCPercent once the input is loaded, unless
// GOGC says otherwise.
func relaxGCForChecks() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(checkGCPercent)
	}
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
	return cfg, cfg.Validate(check.Default)
}

func writeReport(cmd *cobra.Command, f *scanFlags, g *globalFlags, rep *report.Report) error {
	var w io.Writer = cmd.OutOrStdout()
	isTTY := false
	if f.outputFile != "" {
		file, err := os.Create(f.outputFile)
		if err != nil {
			return err
		}
		defer file.Close()
		w = file
	} else if file, ok := w.(*os.File); ok {
		isTTY = term.IsTerminal(int(file.Fd()))
	}
	color := f.color == "always" || f.color == "auto" && isTTY && os.Getenv("NO_COLOR") == ""
	bw := bufio.NewWriterSize(w, 256*1024)
	opts := report.Options{Color: color, ShowSuppressed: f.showSuppressed, Verbose: g.verbose}
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
