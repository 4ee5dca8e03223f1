package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
)

// standIn is a stand-in webhook: it answers every review with answer and
// records the request uids it saw.
type standIn struct {
	answer func(w http.ResponseWriter, review *admissionv1.AdmissionReview)

	mu   sync.Mutex
	uids map[string]int
}

func (s *standIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var review admissionv1.AdmissionReview
	if r.Method != http.MethodPost || r.URL.Path != "/validate" ||
		json.NewDecoder(r.Body).Decode(&review) != nil || review.Request == nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.uids[string(review.Request.UID)]++
	s.mu.Unlock()
	s.answer(w, &review)
}

// allow answers as a webhook that allows everything.
func allow(w http.ResponseWriter, review *admissionv1.AdmissionReview) {
	review.Response = &admissionv1.AdmissionResponse{UID: review.Request.UID, Allowed: true}
	review.Request = nil
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(review)
}

// startStandIn serves answer over TLS with HTTP/2 and returns the server
// and a file holding its CA certificate.
func startStandIn(t *testing.T, answer func(http.ResponseWriter, *admissionv1.AdmissionReview)) (*standIn, *httptest.Server, string) {
	t.Helper()
	s := &standIn{answer: answer, uids: map[string]int{}}
	srv := httptest.NewUnstartedServer(s)
	srv.EnableHTTP2 = true
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // no TLS handshake errors
	srv.StartTLS()
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "ca.crt")
	block := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(ca, block, 0o600); err != nil {
		t.Fatal(err)
	}
	return s, srv, ca
}

