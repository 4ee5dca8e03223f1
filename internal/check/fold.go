package check

import (
	"slices"
	"strings"

	"github.com/kube4c/kube4c/internal/inventory"
)

// Fold is a root cause that several checks look at from different sides:
// for example one binding that grants one subject a role, which the RBAC
// risk checks each judge (may it read secrets? exec into pods?). Their
// findings about the same object, container and field path are reported
// as one, at the severity of the worst, listing each (Folded.Details).
// Every check still runs, is selected and is suppressed by its own ID:
// folding comes after severities and exceptions.
type Fold struct {
	// ID names the fold in docs.
	ID string
	// Checks lists the IDs of its checks. Among findings of one
	// severity, the check listed first gives the folded finding its ID,
	// message and remediation.
	Checks []string
}

// rank is the place of a check in the fold's order.
func (f *Fold) rank(checkID string) int { return slices.Index(f.Checks, checkID) }

// foldKey identifies the findings that fold together.
type foldKey struct {
	fold      *Fold
	object    *inventory.Object
	container string
	path      string
}

// FoldFindings returns findings with those of each Fold (of checks,
// by ID) about the same object, container and field path reported as one:
// the worst of them (by severity, then the fold's order) with its message
// followed by the others' summaries ("; also: read secrets
// [rbac-read-secrets, critical]; ..."), and every one of them in Details.
// The folded finding takes the place of the worst, so findings sorted as
// check.Run sorts them stay sorted. A finding alone in its fold is kept
// as it is. findings is reused.
func FoldFindings(findings []*Finding, checks []*Check) []*Finding {
	byID := map[string]*Check{}
	for _, c := range checks {
		if c.Fold != nil {
			byID[c.ID] = c
		}
	}
	if len(byID) == 0 {
		return findings
	}
	groups := map[foldKey][]int{}
	for i, f := range findings {
		if c := byID[f.CheckID]; c != nil && f.Object != nil {
			k := foldKey{c.Fold, f.Object, f.Container, f.Path}
			groups[k] = append(groups[k], i)
		}
	}
	// replace[i] is the folded finding that takes the place of findings[i],
	// the worst of its group; drop[i] marks the other members.
	replace := map[int]*Finding{}
	drop := make([]bool, len(findings))
	for k, members := range groups {
		if len(members) < 2 {
			continue
		}
		slices.SortStableFunc(members, func(a, b int) int {
			fa, fb := findings[a], findings[b]
			if fa.Severity != fb.Severity {
				return int(fb.Severity) - int(fa.Severity)
			}
			return k.fold.rank(fa.CheckID) - k.fold.rank(fb.CheckID)
		})
		parts := make([]*Finding, len(members))
		for j, i := range members {
			parts[j] = findings[i]
			drop[i] = j > 0
		}
		replace[members[0]] = folded(parts, byID)
	}
	out := findings[:0]
	for i, f := range findings {
		switch {
		case drop[i]:
		case replace[i] != nil:
			out = append(out, replace[i])
		default:
			out = append(out, f)
		}
	}
	return out
}

// folded makes one finding of parts, worst first.
func folded(parts []*Finding, checks map[string]*Check) *Finding {
	f := *parts[0]
	details := make([]Detail, len(parts))
	others := make([]string, 0, len(parts)-1)
	for i, p := range parts {
		details[i] = Detail{CheckID: p.CheckID, Severity: p.Severity, Message: p.Message}
		if i > 0 {
			summary := checks[p.CheckID].Title
			if p.Folded != nil && p.Folded.Summary != "" {
				summary = p.Folded.Summary
			}
			others = append(others, summary+" ["+p.CheckID+", "+p.Severity.String()+"]")
		}
	}
	f.Message += "; also: " + strings.Join(others, "; ")
	f.Folded = &Folded{Details: details}
	if parts[0].Folded != nil {
		f.Folded.Summary = parts[0].Folded.Summary
	}
	return &f
}
