package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A ZAP report, JSON and XML, mapped to the Ingress of examples/shop; a
// site nothing exposes is listed on the report, not dropped; a broken
// report is an input error.
func TestScanMapsDASTReportsToIngresses(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"zap.json": `{"@programName": "ZAP", "@version": "2.16.0", "site": [
  {"@name": "https://shop.example.com", "@host": "shop.example.com", "@port": "443", "@ssl": "true", "alerts": [
    {"pluginid": "40012", "alert": "Cross Site Scripting (Reflected)", "name": "Cross Site Scripting (Reflected)", "riskcode": "3", "confidence": "2",
     "riskdesc": "High (Medium)", "instances": [{"uri": "https://shop.example.com/search?q=x", "method": "GET", "param": "q"}], "count": "1", "cweid": "79", "wascid": "8"}]},
  {"@name": "https://admin.internal.example", "@host": "admin.internal.example", "@port": "443", "@ssl": "true", "alerts": [
    {"pluginid": "10038", "name": "Content Security Policy (CSP) Header Not Set", "riskcode": "2", "confidence": "3", "instances": [{"uri": "https://admin.internal.example/"}], "cweid": "693"}]}]}`,
		"zap.xml": `<?xml version="1.0"?><OWASPZAPReport programName="ZAP" version="2.16.0">
<site name="https://shop.example.com" host="shop.example.com" port="443" ssl="true"><alerts><alertitem>
<pluginid>10202</pluginid><alert>Absence of Anti-CSRF Tokens</alert><name>Absence of Anti-CSRF Tokens</name><riskcode>2</riskcode><confidence>1</confidence>
<instances><instance><uri>https://shop.example.com/cart</uri></instance></instances><cweid>352</cweid></alertitem></alerts></site></OWASPZAPReport>`,
		"broken.xml": `<OWASPZAPReport><site host="x">`,
	}
	var args []string
	for name, text := range files {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--dast", path)
	}
	code, out, errOut := run(t, "", append(append([]string{"scan", "-o", "json", "--checks", "web-vulnerability"}, args...), examples)...)
	if code != ExitError {
		t.Fatalf("exit %d, want 2 for the broken report; stderr: %s", code, errOut)
	}
	var rep struct {
		Findings []struct {
			Severity string `json:"severity"`
			Object   *struct{ Kind, Name string }
			Path     string `json:"path"`
			Location struct{ File string }
			Message  string `json:"message"`
		} `json:"findings"`
		InputErrors []struct {
			Location struct{ File string } `json:"location"`
		} `json:"inputErrors"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.InputErrors) != 1 || filepath.Base(rep.InputErrors[0].Location.File) != "broken.xml" {
		t.Errorf("input errors %+v, want the broken report's", rep.InputErrors)
	}
	var got []string
	for _, f := range rep.Findings {
		where := filepath.Base(f.Location.File)
		if f.Object != nil {
			where = f.Object.Kind + "/" + f.Object.Name + " " + f.Path
		}
		got = append(got, f.Severity+" "+where+" "+f.Message)
	}
	for _, want := range []string{
		`high Ingress/storefront spec.rules[0].host ZAP found "Cross Site Scripting (Reflected)" (high risk, CWE-79, 1 instance, e.g. "https://shop.example.com/search?q=x") on "https://shop.example.com"`,
		`medium Ingress/storefront spec.rules[0].host ZAP found "Absence of Anti-CSRF Tokens" (medium risk, CWE-352`,
		`medium zap.json ZAP found 1 alert(s) on "https://admin.internal.example", which no Ingress or Service of the scan exposes`,
	} {
		found := false
		for _, g := range got {
			found = found || strings.HasPrefix(g, want)
		}
		if !found {
			t.Errorf("no finding starts %q; got:\n%s", want, strings.Join(got, "\n"))
		}
	}
}
