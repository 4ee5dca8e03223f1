package cli

import (
	"context"
	"crypto/tls"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kube4c/kube4c/internal/testutil"
)

func TestAuditAnalyzeGoesOnPastBadFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	missing := filepath.Join(dir, "missing.log")
	corrupt := write("corrupt.log.gz", "\x1f\x8b\x08\x00garbage")
	good := write("good.log", auditLog)
	code, out, errOut := run(t, "", "audit", "analyze", "-o", "jsonl", missing, corrupt, good)
	if code != ExitError {
		t.Errorf("exit %d, want %d", code, ExitError)
	}
	for _, want := range []string{missing, corrupt} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr does not name %s:\n%s", want, errOut)
		}
	}
	if !strings.Contains(out, "audit-pod-exec") || !strings.Contains(out, "audit-secret-read") {
		t.Errorf("the good file's alerts are missing:\n%s", out)
	}
}

func TestAuditVerifyRefusesADirectoryWithoutArchive(t *testing.T) {
	empty := t.TempDir()
	wrong := testutil.WriteTree(t, map[string]string{"/audit.log": auditLog, "/audit-1.jsonl.gz": "x"})
	for name, dir := range map[string]string{"empty": empty, "wrong": wrong} {
		if code, out, errOut := run(t, "", "audit", "verify", dir); code != ExitError || !strings.Contains(errOut, dir) {
			t.Errorf("%s directory: exit %d, want %d and an error naming it\n%s%s", name, code, ExitError, out, errOut)
		}
	}
}

// writeTLSFiles writes the serving certificate and key and the client CA
// of pki, and returns their paths.
func writeTLSFiles(t *testing.T, pki *testutil.PKI) (cert, key, ca string) {
	t.Helper()
	certPEM, keyPEM := testutil.CertPEM(t, pki.Server)
	dir := t.TempDir()
	cert, key, ca = filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key"), filepath.Join(dir, "ca.crt")
	for p, b := range map[string][]byte{cert: certPEM, key: keyPEM, ca: pki.CAPEM} {
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return cert, key, ca
}

var listeningOn = regexp.MustCompile(`listening on (\S+)`)

// server is a serving command of kube4c run in the test's process.
type server struct {
	addr        string
	out, errOut syncBuffer
	cancel      func()
	done        chan int
}

// startServer runs kube4c with args, a command that serves until it is
// stopped, and waits until it says where it listens.
func startServer(t *testing.T, args ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{cancel: cancel, done: make(chan int, 1)}
	root := NewRoot(strings.NewReader(""), &s.out, &s.errOut)
	root.SetArgs(args)
	root.SetContext(ctx)
	go func() { s.done <- Execute(root) }()
	t.Cleanup(cancel)
	for deadline := time.Now().Add(10 * time.Second); s.addr == ""; time.Sleep(time.Millisecond) {
		if m := listeningOn.FindStringSubmatch(s.errOut.String()); m != nil {
			s.addr = m[1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not say where it listens: %s", strings.Join(args[:2], " "), s.errOut.String())
		}
	}
	return s
}

// stop stops the server and expects it to exit cleanly.
func (s *server) stop(t *testing.T) {
	t.Helper()
	s.cancel()
	if code := <-s.done; code != ExitOK {
		t.Fatalf("exited %d: %s", code, s.errOut.String())
	}
}

// TestAuditServeArchiveIsAnalyzed runs audit serve, posts the events of
// auditLog to it over HTTPS as the API server's webhook does, and expects
// audit analyze of the archive to raise the alerts serve raised.
func TestAuditServeArchiveIsAnalyzed(t *testing.T) {
	pki := testutil.NewPKI(t)
	cert, key, ca := writeTLSFiles(t, pki)
	archive := filepath.Join(t.TempDir(), "archive")
	srv := startServer(t, "audit", "serve", "--listen", "127.0.0.1:0", "--tls-cert-file", cert, "--tls-private-key-file", key,
		"--client-ca-file", ca, "--archive-dir", archive)
	addr, out := srv.addr, &srv.out
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pki.Pool, Certificates: []tls.Certificate{pki.Client}}}}
	// The webhook's items carry no kind and apiVersion.
	items := strings.ReplaceAll(strings.TrimSpace(auditLog), `"kind":"Event","apiVersion":"audit.k8s.io/v1",`, "")
	for i, batch := range strings.Split(items, "\n") {
		body := `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[` + batch + `]}`
		resp, err := client.Post("https://"+addr+"/", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("batch %d: %s", i, resp.Status)
		}
	}
	srv.stop(t)
	served := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(served) != 2 {
		t.Fatalf("serve raised %d alerts, want 2:\n%s", len(served), out.String())
	}
	for _, input := range []string{archive, filepath.Join(archive, "audit-00000001.jsonl.gz")} {
		code, analyzed, errs := run(t, "", "audit", "analyze", "-o", "jsonl", input)
		if code != ExitFindings {
			t.Errorf("analyze %s: exit %d, want %d (pod exec is high): %s", input, code, ExitFindings, errs)
		}
		if got := strings.Split(strings.TrimSpace(analyzed), "\n"); !slices.Equal(got, served) {
			t.Errorf("analyze %s raised\n%s\nwant what serve raised:\n%s", input, analyzed, out.String())
		}
	}
}
