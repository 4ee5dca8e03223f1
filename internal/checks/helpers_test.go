package checks

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kube4c/kube4c/internal/testutil/fixture"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/config"
)

// scanText loads YAML text and runs the one check id over it.
func scanText(t *testing.T, id, text string) []check.Finding {
	t.Helper()
	return scanWithSettings(t, id, text, "")
}

// scanWithSettings is scanText with check settings, given as the YAML of a
// .kube4c.yaml file.
func scanWithSettings(t *testing.T, id, text, configYAML string) []check.Finding {
	t.Helper()
	var settings check.Settings
	if configYAML != "" {
		cfg, err := config.Parse(".kube4c.yaml", []byte(configYAML))
		if err != nil {
			t.Fatal(err)
		}
		settings = cfg
	}
	c := check.Default.Get(id)
	if c == nil {
		t.Fatalf("no check %q", id)
	}
	findings, failures := check.Run(fixture.Inventory(t, text), []*check.Check{c}, check.Env{Settings: settings, Now: time.Now()})
	if len(failures) > 0 {
		t.Fatalf("check failed: %v", failures[0].Err)
	}
	return findings
}

// expectFindings asserts the findings' paths (in order).
func expectFindings(t *testing.T, got []check.Finding, paths ...string) {
	t.Helper()
	if len(got) != len(paths) {
		var have []string
		for _, f := range got {
			have = append(have, f.Path+": "+f.Message)
		}
		t.Fatalf("got %d findings, want %d:\n%s", len(got), len(paths), strings.Join(have, "\n"))
	}
	for i, p := range paths {
		if got[i].Path != p {
			t.Errorf("finding %d at %s, want %s", i, got[i].Path, p)
		}
		if got[i].Location.Line == 0 {
			t.Errorf("finding %d has no line", i)
		}
	}
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
