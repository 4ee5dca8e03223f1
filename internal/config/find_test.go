package config

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFind(t *testing.T) {
	root := t.TempDir()
	write := func(rel string) string {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	top := write("repo/.kube4c.yaml")
	yml := write("repo/team/.kube4c.yml")
	both := write("repo/both/.kube4c.yaml")
	write("repo/both/.kube4c.yml")
	manifest := write("repo/deploy/app/deployment.yaml")
	if err := os.MkdirAll(filepath.Join(root, "repo/deploy/app/.kube4c.yaml"), 0o755); err != nil {
		t.Fatal(err) // a directory of that name is not a config file
	}
	write("repo/team/sub/x.yaml")

	tests := []struct {
		start, want string
		found       bool
	}{
		{filepath.Join(root, "repo"), top, true},
		{filepath.Dir(manifest), top, true},
		{manifest, top, true},
		{filepath.Join(root, "repo/deploy/missing.yaml"), top, true},
		{filepath.Join(root, "repo/team/sub"), yml, true},
		{filepath.Join(root, "repo/team/sub/x.yaml"), yml, true},
		{filepath.Join(root, "repo/both"), both, true},
		{root, "", false},
	}
	for _, tt := range tests {
		got, ok := Find(tt.start)
		if got != tt.want || ok != tt.found {
			t.Errorf("Find(%s) = %q, %v; want %q, %v", tt.start, got, ok, tt.want, tt.found)
		}
	}
}

func TestFindRelative(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "deploy"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, ".kube4c.yaml"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Join(root, "deploy"))
	if got, ok := Find("."); !ok || got != filepath.Join("..", ".kube4c.yaml") {
		t.Errorf("Find(.) = %q, %v; want ../.kube4c.yaml", got, ok)
	}
}
