package report

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/fix"
	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/source"
)

// securitySeverity is the score GitHub code scanning reads from a rule's
// "security-severity" property to rank alerts.
var securitySeverity = map[check.Severity]string{
	check.Critical: "9.5", check.High: "8.0", check.Medium: "5.5", check.Low: "3.0", check.Info: "1.0",
}

// fingerprintKey names the partial fingerprint that identifies a finding
// independently of its line, so that alerts survive edits above them.
const fingerprintKey = "kube4cFinding/v1"

// sarifSchemaURI is the official schema of SARIF 2.1.0 with its errata.
const sarifSchemaURI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

// stdinFile is the file name the manifest loader gives standard input.
const stdinFile = "-"

// sarifLevel maps a severity to a SARIF level.
func sarifLevel(s check.Severity) string {
	switch {
	case s >= check.High:
		return sarif.LevelError
	case s == check.Medium:
		return sarif.LevelWarning
	default:
		return sarif.LevelNote
	}
}

// renderSARIF writes a SARIF 2.1.0 log with one run, compactly: SARIF is
// for machines, and code scanning limits upload sizes. The log is built
// with go-sarif and written as encoding/json writes it, except that its
// results are made and written one at a time (see writeObject): a large
// report's results, as go-sarif values or as text, would take several
// times the memory of its findings.
func renderSARIF(w io.Writer, r *Report, opts Options) error {
	cwd, _ := os.Getwd()
	run := newSARIFRun(r, cwd)
	findings := r.Findings
	if opts.ShowSuppressed {
		findings = append(append([]*check.Finding{}, r.Findings...), r.Suppressed...)
	}
	run.fixes = sarifFixes(r.Findings, r.Checks, opts.Source)
	// Every rule is in the driver before the run is written.
	for _, f := range findings {
		run.ruleOf(f)
	}
	log := sarif.NewReport()
	log.Schema = sarifSchemaURI
	log.AddRun(run.Run)
	writeResults := func(w *bufio.Writer) error {
		return writeList(w, len(findings), func(i int) *sarif.Result { return run.result(findings[i]) })
	}
	writeRuns := func(w *bufio.Writer) error {
		w.WriteByte('[')
		if err := writeObject(w, run.Run, map[string]memberWriter{"results": writeResults}); err != nil {
			return err
		}
		w.WriteByte(']')
		return nil
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := writeObject(bw, log, map[string]memberWriter{"runs": writeRuns}); err != nil {
		return err
	}
	bw.WriteByte('\n')
	return bw.Flush()
}

// sarifRun builds the run of a report.
type sarifRun struct {
	*sarif.Run
	rules map[string]int    // rule index by check ID
	uris  map[string]string // artifact URI by file name
	cwd   string
	fixes map[*check.Finding]fix.Proposal
}

// newSARIFRun builds the run without results: the tool with one rule per
// check that ran, and the invocation.
func newSARIFRun(r *Report, cwd string) *sarifRun {
	driver := sarif.NewToolComponent().WithName(r.Tool.Name)
	if r.Tool.Version != "" {
		driver.WithVersion(r.Tool.Version)
	}
	if r.Tool.URI != "" {
		driver.WithInformationURI(r.Tool.URI)
	}
	b := &sarifRun{
		Run:   sarif.NewRun().WithTool(sarif.NewTool().WithDriver(driver)).WithColumnKind("unicodeCodePoints"),
		rules: map[string]int{},
		uris:  map[string]string{},
		cwd:   cwd,
	}
	for _, c := range r.Checks {
		b.addRule(sarifRule(c), c.ID)
	}
	b.AddInvocation(b.invocation(r))
	return b
}

func (b *sarifRun) addRule(rule *sarif.ReportingDescriptor, id string) int {
	b.rules[id] = len(b.Tool.Driver.Rules)
	b.Tool.Driver.AddRule(rule)
	return b.rules[id]
}

// ruleIndex returns the index of a check's rule, adding a bare rule for a
// check that is not among the checks that ran.
func (b *sarifRun) ruleIndex(id string, sev check.Severity) int {
	if i, ok := b.rules[id]; ok {
		return i
	}
	rule := sarif.NewRule(id).WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(sarifLevel(sev)))
	return b.addRule(rule, id)
}

// maxAdvisoryIDs is how many vulnerability IDs a result about several
// names in its properties (the worst first; the JSON report has them all).
const maxAdvisoryIDs = 20

// ruleOf returns the rule of f and its index: the published
// vulnerability's when f stands for exactly one, else its check's.
func (b *sarifRun) ruleOf(f *check.Finding) (string, int) {
	if a := f.Advisories; a != nil && len(a.List) == 1 {
		id := a.List[0].ID
		if i, ok := b.rules[id]; ok {
			return id, i
		}
		return id, b.addRule(advisoryRule(a.List[0], f.CheckID, f.Severity), id)
	}
	return f.CheckID, b.ruleIndex(f.CheckID, f.Severity)
}

