package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"
)

// newClient is an HTTP client that trusts only the CA of cfg.caFile (when
// given), keeps connections alive for reuse by every worker, speaks HTTP/2
// when allowed and the server offers it, and never goes through a proxy.
func newClient(cfg config) (*http.Client, error) {
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.caFile != "" {
		pem, err := os.ReadFile(cfg.caFile)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s: no PEM certificate", cfg.caFile)
		}
		tlsConfig.RootCAs = pool
	}
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	protocols.SetHTTP2(cfg.http2)
	transport := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:     tlsConfig,
		TLSHandshakeTimeout: 5 * time.Second,
		Protocols:           &protocols,
		MaxIdleConns:        cfg.maxInflight,
		MaxIdleConnsPerHost: cfg.maxInflight,
		IdleConnTimeout:     90 * time.Second,
	}
	return &http.Client{Transport: transport, Timeout: cfg.timeout}, nil
}
