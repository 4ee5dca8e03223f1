package servingcert

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"k8s.io/client-go/util/cert"
)

func TestSANs(t *testing.T) {
	got, err := SANs("hook", "guard", []string{"127.0.0.1", "hook", "Hook.Example.COM", "::ffff:10.0.0.1", "2001:DB8::1", "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"hook", "hook.guard", "hook.guard.svc", "hook.guard.svc.cluster.local", "127.0.0.1", "hook.example.com", "10.0.0.1", "2001:db8::1"}
	if !slices.Equal(got, want) {
		t.Errorf("SANs\n got  %q\n want %q", got, want)
	}
	for _, bad := range [][3]string{
		{"Hook", "guard", ""}, {"1hook", "guard", ""}, {"hook", "guard.x", ""}, {"hook", "", ""},
		{"hook", "guard", "under_score"}, {"hook", "guard", "http://x"}, {"hook", "guard", "fe80::1%lo"},
	} {
		var hosts []string
		if bad[2] != "" {
			hosts = []string{bad[2]}
		}
		var invalid *InvalidError
		if _, err := SANs(bad[0], bad[1], hosts); !errors.As(err, &invalid) {
			t.Errorf("SANs(%q, %q, %q): %v, want an InvalidError", bad[0], bad[1], hosts, err)
		}
	}
}

func TestIssueValidity(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	b, err := Issue(Options{Service: "hook", Namespace: "guard", Validity: 30 * 24 * time.Hour, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	for _, pem := range [][]byte{b.CACert, b.Cert} {
		certs, err := cert.ParseCertsPEM(pem)
		if err != nil {
			t.Fatal(err)
		}
		c := certs[0]
		if !c.NotBefore.Equal(now.Add(-backdate)) || !c.NotAfter.Equal(now.Add(30*24*time.Hour)) || !c.NotAfter.Equal(b.NotAfter) {
			t.Errorf("%s valid %v to %v", c.Subject.CommonName, c.NotBefore, c.NotAfter)
		}
	}
	if _, err := Issue(Options{Service: "hook", Namespace: "guard"}); err == nil {
		t.Error("Issue without a validity succeeded")
	}
}

// Write never writes through a symbolic link, even with force.
func TestWriteReplacesLinks(t *testing.T) {
	dir, elsewhere := t.TempDir(), filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(elsewhere, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, filepath.Join(dir, KeyFile)); err != nil {
		t.Fatal(err)
	}
	b, err := Issue(Options{Service: "hook", Namespace: "guard", Validity: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Write(dir, false); !errors.Is(err, ErrExist) {
		t.Errorf("Write over a link without force: %v, want ErrExist", err)
	}
	if _, err := b.Write(dir, true); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(elsewhere); string(data) != "keep" {
		t.Errorf("the link's target was overwritten: %q", data)
	}
	if fi, err := os.Lstat(filepath.Join(dir, KeyFile)); err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o600 {
		t.Errorf("%s is %v (%v), want a regular file with mode 0600", KeyFile, fi.Mode(), err)
	}
}
