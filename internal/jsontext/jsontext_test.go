package jsontext

import "testing"

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
