package report

import (
	"bytes"
	"cmp"
	"encoding/json"
	"io"
	"slices"
	"strconv"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/jsonescape"
)

// The findings of the html page travel as one JSON document in a
// <script type="application/json"> element, which the page's script
// reads, filters and shows a page at a time: a report of a hundred
// thousand findings opens as fast as a small one. What repeats (checks,
// objects, namespaces, files, field paths, suppressions) is listed once
// and referred to by index. A finding is an array:
//
//	[check, severity, layer, object, file, line, column, path, container,
//	 message, remediation, suppression, attackPaths, details?]
//
// severity is 1 (info) to 5 (critical), 0 when unknown; layer indexes
// check.Layers(); layer, object, file, path and suppression are -1 when
// there is none; remediation is "" when it is the check's; details,
// present only for a finding that stands for several, is a list of
// [checkId, severity, message]. The snippets are under "src": for each
// file index, runs of [firstLine, [line, ...]].

// htmlCheck is what the page shows of a check.
type htmlCheck struct {
	ID          string           `json:"id"`
	Title       string           `json:"title,omitempty"`
	Layer       string           `json:"layer,omitempty"`
	Remediation string           `json:"rem,omitempty"`
	Example     string           `json:"ex,omitempty"`
	References  check.References `json:"refs"`
}

// htmlTables numbers the names findings share.
type htmlTables struct {
	checks     map[string]int
	checkList  []htmlCheck
	objects    map[*inventory.Object]int
	objectList [][2]any // reference, namespace index
	namespaces stringTable
	files      stringTable
	paths      stringTable
	supps      map[check.Suppression]int
	suppList   []check.Suppression
}

func newHTMLTables() *htmlTables {
	return &htmlTables{checks: map[string]int{}, checkList: []htmlCheck{}, objects: map[*inventory.Object]int{}, objectList: [][2]any{},
		namespaces: newStringTable(), files: newStringTable(), paths: newStringTable(),
		supps: map[check.Suppression]int{}, suppList: []check.Suppression{}}
}

// stringTable numbers strings in the order they are first seen.
type stringTable struct {
	index map[string]int
	list  []string
}

func newStringTable() stringTable { return stringTable{index: map[string]int{}, list: []string{}} }

// number returns s's number in the table, adding it if it is new; -1 for "".
func (t *stringTable) number(s string) int {
	if s == "" {
		return -1
	}
	i, ok := t.index[s]
	if !ok {
		i = len(t.list)
		t.index[s] = i
		t.list = append(t.list, s)
	}
	return i
}

func (t *htmlTables) check(id string, index map[string]*check.Check) int {
	if i, ok := t.checks[id]; ok {
		return i
	}
	hc := htmlCheck{ID: id}
	if c := index[id]; c != nil {
		hc = htmlCheck{ID: id, Title: c.Title, Layer: string(c.Layer), Remediation: c.Remediation, Example: c.Example, References: c.References}
	}
	t.checks[id] = len(t.checkList)
	t.checkList = append(t.checkList, hc)
	return t.checks[id]
}

func (t *htmlTables) object(o *inventory.Object) int {
	if o == nil {
		return -1
	}
	if i, ok := t.objects[o]; ok {
		return i
	}
	t.objects[o] = len(t.objectList)
	t.objectList = append(t.objectList, [2]any{o.Ref().String(), t.namespaces.number(o.Namespace())})
	return t.objects[o]
}

func (t *htmlTables) suppression(s *check.Suppression) int {
	if s == nil {
		return -1
	}
	if i, ok := t.supps[*s]; ok {
		return i
	}
	t.supps[*s] = len(t.suppList)
	t.suppList = append(t.suppList, *s)
	return t.supps[*s]
}

// writeHTMLData writes the page's JSON data: the findings that count,
// then the suppressed ones, the tables they refer to, and the snippets
// (sn, nil for none). It writes through an htmlScriptWriter, so that
// nothing in the data can close its script element.
func writeHTMLData(w io.Writer, r *Report, sn *snippets) error {
	t := newHTMLTables()
	index := checkIndex(r.Checks)
	sw := &htmlScriptWriter{w: w}
	// The findings first, a buffer's worth at a time: the tables are
	// complete once they are written.
	b := make([]byte, 0, 64<<10)
	b = append(b, `{"findings":[`...)
	n := 0
	for _, list := range [][]*check.Finding{r.Findings, r.Suppressed} {
		for _, f := range list {
			if n > 0 {
				b = append(b, ',')
			}
			n++
			b = appendHTMLFinding(b, f, t, index)
			if len(b) > 60<<10 {
				sw.Write(b)
				b = b[:0]
			}
		}
	}
	b = append(b, `],"counting":`...)
	b = strconv.AppendInt(b, int64(len(r.Findings)), 10)
	sw.Write(b)
	var tables bytes.Buffer
	for _, table := range []struct {
		name string
		list any
	}{{"checks", t.checkList}, {"objects", t.objectList}, {"namespaces", t.namespaces.list}, {"files", t.files.list}, {"paths", t.paths.list},
		{"suppressions", t.suppList}} {
		tables.WriteString(`,"` + table.name + `":`)
		if err := writeJSONList(&tables, table.list); err != nil {
			return err
		}
	}
	tables.WriteString(`,"src":{`)
	sw.Write(tables.Bytes())
	if sn != nil {
		sn.writeRuns(sw, t)
	}
	sw.Write([]byte("}}"))
	return sw.err
}

