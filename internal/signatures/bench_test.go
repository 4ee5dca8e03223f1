package signatures_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/kube4c/kube4c/internal/config"
	"github.com/kube4c/kube4c/internal/signatures"
	"github.com/kube4c/kube4c/internal/signatures/signtest"
)

// BenchmarkVerify200Images verifies 200 distinct images by tag on a
// loopback registry: half signed with a key (legacy .sig), half keyless
// (bundle referrers) under a second policy. Each iteration is a fresh
// verifier, as one scan is.
func BenchmarkVerify200Images(b *testing.B) {
	reg := signtest.NewRegistry(b)
	sigstore := signtest.NewSigstore(b)
	dir := b.TempDir()
	key := signtest.NewKey(b)
	policies := []config.ImagePolicy{
		{Name: "key", Images: []string{reg.Host + "/key/*"}, Key: key.WritePublic(b, dir, "cosign.pub")},
		{Name: "ci", Images: []string{reg.Host + "/ci/*"}, Keyless: &config.Keyless{Identity: ciIdentity, Issuer: ciIssuer,
			TrustedRoot: sigstore.WriteTrustedRoot(b, dir)}},
	}
	var reqs []signatures.Request
	for i := range 100 {
		ref, d := reg.Push(b, fmt.Sprintf("key/app-%d:v1", i))
		key.SignLegacy(b, d)
		reqs = append(reqs, signatures.Request{Image: ref})
		ref, d = reg.Push(b, fmt.Sprintf("ci/app-%d:v1", i))
		sigstore.SignBundle(b, d, ciIdentity, ciIssuer)
		reqs = append(reqs, signatures.Request{Image: ref})
	}
	b.ResetTimer()
	for b.Loop() {
		v, err := signatures.NewVerifier(policies, signatures.Options{Keychain: authn.NewMultiKeychain()})
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range v.Verify(context.Background(), reqs) {
			if r.Status != signatures.Verified {
				b.Fatalf("%s: %s %s", r.Image, r.Status, r.Detail)
			}
		}
	}
}
