package catalog

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kube4c/kube4c/internal/testutil/fixture"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/config"
)

// scanText loads YAML text and runs the one check id over it.
func scanText(t *testing.T, id, text string) []*check.Finding {
	t.Helper()
	return scanWithSettings(t, id, text, "")
}

// scanWithSettings is scanText with check settings, given as the YAML of a
// .kube4c.yaml file.
func scanWithSettings(t *testing.T, id, text, configYAML string) []*check.Finding {
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
	findings, failures, _ := check.Run(context.Background(), fixture.Inventory(t, text), []*check.Check{c}, check.Env{Settings: settings, Now: time.Now()})
	if len(failures) > 0 {
		t.Fatalf("check failed: %v", failures[0].Err)
	}
	return findings
}

// expectFindings asserts the findings' paths (in order).
func expectFindings(t *testing.T, got []*check.Finding, paths ...string) {
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

func TestQuoteIsStrconvQuote(t *testing.T) {
	for _, s := range []string{"", "web", "a b", `q"uote`, `back\slash`, "tab\t", "é", "\x7f", "\x00", "bad\xff", "~!@#$%^&*()"} {
		if got, want := quote(s), strconv.Quote(s); got != want {
			t.Errorf("quote(%q) = %s, want %s", s, got, want)
		}
	}
}

// The cheap filters in front of the credential regexps never hide a match.
func TestCredentialPrefiltersKeepEveryMatch(t *testing.T) {
	names := []string{"PASSWORD", "db_Passwd", "x_pass", "SECRET_KEY", "Token", "API_KEY", "apikey", "api-key", "ACCESS_KEY_ID",
		"PRIVATE_KEY", "CREDENTIALS", "AUTH_KEY", "authkey", "HOME", "PATH", "USER", "ſecret", "\u212aEY", "pAsS"}
	for _, name := range names {
		if credentialName.MatchString(name) && !mayNameCredential(name) {
			t.Errorf("mayNameCredential(%q) = false, but the regexp matches", name)
		}
	}
	values := []string{"AKIAABCDEFGHIJKLMNOP", "x ASIAABCDEFGHIJKLMNOP y", "ghp_" + strings.Repeat("a", 36), "xoxb-1234567890",
		"sk_live_" + strings.Repeat("a", 20), "glpat-" + strings.Repeat("a", 20), "-----BEGIN RSA PRIVATE KEY-----", "plain"}
	for _, v := range values {
		if knownTokenPrefix.MatchString(v) && !mayHoldToken(v) {
			t.Errorf("mayHoldToken(%q) = false, but the regexp matches", v)
		}
	}
}

// mustConfig parses the YAML of a .kube4c.yaml file into check settings.
func mustConfig(t *testing.T, text string) check.Settings {
	t.Helper()
	cfg, err := config.Parse(".kube4c.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// checkByID returns the registered check id.
func checkByID(t *testing.T, id string) *check.Check {
	t.Helper()
	c := check.Default.Get(id)
	if c == nil {
		t.Fatalf("no check %q", id)
	}
	return c
}
