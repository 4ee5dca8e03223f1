package cli

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kube4c/kube4c/internal/admission"
	"github.com/kube4c/kube4c/internal/config"
	"github.com/kube4c/kube4c/internal/pipeline"
)

func newAdmissionCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "admission",
		Short: "Enforce kube4c's checks when objects are created or updated (validating admission webhook)",
	}
	cmd.AddCommand(newAdmissionServeCommand(), newAdmissionCertsCommand())
	return cmd
}

type admissionServeFlags struct {
	serving
	configPath string
	kubeconfig string
	noCache    bool
}

func newAdmissionServeCommand() *cobra.Command {
	f := &admissionServeFlags{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the validating admission webhook (POST /validate, /healthz, /readyz, /metrics)",
		Long: "Serve an admission.k8s.io/v1 validating webhook that judges each object with the checks of kube4c scan\n" +
			"and refuses, warns or admits it by the config's admission section (docs/admission.md).\n" +
			"The TLS certificate and key are reloaded when their files change. With --kubeconfig, or inside a\n" +
			"cluster, an informer cache (list and watch, read-only) lets cross-object checks judge the object\n" +
			"among its namespace's NetworkPolicies, Services, ServiceAccounts and RBAC; without it they only warn.",
		Example: "  kube4c admission serve --tls-cert-file tls.crt --tls-private-key-file tls.key --config .kube4c.yaml",
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, args []string) error { return runAdmissionServe(cmd, f) },
	}
	f.serving.addFlags(cmd)
	fl := cmd.Flags()
	fl.StringVar(&f.configPath, "config", "", "config file with the admission section (default: none, the defaults of docs/admission.md)")
	fl.StringVar(&f.kubeconfig, "kubeconfig", "", "kubeconfig of the cluster to cache objects from (default: the in-cluster config when running in a pod)")
	fl.BoolVar(&f.noCache, "no-cache", false, "judge each object alone, without an informer cache, even in a cluster")
	return cmd
}

func runAdmissionServe(cmd *cobra.Command, f *admissionServeFlags) error {
	limitMemoryToContainer()
	var cfg *config.Config
	if f.configPath != "" {
		var err error
		if cfg, err = loadConfig(f.configPath, nil); err != nil {
			return &exitError{code: ExitError, err: err}
		}
	}
	plan, err := pipeline.NewPlan(pipeline.Options{Config: cfg})
	if err != nil {
		return &exitError{code: ExitError, err: err}
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	certificate, err := f.certificate(ctx)
	if err != nil {
		return err
	}

	var known admission.Known
	var ready func() bool
	restConfig, err := f.restConfig()
	if err != nil {
		return usageError("%v", err)
	}
	if restConfig != nil {
		client, err := kubernetes.NewForConfig(restConfig)
		if err != nil {
			return usageError("%v", err)
		}
		c := admission.NewCache(client)
		known, ready = c, c.Synced
		go func() {
			if err := c.Start(ctx); err != nil {
				slog.Error("admission cache", "error", err)
			}
		}()
	}
	reviewer, err := admission.NewReviewer(plan, cfg.AdmissionPolicy(), known)
	if err != nil {
		return &exitError{code: ExitError, err: err}
	}
	server := admission.NewServer(reviewer, admission.NewMetrics())
	server.Ready = ready

	srv := &http.Server{Addr: f.listen, Handler: server,
		TLSConfig:         &tls.Config{GetCertificate: certificate, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second,
		IdleTimeout: 2 * time.Minute}
	mode := "without a cache: cross-object checks only warn"
	if known != nil {
		mode = "with an informer cache"
	}
	return serveTLS(ctx, cmd, srv, "admission webhook", fmt.Sprintf("(%d checks, %s)", len(plan.Checks()), mode))
}

// restConfig returns the cluster to cache objects from: --kubeconfig,
// else the in-cluster config when running in a pod; nil for none.
func (f *admissionServeFlags) restConfig() (*rest.Config, error) {
	switch {
	case f.noCache:
		return nil, nil
	case f.kubeconfig != "":
		cfg, err := clientcmd.BuildConfigFromFlags("", f.kubeconfig)
		if err != nil {
			return nil, fmt.Errorf("--kubeconfig: %v", err)
		}
		return cfg, nil
	}
	cfg, err := rest.InClusterConfig()
	if errors.Is(err, rest.ErrNotInCluster) {
		return nil, nil
	}
	return cfg, err
}
