package cli

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/kube4c/kube4c/internal/rbac"
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
				if f.output == "json" {
					return writeJSON(w, whoCanJSON(q, f.allNamespaces, grants))
				}
				return writeWhoCanTable(w, grants)
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

func writeWhoCanTable(w io.Writer, grants []rbac.Grant) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SUBJECT\tSCOPE\tBINDING\tROLE\tRULES\tLOCATION")
	subjects := map[rbac.Subject]bool{}
	for _, g := range grants {
		subjects[g.Subject] = true
		if g.Implicit() {
			fmt.Fprintf(tw, "%s\t%s\t%s\t-\t-\t-\n", g.Subject, scopeName(g.Scope), "(superuser, no binding needed)")
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", g.Subject, scopeName(g.Scope), g.Binding.Ref(), roleLabel(g.Role), ruleIndexes(g.Rules), subjectLocation(g))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%d subjects, %d grants\n", len(subjects), len(grants))
	return err
}

func roleLabel(r *rbac.Role) string {
	if r.Aggregated {
		return r.Ref() + " (aggregated)"
	}
	return r.Ref()
}

func ruleIndexes(rules []int) string {
	parts := make([]string, len(rules))
	for i, r := range rules {
		parts[i] = strconv.Itoa(r)
	}
	return "rules[" + strings.Join(parts, ",") + "]"
}

// subjectLocation is file:line of the binding (of the subject when the
// positions are known).
func subjectLocation(g rbac.Grant) string {
	for i, s := range g.Binding.Subjects {
		if s == g.Subject {
			loc, _ := g.Binding.Object.Locate("subjects[" + strconv.Itoa(i) + "]")
			if loc.Line > 0 {
				return fmt.Sprintf("%s:%d", loc.File, loc.Line)
			}
			return loc.File
		}
	}
	return ""
}

// The JSON shapes of who-can.
type (
	whoCanResult struct {
		Query         rbac.Query  `json:"query"`
		AllNamespaces bool        `json:"allNamespaces,omitempty"`
		Grants        []grantJSON `json:"grants"`
	}
	grantJSON struct {
		Subject  rbac.Subject `json:"subject"`
		Scope    string       `json:"scope"`
		Implicit bool         `json:"implicit,omitempty"`
		Binding  *objectJSON  `json:"binding,omitempty"`
		Role     *objectJSON  `json:"role,omitempty"`
		Rules    []ruleJSON   `json:"rules,omitempty"`
	}
	objectJSON struct {
		Kind       string `json:"kind"`
		Namespace  string `json:"namespace,omitempty"`
		Name       string `json:"name"`
		Location   string `json:"location,omitempty"`
		Aggregated bool   `json:"aggregated,omitempty"`
	}
	ruleJSON struct {
		Index int               `json:"index"`
		Rule  rbacv1.PolicyRule `json:"rule"`
		// WrittenIn is where an aggregated rule is written.
		WrittenIn *ruleOriginJSON `json:"writtenIn,omitempty"`
	}
	ruleOriginJSON struct {
		Role  string `json:"role"`
		Index int    `json:"index"`
	}
)

func whoCanJSON(q rbac.Query, all bool, grants []rbac.Grant) whoCanResult {
	out := whoCanResult{Query: q, AllNamespaces: all, Grants: make([]grantJSON, 0, len(grants))}
	for _, g := range grants {
		gj := grantJSON{Subject: g.Subject, Scope: scopeName(g.Scope), Implicit: g.Implicit()}
		if !g.Implicit() {
			gj.Binding = &objectJSON{Kind: g.Binding.Kind, Namespace: g.Binding.Namespace, Name: g.Binding.Name, Location: subjectLocation(g)}
			gj.Role = &objectJSON{Kind: g.Role.Kind, Namespace: g.Role.Namespace, Name: g.Role.Name, Aggregated: g.Role.Aggregated}
			if loc, _ := g.Role.Object.Locate(""); loc.Line > 0 {
				gj.Role.Location = fmt.Sprintf("%s:%d", loc.File, loc.Line)
			}
			for _, i := range g.Rules {
				rj := ruleJSON{Index: i, Rule: g.Role.Rules[i]}
				if o := g.Role.Origins[i]; o.Role != g.Role {
					rj.WrittenIn = &ruleOriginJSON{Role: o.Role.Ref(), Index: o.Index}
				}
				gj.Rules = append(gj.Rules, rj)
			}
		}
		out.Grants = append(out.Grants, gj)
	}
	return out
}
