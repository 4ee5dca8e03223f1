package manifest

import (
	"log/slog"
	"runtime/debug"

	"github.com/kube4c/kube4c/internal/source/fastyaml"
)

// convertFast is the fast path's converter. Tests replace it to make the
// fast path fail on purpose.
var convertFast = fastyaml.Convert

// fastConvert converts document docIndex (counted from 0) of file with the
// fast path of package fastyaml, which reads the YAML that manifests are
// commonly written in without building a yaml.Node tree. It returns false
// when the document is outside that subset; the document then goes the
// full yaml.v3 way.
//
// A panic of the fast path is a bug in it, never the document's fault: it
// is logged at debug level (kube4c -v shows it) with the file, document,
// panic value and stack, and the document goes the full way, which reads
// it as if the fast path had declined.
func fastConvert(file string, docIndex int, ch chunk) (conv *converted, apiVersion, kind string, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			slog.Debug("the fast YAML path failed; the document is read by the full YAML parser",
				"file", file, "document", docIndex, "line", ch.line, "panic", r, "stack", string(debug.Stack()))
			conv, apiVersion, kind, ok = nil, "", "", false
		}
	}()
	if ch.col > 1 {
		// The fast path reads block mappings, which start a line.
		return nil, "", "", false
	}
	r, ok := convertFast(ch.data, ch.line, fastLimits(len(ch.data)))
	if !ok {
		return nil, "", "", false
	}
	return &converted{json: r.JSON, index: r.Index, spans: r.Spans}, r.APIVersion, r.Kind, true
}

// fastLimits are the limits of convert for a document of docBytes bytes.
func fastLimits(docBytes int) fastyaml.Limits {
	return fastyaml.Limits{MaxDepth: MaxDepth, MaxJSONBytes: max(docBytes*expansionFactor, minExpansion)}
}
