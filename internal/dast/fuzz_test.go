package dast

import (
	"strings"
	"testing"
)

// ZAP reports come from people we do not trust: reading one never panics,
// and a report that does not read gives an error naming it.
func FuzzRead(f *testing.F) {
	for _, seed := range []string{zapJSON, zapXML, `{"@version": "2", "site": [{"@host": "h", "alerts": [{"instances": null}]}]}`,
		`<OWASPZAPReport><site host="h" port="1"><alerts><alertitem><riskcode>-1</riskcode></alertitem></alerts></site></OWASPZAPReport>`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, report string) {
		sites, err := Read(strings.NewReader(report), "z.json")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "z.json: ") {
				t.Fatalf("error %q does not name the report", err)
			}
			return
		}
		for _, s := range sites {
			if s.Host == "" || s.Port < 0 || s.Port > 65535 {
				t.Fatalf("site %+v", s)
			}
			for _, a := range s.Alerts {
				if a.Risk < 0 || a.Risk > 3 {
					t.Fatalf("alert %+v", a)
				}
			}
		}
	})
}
