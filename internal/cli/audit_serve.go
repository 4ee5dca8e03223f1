package cli

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/kube4c/kube4c/internal/audit"
	"github.com/kube4c/kube4c/internal/report"
)

type auditServeFlags struct {
	serving
	clientCAFile string
	archiveDir   string
	maxFileSize  int64
	maxBody      int64
	configPath   string
	checks       []string
	skipChecks   []string
}

func newAuditServeCommand() *cobra.Command {
	f := &auditServeFlags{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run an HTTPS audit webhook backend that archives events and raises alerts",
		Long: "Serve the API server's audit webhook (--audit-webhook-config-file pointing at https://HOST:PORT/):\n" +
			"every EventList batch is appended to a hash-chained, size-rotated gzip archive and fsynced before it\n" +
			"is acknowledged, then the audit-log rules run on it and their alerts are printed as JSON lines.\n" +
			"The API server's client certificate must be signed by --client-ca-file. /healthz and /metrics\n" +
			"(Prometheus) need no client certificate. The serving certificate and key are reloaded when their\n" +
			"files change. kube4c audit verify checks the archive.",
		Example: "  kube4c audit serve --tls-cert-file tls.crt --tls-private-key-file tls.key \\\n" +
			"    --client-ca-file apiserver-ca.crt --archive-dir /var/lib/kube4c/audit",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runAuditServe(cmd, f) },
	}
	f.serving.addFlags(cmd)
	fl := cmd.Flags()
	fl.StringVar(&f.clientCAFile, "client-ca-file", "", "CA bundle (PEM) that signs the API server's client certificate")
	fl.StringVar(&f.archiveDir, "archive-dir", "", "directory of the event archive")
	fl.Int64Var(&f.maxFileSize, "max-file-size", 100<<20, "start a new archive file past this many compressed bytes")
	fl.Int64Var(&f.maxBody, "max-body", 32<<20, "refuse request bodies larger than this many bytes (413)")
	fl.StringVar(&f.configPath, "config", "", "config file (default: .kube4c.yaml in the current directory or a parent)")
	fl.StringSliceVar(&f.checks, "checks", nil, "evaluate only these audit rule IDs (comma-separated)")
	fl.StringSliceVar(&f.skipChecks, "skip-checks", nil, "do not evaluate these audit rule IDs (comma-separated)")
	for _, name := range []string{"client-ca-file", "archive-dir"} {
		cmd.MarkFlagRequired(name)
	}
	return cmd
}

// serverTLS is audit serve's TLS: its serving certificate, reloaded when
// its files change, and the CA that signs the API server's client
// certificate.
func serverTLS(ctx context.Context, f *auditServeFlags) (*tls.Config, error) {
	certificate, err := f.certificate(ctx)
	if err != nil {
		return nil, err
	}
	pem, err := os.ReadFile(f.clientCAFile)
	if err != nil {
		return nil, usageError("--client-ca-file: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, usageError("--client-ca-file: no PEM certificate in %s", f.clientCAFile)
	}
	// Certificates are verified when given; the webhook path requires one,
	// so that /healthz and /metrics stay reachable to probes and scrapers.
	return &tls.Config{GetCertificate: certificate, ClientCAs: pool, ClientAuth: tls.VerifyClientCertIfGiven, MinVersion: tls.VersionTLS12}, nil
}

func runAuditServe(cmd *cobra.Command, f *auditServeFlags) error {
	limitMemoryToContainer()
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	tlsConfig, err := serverTLS(ctx, f)
	if err != nil {
		return err
	}
	engine, cfg, err := auditEngine(f.configPath, f.checks, f.skipChecks)
	if err != nil {
		return err
	}
	archive, err := audit.OpenArchive(f.archiveDir, f.maxFileSize)
	if err != nil {
		return &exitError{code: ExitError, err: err}
	}
	defer archive.Close()
	out := bufio.NewWriter(cmd.OutOrStdout())
	var outMu sync.Mutex
	receiver := audit.NewReceiver(engine, archive)
	receiver.RequireClientCert = true
	receiver.MaxBody = f.maxBody
	receiver.OnAlert = func(a audit.Alert) {
		a.Severity = cfg.Severity(a.Rule, a.Severity)
		outMu.Lock()
		defer outMu.Unlock()
		report.WriteAlertLine(out, a)
		out.Flush()
	}
	srv := &http.Server{Addr: f.listen, Handler: receiver, TLSConfig: tlsConfig, ReadHeaderTimeout: 10 * time.Second}
	return serveTLS(ctx, cmd, srv, "audit webhook")
}

func newAuditVerifyCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "verify DIR",
		Short: "Check that an audit archive was not modified, cut or reordered",
		Long: "Recompute the SHA-256 chain of the archive written by kube4c audit serve. Exit codes: 0 when the chain\n" +
			"holds, 1 when an event or file was modified, removed or reordered, 2 when the archive cannot be read.\n" +
			"The chain cannot reveal a cut at the archive's end: keep the printed last hash elsewhere and compare.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, err := audit.Verify(args[0])
			if err != nil {
				return &exitError{code: ExitError, err: err}
			}
			w := cmd.OutOrStdout()
			for _, p := range v.Problems {
				fmt.Fprintln(w, p)
			}
			fmt.Fprintf(w, "%d files, %d events, last hash %s\n", v.Files, v.Events, v.Last)
			if len(v.Problems) > 0 {
				return &exitError{code: ExitFindings, err: fmt.Errorf("the archive was tampered with: %d problem(s)", len(v.Problems))}
			}
			return nil
		},
	}
}
