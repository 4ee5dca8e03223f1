package cluster

import (
	"net/http"
	"sync/atomic"
)

// countingTransport counts the requests it sends.
type countingTransport struct {
	next  http.RoundTripper
	count *atomic.Int64
}

// RoundTrip counts the request and sends it on.
func (t countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.count.Add(1)
	return t.next.RoundTrip(req)
}
