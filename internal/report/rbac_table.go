package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/kube4c/kube4c/internal/rbac"
)

// The tables of rbac who-can and rbac can print names from the manifests
// or the cluster, so every cell goes through safeCell.

func writeWhoCanTable(w io.Writer, grants []rbac.Grant) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SUBJECT\tSCOPE\tBINDING\tROLE\tRULES\tLOCATION")
	subjects := map[rbac.Subject]bool{}
	for _, g := range grants {
		subjects[g.Subject] = true
		if g.Implicit() {
			tableRow(tw, g.Subject.String(), scopeName(g.Scope), "(superuser, no binding needed)", "-", "-", "-")
			continue
		}
		tableRow(tw, g.Subject.String(), scopeName(g.Scope), g.Binding.Ref(), roleLabel(g.Role), ruleIndexes(g.Rules), subjectLocation(g))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%d subjects, %d grants\n", len(subjects), len(grants))
	return err
}

// roleLabel names a role with where its rules come from: built in to
// Kubernetes (or overriding a built-in role), and aggregated.
func roleLabel(r *rbac.Role) string {
	var notes []string
	switch r.Builtin {
	case rbac.BuiltinSupplied, rbac.BuiltinAsShipped:
		notes = append(notes, "built-in "+r.BuiltinVersion)
	case rbac.BuiltinChanged:
		notes = append(notes, "overrides the built-in "+r.BuiltinVersion+" role")
	}
	if r.Aggregated {
		notes = append(notes, "aggregated")
	}
	if len(notes) == 0 {
		return r.Ref()
	}
	return r.Ref() + " (" + strings.Join(notes, ", ") + ")"
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

func writeCanTable(w io.Writer, id rbac.Identity, perms []rbac.Permission) error {
	fmt.Fprintf(w, "%s\n\n", SafeText(id.String()))
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
			if s.Role != nil {
				via[i] = s.Binding.Ref() + " -> " + roleLabel(s.Role)
			}
		}
		tableRow(tw, scopeName(p.Scope), strings.Join(r.Verbs, ","), what,
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

// tableRow writes one row of cells to a tabwriter, each cell's control
// characters (tabs included, which would split cells) escaped: names come
// from manifests and clusters nobody vouches for.
func tableRow(w io.Writer, cells ...string) {
	for i, c := range cells {
		if i > 0 {
			io.WriteString(w, "\t")
		}
		io.WriteString(w, safeCell(c))
	}
	io.WriteString(w, "\n")
}
