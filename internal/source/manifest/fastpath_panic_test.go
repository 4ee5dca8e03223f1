package manifest

import (
	"bytes"
	"log/slog"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/kube4c/kube4c/internal/source"
	"github.com/kube4c/kube4c/internal/source/fastyaml"
)

// TestFastPathPanicFallsBack makes the fast path panic on one document of
// three and checks that the panic is logged at debug level, that the
// document is still read (by the full parser) exactly as the fast path
// reads it, and that the other documents are not affected.
func TestFastPathPanicFallsBack(t *testing.T) {
	const stream = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: before}\ndata:\n  a: '1'\n" +
		"---\n" +
		"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: trigger\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        image: nginx\n        securityContext:\n          privileged: true\n" +
		"---\n" +
		"apiVersion: v1\nkind: Service\nmetadata: {name: after}\n"
	load := func() source.Result {
		return Load([]string{Stdin}, Options{Stdin: strings.NewReader(stream)})
	}
	want := load()
	if len(want.Objects) != 3 || len(want.Errors)+len(want.Warnings)+len(want.Skipped) != 0 {
		t.Fatalf("the stream does not load cleanly: %d objects, problems %v %v %v", len(want.Objects), want.Errors, want.Warnings, want.Skipped)
	}

	// Panic on the second document only, counting the calls (the loader
	// reads documents in parallel).
	var calls, panics atomic.Int32
	convertFast = func(data []byte, firstLine int, lim fastyaml.Limits) (*fastyaml.Result, bool) {
		calls.Add(1)
		if bytes.Contains(data, []byte("name: trigger")) {
			panics.Add(1)
			panic("fast path bug on purpose")
		}
		return fastyaml.Convert(data, firstLine, lim)
	}
	t.Cleanup(func() { convertFast = fastyaml.Convert })
	var logs bytes.Buffer
	previous := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(previous) })

	got := load()
	if calls.Load() != 3 || panics.Load() != 1 {
		t.Fatalf("the fast path was called %d times and panicked %d times, want 3 and 1", calls.Load(), panics.Load())
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after a panic of the fast path the stream loads differently:\ngot  %+v\nwant %+v", got, want)
	}
	if o := got.Objects[1]; o.Kind() != "Deployment" || o.Name() != "trigger" {
		t.Errorf("second object is %s, want Deployment/trigger", o.Ref())
	} else {
		assertLine(t, o, "spec.template.spec.containers[0].securityContext.privileged", 18, 11)
	}

	text := logs.String()
	if n := strings.Count(text, "the fast YAML path failed"); n != 1 {
		t.Fatalf("want one log line about the fast path, got %d:\n%s", n, text)
	}
	for _, part := range []string{"level=DEBUG", "file=" + Stdin, "document=1", "line=6", `panic="fast path bug on purpose"`, "stack=", "fastConvert"} {
		if !strings.Contains(text, part) {
			t.Errorf("the log line lacks %q:\n%s", part, text)
		}
	}
}
