// Package signtest gives tests a real OCI registry on loopback and signers
// that sign its images the way cosign does: with a key (the legacy
// sha256-<hex>.sig tag) or keylessly through a virtual Sigstore (a Fulcio
// CA, Rekor log and timestamp authority made in the test, with its trusted
// root written to a file), as a legacy .sig layer or a Sigstore bundle
// attached as an OCI referrer. Nothing reaches the network.
package signtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/testing/ca"
	"github.com/sigstore/sigstore-go/pkg/tlog"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"google.golang.org/protobuf/proto"
)

// Registry is an OCI registry served on loopback for one test.
type Registry struct {
	// Host is its address, e.g. "127.0.0.1:38211".
	Host string
}

// NewRegistry starts a registry with the referrers API; it stops with
// the test.
func NewRegistry(t testing.TB) *Registry {
	t.Helper()
	srv := httptest.NewServer(newHandler())
	t.Cleanup(srv.Close)
	return &Registry{Host: strings.TrimPrefix(srv.URL, "http://")}
}

// NewPrivateRegistry starts a registry that answers only requests with
// the basic credentials user and password (a private registry). This
// package's helpers push and sign with them.
func NewPrivateRegistry(t testing.TB, user, password string) *Registry {
	t.Helper()
	h := newHandler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != user || p != password {
			w.Header().Set("WWW-Authenticate", `Basic realm="signtest"`)
			http.Error(w, `{"errors":[{"code":"UNAUTHORIZED","message":"log in"}]}`, http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	logins.Store(host, &authn.Basic{Username: user, Password: password})
	t.Cleanup(func() { logins.Delete(host) })
	return &Registry{Host: host}
}

func newHandler() http.Handler {
	return registry.New(registry.WithReferrersSupport(true), registry.Logger(log.New(io.Discard, "", 0)))
}

// logins holds the credentials of the private registries of running
// tests, by host, for this package's own requests.
var logins sync.Map

// helperKeychain gives this package's requests the logins.
type helperKeychain struct{}

func (helperKeychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	if a, ok := logins.Load(r.RegistryStr()); ok {
		return a.(authn.Authenticator), nil
	}
	return authn.Anonymous, nil
}

// auth is the remote option of every request of the helpers.
var auth = remote.WithAuthFromKeychain(helperKeychain{})

// Push pushes a new random image under repo:tag (repo without the host)
// and returns its reference and digest.
func (r *Registry) Push(t testing.TB, repoTag string) (ref string, digest name.Digest) {
	t.Helper()
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	tag, err := name.NewTag(r.Host + "/" + repoTag)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(tag, img, auth); err != nil {
		t.Fatal(err)
	}
	h, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return tag.String(), tag.Context().Digest(h.String())
}

// Key signs with an ECDSA P-256 key, as cosign generate-key-pair makes.
type Key struct {
	private *ecdsa.PrivateKey
}

// NewKey generates a key.
func NewKey(t testing.TB) *Key {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &Key{private: k}
}

// WritePublic writes the public key as PEM (cosign.pub) under dir and
// returns its path.
func (k *Key) WritePublic(t testing.TB, dir, file string) string {
	t.Helper()
	pem, err := cryptoutils.MarshalPublicKeyToPEM(k.private.Public())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, file)
	if err := os.WriteFile(path, pem, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// SignLegacy signs d as cosign sign --key does: a simple-signing payload
// naming d, its signature in a layer annotation of the .sig tag.
func (k *Key) SignLegacy(t testing.TB, d name.Digest) {
	t.Helper()
	payload := Payload(d)
	sum := sha256.Sum256(payload)
	sig, err := ecdsa.SignASN1(rand.Reader, k.private, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	pushLegacy(t, d, payload, map[string]string{"dev.cosignproject.cosign/signature": base64.StdEncoding.EncodeToString(sig)})
}

// Payload is cosign's simple-signing payload for d.
func Payload(d name.Digest) []byte {
	p, _ := json.Marshal(map[string]any{
		"critical": map[string]any{
			"identity": map[string]string{"docker-reference": d.Context().String()},
			"image":    map[string]string{"docker-manifest-digest": d.DigestStr()},
			"type":     "cosign container image signature",
		},
		"optional": nil,
	})
	return p
}

// pushLegacy writes the .sig manifest of d with one signed layer.
func pushLegacy(t testing.TB, d name.Digest, payload []byte, annotations map[string]string) {
	t.Helper()
	layer := static.NewLayer(payload, "application/vnd.dev.cosign.simplesigning.v1+json")
	img, err := mutate.Append(empty.Image, mutate.Addendum{Layer: layer, Annotations: annotations})
	if err != nil {
		t.Fatal(err)
	}
	tag := d.Context().Tag(strings.Replace(d.DigestStr(), ":", "-", 1) + ".sig")
	if err := remote.Write(tag, img, auth); err != nil {
		t.Fatal(err)
	}
}

// Sigstore is a virtual Sigstore: Fulcio, Rekor and a timestamp
// authority whose keys live in the test.
type Sigstore struct {
	vs *ca.VirtualSigstore
}

// NewSigstore makes one.
func NewSigstore(t testing.TB) *Sigstore {
	t.Helper()
	vs, err := ca.NewVirtualSigstore()
	if err != nil {
		t.Fatal(err)
	}
	return &Sigstore{vs: vs}
}

// WriteTrustedRoot writes its trusted_root.json under dir and returns the
// path.
func (s *Sigstore) WriteTrustedRoot(t testing.TB, dir string) string {
	t.Helper()
	// The virtual log's ID is its hex key ID as text; a trusted root holds
	// the raw bytes of the key ID, as real roots do.
	logs := map[string]*root.TransparencyLog{}
	for id, l := range s.vs.RekorLogs() {
		raw, err := hex.DecodeString(id)
		if err != nil {
			t.Fatal(err)
		}
		l.ID = raw
		logs[id] = l
	}
	tr, err := root.NewTrustedRoot(root.TrustedRootMediaType01, s.vs.FulcioCertificateAuthorities(), s.vs.CTLogs(),
		s.vs.TimestampingAuthorities(), logs)
	if err != nil {
		t.Fatal(err)
	}
	data, err := tr.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "trusted_root.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// SignLegacy signs d keylessly as cosign 2 does: a certificate for
// identity from issuer, the Rekor entry and a timestamp in annotations of
// the .sig layer.
func (s *Sigstore) SignLegacy(t testing.TB, d name.Digest, identity, issuer string) {
	t.Helper()
	payload := Payload(d)
	e, err := s.vs.Sign(identity, issuer, payload)
	if err != nil {
		t.Fatal(err)
	}
	vc, _ := e.VerificationContent()
	sc, _ := e.SignatureContent()
	certPEM, err := cryptoutils.MarshalCertificateToPEM(vc.Certificate())
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := e.TlogEntries()
	tle := s.logEntry(t, entries[0])
	rekor, _ := json.Marshal(map[string]any{
		"SignedEntryTimestamp": tle.GetInclusionPromise().GetSignedEntryTimestamp(),
		"Payload": map[string]any{
			"body":           tle.GetCanonicalizedBody(),
			"integratedTime": tle.GetIntegratedTime(),
			"logIndex":       tle.GetLogIndex(),
			"logID":          hex.EncodeToString(tle.GetLogId().GetKeyId()),
		},
	})
	timestamps, _ := e.Timestamps()
	ts, _ := json.Marshal(map[string][]byte{"SignedRFC3161Timestamp": timestamps[0]})
	pushLegacy(t, d, payload, map[string]string{
		"dev.cosignproject.cosign/signature":   base64.StdEncoding.EncodeToString(sc.Signature()),
		"dev.sigstore.cosign/certificate":      string(certPEM),
		"dev.sigstore.cosign/bundle":           string(rekor),
		"dev.sigstore.cosign/rfc3161timestamp": string(ts),
	})
}

// SignBundle signs d keylessly as cosign 3 does: a DSSE in-toto statement
// of predicate https://sigstore.dev/cosign/sign/v1 naming d, in a
// Sigstore bundle (v0.3) attached to d as a referrer.
func (s *Sigstore) SignBundle(t testing.TB, d name.Digest, identity, issuer string) {
	t.Helper()
	s.attach(t, d, identity, issuer, "https://sigstore.dev/cosign/sign/v1")
}

// Attest attaches an attestation of predicateType to d: a bundle that is
// not a signature.
func (s *Sigstore) Attest(t testing.TB, d name.Digest, identity, issuer, predicateType string) {
	t.Helper()
	s.attach(t, d, identity, issuer, predicateType)
}

func (s *Sigstore) attach(t testing.TB, d name.Digest, identity, issuer, predicateType string) {
	t.Helper()
	statement, _ := json.Marshal(map[string]any{
		"_type":         "https://in-toto.io/Statement/v1",
		"subject":       []map[string]any{{"name": d.Context().String(), "digest": map[string]string{"sha256": strings.TrimPrefix(d.DigestStr(), "sha256:")}}},
		"predicateType": predicateType,
		"predicate":     map[string]any{},
	})
	e, err := s.vs.AttestAtTime(identity, issuer, statement, time.Now().Add(5*time.Minute), true)
	if err != nil {
		t.Fatal(err)
	}
	vc, _ := e.VerificationContent()
	sc, _ := e.SignatureContent()
	env := sc.EnvelopeContent().RawEnvelope()
	sig, _ := base64.StdEncoding.DecodeString(env.Signatures[0].Sig)
	payload, _ := base64.StdEncoding.DecodeString(env.Payload)
	entries, _ := e.TlogEntries()
	timestamps, _ := e.Timestamps()
	pb := &protobundle.Bundle{
		MediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content:     &protobundle.VerificationMaterial_Certificate{Certificate: &protocommon.X509Certificate{RawBytes: vc.Certificate().Raw}},
			TlogEntries: []*protorekor.TransparencyLogEntry{s.logEntry(t, entries[0])},
			TimestampVerificationData: &protobundle.TimestampVerificationData{
				Rfc3161Timestamps: []*protocommon.RFC3161SignedTimestamp{{SignedTimestamp: timestamps[0]}},
			},
		},
		Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: &protodsse.Envelope{
			Payload: payload, PayloadType: env.PayloadType,
			Signatures: []*protodsse.Signature{{Sig: sig, Keyid: env.Signatures[0].KeyID}},
		}},
	}
	b, err := bundle.NewBundle(pb)
	if err != nil {
		t.Fatal(err)
	}
	data, err := b.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	Attach(t, d, data, map[string]string{"dev.sigstore.bundle.predicateType": predicateType})
}

// logEntry completes the protobuf form of a Rekor entry of the virtual
// log with what a real log returns: its kind and version, and the signed
// promise to include it.
func (s *Sigstore) logEntry(t testing.TB, e *tlog.Entry) *protorekor.TransparencyLogEntry {
	t.Helper()
	tle := proto.Clone(e.TransparencyLogEntry()).(*protorekor.TransparencyLogEntry)
	var body struct{ Kind, APIVersion string }
	if err := json.Unmarshal(tle.CanonicalizedBody, &body); err != nil {
		t.Fatal(err)
	}
	tle.KindVersion = &protorekor.KindVersion{Kind: body.Kind, Version: body.APIVersion}
	set, err := s.vs.RekorSignPayload(tlog.RekorPayload{Body: base64.StdEncoding.EncodeToString(tle.CanonicalizedBody),
		IntegratedTime: tle.IntegratedTime, LogIndex: tle.LogIndex, LogID: hex.EncodeToString(tle.LogId.KeyId)})
	if err != nil {
		t.Fatal(err)
	}
	tle.InclusionPromise = &protorekor.InclusionPromise{SignedEntryTimestamp: set}
	return tle
}

// Attach pushes bundle as a referrer of d, as cosign attaches bundles.
func Attach(t testing.TB, d name.Digest, bundleJSON []byte, annotations map[string]string) {
	t.Helper()
	mt := types.MediaType("application/vnd.dev.sigstore.bundle.v0.3+json")
	img, err := mutate.Append(empty.Image, mutate.Addendum{Layer: static.NewLayer(bundleJSON, mt)})
	if err != nil {
		t.Fatal(err)
	}
	img = mutate.MediaType(img, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, mt)
	subject, err := remote.Head(d, auth)
	if err != nil {
		t.Fatal(err)
	}
	img = mutate.Annotations(img, annotations).(v1.Image)
	img = mutate.Subject(img, v1.Descriptor{MediaType: subject.MediaType, Digest: subject.Digest, Size: subject.Size}).(v1.Image)
	h, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(d.Context().Digest(h.String()), img, auth); err != nil {
		t.Fatal(err)
	}
}
