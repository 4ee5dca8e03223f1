// Package audit reads Kubernetes audit logs (JSON lines, gzip files and
// EventList documents, optionally followed across rotation) and evaluates
// the audit-log rules of the check registry on their events.
package audit

import (
	"bytes"
	"fmt"

	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"
	sigsjson "sigs.k8s.io/json"
)

// unmarshal decodes one JSON document the way the API server decodes
// objects (sigs.k8s.io/json): keys match the field names case-sensitively
// ("Verb" is not "verb" and is ignored), and numbers in untyped values stay
// integers when they are.
func unmarshal(data []byte, v any) error {
	return sigsjson.UnmarshalCaseSensitivePreserveInts(data, v)
}

// Accepted API versions. v1beta1 events have the shape of v1 events for
// every field the rules read, so both decode into the v1 type.
const (
	apiV1      = "audit.k8s.io/v1"
	apiV1beta1 = "audit.k8s.io/v1beta1"
)

// record is one JSON document of an audit log: an Event, an EventList
// whose items are events, or a record of kube4c's archive (see Archive)
// whose event is the item of a webhook batch.
type record struct {
	auditv1.Event
	Items []auditv1.Event `json:"items"`
	// Archived is the event of an archive record; the chain's fields (seq,
	// prev, hash) are audit verify's business.
	Archived *auditv1.Event `json:"event"`
}

// decoder turns JSON documents into events, reusing its memory.
type decoder struct {
	rec record
}

// decode calls each for every event of one JSON document. The events are
// valid only during the call.
func (d *decoder) decode(doc []byte, each func(*auditv1.Event)) error {
	d.rec = record{}
	if err := unmarshal(doc, &d.rec); err != nil {
		return err
	}
	return d.deliver(each)
}

func (d *decoder) deliver(each func(*auditv1.Event)) error {
	rec := &d.rec
	if rec.Archived != nil && rec.Kind == "" && rec.APIVersion == "" {
		if err := checkItem(rec.Archived); err != nil {
			return fmt.Errorf("archived event: %v", err)
		}
		each(rec.Archived)
		return nil
	}
	if rec.APIVersion != apiV1 && rec.APIVersion != apiV1beta1 {
		return fmt.Errorf("apiVersion %q is not %s or %s", rec.APIVersion, apiV1, apiV1beta1)
	}
	switch rec.Kind {
	case "Event":
		each(&rec.Event)
	case "EventList":
		return deliverItems(rec.Items, each)
	default:
		return fmt.Errorf("kind %q is not Event or EventList", rec.Kind)
	}
	return nil
}

// deliverItems passes on the items of an EventList that are events, and
// returns an error naming the first that is not, and how many more.
func deliverItems(items []auditv1.Event, each func(*auditv1.Event)) error {
	var first error
	bad := 0
	for i := range items {
		if err := checkItem(&items[i]); err != nil {
			if bad++; first == nil {
				first = fmt.Errorf("item %d: %v", i, err)
			}
			continue
		}
		each(&items[i])
	}
	switch {
	case bad > 1:
		return fmt.Errorf("%v (and %d more items that are not events)", first, bad-1)
	case bad == 1:
		return first
	}
	return nil
}

// checkItem returns why an item of an EventList (or an archived event) is
// not an audit event, or nil. The API server sends items without kind and
// apiVersion, so those that are set must name an audit Event; and every
// event the API server writes has an audit ID.
func checkItem(ev *auditv1.Event) error {
	switch {
	case ev.Kind != "" && ev.Kind != "Event":
		return fmt.Errorf("kind %q is not Event", ev.Kind)
	case ev.APIVersion != "" && ev.APIVersion != apiV1 && ev.APIVersion != apiV1beta1:
		return fmt.Errorf("apiVersion %q is not %s or %s", ev.APIVersion, apiV1, apiV1beta1)
	case ev.AuditID == "":
		return fmt.Errorf("no auditID: not an audit event")
	}
	return nil
}

// DecodeEventList decodes the body of an audit webhook request: an
// EventList (or a single Event) in JSON.
func DecodeEventList(body []byte) ([]auditv1.Event, error) {
	var d decoder
	var out []auditv1.Event
	err := d.decode(bytes.TrimSpace(body), func(ev *auditv1.Event) { out = append(out, *ev) })
	return out, err
}