// storefrontReview writes the review of the shop's storefront to a file.
func storefrontReview(t *testing.T) string {
	t.Helper()
	var out bytes.Buffer
	if err := writeReview("../../examples/shop/10-storefront.yaml", &out); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "review.json")
	if err := os.WriteFile(path, out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func loadConfig(url, ca, review string) config {
	return config{
		url: url + "/validate", caFile: ca, review: review,
		rate: 200, duration: time.Second, warmup: 250 * time.Millisecond,
		timeout: 10 * time.Second, maxInflight: 256, http2: true,
	}
}

func TestMeasureAllowed(t *testing.T) {
	server, srv, ca := startStandIn(t, allow)
	cfg := loadConfig(srv.URL, ca, storefrontReview(t))
	sum, err := measure(context.Background(), cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Sent != 200 || sum.Completed != 200 || sum.Allowed != 200 || sum.Denied != 0 || sum.Errors != 0 || sum.NotSent != 0 {
		t.Errorf("sent %d, completed %d (allowed %d, denied %d), errors %d, not sent %d: want 200 sent and allowed, no error",
			sum.Sent, sum.Completed, sum.Allowed, sum.Denied, sum.Errors, sum.NotSent)
	}
	if len(sum.FirstErrors) > 0 {
		t.Errorf("errors: %q", sum.FirstErrors)
	}
	if sum.Protocol != "HTTP/2.0" {
		t.Errorf("protocol %q, want HTTP/2.0", sum.Protocol)
	}
	// The 50 warm-up requests reached the server too, each with its own uid.
	server.mu.Lock()
	defer server.mu.Unlock()
	if len(server.uids) != 250 {
		t.Errorf("the server saw %d distinct uids, want 250", len(server.uids))
	}
	for uid, n := range server.uids {
		if n != 1 {
			t.Errorf("uid %s sent %d times", uid, n)
		}
	}
}

func TestMeasureHTTP1(t *testing.T) {
	_, srv, ca := startStandIn(t, allow)
	cfg := loadConfig(srv.URL, ca, storefrontReview(t))
	cfg.http2, cfg.rate, cfg.duration, cfg.warmup = false, 100, 200*time.Millisecond, 0
	sum, err := measure(context.Background(), cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Completed != 20 || sum.Errors != 0 || sum.Protocol != "HTTP/1.1" {
		t.Errorf("completed %d, errors %d over %s: want 20, none, over HTTP/1.1", sum.Completed, sum.Errors, sum.Protocol)
	}
}

// TestRunCountsBadAnswers runs the whole command against webhooks that
// answer wrongly: every request is an error and the exit status is 1.
func TestRunCountsBadAnswers(t *testing.T) {
	cases := map[string]func(http.ResponseWriter, *admissionv1.AdmissionReview){
		"wrong uid": func(w http.ResponseWriter, review *admissionv1.AdmissionReview) {
			review.Request.UID = "not-the-request-uid"
			allow(w, review)
		},
		"HTTP 500": func(w http.ResponseWriter, _ *admissionv1.AdmissionReview) {
			http.Error(w, "broken", http.StatusInternalServerError)
		},
		"no response": func(w http.ResponseWriter, review *admissionv1.AdmissionReview) {
			review.Request = nil
			_ = json.NewEncoder(w).Encode(review)
		},
		"not JSON": func(w http.ResponseWriter, _ *admissionv1.AdmissionReview) {
			_, _ = io.WriteString(w, "ok")
		},
		"denied when allowed expected": func(w http.ResponseWriter, review *admissionv1.AdmissionReview) {
			review.Response = &admissionv1.AdmissionResponse{UID: review.Request.UID, Allowed: false}
			review.Request = nil
			_ = json.NewEncoder(w).Encode(review)
		},
	}
	review := storefrontReview(t)
	for name, answer := range cases {
		t.Run(name, func(t *testing.T) {
			_, srv, ca := startStandIn(t, answer)
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), []string{
				"--url", srv.URL + "/validate", "--ca-file", ca, "--review", review,
				"--rate", "50", "--duration", "200ms", "--warmup", "0s", "--expect", "allowed", "--json",
			}, &stdout, &stderr)
			if code != 1 {
				t.Errorf("exit status %d, want 1", code)
			}
			var sum summary
			if err := json.Unmarshal(stdout.Bytes(), &sum); err != nil {
				t.Fatalf("summary: %v\n%s", err, stdout.String())
			}
			if sum.Sent != 10 || sum.Errors != 10 || sum.Completed != 0 {
				t.Errorf("sent %d, errors %d, completed %d: want 10 errors of 10", sum.Sent, sum.Errors, sum.Completed)
			}
			if len(sum.FirstErrors) != maxShownErrors || strings.Count(stderr.String(), "error: ") != maxShownErrors {
				t.Errorf("%d errors kept, stderr:\n%s\nwant the first %d", len(sum.FirstErrors), stderr.String(), maxShownErrors)
			}
			if len(sum.Failures) == 0 || !strings.Contains(sum.Failures[0], "10 errors") {
				t.Errorf("failures %q, want 10 errors first", sum.Failures)
			}
		})
	}
}

// TestRunTrustsOnlyTheCA: a server whose certificate the CA file did not
// sign is an error for every request.
func TestRunTrustsOnlyTheCA(t *testing.T) {
	_, srv, _ := startStandIn(t, allow)
	otherCA := writeOtherCA(t)
	var stdout bytes.Buffer
	code := run(context.Background(), []string{
		"--url", srv.URL + "/validate", "--ca-file", otherCA, "--review", storefrontReview(t),
		"--rate", "50", "--duration", "100ms", "--warmup", "0s", "--json",
	}, &stdout, io.Discard)
	var sum summary
	if err := json.Unmarshal(stdout.Bytes(), &sum); err != nil {
		t.Fatal(err)
	}
	if code != 1 || sum.Errors != 5 || len(sum.FirstErrors) == 0 || !strings.Contains(sum.FirstErrors[0], "certificate") {
		t.Errorf("exit status %d, %d errors (%q): want 1, 5 certificate errors", code, sum.Errors, sum.FirstErrors)
	}
}

// writeOtherCA writes a fresh self-signed CA certificate: httptest's
// servers all share one certificate.
func writeOtherCA(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "other CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "other-ca.crt")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRunUsage(t *testing.T) {
	review := storefrontReview(t)
	for _, args := range [][]string{
		{"--review", review, "--url", "https://10.0.0.1:8443/validate"},
		{"--review", review, "--url", "https://example.com/validate"},
		{"--review", review, "--url", "http://127.0.0.1:8443/validate"},
		{"--url", "https://127.0.0.1:8443/validate"},
		{"--review", review, "--rate", "0"},
		{"--review", review, "--expect", "maybe"},
		{"--review", "../../examples/shop/10-storefront.yaml"},
		{"--review", review, "extra"},
	} {
		if code := run(context.Background(), args, io.Discard, io.Discard); code != 2 {
			t.Errorf("%q: exit status %d, want 2", args, code)
		}
	}
}
