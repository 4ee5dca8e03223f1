package main

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 100; i >= 1; i-- {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	q := quantiles(d)
	if want := (quantile{P50: 50, P90: 90, P99: 99, P999: 100, Max: 100}); q != want {
		t.Errorf("quantiles %+v, want %+v", q, want)
	}
	if got := percentile(nil, 99); got != 0 {
		t.Errorf("percentile of nothing %v, want 0", got)
	}
	if got := percentile([]time.Duration{7}, 0); got != 7 {
		t.Errorf("p0 of one sample %v, want it", got)
	}
}

func TestVerdict(t *testing.T) {
	for _, c := range []struct {
		s    summary
		want []string
	}{
		{summary{TargetRate: 1000, AchievedRate: 999.9}, nil},
		{summary{TargetRate: 1000, AchievedRate: 950}, nil},
		{summary{TargetRate: 1000, AchievedRate: 949.9}, []string{"achieved rate"}},
		{summary{TargetRate: 1000, AchievedRate: 1000, Errors: 1}, []string{"1 errors"}},
		{summary{TargetRate: 1000, AchievedRate: 990, NotSent: 3}, []string{"3 requests not sent"}},
	} {
		got := c.s.verdict()
		ok := len(got) == len(c.want)
		for i := range min(len(got), len(c.want)) {
			ok = ok && strings.HasPrefix(got[i], c.want[i])
		}
		if !ok {
			t.Errorf("%+v: verdict %q, want %q", c.s, got, c.want)
		}
	}
}

func TestSummarize(t *testing.T) {
	l := &loader{proto: "HTTP/2.0", errors: []string{"boom"}}
	cfg := config{rate: 4, duration: time.Second, warmup: time.Second}
	ms := time.Millisecond
	s := l.summarize(cfg, []sample{
		{latency: 2 * ms, service: ms, done: 1002 * ms, outcome: allowed},
		{latency: 4 * ms, service: 3 * ms, done: 1254 * ms, outcome: denied},
		{latency: 9 * ms, service: 9 * ms, done: 1509 * ms, outcome: failed},
		{},
	})
	if s.Sent != 3 || s.Completed != 2 || s.Allowed != 1 || s.Denied != 1 || s.Errors != 1 || s.NotSent != 1 {
		t.Errorf("counts %+v", s)
	}
	if s.Latency.P50 != 2 || s.Latency.Max != 4 || s.Service.P99 != 3 || s.AchievedRate != 2 {
		t.Errorf("latency %+v, service %+v, rate %v: want errors left out, 2/s", s.Latency, s.Service, s.AchievedRate)
	}
	if s.SendDelay.P50 != 1 || s.SendDelay.Max != 1 {
		t.Errorf("send delay %+v, want 1 ms", s.SendDelay)
	}
	if !slices.Equal(s.FirstErrors, []string{"boom"}) || len(s.Failures) != 3 {
		t.Errorf("first errors %q, failures %q", s.FirstErrors, s.Failures)
	}
}
