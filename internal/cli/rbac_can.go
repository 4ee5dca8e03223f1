package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/kube4c/kube4c/internal/rbac"
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
				if f.output == "json" {
					return writeJSON(w, canJSON(subject, id, f.namespace, perms))
				}
				return writeCanTable(w, id, perms)
			})
		},
	}
	f.add(cmd)
	fl := cmd.Flags()
	fl.StringVarP(&f.namespace, "namespace", "n", "", "only the cluster-wide rules and those of this namespace")
	fl.StringArrayVar(&f.groups, "group", nil, "a group the subject is in, beside the implicit ones; repeatable")
	return cmd
}

func writeCanTable(w io.Writer, id rbac.Identity, perms []rbac.Permission) error {
	fmt.Fprintf(w, "%s\n\n", id)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCOPE\tVERBS\tRESOURCES / URLS\tGROUPS\tNAMES\tVIA")
	for _, p := range perms {
		r := &p.Rule
		what := strings.Join(r.Resources, ",")
		if len(r.NonResourceURLs) > 0 {
			what = strings.Join(r.NonResourceURLs, ",")
		}
		via := make([]string, len(p.Via))
		for i, s := range p.Via {
			via[i] = s.String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", scopeName(p.Scope), strings.Join(r.Verbs, ","), what,
			orDash(rbac.GroupsString(r.APIGroups)), orDash(strings.Join(r.ResourceNames, ",")), strings.Join(via, "; "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%d rules\n", len(perms))
	return err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// The JSON shapes of can.
type (
	canResult struct {
		Subject   rbac.Subject     `json:"subject"`
		Identity  rbac.Identity    `json:"identity"`
		Namespace string           `json:"namespace,omitempty"`
		Rules     []permissionJSON `json:"rules"`
	}
	permissionJSON struct {
		Scope           string       `json:"scope"`
		Verbs           []string     `json:"verbs"`
		APIGroups       []string     `json:"apiGroups,omitempty"`
		Resources       []string     `json:"resources,omitempty"`
		ResourceNames   []string     `json:"resourceNames,omitempty"`
		NonResourceURLs []string     `json:"nonResourceURLs,omitempty"`
		Via             []sourceJSON `json:"via"`
	}
	sourceJSON struct {
		Binding string `json:"binding,omitempty"`
		Role    string `json:"role,omitempty"`
		// Implicit marks the superuser rules of system:masters.
		Implicit bool `json:"implicit,omitempty"`
	}
)

func canJSON(s rbac.Subject, id rbac.Identity, namespace string, perms []rbac.Permission) canResult {
	out := canResult{Subject: s, Identity: id, Namespace: namespace, Rules: make([]permissionJSON, 0, len(perms))}
	for _, p := range perms {
		pj := permissionJSON{Scope: scopeName(p.Scope), Verbs: p.Rule.Verbs, APIGroups: p.Rule.APIGroups, Resources: p.Rule.Resources,
			ResourceNames: p.Rule.ResourceNames, NonResourceURLs: p.Rule.NonResourceURLs}
		for _, src := range p.Via {
			if src.Binding == nil {
				pj.Via = append(pj.Via, sourceJSON{Implicit: true})
				continue
			}
			pj.Via = append(pj.Via, sourceJSON{Binding: src.Binding.Ref(), Role: src.Role.Ref()})
		}
		out.Rules = append(out.Rules, pj)
	}
	return out
}
