package cli

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kube4c/kube4c/internal/servingcert"
)

type admissionCertsFlags struct {
	service, namespace string
	hosts              []string
	outDir             string
	validity           string
	force              bool
}

// newAdmissionCertsCommand builds `kube4c admission certs`, which writes a
// CA and the webhook's serving certificate, for clusters without
// cert-manager and for running the webhook outside the cluster.
func newAdmissionCertsCommand() *cobra.Command {
	f := &admissionCertsFlags{}
	cmd := &cobra.Command{
		Use:   "certs",
		Short: "Write a CA and a serving certificate for the admission webhook's Service",
		Long: "Write ca.crt, ca.key, tls.crt and tls.key into --out-dir: a new CA (ECDSA P-256) and a serving\n" +
			"certificate it signs for the Service NAME in namespace NS, valid for NAME, NAME.NS, NAME.NS.svc,\n" +
			"NAME.NS.svc.cluster.local and each --host. Keys are written with mode 0600; existing files are\n" +
			"kept unless --force. The CA certificate, base64-encoded for the webhook's clientConfig.caBundle,\n" +
			"is printed on standard output.",
		Example: "  CA_BUNDLE=$(kube4c admission certs --out-dir ./certs)\n" +
			"  kubectl -n kube4c-system create secret tls kube4c-admission-tls --cert certs/tls.crt --key certs/tls.key\n" +
			"  kube4c admission certs --out-dir ./local --host 127.0.0.1   # a webhook run on this machine",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runAdmissionCerts(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.service, "service", "kube4c-admission", "name of the webhook's Service")
	fl.StringVar(&f.namespace, "namespace", "kube4c-system", "namespace of the webhook's Service")
	fl.StringArrayVar(&f.hosts, "host", nil, "another DNS name or IP address to put in the certificate (repeatable)")
	fl.StringVar(&f.outDir, "out-dir", "", "directory to write ca.crt, ca.key, tls.crt and tls.key into (created if missing)")
	fl.StringVar(&f.validity, "validity", "8760h", "how long the certificates are valid (a Go duration: 8760h, 720h30m)")
	fl.BoolVar(&f.force, "force", false, "replace files that already exist")
	_ = cmd.MarkFlagRequired("out-dir")
	return cmd
}

func runAdmissionCerts(cmd *cobra.Command, f *admissionCertsFlags) error {
	validity, err := time.ParseDuration(f.validity)
	if err != nil {
		return usageError("--validity %q: not a duration (write it as 8760h, 720h30m, ...)", f.validity)
	}
	if validity <= 0 {
		return usageError("--validity %s: must be positive", f.validity)
	}
	if strings.TrimSpace(f.outDir) == "" {
		return usageError("--out-dir must name a directory")
	}
	b, err := servingcert.Issue(servingcert.Options{Service: f.service, Namespace: f.namespace, Hosts: f.hosts, Validity: validity})
	var invalid *servingcert.InvalidError
	if errors.As(err, &invalid) {
		return usageError("--%s %q: %s", invalid.Field, invalid.Value, invalid.Reason)
	}
	if err != nil {
		return err
	}
	written, err := b.Write(f.outDir, f.force)
	if errors.Is(err, servingcert.ErrExist) {
		return usageError("%v", err)
	}
	if err != nil {
		return fmt.Errorf("cannot write the certificates: %w", err)
	}
	if _, err := fmt.Fprintln(cmd.OutOrStdout(), base64.StdEncoding.EncodeToString(b.CACert)); err != nil {
		return err
	}
	if quiet, _ := cmd.Flags().GetBool("quiet"); !quiet {
		fmt.Fprintf(cmd.ErrOrStderr(), "kube4c: wrote %s (keys with mode 0600)\n"+
			"kube4c: serving certificate for %s, valid until %s; the base64 caBundle is on standard output\n",
			strings.Join(written, ", "), strings.Join(b.Names, ", "), b.NotAfter.Format(time.RFC3339))
	}
	return nil
}
