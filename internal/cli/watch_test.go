package cli

import (
	"strings"
	"testing"
)

// Flags that cannot be right are usage errors, before any connection.
func TestWatchRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"watch", "--write-rate", "0"},
		{"watch", "--write-rate", "-5"},
		{"watch", "--write-rate", "NaN"},
		{"watch", "--write-rate", "+Inf"},
		{"watch", "--report-format", "xml"},
	} {
		code, _, errOut := run(t, "", append(args, "--kubeconfig", "/nonexistent")...)
		if code != ExitError || !strings.Contains(errOut, args[1]) {
			t.Errorf("%v: exit %d, stderr %q; want a usage error naming %s", args, code, errOut, args[1])
		}
	}
}
