package cli

import (
	"context"
	"crypto/tls"
	"log/slog"

	"sigs.k8s.io/controller-runtime/pkg/certwatcher"
)

// watchCertificate loads a serving certificate and its key, and reloads
// them whenever their files change until ctx ends, so that a renewed pair
// (cert-manager, a Secret mounted in the pod) is served without a
// restart. A pair that cannot be read keeps the last good one in use.
func watchCertificate(ctx context.Context, certFile, keyFile string) (func(*tls.ClientHelloInfo) (*tls.Certificate, error), error) {
	watcher, err := certwatcher.New(certFile, keyFile)
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
