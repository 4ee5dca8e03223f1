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

// TestDecodeIsCaseSensitive: keys match field names exactly, as in the API
// server's own decoding (sigs.k8s.io/json), in every input form: "Kind" is
// not "kind" and "Verb" is not "verb".
func TestDecodeIsCaseSensitive(t *testing.T) {
	upperType := `{"Kind":"Event","ApiVersion":"audit.k8s.io/v1","auditID":"upper"}`
	upperVerb := `{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"v","Verb":"delete","verb":"get"}`
	var verbs []string
	var bad []Malformed
	input := upperType + "\n" + upperVerb + "\n" + strings.ReplaceAll(upperVerb, `,"verb":"get"`, "") + "\n"
	err := Read(strings.NewReader(input), "log", Handler{
		Event:     func(ev *auditv1.Event) { verbs = append(verbs, ev.Verb) },
		Malformed: func(m Malformed) { bad = append(bad, m) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(verbs, ",") != "get," {
		t.Errorf("verbs %q, want get and empty", verbs)
	}
	if len(bad) != 1 || bad[0].Line != 1 || bad[0].Err != `apiVersion "" is not audit.k8s.io/v1 or audit.k8s.io/v1beta1` {
		t.Errorf("malformed %+v, want line 1 without apiVersion", bad)
	}

	indented := "{\n  \"kind\": \"EventList\",\n  \"apiVersion\": \"audit.k8s.io/v1\",\n  \"Items\": [\n" + line("audit.k8s.io/v1", "d") + "\n  ]\n}\n"
	if ids, bad := collect(t, []byte(indented)); len(ids) != 0 || len(bad) != 0 {
		t.Errorf("an indented list with Items: events %q, malformed %q; want none", ids, bad)
	}

	if evs, err := DecodeEventList([]byte(`{"kind":"EventList","apiVersion":"audit.k8s.io/v1","Items":[` + line("audit.k8s.io/v1", "x") + `]}`)); err != nil || len(evs) != 0 {
		t.Errorf("a webhook body with Items: %v, %v; want no events", evs, err)
	}
}

// TestMalformedMessages: a malformed line says what is wrong with it.
func TestMalformedMessages(t *testing.T) {
	input := "{not json\n" +
		`{"kind":"Event","apiVersion":"audit.k8s.io/v1","verb":3}` + "\n" +
		`{"kind":"Event","apiVersion":"audit.k8s.io/v1","stageTimestamp":"yesterday"}` + "\n"
	var msgs []string
	err := Read(strings.NewReader(input), "log", Handler{
		Event:     func(*auditv1.Event) { t.Error("a malformed line gave an event") },
		Malformed: func(m Malformed) { msgs = append(msgs, m.Err) },
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"not JSON: invalid character 'n' looking for beginning of object key string (offset 2)",
		"json: cannot unmarshal number into Go struct field record.Event.verb of type string",
		`parsing time "yesterday" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "yesterday" as "2006"`,
	}
	if strings.Join(msgs, "\n") != strings.Join(want, "\n") {
		t.Errorf("messages:\n%s\nwant:\n%s", strings.Join(msgs, "\n"), strings.Join(want, "\n"))
	}
}

// TestDecodeBatchIsCaseSensitive: the receiver reads webhook bodies as
// the other inputs.
func TestDecodeBatchIsCaseSensitive(t *testing.T) {
	if _, _, err := decodeBatch([]byte(`{"Kind":"EventList","ApiVersion":"audit.k8s.io/v1","items":[]}`)); err == nil {
		t.Error("a body with Kind and ApiVersion was taken for an EventList")
	}
	raws, events, err := decodeBatch([]byte(`{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[{"auditID":"x","Verb":"delete"}]}`))
	if err != nil || len(raws) != 1 || len(events) != 1 || events[0].AuditID != "x" || events[0].Verb != "" {
		t.Errorf("got %q %+v %v, want one event x without a verb", raws, events, err)
	}
}
