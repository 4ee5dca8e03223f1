package config

import (
	"testing"

	"github.com/kube4c/kube4c/internal/check"
)

// testRegistry holds dummy checks with the IDs the tests and the example in
// docs/configuration.md use.
func testRegistry(t *testing.T) *check.Registry[*check.Check] {
	t.Helper()
	reg := check.NewRegistry[*check.Check]()
	for _, c := range []struct {
		id  string
		off bool
	}{
		{"image-latest-tag", false},
		{"run-as-root", false},
		{"privileged-container", false},
		{"host-pid", false},
		{"runtime-class-missing", false},
		{"missing-cpu-limit", true},
	} {
		reg.Add(&check.Check{
			Meta: check.Meta{ID: c.id, Title: c.id, Looks: "x", Rationale: "x", Remediation: "x",
				Layer: check.LayerContainer, Severity: check.High, DisabledByDefault: c.off},
			Run: func(*check.Context) {},
		})
	}
	return reg
}

func mustParse(t *testing.T, content string) *Config {
	t.Helper()
	cfg, err := Parse("cfg.yaml", []byte(content))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return cfg
}

// testKnown is every ID of testRegistry.
func testKnown(t *testing.T) check.Known {
	return check.KnownOf(testRegistry(t).Metas())
}
