package signatures_test

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kube4c/kube4c/internal/config"
	"github.com/kube4c/kube4c/internal/signatures"
	"github.com/kube4c/kube4c/internal/signatures/signtest"
)

const (
	ciIdentity = "https://github.com/acme/shop/.github/workflows/release.yml@refs/heads/main"
	ciIssuer   = "https://token.actions.githubusercontent.com"
)

// verify runs a verifier with policies over images and returns the
// results by image.
func verify(t *testing.T, policies []config.ImagePolicy, images ...string) map[string]signatures.Result {
	t.Helper()
	v, err := signatures.NewVerifier(policies, signatures.Options{Keychain: authn.NewMultiKeychain()})
	if err != nil {
		t.Fatal(err)
	}
	var reqs []signatures.Request
	for _, img := range images {
		reqs = append(reqs, signatures.Request{Image: img})
	}
	out := map[string]signatures.Result{}
	for _, r := range v.Verify(context.Background(), reqs) {
		out[r.Image] = r
	}
	return out
}

func want(t *testing.T, got map[string]signatures.Result, image string, status signatures.Status, detail string) {
	t.Helper()
	r, ok := got[image]
	if !ok {
		t.Errorf("%s: no result", image)
		return
	}
	if r.Status != status || !strings.Contains(r.Detail+r.Signer, detail) {
		t.Errorf("%s: got %s %q %q, want %s with %q", image, r.Status, r.Signer, r.Detail, status, detail)
	}
}

func TestKeySignatures(t *testing.T) {
	reg := signtest.NewRegistry(t)
	dir := t.TempDir()
	ours, theirs := signtest.NewKey(t), signtest.NewKey(t)
	policy := config.ImagePolicy{Name: "ours", Images: []string{reg.Host + "/team/*"}, Key: ours.WritePublic(t, dir, "cosign.pub")}

	signed, d := reg.Push(t, "team/signed:v1")
	ours.SignLegacy(t, d)
	unsigned, _ := reg.Push(t, "team/unsigned:v1")
	other, od := reg.Push(t, "team/other:v1")
	theirs.SignLegacy(t, od)
	// A tag moved to new content after its first content was signed.
	moved, md := reg.Push(t, "team/moved:v1")
	ours.SignLegacy(t, md)
	moved2, _ := reg.Push(t, "team/moved:v1")
	if moved != moved2 {
		t.Fatal(moved, moved2)
	}
	byDigest := d.String()
	uncovered, _ := reg.Push(t, "elsewhere/app:v1")

	got := verify(t, []config.ImagePolicy{policy}, signed, unsigned, other, moved, byDigest, uncovered)
	want(t, got, signed, signatures.Verified, "key "+policy.Key)
	want(t, got, byDigest, signatures.Verified, "key")
	want(t, got, unsigned, signatures.Missing, "no cosign signature")
	want(t, got, other, signatures.Invalid, "a signature by another key")
	want(t, got, moved, signatures.Missing, "")
	if _, ok := got[uncovered]; ok {
		t.Errorf("an image no policy covers has a result: %+v", got[uncovered])
	}
	if got[signed].Digest != d.DigestStr() || got[signed].Policy != "ours" {
		t.Errorf("result %+v, want digest %s and policy ours", got[signed], d.DigestStr())
	}
}

