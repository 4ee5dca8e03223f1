package report

import (
	"encoding/json"
	"strconv"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/jsonescape"
)

// findingEncoder writes findings as compact JSON without reflection, with
// the members, order and omissions encoding/json gives JSONFinding.
// Findings are most of a large report and repeat much: a check's ID,
// title, remediation and references, an object's identity, a file name.
// Those parts are encoded once and copied after (an object's while its
// findings last). An encoder is not safe for concurrent use; give each
// goroutine its own.
type findingEncoder struct {
	checks  map[string]*check.Check
	byCheck map[string]*checkEncoding
	files   map[string][]byte

	// The last object and file seen: findings come in file order, several
	// for each object.
	lastObject *inventory.Object
	lastObjEnc []byte
	lastFile   string
	lastFileOK bool
	lastFileEn []byte
}

// checkEncoding holds the encoded parts that the findings of one check
// share.
type checkEncoding struct {
	check *check.Check // nil for an unknown check ID
	// heads encode checkId, severity, layer and title, by severity and
	// layer.
	heads map[findingHead][]byte
	// lastKey and lastHead are the head used last: a check's findings
	// mostly share one.
	lastKey  findingHead
	lastHead []byte
	// tail encodes remediation and references, for findings that keep
	// the check's remediation; nil until needed.
	tail []byte
}

// findingHead is what the first members of a finding depend on beside its
// check.
type findingHead struct {
	severity check.Severity
	layer    check.Layer
}

func newFindingEncoder(checks map[string]*check.Check) *findingEncoder {
	return &findingEncoder{checks: checks, byCheck: map[string]*checkEncoding{}, files: map[string][]byte{}}
}

// appendFinding appends f as compact JSON.
func (e *findingEncoder) appendFinding(b []byte, f *check.Finding) ([]byte, error) {
	ce := e.encodingOf(f.CheckID)
	b = append(b, ce.head(f)...)
	if f.Object != nil {
		b = append(b, e.object(f.Object)...)
	}
	b = appendOptional(b, `,"container":`, f.Container)
	b = appendOptional(b, `,"path":`, f.Path)
	if l := f.Location; l.File != "" {
		b = append(b, e.file(l.File)...)
		if l.Line != 0 {
			b = strconv.AppendInt(append(b, `,"line":`...), int64(l.Line), 10)
		}
		if l.Column != 0 {
			b = strconv.AppendInt(append(b, `,"column":`...), int64(l.Column), 10)
		}
		b = append(b, '}')
	}
	b = appendMember(b, `,"message":`, f.Message)
	var err error
	if b, err = ce.appendTail(b, f); err != nil {
		return b, err
	}
	if s := f.Suppressed; s != nil {
		b = appendMember(b, `,"suppression":{"kind":`, s.Kind)
		b = appendOptional(b, `,"reason":`, s.Reason)
		b = appendMember(b, `,"source":`, s.Source)
		b = append(b, '}')
	}
	details := f.Details()
	for i, d := range details {
		if i == 0 {
			b = append(b, `,"details":[`...)
		} else {
			b = append(b, ',')
		}
		b = appendMember(b, `{"checkId":`, d.CheckID)
		b = appendMember(b, `,"severity":`, d.Severity.String())
		b = appendMember(b, `,"message":`, d.Message)
		b = append(b, '}')
	}
	if len(details) > 0 {
		b = append(b, ']')
	}
	if a := f.Advisories; a != nil {
		b = appendOptional(b, `,"advisories":`, a.Key)
	}
	if n := f.AttackPaths; n != 0 {
		b = strconv.AppendInt(append(b, `,"attackPaths":`...), int64(n), 10)
	}
	return append(b, '}'), nil
}

// encodingOf returns the encoding of the check id, made on first use.
func (e *findingEncoder) encodingOf(id string) *checkEncoding {
	ce := e.byCheck[id]
	if ce == nil {
		ce = &checkEncoding{check: e.checks[id], heads: map[findingHead][]byte{}}
		e.byCheck[id] = ce
	}
	return ce
}

// head returns the encoding of checkId, severity, layer and title.
func (ce *checkEncoding) head(f *check.Finding) []byte {
	key := findingHead{f.Severity, f.Layer}
	if ce.lastHead != nil && ce.lastKey == key {
		return ce.lastHead
	}
	if enc, ok := ce.heads[key]; ok {
		ce.lastKey, ce.lastHead = key, enc
		return enc
	}
	enc := appendMember(nil, `{"checkId":`, f.CheckID)
	enc = appendMember(enc, `,"severity":`, f.Severity.String())
	enc = appendMember(enc, `,"layer":`, string(f.Layer))
	if ce.check != nil {
		enc = appendOptional(enc, `,"title":`, ce.check.Title)
	}
	ce.heads[key] = enc
	ce.lastKey, ce.lastHead = key, enc
	return enc
}

// object returns the encoding of the object member. Findings come sorted by
// file and line, so an object's findings follow one another: only the last
// object's encoding is kept (an object seen again is encoded again, which
// costs less than a map of every object).
func (e *findingEncoder) object(o *inventory.Object) []byte {
	if o == e.lastObject {
		return e.lastObjEnc
	}
	ref := o.Ref()
	enc := appendMember(e.lastObjEnc[:0], `,"object":{"apiVersion":`, ref.APIVersion)
	enc = appendMember(enc, `,"kind":`, ref.Kind)
	enc = appendOptional(enc, `,"namespace":`, ref.Namespace)
	enc = appendMember(enc, `,"name":`, ref.Name)
	enc = append(enc, '}')
	e.lastObject, e.lastObjEnc = o, enc
	return enc
}

// file returns the encoding of the location member up to its file.
func (e *findingEncoder) file(name string) []byte {
	if e.lastFileOK && name == e.lastFile {
		return e.lastFileEn
	}
	enc, ok := e.files[name]
	if !ok {
		enc = appendMember(nil, `,"location":{"file":`, name)
		e.files[name] = enc
	}
	e.lastFile, e.lastFileOK, e.lastFileEn = name, true, enc
	return enc
}

// appendTail appends remediation and references; the encoding is shared
// by the findings that keep their check's remediation.
func (ce *checkEncoding) appendTail(b []byte, f *check.Finding) ([]byte, error) {
	ch := ce.check
	if ch == nil {
		return appendOptional(b, `,"remediation":`, f.Remediation), nil
	}
	shared := f.Remediation == ch.Remediation
	if shared && ce.tail != nil {
		return append(b, ce.tail...), nil
	}
	enc := appendOptional(nil, `,"remediation":`, f.Remediation)
	if r := jsonReferences(ch.References); r != nil {
		refs, err := json.Marshal(r)
		if err != nil {
			return b, err
		}
		enc = append(append(enc, `,"references":`...), refs...)
	}
	if shared {
		ce.tail = enc
	}
	return append(b, enc...), nil
}

func appendMember(b []byte, prefix, value string) []byte {
	return jsonescape.AppendString(append(b, prefix...), value)
}

// appendOptional is appendMember for omitempty members.
func appendOptional(b []byte, prefix, value string) []byte {
	if value == "" {
		return b
	}
	return appendMember(b, prefix, value)
}
