package cli

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/kube4c/kube4c/internal/rbac"
	"github.com/kube4c/kube4c/internal/report"
)

type canFlags struct {
	rbacFlags
	groups []string
}

func newCanCommand(g *globalFlags) *cobra.Command {
	f := &canFlags{}
	cmd := &cobra.Command{
		Use:   "can SUBJECT -f PATH",
		Short: "List the effective rules of a subject, merged and sorted",
		Long: "List what the manifests' RBAC allows a subject: its effective rules, by scope (cluster for\n" +
			"ClusterRoleBindings, else the namespace of the RoleBinding), merged (rules that differ in one list only\n" +
			"become one) and sorted, each with the bindings and roles it comes from.\n\n" +
			"SUBJECT is user:NAME, group:NAME or sa:NAMESPACE/NAME. The subject gets the groups the API server\n" +
			"adds: system:authenticated (system:unauthenticated for user:system:anonymous) and, for a service\n" +
			"account, system:serviceaccounts and system:serviceaccounts:NAMESPACE; --group adds more.\n" +
			"For group:NAME, the rules are those of a member of the group with no other name.\n" +
			"With -n NS only the cluster-wide rules and those of namespace NS are listed.",
		Example: "  kube4c rbac can sa:ci/deployer -f ./deploy\n" +
			"  kube4c rbac can sa:ci/deployer --cluster --context prod\n" +
			"  kube4c rbac can user:alice --group devs -n shop -f ./deploy\n" +
			"  kube4c rbac can group:system:authenticated -f ./deploy -o json",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			subject, err := rbac.ParseSubject(args[0])
			if err != nil {
				return usageError("%v", err)
			}
			e, inputErrors, err := loadRBAC(cmd, g, &f.rbacFlags)
			if err != nil {
				return err
			}
			id := rbac.IdentityOf(subject, f.groups...)
			perms := e.Can(id, f.namespace)
			return writeOutput(cmd, inputErrors, func(w io.Writer) error {
				return report.WriteCan(w, f.output, subject, id, f.namespace, perms)
			})
		},
	}
	f.add(cmd)
	fl := cmd.Flags()
	fl.StringVarP(&f.namespace, "namespace", "n", "", "only the cluster-wide rules and those of this namespace")
	fl.StringArrayVar(&f.groups, "group", nil, "a group the subject is in, beside the implicit ones; repeatable")
	return cmd
}
