package cli

import (
	"os"
	"slices"

	"github.com/spf13/cobra"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/controlplane"
	"github.com/kube4c/kube4c/internal/pipeline"
)

func newNodeCommand(g *globalFlags) *cobra.Command {
	f := &scanFlags{cluster: newClusterFlags()}
	root := "/"
	cmd := &cobra.Command{
		Use:   "node",
		Short: "Check a node's control-plane and kubelet configuration against the CIS Kubernetes Benchmark",
		Long: "Read a node's files (static pod manifests in /etc/kubernetes/manifests, the kubelet's systemd drop-ins and\n" +
			"KubeletConfiguration, the EncryptionConfiguration and audit Policy the API server names, and the mode and owner\n" +
			"of the files CIS sections 1.1 and 4.1 cover) under --root, and decide the CIS items from parsed configuration.\n" +
			"Links and \"..\" resolve inside --root, as under chroot: nothing outside it is read.\n" +
			"Every item is reported as pass, fail or not applicable (with the reason) in -o json.\n\n" +
			"Exit codes: 0 when no finding is at or above --fail-on, 1 when one is, 2 on a usage, config or input error\n" +
			"(a missing or unparsable file is an input error, named by path).",
		Example: "  sudo kube4c node\n  kube4c node --root /mnt/node-snapshot -o json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if info, err := os.Stat(root); err != nil || !info.IsDir() {
				return usageError("--root %s is not a directory", root)
			}
			plan, err := f.plan(nil, isNodeCheck)
			if err != nil {
				return err
			}
			return scanAndReport(cmd, g, f, plan, pipeline.Request{Source: pipeline.Node{Root: root}, Verdicts: true}, nil)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&root, "root", "/", "directory the node's file system is mounted at")
	f.addReportFlags(fl, "in the current directory or a parent")
	return cmd
}

// isNodeCheck reports whether a check decides node configuration.
func isNodeCheck(c *check.Check) bool {
	return slices.Contains(c.ReadKinds(), controlplane.HostKind)
}
