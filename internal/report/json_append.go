package report

import (
	"encoding/json"
	"strconv"

	"github.com/kube4c/kube4c/internal/jsontext"
)

// jsonAppender is a list element that writes itself as compact JSON
// without reflection; findings are most of a large report.
type jsonAppender interface {
	appendJSON(b []byte, refs map[*JSONReferences][]byte) ([]byte, error)
}

// appendJSON appends f as compact JSON with the members, order and
// omissions encoding/json gives JSONFinding. refs caches the encoding of
// each check's references, which many findings share.
func (f *JSONFinding) appendJSON(b []byte, refs map[*JSONReferences][]byte) ([]byte, error) {
	b = appendMember(b, `{"checkId":`, f.CheckID)
	b = appendMember(b, `,"severity":`, f.Severity)
	b = appendMember(b, `,"layer":`, f.Layer)
	b = appendOptional(b, `,"title":`, f.Title)
	if o := f.Object; o != nil {
		b = appendMember(b, `,"object":{"apiVersion":`, o.APIVersion)
		b = appendMember(b, `,"kind":`, o.Kind)
		b = appendOptional(b, `,"namespace":`, o.Namespace)
		b = appendMember(b, `,"name":`, o.Name)
		b = append(b, '}')
	}
	b = appendOptional(b, `,"container":`, f.Container)
	b = appendOptional(b, `,"path":`, f.Path)
	if l := f.Location; l != nil {
		b = appendMember(b, `,"location":{"file":`, l.File)
		if l.Line != 0 {
			b = strconv.AppendInt(append(b, `,"line":`...), int64(l.Line), 10)
		}
		if l.Column != 0 {
			b = strconv.AppendInt(append(b, `,"column":`...), int64(l.Column), 10)
		}
		b = append(b, '}')
	}
	b = appendMember(b, `,"message":`, f.Message)
	b = appendOptional(b, `,"remediation":`, f.Remediation)
	if f.References != nil {
		enc, ok := refs[f.References]
		if !ok {
			var err error
			if enc, err = json.Marshal(f.References); err != nil {
				return b, err
			}
			refs[f.References] = enc
		}
		b = append(append(b, `,"references":`...), enc...)
	}
	if s := f.Suppression; s != nil {
		b = appendMember(b, `,"suppression":{"kind":`, s.Kind)
		b = appendOptional(b, `,"reason":`, s.Reason)
		b = appendMember(b, `,"source":`, s.Source)
		b = append(b, '}')
	}
	return append(b, '}'), nil
}

func appendMember(b []byte, prefix, value string) []byte {
	return jsontext.AppendString(append(b, prefix...), value)
}

// appendOptional is appendMember for omitempty members.
func appendOptional(b []byte, prefix, value string) []byte {
	if value == "" {
		return b
	}
	return appendMember(b, prefix, value)
}
