package report

import (
	"strings"
)

// redactedValue replaces a value a snippet does not show.
const redactedValue = "‹redacted›"

// redactLines hides, in the lines of a manifest file, the values that may
// be credentials, so that a snippet never prints one (as kube4c's messages
// never do):
//   - every literal `value:` (environment variables carry passwords and
//     tokens; secret-in-env reports them without their value);
//   - the values of keys named like a credential (password, token, secret,
//     API or access key, private key, credential) that are not a boolean
//     or null;
//   - in a document that holds a Secret, every value under `data:` and
//     `stringData:`;
//   - PEM private key blocks, and kubectl's last-applied-configuration
//     annotation (a copy of the whole object).
//
// A block scalar (`|` or `>`) or a flow value whose key is hidden is hidden
// whole. YAML documents are separated by `---` lines; a JSON file is one
// document. lines is changed in place.
func redactLines(lines []string) {
	start := 0
	for i := 0; i <= len(lines); i++ {
		if i == len(lines) || isDocumentSeparator(lines[i]) {
			redactDocument(lines[start:i])
			start = i + 1
		}
	}
}

// isDocumentSeparator reports whether a line starts or ends a YAML document.
func isDocumentSeparator(line string) bool {
	return line == "---" || strings.HasPrefix(line, "--- ") || line == "..."
}

// redactDocument redacts the lines of one document.
func redactDocument(lines []string) {
	secret := false
	for _, l := range lines {
		if k, ok := parseKeyLine(l); ok && k.key == "kind" && strings.Trim(strings.TrimSuffix(strings.TrimSpace(k.value), ","), `"'`) == "Secret" {
			secret = true
			break
		}
	}
	// hideBelow, when >= 0, hides every line indented deeper than it
	// (the content of a hidden block); dataBelow hides the values of the
	// keys indented deeper (a Secret's data).
	hideBelow, dataBelow := -1, -1
	inPEM := false
	for i, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		indent := len(l) - len(strings.TrimLeft(l, " \t"))
		if hideBelow >= 0 && indent > hideBelow {
			lines[i] = l[:indent] + redactedValue
			continue
		}
		hideBelow = -1
		if dataBelow >= 0 && indent <= dataBelow {
			dataBelow = -1
		}
		if inPEM || strings.Contains(l, "-----BEGIN ") && strings.Contains(l, "PRIVATE KEY") {
			inPEM = !strings.Contains(l, "-----END ")
			lines[i] = l[:indent] + redactedValue
			continue
		}
		k, ok := parseKeyLine(l)
		if !ok {
			if dataBelow >= 0 {
				lines[i] = l[:indent] + redactedValue
			}
			continue
		}
		opens := k.value == "" || k.value == "{" || k.value == "["
		hidden := dataBelow >= 0 || sensitiveKey(k.key)
		switch {
		case secret && (k.key == "data" || k.key == "stringData") && opens:
			dataBelow = k.indent
			continue
		case hidden && opens:
			// A mapping or list under a credential's name: hide it, but
			// keep the structure of a secret volume or a projected token.
			if lower := strings.ToLower(k.key); !strings.HasSuffix(lower, "secret") && !strings.HasSuffix(lower, "token") {
				hideBelow = k.indent
			}
			continue
		case !hidden || harmlessValue(k.value):
			continue
		}
		lines[i] = l[:k.valueAt] + redactedValue
		if v := k.value; strings.HasPrefix(v, "|") || strings.HasPrefix(v, ">") || strings.HasPrefix(v, "{") || strings.HasPrefix(v, "[") {
			hideBelow = k.indent
		}
		if strings.HasSuffix(k.value, ",") {
			lines[i] += ","
		}
	}
}

// keyLine is a line that starts a mapping entry: `  - key: value`.
type keyLine struct {
	// indent is the column of the key (after any "- "), valueAt the byte
	// offset of the value.
	indent, valueAt int
	key, value      string
}

// parseKeyLine reads a YAML or JSON line that starts with a key (quoted or
// not) followed by a colon.
func parseKeyLine(l string) (keyLine, bool) {
	i := 0
	for i < len(l) && (l[i] == ' ' || l[i] == '\t') {
		i++
	}
	for i+1 < len(l) && l[i] == '-' && l[i+1] == ' ' {
		i += 2
		for i < len(l) && l[i] == ' ' {
			i++
		}
	}
	k := keyLine{indent: i}
	quote := byte(0)
	if i < len(l) && (l[i] == '"' || l[i] == '\'') {
		quote = l[i]
		i++
	}
	start := i
	for i < len(l) && isKeyByte(l[i]) {
		i++
	}
	if i == start {
		return keyLine{}, false
	}
	k.key = l[start:i]
	if quote != 0 {
		if i >= len(l) || l[i] != quote {
			return keyLine{}, false
		}
		i++
	}
	for i < len(l) && l[i] == ' ' {
		i++
	}
	if i >= len(l) || l[i] != ':' || i+1 < len(l) && l[i+1] != ' ' && l[i+1] != '\t' {
		return keyLine{}, false
	}
	i++
	for i < len(l) && (l[i] == ' ' || l[i] == '\t') {
		i++
	}
	k.valueAt = i
	k.value = strings.TrimSpace(l[i:])
	return k, true
}

func isKeyByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_' || b == '-' || b == '.' || b == '/'
}

// sensitiveKey reports whether a key names a value that may be a
// credential.
func sensitiveKey(key string) bool {
	if key == "value" || key == "kubectl.kubernetes.io/last-applied-configuration" {
		return true
	}
	k := keySeparators.Replace(strings.ToLower(key))
	for _, s := range credentialWords {
		if strings.HasSuffix(k, s) {
			return true
		}
	}
	return false
}

// keySeparators are dropped from a key before it is compared with
// credentialWords.
var keySeparators = strings.NewReplacer("-", "", "_", "", ".", "")

// credentialWords end the names of keys whose values may be credentials.
var credentialWords = []string{"password", "passwd", "pwd", "secret", "token", "apikey", "accesskey", "secretkey", "privatekey",
	"credential", "credentials", "clientsecret", "passphrase"}

// harmlessValue reports whether a value cannot be a credential: empty, a
// boolean or null.
func harmlessValue(v string) bool {
	v = strings.Trim(strings.TrimSuffix(v, ","), `"'`)
	switch strings.ToLower(v) {
	case "", "true", "false", "null", "~":
		return true
	}
	return false
}
