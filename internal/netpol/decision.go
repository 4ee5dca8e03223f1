package netpol

// Decision is the answer to "may this connection be opened?". Unknown means
// the answer depends on something the manifests do not say, such as the
// labels of a namespace without a Namespace object or the IP address a pod
// gets.
type Decision uint8

// Verdicts, ordered so that "or" is the larger and "and" the smaller.
const (
	Denied Decision = iota
	Unknown
	Allowed
)

// String returns "denied", "unknown" or "allowed".
func (v Decision) String() string {
	switch v {
	case Allowed:
		return "allowed"
	case Unknown:
		return "unknown"
	default:
		return "denied"
	}
}

// MarshalText writes the verdict by name.
func (v Decision) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// decisionOf turns a boolean into Allowed or Denied.
func decisionOf(ok bool) Decision {
	if ok {
		return Allowed
	}
	return Denied
}

// Direction is the direction of traffic a policy or rule is about, seen
// from the pods it selects.
type Direction uint8

// Directions.
const (
	Ingress Direction = iota
	Egress
)

// String returns "ingress" or "egress".
func (d Direction) String() string {
	if d == Egress {
		return "egress"
	}
	return "ingress"
}

// Title returns "Ingress" or "Egress", as policyTypes spells it.
func (d Direction) Title() string {
	if d == Egress {
		return "Egress"
	}
	return "Ingress"
}

// peerField is the name of a rule's peer list in that direction.
func (d Direction) peerField() string {
	if d == Egress {
		return "to"
	}
	return "from"
}
