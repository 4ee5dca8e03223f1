package signatures

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/tlog"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
)

// What cosign writes, as its specification names it.
const (
	// signatureAnnotation holds the base64 signature of a legacy layer.
	signatureAnnotation = "dev.cosignproject.cosign/signature"
	// certificateAnnotation holds the PEM signing certificate (keyless).
	certificateAnnotation = "dev.sigstore.cosign/certificate"
	// rekorAnnotation holds the Rekor entry and its signed timestamp.
	rekorAnnotation = "dev.sigstore.cosign/bundle"
	// timestampAnnotation holds an RFC 3161 timestamp of the signature.
	timestampAnnotation = "dev.sigstore.cosign/rfc3161timestamp"
	// bundleArtifactType prefixes the artifact type of a Sigstore bundle
	// referrer ("application/vnd.dev.sigstore.bundle.v0.3+json").
	bundleArtifactType = "application/vnd.dev.sigstore.bundle"
	// predicateAnnotation names the predicate of a bundle referrer.
	predicateAnnotation = "dev.sigstore.bundle.predicateType"
	// signPredicate is the predicate type of a cosign (v3) image
	// signature; other predicates are attestations, not signatures.
	signPredicate = "https://sigstore.dev/cosign/sign/v1"
)

// Bounds on what a registry can make kube4c read for one image.
const (
	maxSignatureBytes = 1 << 20 // one payload or bundle
	maxSignatures     = 64      // legacy layers plus bundles
)

// legacySignature is one layer of a cosign signature manifest (the
// sha256-<hex>.sig tag): a simple-signing payload and its signature, with
// the signing certificate and the Rekor and timestamp evidence of keyless
// signing when present. It is a sigstore-go SignedEntity.
type legacySignature struct {
	payload, signature []byte
	cert               *x509.Certificate
	rekor              *tlog.Entry
	timestamps         [][]byte
}

var _ verify.SignedEntity = (*legacySignature)(nil)

// HasInclusionPromise reports a Rekor signed entry timestamp.
func (s *legacySignature) HasInclusionPromise() bool { return s.rekor != nil }

// HasInclusionProof is false: the legacy format carries no proof.
func (s *legacySignature) HasInclusionProof() bool { return false }

// SignatureContent is the signature over the payload.
func (s *legacySignature) SignatureContent() (verify.SignatureContent, error) {
	digest := sha256.Sum256(s.payload)
	return bundle.NewMessageSignature(digest[:], "SHA2_256", s.signature), nil
}

// Timestamps are the RFC 3161 timestamps.
func (s *legacySignature) Timestamps() ([][]byte, error) { return s.timestamps, nil }

// TlogEntries is the Rekor entry, if any.
func (s *legacySignature) TlogEntries() ([]*tlog.Entry, error) {
	if s.rekor == nil {
		return nil, nil
	}
	return []*tlog.Entry{s.rekor}, nil
}

// VerificationContent is the signing certificate.
func (s *legacySignature) VerificationContent() (verify.VerificationContent, error) {
	if s.cert == nil {
		return nil, errors.New("no signing certificate")
	}
	return bundle.NewCertificate(s.cert), nil
}

// Version is that of the oldest bundle, whose evidence this matches.
func (s *legacySignature) Version() (string, error) { return "v0.1", nil }

// signedDigest returns the image digest the payload vouches for.
func (s *legacySignature) signedDigest() (string, error) {
	var p struct {
		Critical struct {
			Image struct {
				Digest string `json:"docker-manifest-digest"`
			} `json:"image"`
		} `json:"critical"`
	}
	if err := json.Unmarshal(s.payload, &p); err != nil || p.Critical.Image.Digest == "" {
		return "", errors.New("a signature whose payload names no image digest")
	}
	return p.Critical.Image.Digest, nil
}

// signatureSet is every signature found for one image digest.
type signatureSet struct {
	legacy  []*legacySignature
	bundles []*bundle.Bundle
}

func (s signatureSet) empty() bool { return len(s.legacy)+len(s.bundles) == 0 }

// fetchSignatures reads the signatures of the image d: the legacy .sig
// tag and the bundle referrers. An image without either has an empty set;
// a registry error is returned.
func fetchSignatures(d name.Digest, opts []remote.Option) (signatureSet, error) {
	var set signatureSet
	var err error
	if set.legacy, err = fetchLegacy(d, opts); err != nil {
		return set, fmt.Errorf("reading the signature tag: %w", err)
	}
	if set.bundles, err = fetchBundles(d, opts); err != nil {
		return set, fmt.Errorf("reading the referrers: %w", err)
	}
	return set, nil
}

// fetchLegacy reads the layers of the sha256-<hex>.sig manifest.
func fetchLegacy(d name.Digest, opts []remote.Option) ([]*legacySignature, error) {
	tag := d.Context().Tag(strings.Replace(d.DigestStr(), ":", "-", 1) + ".sig")
	img, err := remote.Image(tag, opts...)
	if notFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	manifest, err := img.Manifest()
	if err != nil {
		return nil, err
	}
	var out []*legacySignature
	for i, layer := range manifest.Layers {
		if i == maxSignatures {
			break
		}
		sig, err := legacyLayer(img, layer)
		if err != nil {
			return nil, fmt.Errorf("%s layer %d: %w", tag.TagStr(), i, err)
		}
		if sig != nil {
			out = append(out, sig)
		}
	}
	return out, nil
}

