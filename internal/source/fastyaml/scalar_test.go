package fastyaml

import (
	"regexp"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

var plainScalars = []string{
	"", "~", "null", "Null", "NULL", "nULL", "true", "True", "TRUE", "tRUE", "false", "False", "FALSE",
	"yes", "no", "on", "off", "y", "n", "0", "-0", "+0", "1", "-1", "+1", "12", "007", "0755", "08", "09.5",
	"1_000", "_1", "1__0", "0x1F", "0X1F", "0x_1F", "-0x1F", "0o17", "-0o17", "0b101", "-0b101", "0b", "0x",
	"1e3", "1E3", "1e+3", "1e-3", "-1e3", "1.", "1.5", "-1.5", "+1.5", ".5", "-.5", "+.5", ".5e3", ".", "..",
	".e3", "1.e3", "1_0.5", ".5_5", "0x1p3", "9223372036854775807", "9223372036854775808",
	"18446744073709551615", "18446744073709551616", "-9223372036854775808", "-9223372036854775809",
	"99999999999999999999", "1e999", "-1e999", ".inf", ".Inf", ".INF", "+.inf", "-.inf", ".iNF", ".nan",
	".NaN", ".NAN", "nan", "inf", "infinity", "<<", "<", "2024-01-02", "2024-1-2", "2024-13-45",
	"2024-01-02T03:04:05Z", "2024-01-02t03:04:05.5+01:00", "2024-01-02 03:04:05", "2024-01-02x", "20240-01-02",
	"12:30", "12:30:00", "1:2:3", "0.0.1", "1.2.3", "v1", "-", "+", "--1", "+-1", "1-", "0_", "0b2", "0o8",
	"~~", "Y", "N", "O", "T", "F", "o", "t", "f",
}

// TestResolvePlain checks the resolution of plain scalars, and their JSON
// form, against go-yaml.
func TestResolvePlain(t *testing.T) {
	for _, s := range plainScalars {
		n := yaml.Node{Kind: yaml.ScalarNode, Value: s}
		want := n.ShortTag()
		got := resolvePlain([]byte(s))
		if got != want {
			t.Errorf("resolvePlain(%q) = %s, want %s", s, got, want)
		}
		wantJSON, wantErr := AppendScalar(nil, want, s)
		if got == IntTag && isDecimal([]byte(s)) && string(wantJSON) != s {
			t.Errorf("%q is taken as its own JSON, want %s", s, wantJSON)
		}
		if gotJSON, gotErr := AppendScalar(nil, got, s); string(gotJSON) != string(wantJSON) || (gotErr == nil) != (wantErr == nil) {
			t.Errorf("%q: JSON %s (%v), want %s (%v)", s, gotJSON, gotErr, wantJSON, wantErr)
		}
	}
}

func TestIsYAMLFloat(t *testing.T) {
	re := regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)
	for _, s := range append(plainScalars, "1e", "1e+", "e3", "+", "-.", "+.e1", "1.5e3", "1.5e", "00.00e00") {
		if got, want := isYAMLFloat(s), re.MatchString(s); got != want {
			t.Errorf("isYAMLFloat(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestConvertDeclines(t *testing.T) {
	lim := Limits{MaxDepth: 256, MaxJSONBytes: 1 << 20}
	for _, in := range []string{"", "a: 1\na: 2\n", "a: &x 1\n", "- a\n", "a: b\n\x00", "a: [\n]\n", "a: .inf\n"} {
		if _, ok := Convert([]byte(in), 1, lim); ok {
			t.Errorf("Convert(%q) took it", in)
		}
	}
	if _, ok := Convert([]byte("a: 'x'\n"), 1, Limits{MaxDepth: 256, MaxJSONBytes: 8}); ok {
		t.Errorf("Convert took a document whose JSON exceeds the limit")
	}
	if r, ok := Convert([]byte("apiVersion: v1\nkind: Pod\n"), 5, lim); !ok || r.APIVersion != "v1" || r.Kind != "Pod" || string(r.JSON) != `{"apiVersion":"v1","kind":"Pod"}` {
		t.Errorf("Convert: %+v %v", r, ok)
	}
}
