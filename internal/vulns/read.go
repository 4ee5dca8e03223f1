package vulns

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// MaxReportBytes bounds a report file: a larger one is refused, so that
// reading it stays in bounded memory.
const MaxReportBytes = 128 << 20

// ReadFile reads one scanner report.
func ReadFile(path string) ([]Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// A file says its size: one too large is refused before any is read.
	if info, err := f.Stat(); err == nil && info.Mode().IsRegular() && info.Size() > MaxReportBytes {
		return nil, tooLarge(path)
	}
	return Read(f, path)
}

// tooLarge is the error about a report over MaxReportBytes.
func tooLarge(name string) error {
	return fmt.Errorf("%s: larger than %d MiB; split the report (one image per file)", name, MaxReportBytes>>20)
}

// Read reads one scanner report from r, named name in errors and in each
// image's Source. The format is told by the content: Trivy JSON (trivy
// image -f json, and trivy k8s -f json), Grype JSON (grype -o json) or
// SARIF 2.1.0.
func Read(r io.Reader, name string) ([]Image, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxReportBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(data) > MaxReportBytes {
		return nil, tooLarge(name)
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("%s: not a JSON report: %w", name, describe(data, err))
	}
	var images []Image
	switch {
	case probe["SchemaVersion"] != nil && probe["ArtifactName"] != nil:
		images, err = readTrivy(data)
	case probe["matches"] != nil && probe["source"] != nil:
		images, err = readGrype(data)
	case probe["runs"] != nil && probe["version"] != nil:
		images, err = readSARIF(data)
	case probe["ClusterName"] != nil && (probe["Resources"] != nil || probe["Findings"] != nil):
		images, err = readTrivyK8s(data)
	default:
		return nil, fmt.Errorf("%s: not a Trivy, Grype or SARIF report", name)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, describe(data, err))
	}
	for i := range images {
		images[i].Source = name
	}
	return images, nil
}

// describe adds the line of a JSON syntax or type error.
func describe(data []byte, err error) error {
	var offset int64 = -1
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		offset = syntax.Offset
	case errors.As(err, &typ):
		offset = typ.Offset
	}
	if offset < 0 || offset > int64(len(data)) {
		return err
	}
	return fmt.Errorf("line %d: %w", bytes.Count(data[:offset], []byte("\n"))+1, err)
}