func TestKeylessSignatures(t *testing.T) {
	reg := signtest.NewRegistry(t)
	sigstore := signtest.NewSigstore(t)
	policy := config.ImagePolicy{Name: "ci", Keyless: &config.Keyless{Identity: ciIdentity, Issuer: ciIssuer,
		TrustedRoot: sigstore.WriteTrustedRoot(t, t.TempDir())}}

	legacy, ld := reg.Push(t, "shop/legacy:v1")
	sigstore.SignLegacy(t, ld, ciIdentity, ciIssuer)
	bundled, bd := reg.Push(t, "shop/bundled:v1")
	sigstore.SignBundle(t, bd, ciIdentity, ciIssuer)
	stranger, sd := reg.Push(t, "shop/stranger:v1")
	sigstore.SignBundle(t, sd, "mallory@example.com", "https://accounts.example.com")
	strangerLegacy, sld := reg.Push(t, "shop/stranger-legacy:v1")
	sigstore.SignLegacy(t, sld, "mallory@example.com", ciIssuer)
	attested, ad := reg.Push(t, "shop/attested:v1")
	sigstore.Attest(t, ad, ciIdentity, ciIssuer, "https://cyclonedx.org/bom")
	// Another Sigstore's signature: the trusted root does not know its CA.
	foreign, fd := reg.Push(t, "shop/foreign:v1")
	signtest.NewSigstore(t).SignBundle(t, fd, ciIdentity, ciIssuer)

	got := verify(t, []config.ImagePolicy{policy}, legacy, bundled, stranger, strangerLegacy, attested, foreign)
	want(t, got, legacy, signatures.Verified, "identity "+ciIdentity+" (issuer "+ciIssuer+")")
	want(t, got, bundled, signatures.Verified, ciIdentity)
	want(t, got, stranger, signatures.Invalid, "by identity mallory@example.com (issuer https://accounts.example.com)")
	want(t, got, strangerLegacy, signatures.Invalid, "by identity mallory@example.com")
	want(t, got, attested, signatures.Missing, "")
	want(t, got, foreign, signatures.Invalid, "fails")
}

func TestUnreachableRegistry(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	host := l.Addr().String()
	l.Close()
	dir := t.TempDir()
	policy := config.ImagePolicy{Name: "all", Key: signtest.NewKey(t).WritePublic(t, dir, "k.pub")}
	img := host + "/team/app:v1"
	pinned := host + "/team/app@sha256:" + strings.Repeat("a", 64)
	got := verify(t, []config.ImagePolicy{policy}, img, pinned, "Not An Image")
	want(t, got, img, signatures.Unresolved, "connection refused")
	want(t, got, pinned, signatures.Unresolved, "connection refused")
	want(t, got, "Not An Image", signatures.Unresolved, "not an image reference")
}

func TestPolicyErrorsNameTheFile(t *testing.T) {
	_, err := signatures.NewVerifier([]config.ImagePolicy{
		{Name: "k", Key: "/nonexistent/cosign.pub"},
		{Name: "r", Keyless: &config.Keyless{Identity: "x", Issuer: "y", TrustedRoot: "/nonexistent/root.json"}},
	}, signatures.Options{})
	for _, s := range []string{"k: key", "/nonexistent/cosign.pub", "r: trustedRoot /nonexistent/root.json"} {
		if err == nil || !strings.Contains(err.Error(), s) {
			t.Errorf("error %v, want it to name %q", err, s)
		}
	}
}

// A private registry: without credentials the image is unresolved, with
// the workload's pull secret it is verified.
func TestPrivateRegistryWithPullSecret(t *testing.T) {
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	reg := signtest.NewPrivateRegistry(t, "ci", "s3cret")
	key := signtest.NewKey(t)
	img, d := reg.Push(t, "team/app:v1")
	key.SignLegacy(t, d)
	v, err := signatures.NewVerifier([]config.ImagePolicy{{Name: "k", Key: key.WritePublic(t, t.TempDir(), "k.pub")}}, signatures.Options{})
	if err != nil {
		t.Fatal(err)
	}
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "regcred"}, Type: corev1.SecretTypeDockerConfigJson,
		Data: map[string][]byte{corev1.DockerConfigJsonKey: []byte(`{"auths": {"` + reg.Host + `": {"username": "ci", "password": "s3cret"}}}`)}}
	kc, err := signatures.PullSecretKeychain([]*corev1.Secret{secret})
	if err != nil {
		t.Fatal(err)
	}
	got := v.Verify(context.Background(), []signatures.Request{{Image: img}, {Image: img + "-copy"}})
	if len(got) != 2 || got[0].Status != signatures.Unresolved || !strings.Contains(got[0].Detail, "UNAUTHORIZED") {
		t.Errorf("without credentials: %+v, want unresolved with the registry's refusal", got)
	}
	got = v.Verify(context.Background(), []signatures.Request{{Image: img, Keychain: kc}})
	if len(got) != 1 || got[0].Status != signatures.Verified {
		t.Errorf("with the pull secret: %+v, want verified", got)
	}
}
