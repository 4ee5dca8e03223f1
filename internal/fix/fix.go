// Package fix writes the mechanical fixes of findings (check.Patch) into
// manifest files as byte-range edits: a scalar replaced where the field is
// set, a few lines inserted where it is not. The rest of the file is never
// re-encoded, so comments, key order, quoting, indentation, CRLF line ends
// and the untouched documents stay byte for byte as they were.
//
// The file is read with go.yaml.in/yaml/v3, whose nodes give the line,
// column and style of every key and value. An edit that cannot be made
// safely is refused with the reason: a path through an anchor, an alias or
// a merge key, a flow-style collection that would have to grow, a Helm
// template, a file that does not parse. Every plan is proven before it is
// returned: the edited file must decode to the original documents with
// exactly the intended fields set (verify.go).
package fix

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	yaml "go.yaml.in/yaml/v3"

	"github.com/kube4c/kube4c/internal/check"
)

// Target is one patch to make in one document of a file.
type Target struct {
	// RootLine is the line of the first key of the document's root node,
	// which identifies the document in its file.
	RootLine int
	// Prefix is the path of the object inside its document ("items[3]"
	// for an item of a List), or "".
	Prefix string
	// Patch is the change.
	Patch check.Patch
	// Finding is the finding the patch fixes.
	Finding *check.Finding
}

// Edit replaces the bytes [Start, End) of a file with Text.
type Edit struct {
	Start, End int
	Text       string
	// depth orders insertions at one offset: the deeper one first.
	depth int
}

// Refusal is a target left alone, and why.
type Refusal struct {
	Target Target
	Reason string
}

// Plan is what fixing one file takes.
type Plan struct {
	// Original and Fixed are the file before and after the edits.
	Original, Fixed []byte
	// Edits are the byte ranges changed, in file order, not overlapping.
	Edits []Edit
	// Applied are the targets the edits make (or that needed no edit
	// because another target's edit already made them).
	Applied []Target
	// Refused are the targets left alone.
	Refused []Refusal
}

// PlanFile works out the edits that make targets in src, a YAML or JSON
// manifest file. It never fails as a whole: what cannot be done is refused.
func PlanFile(src []byte, targets []Target) *Plan {
	p := &Plan{Original: src, Fixed: src}
	refuseAll := func(reason string) *Plan {
		for _, t := range targets {
			p.Refused = append(p.Refused, Refusal{t, reason})
		}
		return p
	}
	if line := templateLine(src); line > 0 {
		return refuseAll(fmt.Sprintf("line %d starts with {{: the file is a template (Helm or another) whose directives can change its structure; fix the template or its values instead", line))
	}
	docs, err := parseDocuments(src)
	if err != nil {
		return refuseAll("the file does not parse as YAML (" + err.Error() + "); it is not edited")
	}
	f := newFile(src, docs)
	// Plan, then prove; a document whose edits do not prove out is
	// refused as a whole and the others planned again.
	left := targets
	for {
		edits, applied, refused := f.plan(left)
		fixed := apply(src, edits)
		bad, err := verify(src, fixed, applied)
		if err == nil && len(bad) == 0 {
			p.Edits, p.Applied, p.Fixed = edits, applied, fixed
			p.Refused = append(p.Refused, refused...)
			return p
		}
		if err != nil {
			// The edits broke the file: refuse everything rather than guess.
			return refuseAll("an edit would not keep the file valid YAML (" + err.Error() + "); fix it by hand")
		}
		var keep []Target
		for _, t := range left {
			if bad[t.RootLine] {
				p.Refused = append(p.Refused, Refusal{t, "the edited document would not decode to the original plus this fix; fix it by hand"})
			} else {
				keep = append(keep, t)
			}
		}
		left = keep
	}
}

// templateLine returns the first line that starts, after its indentation
// and an optional "- ", with "{{": a template directive ({{- if }},
// {{ include }}, {{ toYaml . | nindent }}) that can add or remove
// structure, unlike a placeholder inside a value. 0 when there is none.
func templateLine(src []byte) int {
	for i, line := range bytes.Split(src, []byte("\n")) {
		line = bytes.TrimLeft(line, " \t")
		line = bytes.TrimLeft(bytes.TrimPrefix(line, []byte("-")), " \t")
		if bytes.HasPrefix(line, []byte("{{")) {
			return i + 1
		}
	}
	return 0
}

// InHelmChart reports whether path is a file under the templates directory
// of a Helm chart (a directory with a Chart.yaml): kube4c fix does not edit
// templates.
func InHelmChart(path string) bool {
	dir := filepath.Dir(path)
	for {
		if filepath.Base(dir) == "templates" {
			if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "Chart.yaml")); err == nil {
				return true
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return false
		}
		dir = parent
	}
}

// parseDocuments reads every document of src.
func parseDocuments(src []byte) ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var docs []*yaml.Node
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		if len(n.Content) == 1 {
			docs = append(docs, n.Content[0])
		}
	}
}

// apply returns src with edits made; edits are in file order and do not
// overlap.
func apply(src []byte, edits []Edit) []byte {
	if len(edits) == 0 {
		return src
	}
	var b bytes.Buffer
	b.Grow(len(src) + 256)
	last := 0
	for _, e := range edits {
		b.Write(src[last:e.Start])
		b.WriteString(e.Text)
		last = e.End
	}
	b.Write(src[last:])
	return b.Bytes()
}

// at prefixes a message with the line of a node.
func at(n *yaml.Node, format string, args ...any) string {
	return fmt.Sprintf("line %d: ", n.Line) + fmt.Sprintf(format, args...)
}

// where names a node and its line for a message: "line 7: mapping".
func where(n *yaml.Node) string { return at(n, "%s", describe(n)) }

// Replacement is an edit in line and column terms: the text from
// StartLine:StartColumn up to (not including) EndLine:EndColumn is
// replaced by Text. Lines and columns are 1-based; columns count
// characters (Unicode code points).
type Replacement struct {
	StartLine, StartColumn, EndLine, EndColumn int
	Text                                       string
}

// Proposal is the fix of one target on its own, as the SARIF report
// offers it.
type Proposal struct {
	Target       Target
	Replacements []Replacement
}

// Propose works out the fix of each target on its own (unlike PlanFile,
// which makes them together), reading src once. Targets that cannot be
// fixed get no proposal. The edits are the ones PlanFile makes, without
// its proof by decoding, which would read the file once per target.
func Propose(src []byte, targets []Target) []Proposal {
	if templateLine(src) > 0 {
		return nil
	}
	docs, err := parseDocuments(src)
	if err != nil {
		return nil
	}
	f := newFile(src, docs)
	var out []Proposal
	for _, t := range targets {
		edits, applied, _ := f.plan([]Target{t})
		if len(edits) == 0 || len(applied) != 1 {
			continue
		}
		p := Proposal{Target: t}
		for _, e := range edits {
			sl, sc := f.position(e.Start)
			el, ec := f.position(e.End)
			p.Replacements = append(p.Replacements, Replacement{StartLine: sl, StartColumn: sc, EndLine: el, EndColumn: ec, Text: e.Text})
		}
		out = append(out, p)
	}
	return out
}
