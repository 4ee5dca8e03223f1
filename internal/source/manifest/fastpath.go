package manifest

import (
	"github.com/kube4c/kube4c/internal/source/fastyaml"
)

// fastConvert converts a document with the fast path of package fastyaml,
// which reads the YAML that manifests are commonly written in without
// building a yaml.Node tree. It returns false when the document is outside
// that subset; the document then goes the full yaml.v3 way. A panic of the
// fast path also returns false: the full way then reports whatever is wrong.
func fastConvert(ch chunk) (conv *converted, apiVersion, kind string, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	r, ok := fastyaml.Convert(ch.data, ch.line, fastLimits(len(ch.data)))
	if !ok {
		return nil, "", "", false
	}
	return &converted{json: r.JSON, index: r.Index, spans: r.Spans}, r.APIVersion, r.Kind, true
}

// fastLimits are the limits of convert for a document of docBytes bytes.
func fastLimits(docBytes int) fastyaml.Limits {
	return fastyaml.Limits{MaxDepth: MaxDepth, MaxJSONBytes: max(docBytes*expansionFactor, minExpansion)}
}
