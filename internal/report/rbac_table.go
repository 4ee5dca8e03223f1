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
			fmt.Fprintf(tw, "%s\t%s\t%s\t-\t-\t-\n", safeCell(g.Subject.String()), safeCell(scopeName(g.Scope)), "(superuser, no binding needed)")
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", safeCell(g.Subject.String()), safeCell(scopeName(g.Scope)), safeCell(g.Binding.Ref()),
			safeCell(roleLabel(g.Role)), ruleIndexes(g.Rules), safeCell(subjectLocation(g)))
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
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", safeCell(scopeName(p.Scope)), safeCell(strings.Join(r.Verbs, ",")), safeCell(what),
			safeCell(orDash(rbac.GroupsString(r.APIGroups))), safeCell(orDash(strings.Join(r.ResourceNames, ","))), safeCell(strings.Join(via, "; ")))
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
