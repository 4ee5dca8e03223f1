// Command admission-load measures an admission webhook under load. It sends
// admission.k8s.io/v1 AdmissionReviews at a constant rate, open loop: each
// request is due at a fixed time whatever the answers before it took, and
// its latency is counted from that time, so the time a request waits behind
// slow ones is measured rather than hidden (no coordinated omission). The
// service time, from the actual send, is reported beside it.
//
// It targets loopback addresses only and stops by itself after the warm-up,
// the duration and at most one request timeout.
//
//	admission-load --url https://127.0.0.1:8443/validate --ca-file ca.crt \
//	    --review review.json --rate 1000 --duration 30s
//	admission-load --make-review examples/shop/10-storefront.yaml > review.json
//
// The exit status is 0 when every answer was valid and the achieved rate
// was at least 95 % of the target, 1 otherwise, and 2 for a usage or setup
// error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the whole command: it returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "admission-load:", err)
		return 2
	}
	if cfg.makeReview != "" {
		if err := writeReview(cfg.makeReview, stdout); err != nil {
			fmt.Fprintln(stderr, "admission-load:", err)
			return 2
		}
		return 0
	}
	sum, err := measure(ctx, cfg, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "admission-load:", err)
		return 2
	}
	if cfg.json {
		err = sum.writeJSON(stdout)
	} else {
		err = sum.writeText(stdout)
	}
	if err != nil {
		fmt.Fprintln(stderr, "admission-load:", err)
		return 2
	}
	if len(sum.Failures) > 0 {
		return 1
	}
	return 0
}
