package config

import (
	"strings"
	"testing"

	"github.com/kube4c/kube4c/internal/check"
)

func TestSelect(t *testing.T) {
	reg := testRegistry(t)
	cfg := mustParse(t, `checks:
  missing-cpu-limit: {enabled: true}
  run-as-root: {enabled: false}
  host-pid: {severity: low}
`)
	// testRegistry sorts as: host-pid image-latest-tag missing-cpu-limit
	// privileged-container run-as-root runtime-class-missing.
	tests := []struct {
		name       string
		cfg        *Config
		only, skip []string
		want       string
	}{
		{"defaults", nil, nil, nil, "host-pid image-latest-tag privileged-container run-as-root runtime-class-missing"},
		{"config", cfg, nil, nil, "host-pid image-latest-tag missing-cpu-limit privileged-container runtime-class-missing"},
		{"skip", cfg, nil, []string{"host-pid", " image-latest-tag "}, "missing-cpu-limit privileged-container runtime-class-missing"},
		{"only overrides config and defaults", cfg, []string{"run-as-root", "missing-cpu-limit"}, nil, "missing-cpu-limit run-as-root"},
		{"only without config", nil, []string{"missing-cpu-limit"}, nil, "missing-cpu-limit"},
		{"only and skip", cfg, []string{"run-as-root", "host-pid"}, []string{"host-pid"}, "run-as-root"},
		{"blank entries are ignored", nil, []string{""}, []string{""}, "host-pid image-latest-tag privileged-container run-as-root runtime-class-missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Select(tt.cfg, reg.All(), check.KnownOf(reg.Metas()), tt.only, tt.skip)
			if err != nil {
				t.Fatal(err)
			}
			ids := make([]string, len(got))
			for i, c := range got {
				ids[i] = c.ID
			}
			if s := strings.Join(ids, " "); s != tt.want {
				t.Errorf("got  %s\nwant %s", s, tt.want)
			}
		})
	}
}

func TestSelectUnknownIDs(t *testing.T) {
	_, err := Select((*Config)(nil), testRegistry(t).All(), testKnown(t), []string{"host-pdi"}, []string{"nope"})
	if err == nil {
		t.Fatal("no error")
	}
	for _, w := range []string{`--checks: unknown check "host-pdi" (did you mean "host-pid"?)`, `--skip-checks: unknown check "nope"`} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}
}

func TestApplySeverities(t *testing.T) {
	cfg := mustParse(t, "checks:\n  host-pid: {severity: low}\n  run-as-root: {enabled: true}\n")
	findings := []*check.Finding{
		{CheckID: "host-pid", Severity: check.High},
		{CheckID: "host-pid", Severity: check.Critical},
		{CheckID: "run-as-root", Severity: check.Medium},
		{CheckID: "image-latest-tag", Severity: check.Info},
	}
	cfg.ApplySeverities(findings)
	want := []check.Severity{check.Low, check.Low, check.Medium, check.Info}
	for i, f := range findings {
		if f.Severity != want[i] {
			t.Errorf("finding %d (%s): severity %v, want %v", i, f.CheckID, f.Severity, want[i])
		}
	}
	(*Config)(nil).ApplySeverities(findings) // must not panic
}
