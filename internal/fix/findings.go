package fix

import (
	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/position"
)

// Targets turns findings into targets by file, through the Fix of their
// checks (looked up by ID with checkByID). Findings whose check has no Fix
// are skipped; those whose Fix declines, or whose object did not come from
// a file, are refused.
func Targets(findings []*check.Finding, checkByID func(string) *check.Check) (byFile map[string][]Target, refused []Refusal) {
	byFile = map[string][]Target{}
	for _, f := range findings {
		c := checkByID(f.CheckID)
		if c == nil || c.Fix == nil {
			continue
		}
		t := Target{Finding: f}
		if f.Object == nil || f.Object.Source.File == "" || f.Object.Source.Positions == nil {
			refused = append(refused, Refusal{t, "the object was not read from a file"})
			continue
		}
		patch, err := c.Fix(f)
		if err != nil {
			refused = append(refused, Refusal{t, err.Error()})
			continue
		}
		src := f.Object.Source
		t.Patch, t.Prefix = patch, src.PathPrefix
		t.RootLine = src.Positions.Pos(position.Root).Line
		byFile[src.File] = append(byFile[src.File], t)
	}
	return byFile, refused
}
