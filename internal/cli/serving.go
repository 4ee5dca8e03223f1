package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"
	"sigs.k8s.io/controller-runtime/pkg/certwatcher"
)

// serving holds the flags of the commands that serve HTTPS: where to
// listen and the serving certificate and key.
type serving struct {
	listen            string
	certFile, keyFile string
}

// addFlags adds --listen, --tls-cert-file and --tls-private-key-file (both
// required) to cmd.
func (f *serving) addFlags(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.listen, "listen", ":8443", "address to listen on")
	fl.StringVar(&f.certFile, "tls-cert-file", "", "server certificate (PEM), reloaded when it changes")
	fl.StringVar(&f.keyFile, "tls-private-key-file", "", "server private key (PEM), reloaded when it changes")
	for _, name := range []string{"tls-cert-file", "tls-private-key-file"} {
		cmd.MarkFlagRequired(name)
	}
}

// certificate loads the serving certificate and its key, and reloads
// them whenever their files change until ctx ends, so that a renewed pair
// (cert-manager, a Secret mounted in the pod) is served without a
// restart. A pair that cannot be read keeps the last good one in use.
func (f *serving) certificate(ctx context.Context) (func(*tls.ClientHelloInfo) (*tls.Certificate, error), error) {
	watcher, err := certwatcher.New(f.certFile, f.keyFile)
	if err != nil {
		return nil, usageError("server certificate: %v", err)
	}
	go func() {
		if err := watcher.Start(ctx); err != nil {
			slog.Error("watching the certificate files", "error", err)
		}
	}()
	return watcher.GetCertificate, nil
}

// serveTLS serves srv over TLS on its address until ctx ends, then shuts
// it down gracefully. Once listening, it prints "kube4c: WHAT listening
// on ADDR" on stderr, followed by details when given.
func serveTLS(ctx context.Context, cmd *cobra.Command, srv *http.Server, what string, details ...string) error {
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	ln, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		return &exitError{code: ExitError, err: err}
	}
	line := fmt.Sprintf("kube4c: %s listening on %s", what, ln.Addr())
	for _, d := range details {
		line += " " + d
	}
	fmt.Fprintln(cmd.ErrOrStderr(), line)
	if err := srv.ServeTLS(ln, "", ""); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return &exitError{code: ExitError, err: err}
	}
	return nil
}
