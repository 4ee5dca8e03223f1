package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/kube4c/kube4c/internal/audit"
	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/config"
	"github.com/kube4c/kube4c/internal/pipeline"
	"github.com/kube4c/kube4c/internal/report"
)

func newAuditCommand(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Detect attacks and risky changes in Kubernetes audit logs",
		Long: "Evaluate the audit-log rules (the audit-... checks of kube4c checks) on the API server's audit events.\n" +
			"Rules are configured like any check: --checks, --skip-checks and the config file's checks and settings sections.",
	}
	cmd.AddCommand(newAuditAnalyzeCommand(g), newAuditServeCommand(), newAuditVerifyCommand())
	return cmd
}

type auditAnalyzeFlags struct {
	output       string
	failOn       string
	since, until string
	follow       bool
	poll         time.Duration
	configPath   string
	checks       []string
	skipChecks   []string
}

func newAuditAnalyzeCommand(g *globalFlags) *cobra.Command {
	f := &auditAnalyzeFlags{}
	cmd := &cobra.Command{
		Use:   "analyze FILE|DIR...|-",
		Short: "Evaluate the audit-log rules on audit log files",
		Long: "Read audit.k8s.io/v1 (or v1beta1) events as JSON lines, EventList documents or gzip files\n" +
			"(or - for standard input), or the archive of kube4c audit serve (its directory or files), and\n" +
			"report the alerts of the audit-log rules. Malformed lines are reported with their line numbers\n" +
			"and do not stop the reading; a file that cannot be read is reported and the others are read.\n" +
			"--follow keeps reading one file as it grows, across rotation.\n\n" +
			"Exit codes: 0 when no alert is at or above --fail-on, 1 when one is, 2 on a usage, config or input error\n" +
			"(including malformed lines).",
		Example: "  kube4c audit analyze /var/log/kubernetes/audit.log\n  kube4c audit analyze -o jsonl --since 2h audit.log.gz | jq .\n" +
			"  kube4c audit analyze --follow /var/log/kubernetes/audit.log",
		Args: func(cmd *cobra.Command, args []string) error {
			switch {
			case len(args) == 0:
				return usageError("audit analyze needs a FILE (or - for standard input)")
			case f.follow && (len(args) != 1 || args[0] == "-"):
				return usageError("--follow follows exactly one file")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return runAuditAnalyze(cmd, g, f, args) },
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.output, "output", "o", "table", "output format: table or jsonl (one alert a line)")
	fl.StringVar(&f.failOn, "fail-on", "high", "exit 1 when an alert is at or above this severity (critical, high, medium, low, info, or none)")
	fl.StringVar(&f.since, "since", "", "only events at or after this time: RFC 3339, or a duration before now such as 2h")
	fl.StringVar(&f.until, "until", "", "only events before this time: RFC 3339, or a duration before now")
	fl.BoolVarP(&f.follow, "follow", "f", false, "keep reading the file as it grows and rotates, until interrupted")
	fl.DurationVar(&f.poll, "poll", 250*time.Millisecond, "with --follow, how often to look for new lines")
	fl.StringVar(&f.configPath, "config", "", "config file (default: .kube4c.yaml in the current directory or a parent)")
	fl.StringSliceVar(&f.checks, "checks", nil, "evaluate only these audit rule IDs (comma-separated)")
	fl.StringSliceVar(&f.skipChecks, "skip-checks", nil, "do not evaluate these audit rule IDs (comma-separated)")
	return cmd
}

// parseTimeFlag reads an RFC 3339 time, or a duration counted back from now.
func parseTimeFlag(name, value string, now time.Time) (time.Time, error) {
	if value == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(value); err == nil {
		return now.Add(-d), nil
	}
	t, err := time.Parse(time.RFC3339, value)
	if err != nil {
		return time.Time{}, usageError("--%s: %q is neither an RFC 3339 time nor a duration", name, value)
	}
	return t, nil
}

// auditEngine builds the engine of the selected audit rules, and returns
// the config whose severity overrides apply to their alerts.
func auditEngine(configPath string, only, skip []string) (*audit.Engine, *config.Config, error) {
	cfg, err := loadConfig(configPath, nil)
	if err != nil {
		return nil, nil, &exitError{code: ExitError, err: err}
	}
	for _, id := range append(slices.Clone(only), skip...) {
		if check.Default.Get(strings.TrimSpace(id)) != nil {
			return nil, nil, usageError("%s is a check of kube4c scan, not an audit-log rule", strings.TrimSpace(id))
		}
	}
	selected, err := config.Select(cfg, audit.Rules.All(), pipeline.Known(), only, skip)
	if err != nil {
		return nil, nil, &exitError{code: ExitError, err: err}
	}
	metas := make([]*check.Meta, len(selected))
	for i, r := range selected {
		metas[i] = &r.Meta
	}
	if err := pipeline.ValidateSettings(cfg, metas); err != nil {
		return nil, nil, &exitError{code: ExitError, err: err}
	}
	return audit.NewEngine(selected, cfg), cfg, nil
}

func runAuditAnalyze(cmd *cobra.Command, g *globalFlags, f *auditAnalyzeFlags, paths []string) error {
	failOn, err := parseFailOn(f.failOn)
	if err != nil {
		return err
	}
	if !contains(report.AuditFormats(), f.output) {
		return usageError("unknown output format %q (want %s)", f.output, strings.Join(report.AuditFormats(), " or "))
	}
	now := time.Now()
	since, err := parseTimeFlag("since", f.since, now)
	if err != nil {
		return err
	}
	until, err := parseTimeFlag("until", f.until, now)
	if err != nil {
		return err
	}
	engine, cfg, err := auditEngine(f.configPath, f.checks, f.skipChecks)
	if err != nil {
		return err
	}
	out := bufio.NewWriterSize(cmd.OutOrStdout(), 64<<10)
	sink, err := report.NewAlertWriter(out, f.output, f.follow)
	if err != nil {
		return usageError("%v", err)
	}
	failed := false
	a := &audit.Analyzer{Engine: engine, Since: since, Until: until,
		OnAlert: func(al audit.Alert) {
			al.Severity = cfg.Severity(al.Rule, al.Severity)
			failed = failed || failOn != noThreshold && al.Severity >= failOn
			sink.Add(al)
		},
		OnMalformed: func(m audit.Malformed) {
			if !g.quiet {
				fmt.Fprintln(cmd.ErrOrStderr(), "malformed:", m)
			}
		},
	}
	readErr := readAuditInputs(cmd, f, paths, a.Handler())
	if err := sink.Finish(a); err != nil {
		return &exitError{code: ExitError, err: err}
	}
	if err := out.Flush(); err != nil {
		return &exitError{code: ExitError, err: err}
	}
	switch {
	case readErr != nil:
		return &exitError{code: ExitError, err: readErr}
	case a.Malformed > 0:
		return &exitError{code: ExitError, err: fmt.Errorf("%d malformed line(s) in the input", a.Malformed)}
	case failed:
		return &exitError{code: ExitFindings}
	}
	return nil
}

// readAuditInputs reads every path (or follows the one path) into h. A
// directory is the archive of audit serve: its files are read in order.
// A path that cannot be read is reported on standard error and the others
// are read all the same; the error then counts them.
func readAuditInputs(cmd *cobra.Command, f *auditAnalyzeFlags, paths []string, h audit.Handler) error {
	if f.follow {
		ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return audit.Follow(ctx, paths[0], f.poll, h)
	}
	failed := 0
	fail := func(err error) {
		failed++
		fmt.Fprintln(cmd.ErrOrStderr(), "kube4c:", err)
	}
	for _, p := range paths {
		files, err := auditFiles(p)
		if err != nil {
			fail(err)
			continue
		}
		for _, file := range files {
			if err := readAuditFile(cmd.InOrStdin(), file, h); err != nil {
				fail(err)
			}
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d input(s) could not be read", failed)
	}
	return nil
}

// auditFiles returns the files to read for a path: the path itself, or
// the files of the archive a directory holds.
func auditFiles(path string) ([]string, error) {
	if path == "-" {
		return []string{path}, nil
	}
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		return audit.ArchivePaths(path)
	}
	return []string{path}, nil
}

func readAuditFile(stdin io.Reader, path string, h audit.Handler) error {
	if path == "-" {
		return audit.Read(stdin, path, h)
	}
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	if err := audit.Read(file, path, h); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
