// Package jsonescape writes JSON string literals by hand where encoding/json's
// reflection is too slow: the loader's YAML-to-JSON conversion and the
// report's findings.
package jsonescape

import (
	"encoding/binary"
	"math/bits"
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
	for {
		// Copy the run of bytes written as they are in one go: most text
		// needs no escaping.
		n := plainPrefix(s)
		buf = append(buf, s[:n]...)
		if n == len(s) {
			return append(buf, '"')
		}
		s = s[n:]
		b := s[0]
		if b >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s)
			if r == utf8.RuneError && size == 1 {
				buf = append(buf, `\ufffd`...)
			} else {
				buf = append(buf, s[:size]...)
			}
			s = s[size:]
			continue
		}
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
		s = s[1:]
	}
}

// plainPrefix returns the length of the longest prefix of s made of
// printable ASCII other than '"' and '\\': bytes written as they are.
func plainPrefix(s string) int {
	b := unsafe.Slice(unsafe.StringData(s), len(s))
	i := 0
	for ; i+8 <= len(b); i += 8 {
		if m := specialBytes(binary.LittleEndian.Uint64(b[i:])); m != 0 {
			// Little-endian: the lowest flag marks the first special byte.
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' {
			return i
		}
	}
	return i
}

// Masks for testing the eight bytes of a word at once.
const (
	lowBits  = 0x0101010101010101
	highBits = 0x8080808080808080
)

// specialBytes sets the high bit of each byte of the word x that is not
// written as it is: >= 0x80, < 0x20, a quote or a backslash (the usual
// "has a zero byte" tests). A test may also flag a byte above a flagged
// one, never below, so the lowest flag is exact.
func specialBytes(x uint64) uint64 {
	quote := x ^ (lowBits * '"')
	backslash := x ^ (lowBits * '\\')
	return (x | (x-lowBits*0x20)&^x | (quote-lowBits)&^quote | (backslash-lowBits)&^backslash) & highBits
}
