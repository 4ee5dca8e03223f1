package cli

import "github.com/spf13/cobra"

// newAdmissionCertsCommand is replaced by the certs command at merge.
func newAdmissionCertsCommand() *cobra.Command { return &cobra.Command{Use: "certs", Hidden: true} }
