package cli

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/kube4c/kube4c/internal/audit"
	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/checkdoc"
	"github.com/kube4c/kube4c/internal/pipeline"
)

func newChecksCommand() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "checks",
		Short: "List the checks kube4c runs",
		Long:  "List every built-in check and audit-log rule with its layer and severity. -o markdown prints the reference page docs/checks.md.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			all := pipeline.Known()
			w := cmd.OutOrStdout()
			switch output {
			case "table":
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tLAYER\tSEVERITY\tTITLE")
				for _, c := range all {
					title := c.Title
					if c.DisabledByDefault {
						title += " (off by default)"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.ID, c.Layer, c.Severity, title)
				}
				return tw.Flush()
			case "json":
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				return enc.Encode(listed(all))
			case "markdown":
				_, err := w.Write(checkdoc.Markdown(all))
				return err
			default:
				return usageError("unknown output format %q (want table, json or markdown)", output)
			}
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "table", "output format: table, json or markdown")
	return cmd
}

// listedCheck is a check or audit-log rule as `kube4c checks -o json`
// lists it: its metadata, and whether kube4c audit (rather than scan)
// runs it.
type listedCheck struct {
	*check.Meta
	AuditRule bool `json:"auditRule,omitempty"`
}

func listed(all check.Known) []listedCheck {
	out := make([]listedCheck, len(all))
	for i, m := range all {
		out[i] = listedCheck{Meta: m, AuditRule: audit.Rules.Get(m.ID) != nil}
	}
	return out
}
