package dast

import (
	"slices"
	"strings"
	"testing"
)

// A ZAP traditional JSON report (zap-baseline.py -J, or the Report
// Generation add-on's traditional-json template) of the shop's storefront.
const zapJSON = `{
	"@programName": "ZAP",
	"@version": "2.16.0",
	"@generated": "Mon, 30 Nov 2026 10:00:00",
	"site": [
		{
			"@name": "https://shop.example.com",
			"@host": "shop.example.com",
			"@port": "443",
			"@ssl": "true",
			"alerts": [
				{
					"pluginid": "40012",
					"alertRef": "40012",
					"alert": "Cross Site Scripting (Reflected)",
					"name": "Cross Site Scripting (Reflected)",
					"riskcode": "3",
					"confidence": "2",
					"riskdesc": "High (Medium)",
					"desc": "<p>Cross-site Scripting (XSS) is an attack technique...</p>",
					"instances": [
						{"uri": "https://shop.example.com/search?q=%3Cscript%3E", "method": "GET", "param": "q", "attack": "<script>alert(1);</script>", "evidence": "<script>alert(1);</script>"}
					],
					"count": "1",
					"solution": "<p>Encode the output.</p>",
					"cweid": "79",
					"wascid": "8",
					"sourceid": "1"
				},
				{
					"pluginid": "10038",
					"alert": "Content Security Policy (CSP) Header Not Set",
					"name": "Content Security Policy (CSP) Header Not Set",
					"riskcode": "2",
					"confidence": "3",
					"riskdesc": "Medium (High)",
					"instances": [{"uri": "https://shop.example.com/"}, {"uri": "https://shop.example.com/cart"}],
					"count": "2",
					"cweid": "693"
				}
			]
		},
		{"@name": "http://10.0.0.9:8080", "@host": "10.0.0.9", "@port": "8080", "@ssl": "false", "alerts": []}
	]
}`

// The same report in ZAP's traditional XML.
const zapXML = `<?xml version="1.0"?>
<OWASPZAPReport programName="ZAP" version="2.16.0" generated="Mon, 30 Nov 2026 10:00:00">
	<site name="https://shop.example.com" host="shop.example.com" port="443" ssl="true">
		<alerts>
			<alertitem>
				<pluginid>40012</pluginid>
				<alertRef>40012</alertRef>
				<alert>Cross Site Scripting (Reflected)</alert>
				<name>Cross Site Scripting (Reflected)</name>
				<riskcode>3</riskcode>
				<confidence>2</confidence>
				<riskdesc>High (Medium)</riskdesc>
				<instances>
					<instance><uri>https://shop.example.com/search?q=%3Cscript%3E</uri><method>GET</method><param>q</param></instance>
				</instances>
				<count>1</count>
				<solution>&lt;p&gt;Encode the output.&lt;/p&gt;</solution>
				<cweid>79</cweid>
				<wascid>8</wascid>
			</alertitem>
			<alertitem>
				<pluginid>10038</pluginid>
				<alert>Content Security Policy (CSP) Header Not Set</alert>
				<name>Content Security Policy (CSP) Header Not Set</name>
				<riskcode>2</riskcode>
				<confidence>3</confidence>
				<instances>
					<instance><uri>https://shop.example.com/</uri></instance>
					<instance><uri>https://shop.example.com/cart</uri></instance>
				</instances>
				<cweid>693</cweid>
			</alertitem>
		</alerts>
	</site>
	<site name="http://10.0.0.9:8080" host="10.0.0.9" port="8080" ssl="false"><alerts></alerts></site>
</OWASPZAPReport>`

func TestReadBothFormats(t *testing.T) {
	for name, report := range map[string]string{"zap.json": zapJSON, "zap.xml": zapXML} {
		sites, err := Read(strings.NewReader(report), name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(sites) != 2 {
			t.Fatalf("%s: %d sites, want 2", name, len(sites))
		}
		shop, other := sites[0], sites[1]
		if shop.Host != "shop.example.com" || shop.Port != 443 || !shop.TLS || shop.Source != name || len(shop.Alerts) != 2 {
			t.Fatalf("%s: site %+v", name, shop)
		}
		xss := shop.Alerts[0]
		if xss.Name != "Cross Site Scripting (Reflected)" || xss.Risk != 3 || xss.Confidence != 2 || xss.CWE != 79 || xss.PluginID != "40012" ||
			!slices.Equal(xss.URIs, []string{"https://shop.example.com/search?q=%3Cscript%3E"}) || xss.Solution != "<p>Encode the output.</p>" {
			t.Errorf("%s: alert %+v", name, xss)
		}
		if csp := shop.Alerts[1]; csp.Risk != 2 || len(csp.URIs) != 2 || csp.CWE != 693 {
			t.Errorf("%s: alert %+v", name, csp)
		}
		if other.Host != "10.0.0.9" || other.Port != 8080 || other.TLS || len(other.Alerts) != 0 {
			t.Errorf("%s: site %+v", name, other)
		}
	}
}

func TestReadRefusesWhatItCannotRead(t *testing.T) {
	for name, report := range map[string]string{
		"truncated.json": zapJSON[:len(zapJSON)/2],
		"truncated.xml":  zapXML[:len(zapXML)/2],
		"trivy.json":     `{"SchemaVersion": 2, "ArtifactName": "x"}`,
		"other.xml":      `<html><body/></html>`,
		"text.txt":       "site: shop",
		"port.json":      `{"@version": "2", "site": [{"@name": "x", "@host": "x", "@port": "http"}]}`,
		"risk.json":      `{"@version": "2", "site": [{"@name": "x", "@host": "x", "alerts": [{"name": "a", "riskcode": "9"}]}]}`,
		"nohost.xml":     `<OWASPZAPReport><site name="x"/></OWASPZAPReport>`,
	} {
		if _, err := Read(strings.NewReader(report), name); err == nil || !strings.HasPrefix(err.Error(), name+": ") {
			t.Errorf("%s: error %v, want one that names the file", name, err)
		}
	}
}
