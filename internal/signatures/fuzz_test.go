package signatures

import (
	"testing"
)

// A registry's signature manifests are untrusted: cosign's annotations and
// payloads never panic the reader, whatever they hold.
func FuzzLegacyAnnotations(f *testing.F) {
	f.Add(`{"critical":{"identity":{"docker-reference":"r.example/app"},"image":{"docker-manifest-digest":"sha256:ab"},"type":"cosign container image signature"},"optional":null}`,
		`{"SignedEntryTimestamp":"TUVVQ0lRRA==","Payload":{"body":"eyJhcGlWZXJzaW9uIjoiMC4wLjEiLCJraW5kIjoiaGFzaGVkcmVrb3JkIiwic3BlYyI6e319","integratedTime":1700000000,"logIndex":1,"logID":"c0d23d6a"}}`)
	f.Add(`{"critical":null}`, `{"Payload":{"body":"bnVsbA==","logID":"zz"}}`)
	f.Add(`[]`, `{"Payload":{"body":"e30=","logID":""}}`)
	f.Fuzz(func(t *testing.T, payload, rekor string) {
		s := &legacySignature{payload: []byte(payload)}
		if d, err := s.signedDigest(); err == nil && d == "" {
			t.Fatal("a payload without a digest was read")
		}
		if e, err := rekorEntry(rekor); err == nil && e == nil {
			t.Fatal("no entry and no error")
		}
	})
}
