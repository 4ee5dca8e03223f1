package jsonescape

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestAppendString(t *testing.T) {
	for in, want := range map[string]string{
		"plain":            `"plain"`,
		"q\"b\\":           `"q\"b\\"`,
		"\n\r\t\x00\x1f":   `"\n\r\t\u0000\u001f"`,
		"é\u2028😀":         `"é` + "\u2028" + `😀"`,
		"bad\xffutf8\xc3":  `"bad\ufffdutf8\ufffd"`,
		"":                 `""`,
		"\x7f<>&":          "\"\x7f<>&\"",
		"mixed \"é\" \x01": `"mixed \"é\" \u0001"`,
	} {
		if got := string(AppendString(nil, in)); got != want {
			t.Errorf("AppendString(%q) = %s, want %s", in, got, want)
		}
		if got := string(AppendString(nil, []byte(in))); got != want {
			t.Errorf("AppendString([]byte(%q)) = %s, want %s", in, got, want)
		}
	}
}

// FuzzAppendString checks the hand-written string encoding against
// encoding/json: the same string once decoded (encoding/json also escapes
// U+2028 and U+2029, which AppendString writes as they are), and only the
// escapes JSON requires.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain text of some length", "q\"b\\", "\n\r\t\x00\x1f", "é\u2028😀", "bad\xffutf8\xc3",
		"0123456789abcdef\"", "0123456\x7f89abcdef", "~~~~~~~~\x1f~~~~~~~", "<html>&amp;</html>", `\u2028 literally`, "0123456789\\abcdef", "01234567é89abcdef", "01234567\xff89abcdef"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		for _, got := range [][]byte{AppendString(nil, s), AppendString(nil, []byte(s))} {
			var gotValue, wantValue string
			if err := json.Unmarshal(got, &gotValue); err != nil {
				t.Fatalf("AppendString(%q) = %s: %v", s, got, err)
			}
			if err := json.Unmarshal(want, &wantValue); err != nil {
				t.Fatal(err)
			}
			if gotValue != wantValue {
				t.Fatalf("AppendString(%q) = %s, decodes to %q, want %q", s, got, gotValue, wantValue)
			}
			if utf8.ValidString(s) && !strings.ContainsAny(s, "\"\\") && !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 }) && string(got) != `"`+s+`"` {
				t.Fatalf("AppendString(%q) = %s, escapes what needs no escaping", s, got)
			}
		}
	})
}
