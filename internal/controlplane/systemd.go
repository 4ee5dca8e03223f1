package controlplane

import (
	"os"
	"strings"
)

// UnitFile is a systemd unit file or drop-in and its text.
type UnitFile struct {
	Path string
	Text string
}

// KubeletCommand is the kubelet's command line as systemd would start it.
type KubeletCommand struct {
	// Args are the arguments after the program, with variables expanded.
	Args []string
	// From is the file of the ExecStart line that won.
	From string
}

// ExpandExecStart reads units (the unit first, then its drop-ins in
// order) the way systemd does for ExecStart and the environment: the last
// ExecStart wins (an empty one resets), Environment and EnvironmentFile
// lines set variables ($VAR and ${VAR} are expanded, "-" marks an optional
// environment file). readEnv returns an environment file's text.
func ExpandExecStart(units []UnitFile, readEnv func(path string) (string, error)) KubeletCommand {
	env := map[string]string{}
	var exec, from string
	var envFiles []string
	for _, u := range units {
		for _, line := range unitLines(u.Text) {
			key, value, ok := strings.Cut(line, "=")
			if !ok {
				continue
			}
			value = strings.TrimSpace(value)
			switch strings.TrimSpace(key) {
			case "ExecStart":
				exec, from = value, u.Path
			case "Environment":
				for _, word := range splitWords(value) {
					if k, v, ok := strings.Cut(word, "="); ok {
						env[k] = v
					}
				}
			case "EnvironmentFile":
				envFiles = append(envFiles, strings.TrimPrefix(value, "-"))
			}
		}
	}
	// Environment files are read after Environment= lines and override them.
	for _, file := range envFiles {
		text, err := readEnv(file)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(text, "\n") {
			line = strings.TrimSpace(line)
			if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
				env[strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), `"'`)
			}
		}
	}
	words := splitWords(os.Expand(exec, func(k string) string { return env[k] }))
	if len(words) == 0 {
		return KubeletCommand{From: from}
	}
	return KubeletCommand{Args: splitWords(strings.Join(words[1:], " ")), From: from}
}

// unitLines returns the logical lines of a unit file: comments dropped,
// backslash continuations joined.
func unitLines(text string) []string {
	var out []string
	var cur strings.Builder
	for _, raw := range strings.Split(text, "\n") {
		line := strings.TrimSpace(raw)
		if cur.Len() == 0 && (strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";")) {
			continue
		}
		if strings.HasSuffix(line, `\`) {
			cur.WriteString(strings.TrimSuffix(line, `\`) + " ")
			continue
		}
		cur.WriteString(line)
		out = append(out, cur.String())
		cur.Reset()
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

// splitWords splits on white space, keeping double- or single-quoted
// runs together and dropping the quotes.
func splitWords(s string) []string {
	var out []string
	var cur strings.Builder
	var quote rune
	inWord := false
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '"' || r == '\'':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out
}
