package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"time"
)

// config holds the command-line flags.
type config struct {
	url         string
	caFile      string
	rate        int
	duration    time.Duration
	warmup      time.Duration
	timeout     time.Duration
	review      string
	maxInflight int
	http2       bool
	expect      string
	json        bool
	makeReview  string
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("admission-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.url, "url", "https://127.0.0.1:8443/validate", "the webhook's validating endpoint (a loopback address)")
	fs.StringVar(&cfg.caFile, "ca-file", "", "PEM file of the only CA to trust (default: the system's roots)")
	fs.IntVar(&cfg.rate, "rate", 1000, "requests per second")
	fs.DurationVar(&cfg.duration, "duration", 30*time.Second, "how long to measure, after the warm-up")
	fs.DurationVar(&cfg.warmup, "warmup", 2*time.Second, "how long to send at the same rate before measuring")
	fs.DurationVar(&cfg.timeout, "timeout", 10*time.Second, "time limit of one request")
	fs.StringVar(&cfg.review, "review", "", "AdmissionReview JSON file to send; each request gets its own request.uid")
	fs.IntVar(&cfg.maxInflight, "max-inflight", 256, "most requests in flight at once")
	fs.BoolVar(&cfg.http2, "http2", true, "allow HTTP/2, as the API server would use")
	fs.StringVar(&cfg.expect, "expect", "", "the `verdict` every answer must give, allowed or denied; any other is an error (default: either)")
	fs.BoolVar(&cfg.json, "json", false, "print the summary as JSON")
	fs.StringVar(&cfg.makeReview, "make-review", "", "print an AdmissionReview CREATE request for the first workload of this YAML `manifest`, and exit")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if cfg.makeReview != "" {
		return cfg, nil
	}
	return cfg, cfg.validate()
}

func (cfg config) validate() error {
	switch {
	case cfg.review == "":
		return errors.New("--review is required")
	case cfg.rate <= 0:
		return errors.New("--rate must be positive")
	case cfg.duration <= 0:
		return errors.New("--duration must be positive")
	case cfg.warmup < 0:
		return errors.New("--warmup must not be negative")
	case cfg.timeout <= 0:
		return errors.New("--timeout must be positive")
	case cfg.maxInflight <= 0:
		return errors.New("--max-inflight must be positive")
	case cfg.expect != "" && cfg.expect != "allowed" && cfg.expect != "denied":
		return fmt.Errorf("--expect %q: want allowed or denied", cfg.expect)
	}
	return checkLoopback(cfg.url)
}

// checkLoopback accepts only an https URL whose host is localhost or a
// loopback IP address: this tool is a load generator, and loads go to this
// machine only.
func checkLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("--url: %w", err)
	}
	if u.Scheme != "https" {
		return fmt.Errorf("--url %s: want an https URL", raw)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--url %s: refusing a host that is not a loopback address", raw)
}
