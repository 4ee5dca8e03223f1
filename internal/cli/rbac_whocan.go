package cli

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/kube4c/kube4c/internal/report"
)

type whoCanFlags struct {
	rbacFlags
	subresource   string
	allNamespaces bool
}

func newWhoCanCommand(g *globalFlags) *cobra.Command {
	f := &whoCanFlags{}
	cmd := &cobra.Command{
		Use:   "who-can VERB (RESOURCE[.GROUP][/NAME] | RESOURCE/SUBRESOURCE | /URL) -f PATH",
		Short: "List every subject allowed a request, with the binding, role and rules that allow it",
		Long: "List every subject (user, group, service account) that the manifests' RBAC allows a request, with the\n" +
			"binding and role that grant it, the rules that match, and the scope: cluster (a ClusterRoleBinding) or a\n" +
			"namespace (a RoleBinding). The group system:masters is always listed: its members are superusers.\n\n" +
			"RESOURCE is a plural resource name; built-in resources find their API group (deployments is\n" +
			"deployments.apps), others need RESOURCE.GROUP; * is every resource of every group. After a /, a known\n" +
			"subresource (exec, log, status, scale, token, proxy, ...) is a subresource, anything else an object\n" +
			"name; with --subresource, it is always a name.\n\n" +
			"Scope: with neither -n nor -A the request is cluster-wide (cluster-scoped resources, or the same access\n" +
			"in every namespace), so only ClusterRoleBindings count. -n NS asks about namespace NS (RoleBindings there\n" +
			"count too); -A counts the RoleBindings of every namespace, each listed with its namespace.\n" +
			"Non-resource URLs (/metrics, /healthz) are granted by ClusterRoleBindings only.",
		Example: "  kube4c rbac who-can get secrets -A -f ./deploy\n" +
			"  kube4c rbac who-can get secrets -n prod --cluster --context prod\n" +
			"  kube4c rbac who-can create pods/exec -n shop -f ./deploy\n" +
			"  kube4c rbac who-can update deployments.apps/web --subresource scale -n shop -f ./deploy\n" +
			"  kube4c rbac who-can '*' '*' -A -f ./deploy\n" +
			"  kube4c rbac who-can get /metrics -f ./deploy -o json",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			q, err := parseQuery(args[0], args[1], f.subresource, cmd.Flags().Changed("subresource"))
			if err != nil {
				return err
			}
			if f.namespace != "" && f.allNamespaces {
				return usageError("-n and -A (--all-namespaces) exclude each other")
			}
			q.Namespace = f.namespace
			e, inputErrors, err := loadRBAC(cmd, g, &f.rbacFlags)
			if err != nil {
				return err
			}
			grants := e.WhoCan(q, f.allNamespaces)
			return writeOutput(cmd, inputErrors, func(w io.Writer) error {
				return report.WriteWhoCan(w, f.output, q, f.allNamespaces, grants)
			})
		},
	}
	f.add(cmd)
	fl := cmd.Flags()
	fl.StringVar(&f.subresource, "subresource", "", "the subresource of the request (then RESOURCE/NAME is always a name)")
	fl.StringVarP(&f.namespace, "namespace", "n", "", "the namespace of the request: RoleBindings there count too")
	fl.BoolVarP(&f.allNamespaces, "all-namespaces", "A", false, "count the RoleBindings of every namespace")
	return cmd
}