func (b *sarifRun) result(f *check.Finding) *sarif.Result {
	msg := f.Message
	if msg == "" {
		msg = f.CheckID
	}
	ruleID, ruleIndex := b.ruleOf(f)
	res := sarif.NewRuleResult(ruleID).
		WithRuleIndex(ruleIndex).
		WithLevel(sarifLevel(f.Severity)).
		WithMessage(sarif.NewTextMessage(msg)).
		WithPartialFingerprints(map[string]string{fingerprintKey: fingerprint(f)})
	if loc := b.findingLocation(f); loc != nil {
		res.AddLocation(loc)
	}
	props := sarif.NewPropertyBag().Add("severity", f.Severity.String()).Add("layer", string(f.Layer))
	if f.Container != "" {
		props.Add("container", f.Container)
	}
	if a := f.Advisories; a != nil {
		props.Add("check", f.CheckID)
		if len(a.List) > 1 {
			ids := make([]string, 0, min(len(a.List), maxAdvisoryIDs))
			for _, adv := range a.List[:cap(ids)] {
				ids = append(ids, adv.ID)
			}
			props.Add("vulnerabilities", ids).Add("vulnerabilityCount", len(a.List))
		}
	}
	res.WithProperties(props)
	if p, ok := b.fixes[f]; ok {
		res.WithFixes([]*sarif.Fix{b.sarifFix(f, p)})
	}
	if s := f.Suppressed; s != nil {
		kind := "external"
		if s.Kind == "annotation" {
			kind = "inSource"
		}
		sup := sarif.NewSuppression().WithKind(kind).WithStatus("accepted")
		just := s.Source
		if s.Reason != "" {
			just = s.Reason + " (" + s.Source + ")"
		}
		sup.WithJustification(just)
		res.AddSuppression(sup)
	}
	return res
}

// fingerprint identifies a finding by check, object, container and path.
func fingerprint(f *check.Finding) string {
	h := sha256.New()
	for _, s := range []string{f.CheckID, objectRef(f.Object), f.Container, f.Path} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// findingLocation places a finding in its file and in its object; nil when
// neither is known.
func (b *sarifRun) findingLocation(f *check.Finding) *sarif.Location {
	loc := b.physicalLocation(f.Location)
	if f.Object == nil {
		return loc
	}
	if loc == nil {
		loc = sarif.NewLocation()
	}
	ref := f.Object.Ref().String()
	loc.AddLogicalLocation(sarif.NewLogicalLocation().WithKind("object").WithName(f.Object.Name()).WithFullyQualifiedName(ref))
	if f.Path != "" {
		loc.AddLogicalLocation(sarif.NewLogicalLocation().WithKind("property").WithName(f.Path).WithFullyQualifiedName(ref + "/" + f.Path))
	}
	return loc
}

// physicalLocation returns a location in a file, or nil for objects that
// were not read from a file.
func (b *sarifRun) physicalLocation(l inventory.Location) *sarif.Location {
	if l.File == "" || l.File == stdinFile {
		return nil
	}
	uri, ok := b.uris[l.File]
	if !ok {
		uri = artifactURI(l.File, b.cwd)
		b.uris[l.File] = uri
	}
	phys := sarif.NewPhysicalLocation().WithArtifactLocation(sarif.NewSimpleArtifactLocation(uri))
	if l.Line > 0 {
		region := sarif.NewRegion().WithStartLine(l.Line)
		if l.Column > 0 {
			region.WithStartColumn(l.Column)
		}
		phys.WithRegion(region)
	}
	return sarif.NewLocationWithPhysicalLocation(phys)
}

// artifactURI turns a file name into a URI reference relative to cwd, with
// forward slashes. Absolute paths outside cwd become file URIs.
func artifactURI(file, cwd string) string {
	p := filepath.Clean(file)
	if filepath.IsAbs(p) && cwd != "" {
		if rel, err := filepath.Rel(cwd, p); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			p = rel
		}
	}
	if !filepath.IsAbs(p) {
		return (&url.URL{Path: filepath.ToSlash(p)}).String()
	}
	p = filepath.ToSlash(p)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive letter: file:///C:/...
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

// invocation reports input problems and check failures as notifications;
// the run succeeded when there were neither errors nor failures.
func (b *sarifRun) invocation(r *Report) *sarif.Invocation {
	inv := sarif.NewInvocation().WithExecutionSuccessful(len(r.Errors) == 0 && len(r.Failures) == 0)
	for _, group := range []struct {
		level    string
		problems []source.Problem
	}{{sarif.LevelError, r.Errors}, {sarif.LevelWarning, r.Warnings}, {sarif.LevelNote, r.Skipped}} {
		for _, p := range group.problems {
			inv.AddToolExecutionNotification(b.problemNotification(group.level, p))
		}
	}
	for _, f := range r.Failures {
		msg := "check failed"
		if f.Err != nil {
			msg = f.Err.Error()
		}
		rule := sarif.NewReportingDescriptorReference().WithID(f.CheckID).WithIndex(b.ruleIndex(f.CheckID, check.Unset))
		inv.AddToolExecutionNotification(sarif.NewNotification().
			WithLevel(sarif.LevelError).
			WithMessage(sarif.NewTextMessage(msg)).
			WithAssociatedRule(rule))
	}
	return inv
}

func (b *sarifRun) problemNotification(level string, p source.Problem) *sarif.Notification {
	msg := p.Message
	if p.Object != "" {
		msg = p.Object + ": " + msg
	}
	n := sarif.NewNotification().WithLevel(level).WithMessage(sarif.NewTextMessage(msg))
	if loc := b.physicalLocation(p.Location); loc != nil {
		n.AddLocation(loc)
	}
	return n
}