// writeJSONList writes a list of the tables (never nil: an empty one is
// []).
func writeJSONList(b *bytes.Buffer, list any) error {
	out, err := json.Marshal(list)
	b.Write(out)
	return err
}

// htmlScriptWriter writes JSON inside a script element: "<" only occurs
// in strings, where \u003c means the same, so the data can neither close
// the element nor open a comment. The first error sticks.
type htmlScriptWriter struct {
	w   io.Writer
	err error
}

func (s *htmlScriptWriter) Write(p []byte) (int, error) {
	n := len(p)
	for s.err == nil && len(p) > 0 {
		i := bytes.IndexByte(p, '<')
		if i < 0 {
			_, s.err = s.w.Write(p)
			break
		}
		if _, s.err = s.w.Write(p[:i]); s.err == nil {
			_, s.err = io.WriteString(s.w, `\u003c`)
		}
		p = p[i+1:]
	}
	return n, s.err
}

// appendHTMLFinding appends one finding as the array the page reads.
func appendHTMLFinding(b []byte, f *check.Finding, t *htmlTables, index map[string]*check.Check) []byte {
	c := t.check(f.CheckID, index)
	sev := 0
	if validSeverity(f.Severity) {
		sev = int(f.Severity)
	}
	layer := slices.Index(check.Layers(), f.Layer)
	b = append(b, '[')
	b = strconv.AppendInt(b, int64(c), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(sev), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(layer), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(t.object(f.Object)), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(t.files.number(f.Location.File)), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(f.Location.Line), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(f.Location.Column), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(t.paths.number(f.Path)), 10)
	b = append(b, ',')
	b = jsonescape.AppendString(b, f.Container)
	b = append(b, ',')
	b = jsonescape.AppendString(b, f.Message)
	b = append(b, ',')
	rem := f.Remediation
	if rem == t.checkList[c].Remediation {
		rem = ""
	}
	b = jsonescape.AppendString(b, rem)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(t.suppression(f.Suppressed)), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(f.AttackPaths), 10)
	if details := f.Details(); len(details) > 0 {
		b = append(b, ",["...)
		for i, d := range details {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '[')
			b = jsonescape.AppendString(b, d.CheckID)
			b = append(b, ',')
			b = strconv.AppendInt(b, int64(max(int(d.Severity), 0)), 10)
			b = append(b, ',')
			b = jsonescape.AppendString(b, d.Message)
			b = append(b, ']')
		}
		b = append(b, ']')
	}
	return append(b, ']')
}

// htmlSnippets cuts the snippets of a report's findings, the worst first
// until the budget is spent, and returns them with the number of findings
// the budget left without one.
func htmlSnippets(r *Report, read func(string) ([]byte, error)) (*snippets, int) {
	all := slices.Concat(r.Findings, r.Suppressed)
	order := make([]int, 0, len(all))
	for i, f := range all {
		if f.Location.File != "" && f.Location.Line > 0 {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(all[b].Severity, all[a].Severity) })
	s := newSnippets(read)
	type place struct {
		file string
		line int
	}
	done := map[place]bool{}
	omitted := 0
	for _, i := range order {
		l := all[i].Location
		p := place{l.File, l.Line}
		if done[p] {
			continue
		}
		if s.add(l.File, l.Line) {
			omitted++
			continue
		}
		done[p] = true
	}
	return s, omitted
}

// writeRuns writes the members of the "src" object: for each file with
// kept lines, by its index in t, the runs of lines.
func (s *snippets) writeRuns(w io.Writer, t *htmlTables) {
	var b []byte
	first := true
	for _, name := range s.order {
		runs := s.files[name].runs()
		if len(runs) == 0 {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, '"')
		b = strconv.AppendInt(b, int64(t.files.number(name)), 10)
		b = append(b, `":[`...)
		for j, run := range runs {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, '[')
			b = strconv.AppendInt(b, int64(run.start), 10)
			b = append(b, ",["...)
			for k, line := range run.lines {
				if k > 0 {
					b = append(b, ',')
				}
				b = jsonescape.AppendString(b, line)
			}
			b = append(b, "]]"...)
		}
		b = append(b, ']')
		w.Write(b)
		b = b[:0]
	}
}
