package report

import (
	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/fix"
)

// sarifFixes works out the fix of every finding that has a mechanical one
// (the edit kube4c fix would make for it alone), reading each file once
// through read. Nil when read is nil.
func sarifFixes(findings []*check.Finding, checks []*check.Check, read func(string) ([]byte, error)) map[*check.Finding]fix.Proposal {
	if read == nil {
		return nil
	}
	index := checkIndex(checks)
	byFile, _ := fix.Targets(findings, func(id string) *check.Check { return index[id] })
	out := map[*check.Finding]fix.Proposal{}
	for file, targets := range byFile {
		src, err := read(file)
		if err != nil {
			continue // the file is gone or too large: no fixes, the findings stay
		}
		for _, p := range fix.Propose(src, targets) {
			out[p.Target.Finding] = p
		}
	}
	return out
}

// sarifFix converts the proposal of one finding to a SARIF fix.
func (b *sarifRun) sarifFix(f *check.Finding, p fix.Proposal) *sarif.Fix {
	change := sarif.NewArtifactChange().WithArtifactLocation(b.physicalLocation(f.Location).PhysicalLocation.ArtifactLocation)
	for _, r := range p.Replacements {
		region := sarif.NewRegion().WithStartLine(r.StartLine).WithStartColumn(r.StartColumn).WithEndLine(r.EndLine).WithEndColumn(r.EndColumn)
		change.AddReplacement(sarif.NewReplacement().WithDeletedRegion(region).WithInsertedContent(sarif.NewArtifactContent().WithText(r.Text)))
	}
	return sarif.NewFix().WithDescription(sarif.NewTextMessage(p.Target.Patch.String())).AddArtifactChange(change)
}
