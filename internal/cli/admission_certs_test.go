package cli

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/client-go/util/cert"
	"k8s.io/client-go/util/keyutil"
)

// runCerts runs `kube4c admission certs ARGS`. Until the admission parent
// command exists, the test hangs the command under a stand-in parent.
func runCerts(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := NewRoot(strings.NewReader(""), &out, &errOut)
	parent := subcommand(root, "admission")
	if parent == nil {
		parent = &cobra.Command{Use: "admission"}
		root.AddCommand(parent)
	}
	if subcommand(parent, "certs") == nil {
		parent.AddCommand(newAdmissionCertsCommand())
	}
	root.SetArgs(append([]string{"admission", "certs"}, args...))
	code := Execute(root)
	return code, out.String(), errOut.String()
}

func subcommand(cmd *cobra.Command, name string) *cobra.Command {
	for _, c := range cmd.Commands() {
		if c.Name() == name {
			return c
		}
	}
	return nil
}

// readPEM reads one file of dir.
func readPEM(t *testing.T, dir, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func parseCert(t *testing.T, data []byte) *x509.Certificate {
	t.Helper()
	certs, err := cert.ParseCertsPEM(data)
	if err != nil || len(certs) != 1 {
		t.Fatalf("want one certificate, got %d (%v)", len(certs), err)
	}
	return certs[0]
}

func TestAdmissionCertsIssueAPairTheCAVerifies(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "certs")
	code, out, errOut := runCerts(t, "--out-dir", dir, "--service", "guard", "--namespace", "sec",
		"--host", "127.0.0.1", "--host", "::1", "--host", "Webhook.Example.com", "--validity", "48h")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	caPEM, caKeyPEM := readPEM(t, dir, "ca.crt"), readPEM(t, dir, "ca.key")
	crtPEM, keyPEM := readPEM(t, dir, "tls.crt"), readPEM(t, dir, "tls.key")

	// Standard output is the caBundle, on one line.
	if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "\n") {
		t.Errorf("standard output is not one line: %q", out)
	}
	if bundle, err := base64.StdEncoding.DecodeString(strings.TrimSpace(out)); err != nil || !bytes.Equal(bundle, caPEM) {
		t.Errorf("standard output is not ca.crt in base64 (%v)", err)
	}
	for _, want := range []string{filepath.Join(dir, "tls.key"), "guard.sec.svc", "valid until"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("standard error lacks %q:\n%s", want, errOut)
		}
	}

	// Modes: keys are private.
	for name, want := range map[string]os.FileMode{"ca.key": 0o600, "tls.key": 0o600} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s has mode %v, want %v", name, fi.Mode().Perm(), want)
		}
	}

	ca, leaf := parseCert(t, caPEM), parseCert(t, crtPEM)
	if !ca.IsCA || !ca.BasicConstraintsValid || ca.KeyUsage&x509.KeyUsageCertSign == 0 {
		t.Errorf("ca.crt is not a CA: IsCA %v, key usage %b", ca.IsCA, ca.KeyUsage)
	}
	if leaf.IsCA || len(leaf.ExtKeyUsage) != 1 || leaf.ExtKeyUsage[0] != x509.ExtKeyUsageServerAuth {
		t.Errorf("tls.crt: IsCA %v, extended key usage %v; want a serverAuth leaf", leaf.IsCA, leaf.ExtKeyUsage)
	}
	if d := leaf.NotAfter.Sub(leaf.NotBefore); d < 48*time.Hour || d > 49*time.Hour {
		t.Errorf("tls.crt is valid for %v, want about 48h", d)
	}

	// Keys: ECDSA P-256, each matching its certificate.
	for _, pair := range []struct {
		name      string
		crt, key  []byte
		certified *x509.Certificate
	}{{"ca", caPEM, caKeyPEM, ca}, {"tls", crtPEM, keyPEM, leaf}} {
		key, err := keyutil.ParsePrivateKeyPEM(pair.key)
		if err != nil {
			t.Fatalf("%s.key: %v", pair.name, err)
		}
		ec, ok := key.(*ecdsa.PrivateKey)
		if !ok || ec.Curve != elliptic.P256() {
			t.Errorf("%s.key is %T, want an ECDSA P-256 key", pair.name, key)
		}
		if _, err := tls.X509KeyPair(pair.crt, pair.key); err != nil {
			t.Errorf("%s.crt and %s.key do not match: %v", pair.name, pair.name, err)
		}
	}

	// The serving certificate verifies against the CA for every name.
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	for _, name := range []string{"guard", "guard.sec", "guard.sec.svc", "guard.sec.svc.cluster.local", "webhook.example.com", "127.0.0.1", "::1"} {
		if _, err := leaf.Verify(x509.VerifyOptions{DNSName: name, Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err != nil {
			t.Errorf("verify for %s: %v", name, err)
		}
	}
	if len(leaf.IPAddresses) != 2 || len(leaf.DNSNames) != 5 {
		t.Errorf("SANs %v %v, want five DNS names, 127.0.0.1 and ::1", leaf.DNSNames, leaf.IPAddresses)
	}
	for _, name := range []string{"kube4c-admission.kube4c-system.svc", "example.com", "10.0.0.1"} {
		if _, err := leaf.Verify(x509.VerifyOptions{DNSName: name, Roots: roots}); err == nil {
			t.Errorf("verify for %s succeeded; it is not a name of the certificate", name)
		}
	}
}

// A client that trusts only ca.crt completes a TLS handshake with a server
// that serves tls.crt, on 127.0.0.1.
func TestAdmissionCertsServeTLSOnLoopback(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := runCerts(t, "--out-dir", dir, "--host", "127.0.0.1"); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	pair, err := tls.LoadX509KeyPair(filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake below
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	defer srv.Close()

	pool, err := cert.NewPool(filepath.Join(dir, "ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	defer client.CloseIdleConnections()
	if !strings.HasPrefix(srv.URL, "https://127.0.0.1:") {
		t.Fatalf("server at %s, want 127.0.0.1", srv.URL)
	}
	resp, err := client.Get(srv.URL + "/healthz")
	if err != nil {
		t.Fatalf("handshake with a client trusting only ca.crt: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "ok" {
		t.Errorf("body %q", body)
	}

	// Another CA's client refuses the server.
	other := t.TempDir()
	if code, _, errOut := runCerts(t, "--out-dir", other, "--host", "127.0.0.1"); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	otherPool, err := cert.NewPool(filepath.Join(other, "ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	stranger := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: otherPool}}}
	defer stranger.CloseIdleConnections()
	if resp, err := stranger.Get(srv.URL); err == nil {
		resp.Body.Close()
		t.Error("a client trusting another CA accepted the server")
	}
}

func TestAdmissionCertsRefuseToOverwrite(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := runCerts(t, "--out-dir", dir); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	before := readPEM(t, dir, "tls.key")
	// One file is enough to refuse: nothing is written.
	if err := os.Remove(filepath.Join(dir, "ca.crt")); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCerts(t, "--out-dir", dir)
	if code != ExitError || out != "" || !strings.Contains(errOut, "already exists") || !strings.Contains(errOut, "--force") {
		t.Fatalf("second run: exit %d, stdout %q, stderr %q; want exit 2 naming --force", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "ca.crt")); err == nil {
		t.Error("a refused run wrote ca.crt")
	}
	if !bytes.Equal(before, readPEM(t, dir, "tls.key")) {
		t.Error("a refused run changed tls.key")
	}

	// --force replaces them, and a key left readable becomes private again.
	if err := os.Chmod(filepath.Join(dir, "tls.key"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCerts(t, "--out-dir", dir, "--force"); code != ExitOK {
		t.Fatalf("--force: exit %d: %s", code, errOut)
	}
	if bytes.Equal(before, readPEM(t, dir, "tls.key")) {
		t.Error("--force kept the old tls.key")
	}
	if fi, err := os.Stat(filepath.Join(dir, "tls.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("tls.key after --force: %v %v, want mode 0600", fi.Mode().Perm(), err)
	}
	if _, err := tls.LoadX509KeyPair(filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")); err != nil {
		t.Errorf("after --force: %v", err)
	}
}

func TestAdmissionCertsUsageErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--validity", "a year"}, `--validity "a year": not a duration`},
		{[]string{"--validity", "0s"}, "--validity 0s: must be positive"},
		{[]string{"--validity", "-24h"}, "--validity -24h: must be positive"},
		{[]string{"--host", "not_a host"}, `--host "not_a host": neither an IP address nor a DNS name`},
		{[]string{"--host", ""}, `--host "": neither an IP address nor a DNS name`},
		{[]string{"--host", "fe80::1%eth0"}, `--host "fe80::1%eth0": an IP address in a certificate has no zone`},
		{[]string{"--service", "Webhook"}, `--service "Webhook"`},
		{[]string{"--namespace", "a.b"}, `--namespace "a.b"`},
	} {
		args := append([]string{"--out-dir", filepath.Join(dir, "never")}, tc.args...)
		code, out, errOut := runCerts(t, args...)
		if code != ExitError || out != "" || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and %q", tc.args, code, out, errOut, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "never")); err == nil {
		t.Error("a usage error created the output directory")
	}
	if code, _, errOut := runCerts(t); code != ExitError || !strings.Contains(errOut, "out-dir") {
		t.Errorf("no --out-dir: exit %d, stderr %q", code, errOut)
	}
}