// legacyLayer reads one layer of a signature manifest; nil when the layer
// carries no signature.
func legacyLayer(img v1.Image, desc v1.Descriptor) (*legacySignature, error) {
	b64, ok := desc.Annotations[signatureAnnotation]
	if !ok {
		return nil, nil
	}
	sig := &legacySignature{}
	var err error
	if sig.signature, err = base64.StdEncoding.DecodeString(b64); err != nil {
		return nil, fmt.Errorf("signature annotation: %w", err)
	}
	layer, err := img.LayerByDigest(desc.Digest)
	if err != nil {
		return nil, err
	}
	if sig.payload, err = readLayer(layer); err != nil {
		return nil, err
	}
	if pem := desc.Annotations[certificateAnnotation]; pem != "" {
		certs, err := cryptoutils.UnmarshalCertificatesFromPEM([]byte(pem))
		if err != nil || len(certs) == 0 {
			return nil, fmt.Errorf("certificate annotation: not a PEM certificate")
		}
		sig.cert = certs[0]
	}
	if raw := desc.Annotations[rekorAnnotation]; raw != "" {
		if sig.rekor, err = rekorEntry(raw); err != nil {
			return nil, fmt.Errorf("rekor bundle annotation: %w", err)
		}
	}
	if raw := desc.Annotations[timestampAnnotation]; raw != "" {
		var ts struct{ SignedRFC3161Timestamp []byte }
		if err := json.Unmarshal([]byte(raw), &ts); err != nil {
			return nil, fmt.Errorf("timestamp annotation: %w", err)
		}
		sig.timestamps = [][]byte{ts.SignedRFC3161Timestamp}
	}
	return sig, nil
}

// rekorEntry decodes cosign's Rekor bundle annotation: the log entry and
// the log's signed promise to include it.
func rekorEntry(raw string) (*tlog.Entry, error) {
	var b struct {
		SignedEntryTimestamp []byte
		Payload              struct {
			Body           []byte `json:"body"`
			IntegratedTime int64  `json:"integratedTime"`
			LogIndex       int64  `json:"logIndex"`
			LogID          string `json:"logID"`
		}
	}
	if err := json.Unmarshal([]byte(raw), &b); err != nil {
		return nil, err
	}
	logID, err := hex.DecodeString(b.Payload.LogID)
	if err != nil {
		return nil, fmt.Errorf("logID: %w", err)
	}
	var kind struct{ Kind, APIVersion string }
	if err := json.Unmarshal(b.Payload.Body, &kind); err != nil {
		return nil, fmt.Errorf("body: %w", err)
	}
	return tlog.NewTlogEntry(&protorekor.TransparencyLogEntry{
		LogIndex:          b.Payload.LogIndex,
		LogId:             &protocommon.LogId{KeyId: logID},
		KindVersion:       &protorekor.KindVersion{Kind: kind.Kind, Version: kind.APIVersion},
		IntegratedTime:    b.Payload.IntegratedTime,
		InclusionPromise:  &protorekor.InclusionPromise{SignedEntryTimestamp: b.SignedEntryTimestamp},
		CanonicalizedBody: b.Payload.Body,
	})
}

// fetchBundles reads the Sigstore bundles attached to d as referrers (the
// registry's referrers API, else the sha256-<hex> tag index), skipping
// those whose predicate says they are attestations.
func fetchBundles(d name.Digest, opts []remote.Option) ([]*bundle.Bundle, error) {
	index, err := remote.Referrers(d, opts...)
	if notFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	manifest, err := index.IndexManifest()
	if err != nil {
		return nil, err
	}
	var out []*bundle.Bundle
	for _, desc := range manifest.Manifests {
		if !strings.HasPrefix(desc.ArtifactType, bundleArtifactType) {
			continue
		}
		if p, ok := desc.Annotations[predicateAnnotation]; ok && p != signPredicate {
			continue
		}
		if len(out) == maxSignatures {
			break
		}
		img, err := remote.Image(d.Context().Digest(desc.Digest.String()), opts...)
		if err != nil {
			return nil, fmt.Errorf("referrer %s: %w", desc.Digest, err)
		}
		layers, err := img.Layers()
		if err != nil || len(layers) == 0 {
			return nil, fmt.Errorf("referrer %s: no bundle layer", desc.Digest)
		}
		raw, err := readLayer(layers[0])
		if err != nil {
			return nil, fmt.Errorf("referrer %s: %w", desc.Digest, err)
		}
		var b bundle.Bundle
		if err := b.UnmarshalJSON(raw); err != nil {
			return nil, fmt.Errorf("referrer %s: not a Sigstore bundle: %w", desc.Digest, err)
		}
		out = append(out, &b)
	}
	return out, nil
}

// readLayer reads a layer's blob as stored, refusing one too large to be
// a signature.
func readLayer(layer v1.Layer) ([]byte, error) {
	rc, err := layer.Compressed()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxSignatureBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxSignatureBytes {
		return nil, fmt.Errorf("larger than %d bytes: not a signature", maxSignatureBytes)
	}
	return data, nil
}

// notFound reports a registry's answer that the manifest does not exist.
func notFound(err error) bool {
	var terr *transport.Error
	return errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound
}
