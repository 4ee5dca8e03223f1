package catalog

import (
	"context"
	"testing"
	"time"

	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
)

func TestExceptionExpired(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	at := func(line int) inventory.Location {
		return inventory.Location{File: ".kube4c.yaml", Line: line, Column: 5}
	}
	endOfDay := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 23, 59, 59, 999999999, time.UTC) }
	exceptions := []check.Exception{
		{Checks: []string{"privileged-container", "host-pid"}, Reason: "CNI agent needs host access", Expires: endOfDay(2026, 5, 31), Source: at(3)},
		{Checks: []string{"run-as-root"}, Reason: "today is fine", Expires: endOfDay(2026, 6, 1), Source: at(9)},
		{Checks: []string{"*"}, Reason: "no expiry", Source: at(12)},
		{Checks: []string{"image-latest-tag"}, Reason: "vendor image", Expires: time.Date(2026, 6, 1, 11, 30, 0, 0, time.UTC), Source: at(15)},
	}
	c := check.Default.Get("exception-expired")
	if c == nil {
		t.Fatal("exception-expired is not registered")
	}
	findings, failures, _ := check.Run(context.Background(), inventory.New(nil), []*check.Check{c}, check.Env{Exceptions: exceptions, Now: now})
	if len(failures) > 0 {
		t.Fatal(failures)
	}
	want := []struct {
		line    int
		message string
	}{
		{3, `the exception for "privileged-container" and "host-pid" (reason: "CNI agent needs host access") expired on 2026-05-31: ` +
			"fix the findings it covered, or renew the exception with a new expires date"},
		{15, `the exception for "image-latest-tag" (reason: "vendor image") expired on 2026-06-01T11:30:00Z: ` +
			"fix the findings it covered, or renew the exception with a new expires date"},
	}
	if len(findings) != len(want) {
		t.Fatalf("got %d findings, want %d: %+v", len(findings), len(want), findings)
	}
	for i, f := range findings {
		if f.Location != at(want[i].line) || f.Message != want[i].message || f.Object != nil ||
			f.Severity != check.Medium || f.Layer != check.LayerCode || f.CheckID != "exception-expired" {
			t.Errorf("finding %d = %+v\nwant line %d, message %s", i, f, want[i].line, want[i].message)
		}
	}
}
