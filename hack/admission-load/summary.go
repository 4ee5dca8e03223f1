package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"time"
)

// minRateShare is the share of the target rate a run must achieve.
const minRateShare = 0.95

// summary is the outcome of a run, measured requests only. Times are in
// milliseconds. The send delay is how late a request went out: the
// generator's own lag, or its wait for a free slot under --max-inflight.
type summary struct {
	URL          string   `json:"url"`
	Protocol     string   `json:"protocol"`
	TargetRate   int      `json:"target_rate"`
	Duration     float64  `json:"duration_s"`
	Warmup       float64  `json:"warmup_s"`
	Sent         int      `json:"sent"`
	NotSent      int      `json:"not_sent"`
	Completed    int      `json:"completed"`
	Errors       int      `json:"errors"`
	Allowed      int      `json:"allowed"`
	Denied       int      `json:"denied"`
	AchievedRate float64  `json:"achieved_rate"`
	Latency      quantile `json:"latency_ms"`
	Service      quantile `json:"service_ms"`
	SendDelay    quantile `json:"send_delay_ms"`
	FirstErrors  []string `json:"first_errors,omitempty"`
	Failures     []string `json:"failures,omitempty"`
}

// quantile holds percentiles of one series, in milliseconds.
type quantile struct {
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p99_9"`
	Max  float64 `json:"max"`
}

// summarize counts the samples and takes the percentiles of the requests
// that completed, that is, had a valid answer. The achieved rate is completed requests over the measured
// time, which runs until the last one finished if that is after the
// duration.
func (l *loader) summarize(cfg config, samples []sample) *summary {
	s := &summary{
		URL:        cfg.url,
		Protocol:   l.proto,
		TargetRate: cfg.rate,
		Duration:   cfg.duration.Seconds(),
		Warmup:     cfg.warmup.Seconds(),
	}
	latencies := make([]time.Duration, 0, len(samples))
	services := make([]time.Duration, 0, len(samples))
	delays := make([]time.Duration, 0, len(samples))
	elapsed := cfg.duration
	for _, x := range samples {
		switch x.outcome {
		case notSent:
			s.NotSent++
			continue
		case failed:
			s.Errors++
		case allowed:
			s.Allowed++
		case denied:
			s.Denied++
		}
		s.Sent++
		elapsed = max(elapsed, x.done-cfg.warmup)
		if x.outcome != failed {
			latencies = append(latencies, x.latency)
			services = append(services, x.service)
			delays = append(delays, x.latency-x.service)
		}
	}
	s.Completed = len(latencies)
	s.AchievedRate = float64(s.Completed) / elapsed.Seconds()
	s.Latency = quantiles(latencies)
	s.Service = quantiles(services)
	s.SendDelay = quantiles(delays)
	s.FirstErrors = l.errors
	s.Failures = s.verdict()
	return s
}

// verdict lists why the run failed, if it did.
func (s *summary) verdict() []string {
	var why []string
	if s.Errors > 0 {
		why = append(why, fmt.Sprintf("%d errors", s.Errors))
	}
	if s.NotSent > 0 {
		why = append(why, fmt.Sprintf("%d requests not sent", s.NotSent))
	}
	if s.AchievedRate < minRateShare*float64(s.TargetRate) {
		why = append(why, fmt.Sprintf("achieved rate %.1f/s is below %.0f %% of %d/s", s.AchievedRate, 100*minRateShare, s.TargetRate))
	}
	return why
}

// quantiles sorts d and takes its percentiles.
func quantiles(d []time.Duration) quantile {
	slices.Sort(d)
	return quantile{
		P50:  ms(percentile(d, 50)),
		P90:  ms(percentile(d, 90)),
		P99:  ms(percentile(d, 99)),
		P999: ms(percentile(d, 99.9)),
		Max:  ms(percentile(d, 100)),
	}
}

// percentile is the nearest-rank percentile p of sorted, 0 when empty.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

func ms(d time.Duration) float64 {
	return float64(d) / float64(time.Millisecond)
}

func (s *summary) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}

func (s *summary) writeText(w io.Writer) error {
	result := "PASS"
	if len(s.Failures) > 0 {
		result = "FAIL"
	}
	_, err := fmt.Fprintf(w, `target:        %d/s for %gs after %gs of warm-up, %s over %s
sent:          %d (not sent: %d)
completed:     %d (allowed %d, denied %d)
errors:        %d
achieved rate: %.1f/s
latency (ms, from the due time):    p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f
service (ms, from the actual send): p50 %.3f  p99 %.3f
send delay (ms, due to actual send): p50 %.3f  p99 %.3f  max %.3f
result:        %s
`,
		s.TargetRate, s.Duration, s.Warmup, s.URL, orNone(s.Protocol),
		s.Sent, s.NotSent,
		s.Completed, s.Allowed, s.Denied,
		s.Errors,
		s.AchievedRate,
		s.Latency.P50, s.Latency.P90, s.Latency.P99, s.Latency.P999, s.Latency.Max,
		s.Service.P50, s.Service.P99,
		s.SendDelay.P50, s.SendDelay.P99, s.SendDelay.Max,
		result)
	if err != nil {
		return err
	}
	for _, f := range s.Failures {
		if _, err := fmt.Fprintf(w, "  failed: %s\n", f); err != nil {
			return err
		}
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "(no answer)"
	}
	return s
}
