package check

import (
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/kube4c/kube4c/internal/inventory"
)

// Suppression kinds.
const (
	SuppressedByAnnotation = "annotation"
	SuppressedByConfig     = "config"
)

// ignorePath is the field path of the ignore annotation in an object.
const ignorePath = "metadata.annotations[" + IgnoreAnnotation + "]"

// ApplyExceptions splits findings into those that count (kept) and those an
// ignore annotation or an unexpired config exception covers (suppressed, with
// their Suppressed field set). Both keep the order of findings. Annotations
// are looked at first, then the exceptions in order; the first match wins.
// kept reuses the memory of findings, which the caller must not use after.
func ApplyExceptions(findings []*Finding, exceptions []Exception, now time.Time) (kept, suppressed []*Finding) {
	ignores := map[*inventory.Object][]ignoreEntry{}
	kept = findings[:0]
	for _, f := range findings {
		if s := suppression(f, ignores, exceptions, now); s != nil {
			f.Suppressed = s
			suppressed = append(suppressed, f)
			continue
		}
		kept = append(kept, f)
	}
	return kept, suppressed
}

// MayApplyExceptions reports whether ApplyExceptions could suppress a
// finding of inv: there are exceptions, or an object carries the ignore
// annotation. Without either, a large report need not be visited.
func MayApplyExceptions(inv *inventory.Inventory, exceptions []Exception) bool {
	if len(exceptions) > 0 {
		return true
	}
	for _, obj := range inv.Objects() {
		if _, ok := obj.Meta.GetAnnotations()[IgnoreAnnotation]; ok {
			return true
		}
	}
	return false
}

// suppression returns why f is suppressed, or nil. ignores caches the parsed
// annotation of each object.
func suppression(f *Finding, ignores map[*inventory.Object][]ignoreEntry, exceptions []Exception, now time.Time) *Suppression {
	if f.Object != nil {
		entries, ok := ignores[f.Object]
		if !ok {
			entries, _ = parseIgnore(f.Object.Meta.GetAnnotations()[IgnoreAnnotation])
			ignores[f.Object] = entries
		}
		for _, e := range entries {
			if e.covers(f) {
				return &Suppression{Kind: SuppressedByAnnotation, Source: f.Object.Ref().String() + " " + ignorePath}
			}
		}
	}
	for i := range exceptions {
		e := &exceptions[i]
		if !e.Expired(now) && e.Matches(f) {
			return &Suppression{Kind: SuppressedByConfig, Reason: e.Reason, Source: fmt.Sprintf("%s:%d", e.Source.File, e.Source.Line)}
		}
	}
	return nil
}

// Matches reports whether e covers f, ignoring its expiry: the check ID is
// listed (or "*" is) and every non-empty list of kinds, namespaces, names
// and containers has a glob matching the finding. A finding without an
// object only matches when kinds, namespaces and names are all empty. An
// exception that names vulnerabilities covers no whole finding: the check
// that reports them applies it to each (CoversVulnerability).
func (e *Exception) Matches(f *Finding) bool {
	return len(e.Vulnerabilities) == 0 && e.InScope(f)
}

// CoversVulnerability reports whether e covers vulnerability id of the
// finding f would be, at now: e names vulnerabilities and a glob of them
// matches id, it is not expired, it covers f as Matches would, and, when
// it waits for a fix, none is known (hasFix false).
func (e *Exception) CoversVulnerability(f *Finding, id string, hasFix bool, now time.Time) bool {
	return !e.Expired(now) && !(e.UntilFixAvailable && hasFix) && e.NamesVulnerability(f, id)
}

// NamesVulnerability reports whether e names vulnerability id of the
// finding f would be, whatever its expiry and fix condition.
func (e *Exception) NamesVulnerability(f *Finding, id string) bool {
	return len(e.Vulnerabilities) > 0 && globs(e.Vulnerabilities, id) && e.InScope(f)
}

// InScope reports whether f is among the findings e's checks, kinds,
// namespaces, names and containers cover.
func (e *Exception) InScope(f *Finding) bool {
	if !anyMatch(e.Checks, f.CheckID, func(p, id string) bool { return p == "*" || p == id }) {
		return false
	}
	if f.Object == nil {
		if len(e.Kinds)+len(e.Namespaces)+len(e.Names) > 0 {
			return false
		}
	} else if !globs(e.Kinds, f.Object.Kind()) || !globs(e.Namespaces, f.Object.Namespace()) || !globs(e.Names, f.Object.Name()) {
		return false
	}
	return globs(e.Containers, f.Container)
}

// globs reports whether patterns is empty or one of them matches s.
func globs(patterns []string, s string) bool {
	return len(patterns) == 0 || anyMatch(patterns, s, func(p, s string) bool {
		ok, err := path.Match(p, s)
		return ok && err == nil
	})
}

func anyMatch(patterns []string, s string, match func(pattern, s string) bool) bool {
	for _, p := range patterns {
		if match(p, s) {
			return true
		}
	}
	return false
}

// ignoreEntry is one entry of the ignore annotation.
type ignoreEntry struct {
	check     string
	container string // empty: every finding of the check
}

func (e ignoreEntry) covers(f *Finding) bool {
	return e.check == f.CheckID && (e.container == "" || e.container == f.Container)
}

// parseIgnore reads the value of the ignore annotation: a comma-separated
// list of "check-id" or "check-id:container" entries, spaces tolerated.
// Malformed entries are left out and described in problems.
func parseIgnore(value string) (entries []ignoreEntry, problems []string) {
	for _, raw := range strings.Split(value, ",") {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		id, container, scoped := strings.Cut(raw, ":")
		id, container = strings.TrimSpace(id), strings.TrimSpace(container)
		if id == "" || scoped && container == "" {
			problems = append(problems, fmt.Sprintf("entry %q of annotation %s should be \"check-id\" or \"check-id:container\"", raw, IgnoreAnnotation))
			continue
		}
		entries = append(entries, ignoreEntry{check: id, container: container})
	}
	return entries, problems
}

// AnnotationProblem is a malformed entry of an ignore annotation, or one
// that names an unknown check.
type AnnotationProblem struct {
	// Object carries the annotation.
	Object *inventory.Object
	// Location is where the annotation is.
	Location inventory.Location
	// Message says what is wrong.
	Message string
}

// AnnotationProblems returns a problem for every malformed entry of an
// ignore annotation in inv, and for every entry naming a check that known
// does not hold (with the closest known ID as a suggestion).
func AnnotationProblems(inv *inventory.Inventory, known Known) []AnnotationProblem {
	var out []AnnotationProblem
	for _, obj := range inv.Objects() {
		value, ok := obj.Meta.GetAnnotations()[IgnoreAnnotation]
		if !ok {
			continue
		}
		entries, problems := parseIgnore(value)
		for _, e := range entries {
			if !known.Has(e.check) {
				problems = append(problems, fmt.Sprintf("annotation %s names unknown check %q%s", IgnoreAnnotation, e.check, known.suggestion(e.check)))
			}
		}
		loc, _ := obj.Locate(ignorePath)
		for _, p := range problems {
			out = append(out, AnnotationProblem{Object: obj, Location: loc, Message: p})
		}
	}
	return out
}
