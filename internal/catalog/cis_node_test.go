package catalog

import (
	"bufio"
	"context"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/controlplane"
	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/source"
	"github.com/kube4c/kube4c/internal/source/node"
)

var updateVerdicts = flag.Bool("update-verdicts", false, "rewrite testdata/node/*.verdicts from the checks' outcomes")

// nodeChecks are the checks that decide node configuration.
func nodeChecks() []*check.Check {
	var out []*check.Check
	for _, c := range check.Default.All() {
		if slices.Contains(c.ReadKinds(), controlplane.HostKind) {
			out = append(out, c)
		}
	}
	return out
}

// fixtureModes is a fixture's modes file: globs with a mode and an owner.
type fixtureModes []struct {
	glob  string
	mode  fs.FileMode
	owner string
}

func readModes(t *testing.T, file string) fixtureModes {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out fixtureModes
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		mode, err := strconv.ParseUint(fields[1], 8, 32)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		owner := ""
		if len(fields) > 2 {
			owner = fields[2]
		}
		out = append(out, struct {
			glob  string
			mode  fs.FileMode
			owner string
		}{fields[0], fs.FileMode(mode), owner})
	}
	return out
}

// apply returns the mode and owner of a relative path.
func (m fixtureModes) apply(rel string, dir bool) (fs.FileMode, string) {
	mode, owner := fs.FileMode(0o644), "root:root"
	if dir {
		mode = 0o755
	}
	for _, e := range m {
		if ok, _ := filepath.Match(e.glob, rel); ok {
			mode = e.mode
			if e.owner != "" {
				owner = e.owner
			}
		}
	}
	return mode, owner
}

// copyFixture copies a node tree to a temporary root with the modes of its
// modes file, and returns the root and the owners to report.
func copyFixture(t *testing.T, name string) (string, map[string]string) {
	t.Helper()
	src := filepath.Join("testdata", "node", name)
	modes := readModes(t, src+".modes")
	root := t.TempDir()
	owners := map[string]string{}
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		dst := filepath.Join(root, rel)
		mode, owner := modes.apply(filepath.ToSlash(rel), d.IsDir())
		owners["/"+filepath.ToSlash(rel)] = owner
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.WriteFile(dst, b, mode); err != nil {
			return err
		}
		return os.Chmod(dst, mode) // past the umask
	})
	if err != nil {
		t.Fatal(err)
	}
	// Directory modes last, so that writing files into them works.
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && p != root {
			rel, _ := filepath.Rel(root, p)
			mode, _ := modes.apply(filepath.ToSlash(rel), true)
			return os.Chmod(p, mode)
		}
		return nil
	})
	return root, owners
}

// loadFixture reads a fixture node tree with the node source.
func loadFixture(t *testing.T, name string) source.Result {
	t.Helper()
	root, owners := copyFixture(t, name)
	return node.Load(root, node.Options{Owner: func(p string, _ os.FileInfo) (string, string) {
		user, group, _ := strings.Cut(owners[p], ":")
		return user, group
	}})
}

// nodeVerdicts runs the node checks over a fixture and returns one line per
// check: its ID and its overall status (fail over pass over not
// applicable), and the verdicts themselves.
func nodeVerdicts(t *testing.T, res source.Result) ([]string, []check.Verdict) {
	t.Helper()
	checks := nodeChecks()
	verdicts := &check.Verdicts{}
	findings, failures, _ := check.Run(context.Background(), inventory.New(res.Objects), checks, check.Env{Now: time.Now(), Verdicts: verdicts})
	if len(failures) > 0 {
		t.Fatalf("check failed: %v", failures[0].Err)
	}
	outcomes := verdicts.Outcomes(checks, findings, nil)
	status := map[string]check.Status{}
	rank := map[check.Status]int{check.StatusNotApplicable: 0, check.StatusPass: 1, check.StatusFail: 2}
	for _, v := range outcomes {
		if s, ok := status[v.CheckID]; !ok || rank[v.Status] > rank[s] {
			status[v.CheckID] = v.Status
		}
	}
	var lines []string
	for _, c := range checks {
		lines = append(lines, c.ID+" "+string(status[c.ID]))
	}
	return lines, outcomes
}

func TestNodeFixtureVerdicts(t *testing.T) {
	for _, name := range []string{"kubeadm", "hardened", "weak"} {
		t.Run(name, func(t *testing.T) {
			res := loadFixture(t, name)
			if len(res.Errors) > 0 {
				t.Fatalf("fixture has input errors: %v", res.Errors)
			}
			got, _ := nodeVerdicts(t, res)
			file := filepath.Join("testdata", "node", name+".verdicts")
			if *updateVerdicts {
				if err := os.WriteFile(file, []byte(strings.Join(got, "\n")+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			want := strings.Split(strings.TrimSpace(string(b)), "\n")
			if !slices.Equal(got, want) {
				for i := range max(len(got), len(want)) {
					g, w := at(got, i), at(want, i)
					if g != w {
						t.Errorf("got %q, want %q", g, w)
					}
				}
			}
		})
	}
}

func at(list []string, i int) string {
	if i < len(list) {
		return list[i]
	}
	return ""
}
