package cli

import (
	"crypto/tls"
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kube4c/kube4c/internal/testutil"
)

// admission serve and audit serve pick a renewed serving certificate up
// from its files without a restart, as when cert-manager renews the
// Secret mounted in their pod: the files are replaced by rename.
func TestServersReloadTheirCertificate(t *testing.T) {
	for _, tc := range []struct {
		name string
		args func(cert, key, ca string) []string
	}{
		{"admission serve", func(cert, key, _ string) []string {
			return []string{"admission", "serve", "--listen", "127.0.0.1:0", "--no-cache", "--tls-cert-file", cert, "--tls-private-key-file", key}
		}},
		{"audit serve", func(cert, key, ca string) []string {
			return []string{"audit", "serve", "--listen", "127.0.0.1:0", "--tls-cert-file", cert, "--tls-private-key-file", key,
				"--client-ca-file", ca, "--archive-dir", t.TempDir()}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			first, renewed := testutil.NewPKI(t), testutil.NewPKI(t)
			cert, key, ca := writeTLSFiles(t, first)
			srv := startServer(t, tc.args(cert, key, ca)...)
			handshake := func(roots *x509.CertPool) error {
				conn, err := tls.Dial("tcp", srv.addr, &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12})
				if err == nil {
					conn.Close()
				}
				return err
			}
			if err := handshake(first.Pool); err != nil {
				t.Fatalf("a client trusting the first CA: %v", err)
			}
			if handshake(renewed.Pool) == nil {
				t.Fatal("a client trusting only the renewed certificate's CA was served before the renewal")
			}

			certPEM, keyPEM := testutil.CertPEM(t, renewed.Server)
			for path, content := range map[string][]byte{key: keyPEM, cert: certPEM} {
				next := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".new")
				if err := os.WriteFile(next, content, 0o600); err != nil {
					t.Fatal(err)
				}
				if err := os.Rename(next, path); err != nil {
					t.Fatal(err)
				}
			}
			// The watcher sees the files change (or polls them); wait for
			// the renewed certificate, not for a time.
			var err error
			for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
				if err = handshake(renewed.Pool); err == nil {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the renewed certificate was never served: %v\n%s", err, srv.errOut.String())
				}
			}
			if handshake(first.Pool) == nil {
				t.Error("the replaced certificate is still served")
			}
			srv.stop(t)
		})
	}
}
