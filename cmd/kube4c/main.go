// Command kube4c audits and guards Kubernetes along the 4C model of
// cloud-native security: Code, Container, Cluster, Cloud.
package main

import (
	"log/slog"
	"os"
	"runtime/debug"

	"github.com/kube4c/kube4c/internal/cli"
)

func main() {
	tuneGC()
	// Warnings by default; -v lowers the level to debug.
	level := new(slog.LevelVar)
	level.Set(slog.LevelWarn)
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})))
	os.Exit(cli.Main(os.Args[1:], level))
}

// gcPercent is kube4c's GOGC. A scan keeps every object it read until it
// has reported, so each collection marks them all again to reclaim little:
// collecting less often than Go's default (100) makes large scans markedly
// faster for a heap that stays proportional to the input. No soft memory
// limit is set: near one, the collector runs back to back and a scan
// slows down many times instead of using a little more memory.
const gcPercent = 200

// tuneGC sets gcPercent unless the user set GOGC.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
}
