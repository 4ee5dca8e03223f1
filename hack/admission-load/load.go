package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"time"
)

// maxAnswer bounds the size of an answer read.
const maxAnswer = 1 << 20

// maxShownErrors is how many error messages are printed and kept.
const maxShownErrors = 5

// outcome is what became of one request.
type outcome uint8

const (
	notSent outcome = iota
	allowed
	denied
	failed
)

// sample is one measured request. The times are from its due time
// (latency), from its actual send (service) and from the start of the run
// (done).
type sample struct {
	latency, service, done time.Duration
	outcome                outcome
}

// loader sends the requests of one run.
type loader struct {
	client *http.Client
	url    string
	tmpl   reviewTemplate
	uids   uidSource
	expect string
	start  time.Time
	stderr io.Writer

	mu     sync.Mutex
	errors []string // the first maxShownErrors
	proto  string   // of the first answer
}

// measure runs the load the flags describe and summarises it.
func measure(ctx context.Context, cfg config, stderr io.Writer) (*summary, error) {
	raw, err := os.ReadFile(cfg.review)
	if err != nil {
		return nil, err
	}
	tmpl, err := newReviewTemplate(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.review, err)
	}
	client, err := newClient(cfg)
	if err != nil {
		return nil, err
	}
	defer client.CloseIdleConnections()
	l := &loader{client: client, url: cfg.url, tmpl: tmpl, uids: newUIDSource(), expect: cfg.expect, stderr: stderr}

	warm := count(cfg.warmup, cfg.rate)
	samples := make([]sample, count(cfg.duration, cfg.rate))
	l.start = time.Now()
	l.schedule(ctx, cfg, warm, samples)
	return l.summarize(cfg, samples), nil
}

// count is the number of requests due in d at rate per second.
func count(d time.Duration, rate int) int {
	return int(int64(d) * int64(rate) / int64(time.Second))
}

// schedule sends request i at start + i/rate, warm ones unmeasured and then
// one per sample, at most cfg.maxInflight at once. When that many are in
// flight it waits, and the requests it owes go out as soon as it can: their
// latency still counts from when they were due. It stops sending once the
// run is a request timeout late, or when ctx ends, and returns when every
// request sent has finished.
func (l *loader) schedule(ctx context.Context, cfg config, warm int, samples []sample) {
	total := warm + len(samples)
	stop := l.start.Add(cfg.warmup + cfg.duration + cfg.timeout)
	sem := make(chan struct{}, cfg.maxInflight)
	timer := time.NewTimer(0)
	defer timer.Stop()
	var wg sync.WaitGroup
	for i := range total {
		due := l.start.Add(time.Duration(int64(i) * int64(time.Second) / int64(cfg.rate)))
		if wait := time.Until(due); wait > 0 {
			timer.Reset(wait)
			select {
			case <-timer.C:
			case <-ctx.Done():
			}
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil || time.Now().After(stop) {
			break
		}
		var slot *sample
		if i >= warm {
			slot = &samples[i-warm]
		}
		wg.Go(func() {
			defer func() { <-sem }()
			l.send(ctx, i, due, slot)
		})
	}
	wg.Wait()
}

// send sends request seq, due at due, and records it in slot unless slot is
// nil (a warm-up request).
func (l *loader) send(ctx context.Context, seq int, due time.Time, slot *sample) {
	uid := l.uids.uid(seq)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.url, bytes.NewReader(l.tmpl.body(uid)))
	if err != nil {
		panic(err) // the URL was validated
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")

	sent := time.Now()
	status, body, proto, err := l.exchange(req)
	done := time.Now()
	result := failed
	if err == nil {
		l.noteProto(proto)
		var ok bool
		if ok, err = checkAnswer(status, body, uid); err == nil {
			result = denied
			if ok {
				result = allowed
			}
			if l.expect != "" && (l.expect == "allowed") != ok {
				err = fmt.Errorf("answer did not match --expect %s: allowed=%t", l.expect, ok)
				result = failed
			}
		}
	}
	if err != nil {
		l.noteError(seq, uid, err)
	}
	if slot != nil {
		*slot = sample{latency: done.Sub(due), service: done.Sub(sent), done: done.Sub(l.start), outcome: result}
	}
}

// exchange does the request and reads the whole answer.
func (l *loader) exchange(req *http.Request) (status int, body []byte, proto string, err error) {
	resp, err := l.client.Do(req)
	if err != nil {
		return 0, nil, "", err
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	return resp.StatusCode, body, resp.Proto, err
}

func (l *loader) noteProto(proto string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.proto == "" {
		l.proto = proto
	}
}

// noteError keeps and prints the first few errors.
func (l *loader) noteError(seq int, uid string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.errors) >= maxShownErrors {
		return
	}
	msg := fmt.Sprintf("request %d (uid %s): %v", seq, uid, err)
	l.errors = append(l.errors, msg)
	fmt.Fprintln(l.stderr, "error:", msg)
}
