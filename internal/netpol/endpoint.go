package netpol

import (
	"fmt"
	"path"
	"strings"
)

// EndpointKind tells workloads from the pseudo-endpoints.
type EndpointKind uint8

// Endpoint kinds.
const (
	// PodEndpoint is a workload of the inventory.
	PodEndpoint EndpointKind = iota
	// InternetEndpoint is every address outside the cluster CIDRs.
	InternetEndpoint
	// MetadataEndpoint is the cloud instance metadata service
	// (169.254.169.254 and fd00:ec2::254). It only receives connections.
	MetadataEndpoint
)

// Names of the pseudo-endpoints.
const (
	InternetName = "internet"
	MetadataName = "cloud-metadata"
)

// Endpoint is one end of a connection: a workload or a pseudo-endpoint.
type Endpoint struct {
	Kind EndpointKind
	// Pod is set for PodEndpoint.
	Pod *Workload
}

// The pseudo-endpoints.
var (
	Internet      = Endpoint{Kind: InternetEndpoint}
	CloudMetadata = Endpoint{Kind: MetadataEndpoint}
)

// PodEndpointOf returns the endpoint of a workload.
func PodEndpointOf(p *Workload) Endpoint { return Endpoint{Kind: PodEndpoint, Pod: p} }

// String returns the workload's ID or the pseudo-endpoint's name.
func (ep Endpoint) String() string {
	switch ep.Kind {
	case InternetEndpoint:
		return InternetName
	case MetadataEndpoint:
		return MetadataName
	default:
		return ep.Pod.ID
	}
}

// Endpoints returns every workload, ordered by ID, then the internet and
// the cloud metadata service.
func (e *Engine) Endpoints() []Endpoint {
	out := make([]Endpoint, 0, len(e.pods)+2)
	for _, p := range e.pods {
		out = append(out, PodEndpointOf(p))
	}
	return append(out, Internet, CloudMetadata)
}

// Select returns the endpoints a pattern names: "internet",
// "cloud-metadata", a workload as "namespace/name" (or
// "namespace/kind/name"), a bare name that only one namespace uses, or a
// glob over IDs such as "shop/*".
func (e *Engine) Select(pattern string) ([]Endpoint, error) {
	pattern = strings.TrimSpace(pattern)
	if _, err := path.Match(pattern, ""); err != nil {
		return nil, fmt.Errorf("bad pattern %q: %v", pattern, err)
	}
	var out []Endpoint
	for _, ep := range e.Endpoints() {
		if matchesEndpoint(ep, pattern) {
			out = append(out, ep)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no workload or pseudo-endpoint matches %q (name workloads as namespace/name; pseudo-endpoints are %s and %s)", pattern, InternetName, MetadataName)
	}
	return out, nil
}

func matchesEndpoint(ep Endpoint, pattern string) bool {
	id := ep.String()
	if ok, _ := path.Match(pattern, id); ok {
		return true
	}
	if ep.Pod == nil {
		return false
	}
	p := ep.Pod
	for _, alt := range []string{p.Namespace.Name + "/" + p.Name, p.Namespace.Name + "/" + strings.ToLower(p.Kind) + "/" + p.Name, p.Name} {
		if ok, _ := path.Match(pattern, alt); ok {
			return true
		}
	}
	return false
}

// Lookup returns the one endpoint a name designates.
func (e *Engine) Lookup(name string) (Endpoint, error) {
	eps, err := e.Select(name)
	if err != nil {
		return Endpoint{}, err
	}
	if len(eps) > 1 {
		names := make([]string, len(eps))
		for i, ep := range eps {
			names[i] = ep.String()
		}
		return Endpoint{}, fmt.Errorf("%q names %d endpoints (%s); give one of these", name, len(eps), strings.Join(names, ", "))
	}
	return eps[0], nil
}
