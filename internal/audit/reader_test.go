package audit

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"strings"
	"testing"

	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"
)

// line returns one audit event as a JSON line, told apart by its audit ID.
func line(apiVersion, id string) string {
	return fmt.Sprintf(`{"kind":"Event","apiVersion":%q,"level":"Metadata","auditID":%q,"stage":"ResponseComplete","requestURI":"/api/v1/pods","verb":"list","user":{"username":"u"},"responseStatus":{"code":200},"stageTimestamp":"2026-11-26T09:00:00.000000Z"}`, apiVersion, id)
}

// collect reads input and returns the audit IDs and the malformed lines.
func collect(t *testing.T, input []byte) (ids []string, bad []string) {
	t.Helper()
	err := Read(bytes.NewReader(input), "log", Handler{
		Event:     func(ev *auditv1.Event) { ids = append(ids, string(ev.AuditID)) },
		Malformed: func(m Malformed) { bad = append(bad, fmt.Sprintf("%d", m.Line)) },
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids, bad
}

func TestReadFormats(t *testing.T) {
	list := `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[` + line("audit.k8s.io/v1", "l1") + "," + line("audit.k8s.io/v1", "l2") + `]}`
	lines := strings.Join([]string{
		line("audit.k8s.io/v1", "a"),
		"",
		"{not json",
		line("audit.k8s.io/v1beta1", "b"),
		`{"kind":"Pod","apiVersion":"v1"}`,
		list,
		`{"kind":"Event","apiVersion":"audit.k8s.io/v1","stageTimestamp":"yesterday"}`,
		line("audit.k8s.io/v1", "c"), // no final newline
	}, "\n")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(lines))
	zw.Close()
	indented := "{\n  \"kind\": \"EventList\",\n  \"apiVersion\": \"audit.k8s.io/v1\",\n  \"items\": [\n" + line("audit.k8s.io/v1", "d") + "\n  ]\n}\n"

	for name, tc := range map[string]struct {
		input   []byte
		ids     string
		badLine string
	}{
		"lines":           {[]byte(lines), "a b l1 l2 c", "3 5 7"},
		"gzip":            {gz.Bytes(), "a b l1 l2 c", "3 5 7"},
		"indented list":   {[]byte(indented), "d", ""},
		"leading blanks":  {[]byte("\n\n" + indented), "d", ""},
		"crlf":            {[]byte(line("audit.k8s.io/v1", "a") + "\r\n" + line("audit.k8s.io/v1", "b") + "\r\n"), "a b", ""},
		"empty":           {nil, "", ""},
		"truncated json":  {[]byte("{\n  \"kind\": \"EventList\",\n"), "", "1"},
		"whitespace only": {[]byte("  \n\t\n"), "", ""},
	} {
		t.Run(name, func(t *testing.T) {
			ids, bad := collect(t, tc.input)
			if strings.Join(ids, " ") != tc.ids || strings.Join(bad, " ") != tc.badLine {
				t.Errorf("events %q, malformed lines %q; want %q and %q", ids, bad, tc.ids, tc.badLine)
			}
		})
	}
}

func TestReadOverlongLine(t *testing.T) {
	input := line("audit.k8s.io/v1", "a") + "\n" + strings.Repeat("x", maxLine+10) + "\n" + line("audit.k8s.io/v1", "b") + "\n"
	ids, bad := collect(t, []byte(input))
	if strings.Join(ids, " ") != "a b" || strings.Join(bad, " ") != "2" {
		t.Errorf("events %q, malformed %q", ids, bad)
	}
}

func TestDecodeEventList(t *testing.T) {
	evs, err := DecodeEventList([]byte(`{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[` + line("audit.k8s.io/v1", "x") + `]}`))
	if err != nil || len(evs) != 1 || evs[0].AuditID != "x" {
		t.Errorf("got %v, %v", evs, err)
	}
	if _, err := DecodeEventList([]byte(`{"kind":"Status"}`)); err == nil {
		t.Error("a Status decoded as an event list")
	}
}

func TestObjectString(t *testing.T) {
	for _, tc := range []struct {
		ref  *auditv1.ObjectReference
		want string
	}{
		{nil, ""},
		{&auditv1.ObjectReference{Resource: "pods", Subresource: "exec", Namespace: "ns", Name: "p"}, "pods/exec ns/p"},
		{&auditv1.ObjectReference{Resource: "clusterroles", APIGroup: "rbac.authorization.k8s.io", Name: "r"}, "clusterroles.rbac.authorization.k8s.io r"},
		{&auditv1.ObjectReference{Resource: "secrets", Namespace: "ns"}, "secrets ns/*"},
	} {
		if got := ObjectString(tc.ref); got != tc.want {
			t.Errorf("ObjectString(%+v) = %q, want %q", tc.ref, got, tc.want)
		}
	}
}

func TestReadMalformedFirstLineDoesNotEndTheInput(t *testing.T) {
	input := `{"kind":"Event","apiVersion":` + "\n" + line("audit.k8s.io/v1", "a") + "\n"
	ids, bad := collect(t, []byte(input))
	if strings.Join(ids, " ") != "a" || strings.Join(bad, " ") != "1" {
		t.Errorf("events %q, malformed %q", ids, bad)
	}
}
