// Package dast reads the reports of dynamic application security testing
// (OWASP ZAP's traditional JSON and XML reports) into the sites they
// tested and the alerts raised on each, so that the sites can be mapped to
// the Ingresses and Services that expose them.
package dast

import (
	"bytes"
	"cmp"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// MaxReportBytes bounds a report file: a larger one is refused.
const MaxReportBytes = 128 << 20

// Site is one site a report tested.
type Site struct {
	// Name is the site as the scanner names it (https://shop.example.com).
	Name string
	// Host and Port are where it was reached; TLS says it was over TLS.
	Host string
	Port int
	TLS  bool
	// Alerts are the problems found on it.
	Alerts []Alert
	// Source is the report file.
	Source string
}

// Alert is one kind of problem found on a site.
type Alert struct {
	// Name is the alert's name ("Cross Site Scripting (Reflected)").
	Name string
	// Risk is ZAP's risk code: 0 informational, 1 low, 2 medium, 3 high.
	Risk int
	// Confidence is ZAP's confidence code (0 false positive to 4 confirmed).
	Confidence int
	// CWE is the CWE number, 0 when none.
	CWE int
	// PluginID identifies the rule that raised it.
	PluginID string
	// URIs are the URIs of its instances.
	URIs []string
	// Solution says how to fix it.
	Solution string
}

// ReadFile reads one ZAP report.
func ReadFile(path string) ([]Site, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Read(f, path)
}

// Read reads a ZAP traditional report, JSON or XML (told by content),
// named name in errors and in each site's Source.
func Read(r io.Reader, name string) ([]Site, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxReportBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(data) > MaxReportBytes {
		return nil, fmt.Errorf("%s: larger than %d MiB", name, MaxReportBytes>>20)
	}
	var sites []Site
	switch trimmed := bytes.TrimSpace(data); {
	case bytes.HasPrefix(trimmed, []byte("{")):
		sites, err = readJSON(trimmed)
	case bytes.HasPrefix(trimmed, []byte("<")):
		sites, err = readXML(trimmed)
	default:
		err = errors.New("not a ZAP report (JSON or XML)")
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	for i := range sites {
		sites[i].Source = name
	}
	return sites, nil
}

// zapAlert is an alert as both report formats hold it: every value a
// string (the XML report's text, the JSON report's quoted numbers).
type zapAlert struct {
	PluginID   string        `json:"pluginid" xml:"pluginid"`
	Alert      string        `json:"alert" xml:"alert"`
	Name       string        `json:"name" xml:"name"`
	RiskCode   string        `json:"riskcode" xml:"riskcode"`
	Confidence string        `json:"confidence" xml:"confidence"`
	CWE        string        `json:"cweid" xml:"cweid"`
	Solution   string        `json:"solution" xml:"solution"`
	Instances  []zapInstance `json:"instances" xml:"-"`
	// XMLInstances are the instances of the XML report, one level deeper.
	XMLInstances struct {
		Instances []zapInstance `xml:"instance"`
	} `json:"-" xml:"instances"`
}

// zapInstance is one place an alert was raised.
type zapInstance struct {
	URI string `json:"uri" xml:"uri"`
}

// zapSite is a site as both formats hold it.
type zapSite struct {
	Name   string     `json:"@name" xml:"name,attr"`
	Host   string     `json:"@host" xml:"host,attr"`
	Port   string     `json:"@port" xml:"port,attr"`
	SSL    string     `json:"@ssl" xml:"ssl,attr"`
	Alerts []zapAlert `json:"alerts" xml:"alerts>alertitem"`
}

func readJSON(data []byte) ([]Site, error) {
	var rep struct {
		Version string    `json:"@version"`
		Site    []zapSite `json:"site"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, err
	}
	if rep.Version == "" && rep.Site == nil {
		return nil, errors.New(`not a ZAP report: no "@version" or "site"`)
	}
	return sitesOf(rep.Site)
}

func readXML(data []byte) ([]Site, error) {
	var rep struct {
		XMLName xml.Name  `xml:"OWASPZAPReport"`
		Site    []zapSite `xml:"site"`
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&rep); err != nil {
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("line %d: %s", se.Line, se.Msg)
		}
		return nil, err
	}
	for i := range rep.Site {
		for j := range rep.Site[i].Alerts {
			a := &rep.Site[i].Alerts[j]
			a.Instances = a.XMLInstances.Instances
		}
	}
	return sitesOf(rep.Site)
}

// sitesOf checks and converts the sites of a report.
func sitesOf(in []zapSite) ([]Site, error) {
	out := make([]Site, 0, len(in))
	for i, s := range in {
		site := Site{Name: s.Name, Host: s.Host, TLS: s.SSL == "true"}
		if site.Host == "" {
			return nil, fmt.Errorf("site %d: no host", i)
		}
		if s.Port != "" {
			port, err := strconv.Atoi(s.Port)
			if err != nil || port < 1 || port > 65535 {
				return nil, fmt.Errorf("site %s: port %q is not a port", strconv.Quote(s.Name), s.Port)
			}
			site.Port = port
		}
		for _, a := range s.Alerts {
			alert := Alert{Name: cmp.Or(strings.TrimSpace(a.Name), strings.TrimSpace(a.Alert)), PluginID: a.PluginID, Solution: strings.TrimSpace(a.Solution)}
			alert.Risk, _ = strconv.Atoi(strings.TrimSpace(a.RiskCode))
			alert.Confidence, _ = strconv.Atoi(strings.TrimSpace(a.Confidence))
			alert.CWE, _ = strconv.Atoi(strings.TrimSpace(a.CWE))
			if alert.Risk < 0 || alert.Risk > 3 {
				return nil, fmt.Errorf("site %s: alert %s: risk code %q is not 0 to 3", strconv.Quote(s.Name), strconv.Quote(alert.Name), a.RiskCode)
			}
			for _, inst := range a.Instances {
				alert.URIs = append(alert.URIs, inst.URI)
			}
			site.Alerts = append(site.Alerts, alert)
		}
		out = append(out, site)
	}
	return out, nil
}
