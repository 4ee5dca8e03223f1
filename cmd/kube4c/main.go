// Command kube4c audits and guards Kubernetes along the 4C model of
// cloud-native security: Code, Container, Cluster, Cloud.
package main

import (
	"os"

	"github.com/kube4c/kube4c/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:]))
}
