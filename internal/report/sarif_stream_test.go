package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/kube4c/kube4c/internal/check"
)

// sarifLogAsData builds the whole SARIF log of r, results included, as
// go-sarif values: what renderSARIF writes one result at a time.
func sarifLogAsData(r *Report, opts Options) *sarif.Report {
	cwd, _ := os.Getwd()
	run := newSARIFRun(r, cwd)
	findings := r.Findings
	if opts.ShowSuppressed {
		findings = append(append([]*check.Finding{}, r.Findings...), r.Suppressed...)
	}
	run.Results = make([]*sarif.Result, len(findings))
	for i, f := range findings {
		run.Results[i] = run.result(f)
	}
	log := sarif.NewReport()
	log.Schema = sarifSchemaURI
	log.AddRun(run.Run)
	return log
}

// The sarif format is byte for byte what a json.Encoder without HTML
// escaping writes of the whole log built as data.
func TestSARIFMatchesEncodedLog(t *testing.T) {
	reports := map[string]*Report{"sample": sampleReport(), "empty": emptyReport(), "varied": variedReport()}
	for name, r := range reports {
		for _, opts := range []Options{{}, {ShowSuppressed: true}} {
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(sarifLogAsData(r, opts)); err != nil {
				t.Fatal(err)
			}
			if got := render(t, "sarif", r, opts); !bytes.Equal(got, want.Bytes()) {
				t.Errorf("%s, suppressed=%v: output differs from the encoded log\ngot:\n%s\nwant:\n%s", name, opts.ShowSuppressed, got, want.Bytes())
			}
		}
	}
}

// writeObject writes what encoding/json writes of a struct: names from
// tags or fields, empty omitempty members left out, marshalers used; and
// a streamed member in its place.
func TestWriteObject(t *testing.T) {
	type inner struct {
		A int `json:"a"`
	}
	type sample struct {
		Tagged   string `json:"tagged"`
		Untagged int
		Skipped  string `json:"-"`
		//lint:ignore SA5008 a member named "-", as encoding/json reads this tag
		Dash        string            `json:"-,"`
		EmptyString string            `json:"emptyString,omitempty"`
		EmptyList   []int             `json:"emptyList,omitempty"`
		NilList     []int             `json:"nilList"`
		EmptyMap    map[string]int    `json:"emptyMap,omitempty"`
		False       bool              `json:"false,omitempty"`
		Zero        float64           `json:"zero,omitempty"`
		NilPointer  *inner            `json:"nilPointer,omitempty"`
		Struct      inner             `json:"struct,omitempty"`
		Bag         sarif.PropertyBag `json:"bag"`
		HTML        string            `json:"html"`
		Streamed    []int             `json:"streamed"`
		Last        *inner            `json:"last"`
	}
	v := &sample{Tagged: "t", Untagged: 2, Skipped: "x", Dash: "d", EmptyList: []int{}, EmptyMap: map[string]int{},
		Bag: *sarif.NewPropertyBag().Add("k", "<v>"), HTML: "<&>", Streamed: []int{1, 2}, Last: &inner{A: 3}}
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	w := bufio.NewWriter(&got)
	err := writeObject(w, v, map[string]memberWriter{"streamed": func(w *bufio.Writer) error {
		return writeList(w, 2, func(i int) int { return i + 1 })
	}})
	w.WriteByte('\n')
	w.Flush()
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Errorf("got  %s\nwant %s", got.Bytes(), want.Bytes())
	}
}

// writeObject refuses the fields whose encoding/json rules it does not
// follow.
func TestWriteObjectRefuses(t *testing.T) {
	type inner struct{ A int }
	for name, v := range map[string]any{
		"embedded":   &struct{ inner }{},
		"unexported": &struct{ a int }{},
		"option": &struct {
			A int `json:"a,string"`
		}{},
	} {
		if err := writeObject(bufio.NewWriter(&bytes.Buffer{}), v, nil); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
