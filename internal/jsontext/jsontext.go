// Package jsontext writes JSON text by hand where encoding/json's
// reflection is too slow: the loader's YAML-to-JSON conversion and the
// report's findings.
package jsontext

import (
	"encoding/binary"
	"unicode/utf8"
	"unsafe"
)

// AppendString appends s as a JSON string literal, escaping quotes,
// backslashes and control characters; invalid UTF-8 becomes U+FFFD, as
// encoding/json does. HTML characters are not escaped.
func AppendString[S ~string | ~[]byte](buf []byte, s S) []byte {
	switch v := any(s).(type) {
	case string:
		return appendString(buf, v)
	case []byte:
		// Read only, never kept: a view of the bytes saves a copy.
		return appendString(buf, unsafe.String(unsafe.SliceData(v), len(v)))
	}
	return appendString(buf, string(s))
}

// appendString is AppendString for a string.
func appendString(buf []byte, s string) []byte {
	const hex = "0123456789abcdef"
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); {
		// Skip eight plain bytes at a time: most text needs no escaping.
		for i+8 <= len(s) && plainWord(s, i) {
			i += 8
		}
		if i == len(s) {
			break
		}
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			buf = append(buf, s[start:i]...)
			switch b {
			case '"', '\\':
				buf = append(buf, '\\', b)
			case '\n':
				buf = append(buf, '\\', 'n')
			case '\r':
				buf = append(buf, '\\', 'r')
			case '\t':
				buf = append(buf, '\\', 't')
			default:
				buf = append(buf, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:min(i+utf8.UTFMax, len(s))])
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, s[start:i]...)
			buf = append(buf, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}

// Masks for testing the eight bytes of a word at once.
const (
	lowBits  = 0x0101010101010101
	highBits = 0x8080808080808080
)

// plainWord reports whether the eight bytes of s from i are printable
// ASCII other than '"' and '\\': bytes written as they are.
func plainWord(s string, i int) bool {
	x := binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[i:i+8]), 8))
	quote := x ^ (lowBits * '"')
	backslash := x ^ (lowBits * '\\')
	// A high bit is set in the result when a byte is >= 0x80, < 0x20, a
	// quote or a backslash (the usual "has a zero byte" tests).
	special := x | (x-lowBits*0x20)&^x | (quote-lowBits)&^quote | (backslash-lowBits)&^backslash
	return special&highBits == 0
}
