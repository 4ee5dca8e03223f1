package config

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
)

func TestParseValid(t *testing.T) {
	cfg := mustParse(t, `
checks:
  missing-cpu-limit: {enabled: true}
  image-latest-tag:
    severity: CRITICAL
  run-as-root: {enabled: false}
settings:
  runtime-class-missing:
    untrustedNamespaces: [sandbox]
exceptions:
  - checks: [privileged-container, host-pid]
    kinds: [DaemonSet]
    namespaces: [kube-system]
    names: ["calico-*"]
    containers: [calico-node]
    reason: "  CNI agent needs host access "
    expires: 2027-03-31
  - checks: ["*"]
    reason: anything
    expires: 2027-03-31T12:00:00+02:00
`)
	on, off, critical := true, false, check.Critical
	want := map[string]Override{
		"missing-cpu-limit": {Enabled: &on},
		"image-latest-tag":  {Severity: &critical},
		"run-as-root":       {Enabled: &off},
	}
	if len(cfg.Checks) != len(want) {
		t.Fatalf("Checks = %v, want %d entries", cfg.Checks, len(want))
	}
	for id, w := range want {
		got := cfg.Checks[id]
		if !eqPtr(got.Enabled, w.Enabled) || !eqPtr(got.Severity, w.Severity) {
			t.Errorf("Checks[%s] = %+v, want %+v", id, got, w)
		}
	}

	if len(cfg.Exceptions) != 2 {
		t.Fatalf("got %d exceptions, want 2", len(cfg.Exceptions))
	}
	e := cfg.Exceptions[0]
	if strings.Join(e.Checks, ",") != "privileged-container,host-pid" || e.Kinds[0] != "DaemonSet" ||
		e.Namespaces[0] != "kube-system" || e.Names[0] != "calico-*" || e.Containers[0] != "calico-node" {
		t.Errorf("exception lists = %+v", e)
	}
	if e.Reason != "CNI agent needs host access" {
		t.Errorf("Reason = %q", e.Reason)
	}
	if want := time.Date(2027, 3, 31, 23, 59, 59, 999999999, time.UTC); !e.Expires.Equal(want) {
		t.Errorf("Expires = %v, want %v", e.Expires, want)
	}
	if want := (inventory.Location{File: "cfg.yaml", Line: 11, Column: 5}); e.Source != want {
		t.Errorf("Source = %+v, want %+v", e.Source, want)
	}
	if want := time.Date(2027, 3, 31, 10, 0, 0, 0, time.UTC); !cfg.Exceptions[1].Expires.Equal(want) {
		t.Errorf("RFC 3339 Expires = %v, want %v", cfg.Exceptions[1].Expires, want)
	}
	if err := cfg.Validate(testKnown(t)); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func eqPtr[T comparable](a, b *T) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

func TestParseEmpty(t *testing.T) {
	for _, content := range []string{"", "# only a comment\n", "~\n", "checks:\nsettings:\nexceptions:\n", "---\n"} {
		cfg := mustParse(t, content)
		if len(cfg.Checks) != 0 || len(cfg.Exceptions) != 0 || cfg.Path != "cfg.yaml" {
			t.Errorf("%q: got %+v", content, cfg)
		}
	}
}

func TestParseAliases(t *testing.T) {
	cfg := mustParse(t, `
exceptions:
  - checks: &ids [privileged-container]
    reason: &why shared reason
  - checks: *ids
    reason: *why
    kinds: [Pod]
`)
	if len(cfg.Exceptions) != 2 {
		t.Fatalf("got %d exceptions", len(cfg.Exceptions))
	}
	for _, e := range cfg.Exceptions {
		if len(e.Checks) != 1 || e.Checks[0] != "privileged-container" || e.Reason != "shared reason" {
			t.Errorf("exception = %+v", e)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, content string
		want          []string // each must appear in the error
	}{
		{"syntax", "checks:\n  a: \"abc\n", []string{"cfg.yaml:2: found unexpected end of stream"}},
		{"two documents", "checks: {}\n---\nchecks: {}\n", []string{"cfg.yaml:3: a configuration file holds one YAML document"}},
		{"root not a mapping", "- a\n", []string{`cfg.yaml:1:1: the configuration: want a mapping, got a list`}},
		{"unknown top key", "checks: {}\nexception: []\n", []string{`cfg.yaml:2:1: the configuration: unknown key "exception" (want checks, settings, exceptions, admission, images)`}},
		{"repeated key", "checks: {}\nchecks: {}\n", []string{`cfg.yaml:2:1: the configuration: key "checks" is repeated (first at line 1)`}},
		{"checks not a mapping", "checks: [run-as-root]\n", []string{`cfg.yaml:1:9: checks: want a mapping, got a list`}},
		{"unknown override key", "checks:\n  run-as-root: {enabeld: false}\n", []string{`cfg.yaml:2:17: checks.run-as-root: unknown key "enabeld" (want enabled, severity)`}},
		{"enabled not a bool", "checks:\n  run-as-root:\n    enabled: \"no\"\n", []string{`cfg.yaml:3:14: checks.run-as-root.enabled: want true or false, got "no"`}},
		{"bad severity", "checks:\n  run-as-root: {severity: urgent}\n", []string{`cfg.yaml:2:27: checks.run-as-root.severity: unknown severity "urgent"`}},
		{"settings not a mapping", "settings:\n  run-as-root: [a]\n", []string{`cfg.yaml:2:16: settings.run-as-root: want a mapping of settings, got a list`}},
		{"exceptions not a list", "exceptions: {checks: [a]}\n", []string{`cfg.yaml:1:13: exceptions: want a list, got a mapping`}},
		{"exception not a mapping", "exceptions: [run-as-root]\n", []string{`cfg.yaml:1:14: exceptions[0]: want a mapping, got "run-as-root"`}},
		{"unknown exception key", "exceptions:\n  - checks: [a]\n    reason: r\n    namespace: [x]\n", []string{`cfg.yaml:4:5: exceptions[0]: unknown key "namespace"`}},
		{"missing reason", "exceptions:\n  - checks: [a]\n", []string{`cfg.yaml:2:5: exceptions[0]: an exception needs a reason`}},
		{"blank reason", "exceptions:\n  - checks: [a]\n    reason: \" \"\n", []string{`cfg.yaml:2:5: exceptions[0]: an exception needs a reason`}},
		{"missing checks", "exceptions:\n  - reason: r\n", []string{`cfg.yaml:2:5: exceptions[0]: an exception needs a non-empty checks list`}},
		{"unknown until", "exceptions:\n  - checks: [image-vulnerability]\n    reason: r\n    vulnerabilities: [CVE-1]\n    until: tomorrow\n",
			[]string{`cfg.yaml:5:12: exceptions[0].until: "tomorrow" is not a condition kube4c knows (want fix-available)`}},
		{"until without vulnerabilities", "exceptions:\n  - checks: [image-vulnerability]\n    reason: r\n    until: fix-available\n",
			[]string{`cfg.yaml:2:5: exceptions[0]: until: fix-available needs the vulnerabilities it waits for`}},
		{"vulnerabilities of another check", "exceptions:\n  - checks: [run-as-root]\n    reason: r\n    vulnerabilities: [CVE-1]\n",
			[]string{`cfg.yaml:2:5: exceptions[0]: vulnerabilities are findings of image-vulnerability: list it in checks`}},
		{"empty checks", "exceptions:\n  - {checks: [], reason: r}\n", []string{`cfg.yaml:2:5: exceptions[0]: an exception needs a non-empty checks list`}},
		{"list not a list", "exceptions:\n  - {checks: [a], kinds: DaemonSet, reason: r}\n", []string{`cfg.yaml:2:26: exceptions[0].kinds: want a list, got "DaemonSet"`}},
		{"list item not a string", "exceptions:\n  - {checks: [a], names: [{x: 1}], reason: r}\n", []string{`cfg.yaml:2:27: exceptions[0].names: want a list of strings, got a mapping in it`}},
		{"bad pattern", "exceptions:\n  - {checks: [a], names: [\"[abc\"], reason: r}\n", []string{`cfg.yaml:2:27: exceptions[0].names: malformed pattern "[abc"`}},
		{"bad date", "exceptions:\n  - checks: [a]\n    reason: r\n    expires: 2027-02-30\n", []string{`cfg.yaml:4:14: exceptions[0].expires: want a date (YYYY-MM-DD) or an RFC 3339 time, got "2027-02-30"`}},
		{"date in words", "exceptions:\n  - checks: [a]\n    reason: r\n    expires: next week\n", []string{`cfg.yaml:4:14: exceptions[0].expires: want a date`}},
		{"policy with key and keyless", "images:\n  verify:\n    - {key: k.pub, keyless: {identity: a, issuer: b, trustedRoot: r.json}}\n",
			[]string{`cfg.yaml:3:7: images.verify[0]: a policy needs either key (a PEM public key) or keyless`}},
		{"policy with neither", "images:\n  verify:\n    - images: [\"ghcr.io/*\"]\n", []string{`cfg.yaml:3:7: images.verify[0]: a policy needs either key`}},
		{"keyless without issuer or root", "images:\n  verify:\n    - keyless: {identity: a}\n", []string{
			`cfg.yaml:3:16: images.verify[0].keyless: needs issuer or issuerRegexp`,
			`cfg.yaml:3:16: images.verify[0].keyless: needs trustedRoot`}},
		{"bad identity regexp", "images:\n  verify:\n    - keyless: {identityRegexp: \"(\", issuer: b, trustedRoot: r}\n",
			[]string{`cfg.yaml:3:33: images.verify[0].keyless.identityRegexp: error parsing regexp`}},
		{"unknown policy key", "images:\n  verify:\n    - {key: k.pub, registry: x}\n", []string{`images.verify[0]: unknown key "registry"`}},
		{"several errors at once", "checks:\n  a: {enabled: 1}\nexceptions:\n  - checks: [a]\n", []string{
			`cfg.yaml:2:16: checks.a.enabled: want true or false, got "1"`,
			`cfg.yaml:4:5: exceptions[0]: an exception needs a reason`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("cfg.yaml", []byte(tt.content))
			if err == nil {
				t.Fatalf("no error, got %+v", cfg)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%v\ndoes not contain\n%s", err, w)
				}
			}
		})
	}
}

func TestValidateUnknownIDs(t *testing.T) {
	cfg := mustParse(t, `checks:
  run-as-rot: {enabled: false}
settings:
  zzzz: {}
exceptions:
  - checks: ["*", privileged-containers]
    reason: r
`)
	err := cfg.Validate(testKnown(t))
	if err == nil {
		t.Fatal("no error")
	}
	for _, w := range []string{
		`cfg.yaml:2:3: checks: unknown check "run-as-rot" (did you mean "run-as-root"?)`,
		`cfg.yaml:4:3: settings: unknown check "zzzz"` + "\n",
		`cfg.yaml:6:19: exceptions[0].checks: unknown check "privileged-containers" (did you mean "privileged-container"?)`,
	} {
		if !strings.Contains(err.Error()+"\n", w) {
			t.Errorf("error\n%v\ndoes not contain\n%s", err, w)
		}
	}
	if n := strings.Count(err.Error(), "\n") + 1; n != 3 {
		t.Errorf("got %d errors, want 3 (\"*\" is allowed)", n)
	}
}

func TestNilConfig(t *testing.T) {
	var cfg *Config
	if err := cfg.Validate(testKnown(t)); err != nil {
		t.Error(err)
	}
	if cfg.ExceptionList() != nil {
		t.Error("nil config has exceptions")
	}
	var s struct{ A int }
	if err := check.Settings(cfg).Decode("run-as-root", &s); err != nil || s.A != 0 {
		t.Errorf("Decode = %v, %+v", err, s)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, ".kube4c.yaml")
	if err := os.WriteFile(p, []byte("exceptions:\n  - {checks: [a]}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(p)
	if err == nil || !strings.Contains(err.Error(), p+":2:5: ") {
		t.Errorf("Load error = %v, want one at %s:2:5", err, p)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); !os.IsNotExist(err) {
		t.Errorf("Load of a missing file = %v", err)
	}
}

// TestDocumentedExample parses the full example of docs/configuration.md.
func TestDocumentedExample(t *testing.T) {
	doc, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```yaml\n(# \\.kube4c\\.yaml\n.*?)```").FindSubmatch(doc)
	if m == nil {
		t.Fatal("no ```yaml block starting with # .kube4c.yaml")
	}
	cfg := mustParse(t, string(m[1]))
	if err := cfg.Validate(testKnown(t)); err != nil {
		t.Error(err)
	}
	var s struct {
		UntrustedNamespaces []string `yaml:"untrustedNamespaces"`
	}
	if err := cfg.Decode("runtime-class-missing", &s); err != nil || len(s.UntrustedNamespaces) != 1 {
		t.Errorf("Decode = %v, %+v", err, s)
	}
}

// TestDocumentedAdmissionExample parses the admission example of
// docs/configuration.md and checks what it decides.
func TestDocumentedAdmissionExample(t *testing.T) {
	doc, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```yaml\n(admission:\n.*?)```").FindSubmatch(doc)
	if m == nil {
		t.Fatal("no ```yaml block starting with admission:")
	}
	cfg := mustParse(t, string(m[1]))
	if err := cfg.Validate(testKnown(t)); err != nil {
		t.Error(err)
	}
	a := cfg.AdmissionPolicy()
	if a.Deny != check.High || a.Warn != check.Low || a.Checks["run-as-root"] != Off || a.Exempt.NamespaceSelector == nil {
		t.Errorf("admission = %+v", a)
	}
	for _, c := range []struct {
		ns, user string
		groups   []string
		exempt   bool
	}{
		{"sandbox-7", "alice", nil, true},
		{"shop", "system:serviceaccount:argocd:application-controller", nil, true},
		{"shop", "bob", []string{"system:masters"}, true},
		{"shop", "bob", []string{"developers"}, false},
	} {
		if _, got := a.Exempt.Exempt(c.ns, nil, c.user, c.groups); got != c.exempt {
			t.Errorf("Exempt(%s, %s, %v) = %v", c.ns, c.user, c.groups, got)
		}
	}
	if _, got := a.Exempt.Exempt("shop", map[string]string{"kube4c.io/admission": "exempt"}, "bob", nil); !got {
		t.Error("the namespace selector does not exempt a labelled namespace")
	}
}

func TestImagePolicies(t *testing.T) {
	cfg := mustParse(t, `
images:
  verify:
    - name: ours
      images: ["registry.example.com/team/*", nginx]
      key: keys/cosign.pub
    - keyless:
        identityRegexp: ^https://github.com/acme/
        issuer: https://token.actions.githubusercontent.com
        trustedRoot: /etc/kube4c/trusted_root.json
`)
	got := cfg.ImagePolicies()
	if len(got) != 2 {
		t.Fatalf("got %d policies", len(got))
	}
	if p := got[0]; p.Name != "ours" || p.Key != filepath.Join(filepath.Dir(cfg.Path), "keys/cosign.pub") ||
		!slices.Equal(p.Images, []string{"registry.example.com/team/*", "nginx"}) || p.Keyless != nil {
		t.Errorf("policy 0 = %+v", p)
	}
	if p := got[1]; p.Name != "images.verify[1]" || p.Keyless == nil || p.Keyless.IdentityRegexp != "^https://github.com/acme/" ||
		p.Keyless.TrustedRoot != "/etc/kube4c/trusted_root.json" || p.Source.Line != 7 {
		t.Errorf("policy 1 = %+v %+v", p, p.Keyless)
	}
	var none *Config
	if none.ImagePolicies() != nil {
		t.Error("a nil config has policies")
	}
}
