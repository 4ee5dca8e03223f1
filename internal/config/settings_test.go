package config

import (
	"strings"
	"sync"
	"testing"
)

type runtimeSettings struct {
	UntrustedNamespaces []string `yaml:"untrustedNamespaces"`
	Handlers            map[string]handler
	Limit               int    `yaml:"limit,omitempty"`
	Ignored             string `yaml:"-"`
	Common              `yaml:",inline"`
}

type handler struct {
	Name string `yaml:"name"`
}

type Common struct {
	Strict bool `yaml:"strict"`
}

const settingsFile = `settings:
  good:
    untrustedNamespaces: [sandbox]
    handlers: {gvisor: {name: runsc}}
    strict: true
  typo:
    untrustedNamespace: [sandbox]
  nested:
    handlers:
      gvisor: {nme: runsc}
  wrongtype:
    limit: many
  ignored:
    ignored: x
  merged:
    base: &base {limit: 3}
    <<: *base
`

func TestDecode(t *testing.T) {
	cfg := mustParse(t, settingsFile)
	var s runtimeSettings
	if err := cfg.Decode("good", &s); err != nil {
		t.Fatal(err)
	}
	if len(s.UntrustedNamespaces) != 1 || s.Handlers["gvisor"].Name != "runsc" || !s.Strict {
		t.Errorf("decoded %+v", s)
	}

	defaults := runtimeSettings{Limit: 7}
	if err := cfg.Decode("absent", &defaults); err != nil || defaults.Limit != 7 {
		t.Errorf("Decode of absent settings = %v, %+v; want defaults kept", err, defaults)
	}

	tests := []struct{ id, want string }{
		{"typo", `cfg.yaml:7:5: settings.typo: unknown setting "untrustedNamespace" (want handlers, limit, strict, untrustedNamespaces)`},
		{"nested", `cfg.yaml:10:16: settings.nested: unknown setting "nme" (want name)`},
		{"wrongtype", "cfg.yaml:12: settings.wrongtype: cannot unmarshal !!str `many` into int"},
		{"ignored", `cfg.yaml:14:5: settings.ignored: unknown setting "ignored"`},
		{"merged", `cfg.yaml:16:5: settings.merged: unknown setting "base"`},
	}
	for _, tt := range tests {
		var s runtimeSettings
		err := cfg.Decode(tt.id, &s)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Decode(%s) = %v, want %s", tt.id, err, tt.want)
		}
	}
}

func TestDecodeOpenTypes(t *testing.T) {
	cfg := mustParse(t, "settings:\n  c: {anything: [1, 2], goes: here}\n")
	var m map[string]any
	if err := cfg.Decode("c", &m); err != nil || len(m) != 2 {
		t.Errorf("map: %v, %v", err, m)
	}
	var inline struct {
		Rest map[string]int `yaml:",inline"`
	}
	cfg = mustParse(t, "settings:\n  c: {a: 1, b: 2}\n")
	if err := cfg.Decode("c", &inline); err != nil || inline.Rest["b"] != 2 {
		t.Errorf("inline map: %v, %v", err, inline)
	}
}

// TestDecodeConcurrently: checks run in parallel and may decode the same
// settings at once.
func TestDecodeConcurrently(t *testing.T) {
	cfg := mustParse(t, settingsFile)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var s runtimeSettings
			if err := cfg.Decode("good", &s); err != nil {
				t.Error(err)
			}
			_ = cfg.Decode("merged", &s)
		}()
	}
	wg.Wait()
}
