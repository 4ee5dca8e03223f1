package cli

import (
	"log/slog"
	"math"
	"os"

	"github.com/KimMachineGun/automemlimit/memlimit"
)

// limitMemoryToContainer sets the Go runtime's soft memory limit to 80 %
// of the container's (cgroup) memory limit, unless GOMEMLIMIT is set, so
// that a long-running server collects garbage harder as it nears its
// limit instead of being killed. The fifth left over is for what the
// limit does not cover but the container's does: the resident pages of
// kube4c's executable (tens of MiB). Without a container limit (or
// outside Linux), nothing changes.
func limitMemoryToContainer() {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	limit, err := memlimit.Set(memlimit.WithRatio(0.8))
	if err != nil || limit == math.MaxInt64 {
		slog.Debug("no container memory limit to follow", "error", err)
		return
	}
	slog.Info("Go memory limit set from the container's", "GOMEMLIMIT", limit)
}
