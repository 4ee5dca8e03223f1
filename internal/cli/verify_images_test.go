package cli

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kube4c/kube4c/internal/signatures/signtest"
)

// scan --verify-images against a loopback registry: the signed image
// passes; unsigned, wrongly signed, moved and unreachable images are
// findings on the container's image field; the images of another policy
// are judged by theirs; an image no policy covers is left alone.
func TestScanVerifiesImageSignatures(t *testing.T) {
	reg := signtest.NewRegistry(t)
	sigstore := signtest.NewSigstore(t)
	dir := t.TempDir()
	ours, theirs := signtest.NewKey(t), signtest.NewKey(t)
	ours.WritePublic(t, dir, "cosign.pub")
	sigstore.WriteTrustedRoot(t, dir)

	signed, d := reg.Push(t, "shop/signed:1.0")
	ours.SignLegacy(t, d)
	unsigned, _ := reg.Push(t, "shop/unsigned:1.0")
	forged, fd := reg.Push(t, "shop/forged:1.0")
	theirs.SignLegacy(t, fd)
	moved, md := reg.Push(t, "shop/moved:1.0")
	ours.SignLegacy(t, md)
	reg.Push(t, "shop/moved:1.0")
	ci, cd := reg.Push(t, "ci/app:2.0")
	sigstore.SignBundle(t, cd, "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main", "https://token.actions.githubusercontent.com")
	impostor, id := reg.Push(t, "ci/impostor:2.0")
	sigstore.SignBundle(t, id, "mallory@example.com", "https://token.actions.githubusercontent.com")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gone := l.Addr().String() + "/shop/gone:1.0"
	l.Close()

	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(".kube4c.yaml", fmt.Sprintf(`images:
  verify:
    - name: ci
      images: ["%[1]s/ci/*"]
      keyless:
        identityRegexp: ^https://github.com/acme/
        issuer: https://token.actions.githubusercontent.com
        trustedRoot: trusted_root.json
    - name: shop
      images: ["%[1]s/shop/*", "%[2]s"]
      key: cosign.pub
`, reg.Host, strings.TrimSuffix(gone, ":1.0")))
	var docs []string
	for i, img := range []string{signed, unsigned, forged, moved, ci, impostor, gone, "nginx:1.27"} {
		docs = append(docs, fmt.Sprintf(`apiVersion: v1
kind: Pod
metadata: {name: p%d, namespace: shop}
spec:
  containers:
    - name: app
      image: %s
`, i, img))
	}
	write("pods.yaml", strings.Join(docs, "---\n"))

	code, out, errOut := run(t, "", "scan", "-o", "json", "--verify-images",
		"--checks", "image-signature-missing,image-signature-invalid,image-digest-unresolved", filepath.Join(dir, "pods.yaml"))
	if code != ExitFindings {
		t.Fatalf("exit %d, want 1; stderr %s", code, errOut)
	}
	var rep struct {
		Findings []struct {
			CheckID  string `json:"checkId"`
			Object   struct{ Name string }
			Path     string             `json:"path"`
			Message  string             `json:"message"`
			Location struct{ Line int } `json:"location"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range rep.Findings {
		if f.Path != "spec.containers[0].image" || f.Location.Line == 0 {
			t.Errorf("%s: path %q line %d, want the image field", f.Object.Name, f.Path, f.Location.Line)
		}
		got[f.Object.Name] = f.CheckID + ": " + f.Message
	}
	for name, want := range map[string]string{
		"p1": "image-signature-missing: image \"" + unsigned + "\" of container \"app\" is not signed (sha256:",
		"p2": "image-signature-invalid: image \"" + forged + "\" of container \"app\" has no valid signature",
		"p3": "image-signature-missing: ",
		"p5": "image-signature-invalid: ",
		"p6": "image-digest-unresolved: ",
	} {
		if !strings.HasPrefix(got[name], want) {
			t.Errorf("%s: got %q, want it to start with %q", name, got[name], want)
		}
	}
	for name, want := range map[string]string{"p2": "policy shop: none of 1 signatures verifies with the key",
		"p5": "by identity mallory@example.com (issuer https://token.actions.githubusercontent.com)", "p6": "connection refused"} {
		if !strings.Contains(got[name], want) {
			t.Errorf("%s: %q lacks %q", name, got[name], want)
		}
	}
	for _, name := range []string{"p0", "p4", "p7"} {
		if msg, ok := got[name]; ok {
			t.Errorf("%s should pass: %s", name, msg)
		}
	}
	if len(got) != 5 {
		t.Errorf("got %d findings, want 5: %v", len(got), got)
	}
}

func TestVerifyImagesNeedsAPolicy(t *testing.T) {
	for _, args := range [][]string{
		{"scan", "--verify-images", examples},
		{"scan", "--verify-key", "k.pub", examples},
		{"scan", "--verify-images", "--verify-identity", "me", examples},
	} {
		code, _, errOut := run(t, "", args...)
		if code != ExitError || !strings.Contains(errOut, "--verify") {
			t.Errorf("%v: exit %d, stderr %q; want a usage error", args, code, errOut)
		}
	}
}
