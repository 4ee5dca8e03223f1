package controlplane

import (
	"errors"
	"testing"
)

// The parsers read files an attacker may have written: they must never
// panic, whatever the input.
func FuzzExpandExecStart(f *testing.F) {
	f.Add("[Service]\nEnvironment=\"A=--x=1\"\nExecStart=/usr/bin/kubelet $A --b \"c d\" \\\n --e=${A}\n", "A=\"--y\"")
	f.Add("ExecStart=\nExecStart=\"unterminated '\n", "")
	f.Fuzz(func(t *testing.T, unit, env string) {
		cmd := ExpandExecStart([]UnitFile{{Path: "/u", Text: unit}, {Path: "/d", Text: "EnvironmentFile=-/e\n"}}, func(p string) (string, error) {
			if p == "/e" {
				return env, nil
			}
			return "", errors.New("absent")
		})
		flags := ParseFlags(cmd.Args)
		for _, fl := range flags.All() {
			flags.List(fl.Name)
			flags.Gate(fl.Name)
		}
	})
}
