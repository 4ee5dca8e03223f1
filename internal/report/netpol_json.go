package report

import (
	"bytes"
	"encoding/json"
	"io"
	"runtime"
	"strconv"

	"github.com/kube4c/kube4c/internal/jsonescape"
	"github.com/kube4c/kube4c/internal/netpol"
	"github.com/kube4c/kube4c/internal/parallel"
)

// The JSON shape of netpol reach.
type (
	reachEndpointJSON struct {
		ID        string `json:"id"`
		Kind      string `json:"kind"`
		Namespace string `json:"namespace,omitempty"`
		Name      string `json:"name"`
		// Isolated lists the directions policies isolate the workload in.
		Isolated []string `json:"isolated,omitempty"`
	}
	// reachConnectionJSON is the shape of a connection, which
	// appendConnection writes by hand (tested against encoding/json).
	reachConnectionJSON struct {
		From    string             `json:"from"`
		To      string             `json:"to"`
		Verdict netpol.Decision    `json:"verdict"`
		Ports   []netpol.PortRange `json:"ports,omitempty"`
		Unknown []netpol.PortRange `json:"unknownPorts,omitempty"`
		Partial bool               `json:"partialInternet,omitempty"`
	}
)

// writeReachJSON writes the endpoints and every connection that is not
// denied (pairs that are not listed are denied), as an indented object:
// {"endpoints": [...], "connections": [...], "policies": N, "notes":
// [...]}. The connections are evaluated and written a batch of rows at a
// time, the rows of a batch on every CPU: the matrix is never held whole.
func writeReachJSON(w io.Writer, g *netpol.Grid) error {
	endpoints := []reachEndpointJSON{}
	for _, ep := range endpointsOf(g) {
		je := reachEndpointJSON{ID: ep.String(), Kind: "pseudo", Name: ep.String()}
		if p := ep.Pod; p != nil {
			je.Kind, je.Namespace, je.Name = p.Kind, p.Namespace.Name, p.Name
			for _, d := range []netpol.Direction{netpol.Ingress, netpol.Egress} {
				if p.Isolated(d) {
					je.Isolated = append(je.Isolated, d.String())
				}
			}
		}
		endpoints = append(endpoints, je)
	}
	var b bytes.Buffer
	b.WriteString("{\n  \"endpoints\": ")
	if err := appendIndented(&b, endpoints); err != nil {
		return err
	}
	b.WriteString(",\n  \"connections\": ")
	if _, err := w.Write(b.Bytes()); err != nil {
		return err
	}
	if err := writeConnections(w, g); err != nil {
		return err
	}
	b.Reset()
	b.WriteString(",\n  \"policies\": " + strconv.Itoa(g.Policies))
	if len(g.Notes) > 0 {
		b.WriteString(",\n  \"notes\": ")
		if err := appendIndented(&b, g.Notes); err != nil {
			return err
		}
	}
	b.WriteString("\n}\n")
	_, err := w.Write(b.Bytes())
	return err
}

// writeConnections writes the list of connections that are not denied,
// as a member of writeReachJSON's object.
func writeConnections(w io.Writer, g *netpol.Grid) error {
	batch := 4 * runtime.GOMAXPROCS(0) // rows evaluated before they are written
	rows := make([][]byte, batch)
	errs := make([]error, batch)
	wrote := false
	for lo := 0; lo < len(g.From); lo += batch {
		hi := min(lo+batch, len(g.From))
		parallel.For(hi-lo, func(k int) { rows[k], errs[k] = connectionsOfRow(rows[k][:0], g, lo+k) })
		for k := range hi - lo {
			if errs[k] != nil {
				return errs[k]
			}
			if len(rows[k]) == 0 {
				continue
			}
			sep := ",\n"
			if !wrote {
				sep, wrote = "[\n", true
			}
			if _, err := io.WriteString(w, sep); err != nil {
				return err
			}
			if _, err := w.Write(rows[k]); err != nil {
				return err
			}
		}
	}
	end := "\n  ]"
	if !wrote {
		end = "[]"
	}
	_, err := io.WriteString(w, end)
	return err
}

// connectionsOfRow appends to b the connections of row i that are not
// denied, indented as items of writeReachJSON's list and separated by
// commas.
func connectionsOfRow(b []byte, g *netpol.Grid, i int) ([]byte, error) {
	var ports, unknown []netpol.PortRange // reused from cell to cell
	for j := range g.To {
		r, ok := g.Cell(i, j)
		if !ok || r.Verdict == netpol.Denied {
			continue
		}
		if len(b) > 0 {
			b = append(b, ",\n"...)
		}
		ports, unknown = r.Ports.AppendRanges(ports[:0]), r.Unknown.AppendRanges(unknown[:0])
		b = appendConnection(b, reachConnectionJSON{From: r.From.String(), To: r.To.String(), Verdict: r.Verdict,
			Ports: ports, Unknown: unknown, Partial: r.Partial})
	}
	return b, nil
}

// appendConnection appends c as encoding/json indents an item of the
// connections list, without reflection: a matrix has millions of them.
func appendConnection(b []byte, c reachConnectionJSON) []byte {
	b = append(b, "    {\n      \"from\": "...)
	b = jsonescape.AppendString(b, c.From)
	b = append(b, ",\n      \"to\": "...)
	b = jsonescape.AppendString(b, c.To)
	b = append(b, ",\n      \"verdict\": \""...)
	b = append(b, c.Verdict.String()...)
	b = append(b, '"')
	b = appendPortRanges(b, "ports", c.Ports)
	b = appendPortRanges(b, "unknownPorts", c.Unknown)
	if c.Partial {
		b = append(b, ",\n      \"partialInternet\": true"...)
	}
	return append(b, "\n    }"...)
}

// appendPortRanges appends the member name of a connection, a list of
// port ranges, unless it is empty.
func appendPortRanges(b []byte, name string, ranges []netpol.PortRange) []byte {
	if len(ranges) == 0 {
		return b
	}
	b = append(b, ",\n      \""...)
	b = append(b, name...)
	b = append(b, "\": ["...)
	for i, r := range ranges {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n        {\n          \"protocol\": "...)
		b = jsonescape.AppendString(b, string(r.Protocol))
		b = append(b, ",\n          \"from\": "...)
		b = strconv.AppendInt(b, int64(r.From), 10)
		b = append(b, ",\n          \"to\": "...)
		b = strconv.AppendInt(b, int64(r.To), 10)
		b = append(b, "\n        }"...)
	}
	return append(b, "\n      ]"...)
}

// appendIndented appends v as encoding/json indents a member's value of
// an object at the top level (without escaping HTML characters, as every
// JSON output of kube4c).
func appendIndented(b *bytes.Buffer, v any) error {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("  ", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	b.Truncate(b.Len() - 1) // Encode's newline
	return nil
}
