package fastyaml

import (
	"github.com/kube4c/kube4c/internal/jsonescape"

	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Short tags of the YAML core schema, spelled as go.yaml.in/yaml/v3's
// Node.ShortTag returns them.
const (
	NullTag      = "!!null"
	BoolTag      = "!!bool"
	StrTag       = "!!str"
	IntTag       = "!!int"
	FloatTag     = "!!float"
	TimestampTag = "!!timestamp"
	MergeTag     = "!!merge"
)

// AppendScalar appends the JSON form of a scalar whose short tag is tag
// (NullTag, IntTag, ...) and whose text is value. Strings, timestamps,
// binary data and custom tags keep their text. The error describes a value
// that has no JSON form, such as an infinity, or that does not match its tag.
func AppendScalar(buf []byte, tag, value string) ([]byte, error) {
	switch tag {
	case NullTag:
		return append(buf, "null"...), nil
	case BoolTag:
		switch strings.ToLower(value) {
		case "true":
			return append(buf, "true"...), nil
		case "false":
			return append(buf, "false"...), nil
		}
		return buf, fmt.Errorf("%q is not a boolean", value)
	case IntTag:
		plain := strings.ReplaceAll(value, "_", "")
		if i, err := strconv.ParseInt(plain, 0, 64); err == nil {
			return strconv.AppendInt(buf, i, 10), nil
		}
		if u, err := strconv.ParseUint(plain, 0, 64); err == nil {
			return strconv.AppendUint(buf, u, 10), nil
		}
		return buf, fmt.Errorf("%q is not an integer that fits in 64 bits", value)
	case FloatTag:
		f, err := strconv.ParseFloat(strings.ReplaceAll(value, "_", ""), 64)
		if lower := strings.ToLower(value); strings.HasSuffix(lower, ".inf") || lower == ".nan" {
			return buf, errors.New(value + " cannot be represented in a Kubernetes object (JSON has no infinity or NaN)")
		}
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return buf, fmt.Errorf("%q is not a number", value)
		}
		return strconv.AppendFloat(buf, f, 'g', -1, 64), nil
	}
	return jsonescape.AppendString(buf, value), nil
}

// resolvePlain returns the short tag go-yaml resolves an untagged plain
// scalar to, under its YAML 1.2 core schema rules.
func resolvePlain(v []byte) string {
	if len(v) == 0 {
		return NullTag
	}
	c := v[0]
	switch {
	case c >= '0' && c <= '9', c == '+', c == '-', c == '.',
		c == '~', c == '<', strings.IndexByte("yYnNtTfFoO", c) >= 0:
	default:
		return StrTag
	}
	switch string(v) {
	case "~", "null", "Null", "NULL":
		return NullTag
	case "true", "True", "TRUE", "false", "False", "FALSE":
		return BoolTag
	case ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF",
		"+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF":
		return FloatTag
	case "<<":
		return MergeTag
	}
	switch {
	case c == '.':
		if _, err := strconv.ParseFloat(string(v), 64); err == nil {
			return FloatTag
		}
	case c >= '0' && c <= '9', c == '+', c == '-':
		if len(v) > 4 && v[4] == '-' && isTimestamp(string(v)) {
			return TimestampTag
		}
		if isDecimal(v) {
			return IntTag
		}
		plain := strings.ReplaceAll(string(v), "_", "")
		if _, err := strconv.ParseInt(plain, 0, 64); err == nil {
			return IntTag
		}
		if _, err := strconv.ParseUint(plain, 0, 64); err == nil {
			return IntTag
		}
		if isYAMLFloat(plain) {
			if _, err := strconv.ParseFloat(plain, 64); err == nil {
				return FloatTag
			}
		}
	}
	return StrTag
}

// isDecimal reports whether v is an integer in canonical decimal form that
// fits in an int64: its JSON form is its own text.
func isDecimal(v []byte) bool {
	i := 0
	if v[0] == '-' {
		i = 1
	}
	n := len(v) - i
	if n == 0 || n > 18 || v[i] < '1' && !(n == 1 && i == 0 && v[0] == '0') {
		return false
	}
	for ; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}
	return true
}

// isYAMLFloat matches ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$,
// the floats go-yaml accepts.
func isYAMLFloat(s string) bool {
	i := 0
	digits := func() int {
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - start
	}
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	} else {
		if digits() == 0 {
			return false
		}
		if i < len(s) && s[i] == '.' {
			i++
			digits()
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// timestampFormats are the layouts go-yaml tries on plain scalars that start
// with a four-digit year.
var timestampFormats = []string{
	"2006-1-2T15:4:5.999999999Z07:00",
	"2006-1-2t15:4:5.999999999Z07:00",
	"2006-1-2 15:4:5.999999999",
	"2006-1-2",
}

// isTimestamp reports whether go-yaml reads s as a timestamp.
func isTimestamp(s string) bool {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i != 4 || i == len(s) || s[i] != '-' {
		return false
	}
	for _, layout := range timestampFormats {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}
