// Package servingcert issues the certificates of an admission webhook that
// the API server reaches through a Service: a CA of its own (whose
// certificate is the webhook's caBundle) and a serving certificate it
// signs for the Service's DNS names.
package servingcert

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net/netip"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/client-go/util/cert"
	"k8s.io/client-go/util/keyutil"
)

// Options say what to issue.
type Options struct {
	// Service and Namespace name the webhook's Service.
	Service, Namespace string
	// Hosts are more DNS names or IP addresses the serving certificate is
	// valid for (127.0.0.1 for a webhook run outside the cluster).
	Hosts []string
	// Validity is how long both certificates are valid.
	Validity time.Duration
	// Now is when they are issued; zero means the current time.
	Now time.Time
}

// Bundle is what Issue returns, PEM-encoded.
type Bundle struct {
	// CACert is the CA's certificate: the webhook's caBundle.
	CACert []byte
	// CAKey is the CA's private key.
	CAKey []byte
	// Cert is the serving certificate and Key its private key.
	Cert, Key []byte
	// NotAfter is when both certificates expire.
	NotAfter time.Time
	// Names are the serving certificate's subject alternative names.
	Names []string
}

// InvalidError is a name or host that cannot go into the certificate.
type InvalidError struct {
	// Field is "service", "namespace" or "host".
	Field string
	// Value is the name as given.
	Value string
	// Reason says what is wrong with it.
	Reason string
}

func (e *InvalidError) Error() string {
	return fmt.Sprintf("%s %q: %s", e.Field, e.Value, e.Reason)
}

// backdate is how long before Now the certificates become valid, so that
// an API server whose clock is a little behind accepts them at once.
const backdate = 5 * time.Minute

// SANs returns the names a Service is reached by from inside the cluster
// (NAME, NAME.NS, NAME.NS.svc, NAME.NS.svc.cluster.local), then hosts,
// without repeats. It refuses a Service or namespace name that Kubernetes
// would not accept and a host that is neither an IP address nor a DNS name.
func SANs(service, namespace string, hosts []string) ([]string, error) {
	if errs := validation.IsDNS1035Label(service); len(errs) > 0 {
		return nil, &InvalidError{Field: "service", Value: service, Reason: strings.Join(errs, "; ")}
	}
	if errs := validation.IsDNS1123Label(namespace); len(errs) > 0 {
		return nil, &InvalidError{Field: "namespace", Value: namespace, Reason: strings.Join(errs, "; ")}
	}
	svc := service + "." + namespace + ".svc"
	names := []string{service, service + "." + namespace, svc, svc + ".cluster.local"}
	for _, h := range hosts {
		name, err := hostName(h)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	return names, nil
}

// hostName returns h as a subject alternative name: an IP address in its
// canonical form, or a DNS name in lower case.
func hostName(h string) (string, error) {
	if ip, err := netip.ParseAddr(h); err == nil {
		if ip.Zone() != "" {
			return "", &InvalidError{Field: "host", Value: h, Reason: "an IP address in a certificate has no zone"}
		}
		return ip.Unmap().String(), nil
	}
	name := strings.ToLower(h)
	if errs := validation.IsDNS1123Subdomain(name); len(errs) > 0 {
		return "", &InvalidError{Field: "host", Value: h, Reason: "neither an IP address nor a DNS name: " + strings.Join(errs, "; ")}
	}
	return name, nil
}

// Issue creates a CA and a serving certificate signed by it, both with
// ECDSA P-256 keys. The serving certificate is for server authentication
// only and names the Service's DNS names and opts.Hosts (IP addresses as
// IP SANs).
func Issue(opts Options) (*Bundle, error) {
	names, err := SANs(opts.Service, opts.Namespace, opts.Hosts)
	if err != nil {
		return nil, err
	}
	if opts.Validity <= 0 {
		return nil, fmt.Errorf("validity %v: must be positive", opts.Validity)
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	notBefore, notAfter := now.Add(-backdate).UTC(), now.Add(opts.Validity).UTC()

	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating the CA key: %w", err)
	}
	caTmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: "kube4c admission CA for " + opts.Service + "." + opts.Namespace},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caCert, err := sign(caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		return nil, fmt.Errorf("signing the CA certificate: %w", err)
	}

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating the serving key: %w", err)
	}
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: opts.Service + "." + opts.Namespace + ".svc"},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	for _, n := range names {
		if ip, err := netip.ParseAddr(n); err == nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip.AsSlice())
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	leaf, err := sign(tmpl, caCert, key.Public(), caKey)
	if err != nil {
		return nil, fmt.Errorf("signing the serving certificate: %w", err)
	}

	b := &Bundle{NotAfter: notAfter, Names: names}
	if b.CACert, err = cert.EncodeCertificates(caCert); err != nil {
		return nil, err
	}
	if b.Cert, err = cert.EncodeCertificates(leaf); err != nil {
		return nil, err
	}
	if b.CAKey, err = keyutil.MarshalPrivateKeyToPEM(caKey); err != nil {
		return nil, err
	}
	if b.Key, err = keyutil.MarshalPrivateKeyToPEM(key); err != nil {
		return nil, err
	}
	return b, nil
}

// sign has signer (the key of parent) sign tmpl for pub, with a random
// 128-bit serial number, and parses the result.
func sign(tmpl, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, err
	}
	tmpl.SerialNumber = serial.Add(serial, big.NewInt(1))
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}
