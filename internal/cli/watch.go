package cli

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/kube4c/kube4c/internal/config"
	"github.com/kube4c/kube4c/internal/pipeline"
	"github.com/kube4c/kube4c/internal/watch"
)

type watchFlags struct {
	connection       *genericclioptions.ConfigFlags
	configPath       string
	reportFormat     string
	resync           time.Duration
	listen           string
	leaderElect      bool
	leaseNamespace   string
	leaseName        string
	metricsPerObject bool
	logFindings      bool
	logFormat        string
	writeRate        float64
}

func newWatchCommand(g *globalFlags) *cobra.Command {
	f := &watchFlags{connection: newClusterFlags().config}
	cmd := &cobra.Command{
		Use:   "watch",
		Short: "Keep every finding about a live cluster current, as report objects and metrics",
		Long: "Watch the cluster through informers (list and watch, read-only; Secrets and ConfigMaps by metadata only),\n" +
			"re-run after each change only the checks it can affect, and keep one report object per namespace and one\n" +
			"for the cluster (OpenReports, or wgpolicyk8s.io PolicyReports) current by server-side apply. Serves\n" +
			"/metrics, /healthz and /readyz. Replicas elect a leader through a Lease; only the leader writes.\n" +
			"Runs in a pod (in-cluster config) or outside (kubeconfig flags). docs/watch.md tells more.",
		Example: "  kube4c watch --context prod --leader-election-namespace kube4c-system\n" +
			"  kube4c watch --report-format policyreport --log-findings",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runWatch(cmd, g, f) },
	}
	fl := cmd.Flags()
	f.connection.AddFlags(fl)
	fl.StringVar(&f.configPath, "config", "", "config file: checks, settings and exceptions (default: none)")
	fl.StringVar(&f.reportFormat, "report-format", watch.OpenReports.Name, "report objects to write: openreports (openreports.io/v1alpha1) or policyreport (wgpolicyk8s.io/v1alpha2)")
	fl.DurationVar(&f.resync, "resync", time.Hour, "how often to compare the incremental findings with a fresh evaluation of everything (0: never)")
	fl.StringVar(&f.listen, "listen", ":8080", "address of /metrics, /healthz and /readyz (plain HTTP); empty serves nothing")
	fl.BoolVar(&f.leaderElect, "leader-elect", true, "elect, through a Lease, the one replica that writes reports")
	fl.StringVar(&f.leaseNamespace, "leader-election-namespace", "", "namespace of the Lease (default: $POD_NAMESPACE, else the kubeconfig's namespace)")
	fl.StringVar(&f.leaseName, "leader-election-id", "kube4c-watch", "name of the Lease")
	fl.BoolVar(&f.metricsPerObject, "metrics-per-object", false, "label the findings metric by object kind and name (one series per object: mind Prometheus' cardinality)")
	fl.BoolVar(&f.logFindings, "log-findings", false, "log each new finding and each fixed one as a structured line, for alerts")
	fl.StringVar(&f.logFormat, "log-format", "json", "log lines as json or text")
	fl.Float64Var(&f.writeRate, "write-rate", watch.DefaultWriteRate, "report results written per second at most (a report object written counts its results and one more)")
	return cmd
}

func runWatch(cmd *cobra.Command, g *globalFlags, f *watchFlags) error {
	format, err := watch.FormatNamed(f.reportFormat)
	if err != nil {
		return usageError("--report-format: %v", err)
	}
	if !(f.writeRate > 0) || math.IsInf(f.writeRate, 1) {
		return usageError("--write-rate: %v is not a positive number of results a second", f.writeRate)
	}
	logger, err := watchLogger(cmd, f.logFormat, g.verbose)
	if err != nil {
		return err
	}
	slog.SetDefault(logger)
	limitMemoryToContainer()
	var cfg *config.Config
	if f.configPath != "" {
		if cfg, err = loadConfig(f.configPath, nil); err != nil {
			return &exitError{code: ExitError, err: err}
		}
	}
	plan, err := pipeline.NewPlan(pipeline.Options{Config: cfg})
	if err != nil {
		return &exitError{code: ExitError, err: err}
	}
	restConfig, err := f.connection.ToRESTConfig()
	if err != nil {
		return usageError("cannot connect to the cluster: %v", err)
	}
	opts := watch.Options{Config: restConfig, Plan: plan, Format: format, Resync: f.resync,
		MetricsPerObject: f.metricsPerObject, LogFindings: f.logFindings, WriteRate: f.writeRate}
	if f.leaderElect {
		if opts.LeaderElection, err = f.leaderElection(); err != nil {
			return err
		}
	}
	if f.listen != "" {
		ln, err := net.Listen("tcp", f.listen)
		if err != nil {
			return &exitError{code: ExitError, err: err}
		}
		opts.Listener = ln
		slog.Info("serving /metrics, /healthz and /readyz", "address", ln.Addr().String())
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := watch.Run(ctx, opts); err != nil {
		return &exitError{code: ExitError, err: err}
	}
	return nil
}

// leaderElection names the Lease and this replica.
func (f *watchFlags) leaderElection() (*watch.LeaderElection, error) {
	ns := f.leaseNamespace
	if ns == "" {
		ns = os.Getenv("POD_NAMESPACE")
	}
	if ns == "" {
		var err error
		if ns, _, err = f.connection.ToRawKubeConfigLoader().Namespace(); err != nil {
			return nil, usageError("--leader-election-namespace: %v", err)
		}
	}
	host, _ := os.Hostname()
	suffix := make([]byte, 4)
	rand.Read(suffix)
	return &watch.LeaderElection{Namespace: ns, Name: f.leaseName, Identity: host + "_" + hex.EncodeToString(suffix)}, nil
}

// watchLogger logs at info (debug with -v), as JSON lines or text; both
// quote what they print, so object names reach no terminal raw.
func watchLogger(cmd *cobra.Command, format string, verbose bool) (*slog.Logger, error) {
	level := slog.LevelInfo
	if verbose {
		level = slog.LevelDebug
	}
	opts := &slog.HandlerOptions{Level: level}
	switch format {
	case "json":
		return slog.New(slog.NewJSONHandler(cmd.ErrOrStderr(), opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), opts)), nil
	}
	return nil, usageError("--log-format: %s is not json or text", fmt.Sprintf("%q", format))
}
