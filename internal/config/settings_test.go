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

// TestDecodeKeepsDefaults: settings the file does not mention keep the
// value out had.
func TestDecodeKeepsDefaults(t *testing.T) {
	cfg := mustParse(t, settingsFile)
	s := runtimeSettings{Limit: 7, UntrustedNamespaces: []string{"replaced"}}
	if err := cfg.Decode("good", &s); err != nil {
		t.Fatal(err)
	}
	if s.Limit != 7 || len(s.UntrustedNamespaces) != 1 || s.UntrustedNamespaces[0] != "sandbox" || !s.Strict {
		t.Errorf("decoded %+v, want limit 7 kept and the rest from the file", s)
	}
}

// TestDecodeUnknownKeyPlaces: an unknown key is reported where it is
// written, also when it comes through an anchor elsewhere in the file or
// shares its line with another check's settings, and the hint lists the
// keys of the struct it is in.
func TestDecodeUnknownKeyPlaces(t *testing.T) {
	cfg := mustParse(t, "settings:\n"+
		"  base: &base {nme: x, limit: 2}\n"+
		"  viaAnchor: {<<: *base}\n"+
		"  oneLine: {a: {nme: 1}, b: {handlers: {h: {nme: 2}}}}\n"+
		"  none: {setting: 1}\n")
	type none struct{}
	for _, tt := range []struct {
		path string
		out  any
		want string
	}{
		{"viaAnchor", &runtimeSettings{}, `cfg.yaml:2:16: settings.viaAnchor: unknown setting "nme" (want handlers, limit, strict, untrustedNamespaces)`},
		{"oneLine", &map[string]runtimeSettings{}, `cfg.yaml:4:17: settings.oneLine: unknown setting "nme" (want handlers, limit, strict, untrustedNamespaces)`},
		{"oneLine", &map[string]runtimeSettings{}, `cfg.yaml:4:45: settings.oneLine: unknown setting "nme" (want name)`},
		{"none", &none{}, `cfg.yaml:5:10: settings.none: unknown setting "setting" (the check has no settings here)`},
	} {
		err := cfg.Decode(tt.path, tt.out)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Decode(%s) = %v, want %s", tt.path, err, tt.want)
		}
	}
}

// TestDecodeNeedsPointer: a value that cannot be filled is an error, not a
// panic.
func TestDecodeNeedsPointer(t *testing.T) {
	cfg := mustParse(t, settingsFile)
	var nilSettings *runtimeSettings
	for _, out := range []any{runtimeSettings{}, nilSettings, nil} {
		if err := cfg.Decode("good", out); err == nil || !strings.Contains(err.Error(), "settings.good") {
			t.Errorf("Decode into %T: %v, want an error naming settings.good", out, err)
		}
	}
}

// TestDecodeOddCheckIDs: IDs that a yaml tag cannot name are refused, not
// decoded as another key.
func TestDecodeOddCheckIDs(t *testing.T) {
	cfg := mustParse(t, "settings:\n  \"\": {limit: 1}\n  \"-\": {limit: 2}\n  \"a,inline\": {limit: 3}\n  check: {limit: 4}\n")
	for _, id := range []string{"", "-", "a,inline"} {
		var s runtimeSettings
		if err := cfg.Decode(id, &s); err == nil || s.Limit != 0 {
			t.Errorf("Decode(%q) = %v with limit %d, want an error", id, err, s.Limit)
		}
	}
}
