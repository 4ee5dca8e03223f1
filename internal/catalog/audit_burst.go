package catalog

import (
	"fmt"
	"strconv"
	"time"

	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"

	"github.com/kube4c/kube4c/internal/audit"
	"github.com/kube4c/kube4c/internal/check"
)

const burstID = "audit-forbidden-burst"

// burstSettings configure audit-forbidden-burst.
type burstSettings struct {
	// Count is how many 403 responses make a burst.
	Count int `yaml:"count"`
	// Window is the time they must fall within, as a Go duration.
	Window string `yaml:"window"`
}

// burstDefaults are used for the settings left unset.
var burstDefaults = burstSettings{Count: 10, Window: "1m"}

// parse returns the count and window, applying defaults.
func (s burstSettings) parse() (int, time.Duration, error) {
	if s.Count == 0 {
		s.Count = burstDefaults.Count
	}
	if s.Window == "" {
		s.Window = burstDefaults.Window
	}
	window, err := time.ParseDuration(s.Window)
	switch {
	case err != nil:
		return 0, 0, fmt.Errorf("%s: window: %v", burstID, err)
	case window <= 0 || s.Count < 2:
		return 0, 0, fmt.Errorf("%s: count must be at least 2 and window positive", burstID)
	}
	return s.Count, window, nil
}

func decodeBurstSettings(settings check.Settings) (int, time.Duration, error) {
	var s burstSettings
	if settings != nil {
		if err := settings.Decode(burstID, &s); err != nil {
			return 0, 0, err
		}
	}
	return s.parse()
}

// forbiddenBurst counts each user's recent 403 responses.
type forbiddenBurst struct {
	count  int
	window time.Duration
	recent map[string][]time.Time
	seen   int
}

// sweepEvery is how many denials pass between sweeps of the users whose
// denials have all left the window, which keeps memory bounded.
const sweepEvery = 10000

// observe records a denial of user at t and reports whether it completes
// a burst. The user's count starts again after a burst, so a long run of
// denials yields one alert per count.
func (b *forbiddenBurst) observe(user string, t time.Time) bool {
	if b.seen++; b.seen%sweepEvery == 0 {
		for u, times := range b.recent {
			if t.Sub(times[len(times)-1]) > b.window {
				delete(b.recent, u)
			}
		}
	}
	times := b.recent[user]
	cut := 0
	for cut < len(times) && t.Sub(times[cut]) > b.window {
		cut++
	}
	times = append(times[cut:], t)
	if len(times) >= b.count {
		delete(b.recent, user)
		return true
	}
	b.recent[user] = times
	return false
}

func init() {
	audit.Register(&audit.Rule{
		Meta: check.Meta{
			ID:       burstID,
			Title:    "Burst of forbidden requests from one user",
			Layer:    check.LayerCluster,
			Severity: check.Medium,
			Looks: "403 responses, counted per user: count of them (default 10) within window (default 1m) raise an alert. " +
				"Configure with settings." + burstID + ".count and .window in .kube4c.yaml.",
			Rationale:   "A stolen credential is usually tried against many resources to learn what it can do; the denials come in a burst that a person working normally does not produce.",
			Remediation: "Find out which workload or person holds the credential and why it probes; rotate the credential if it is compromised.",
			Example:     "settings:\n  " + burstID + ":\n    count: 20\n    window: 30s",
			References:  check.References{MITRE: []string{"T1087", "T1613"}},
			ValidateSettings: func(s check.Settings) error {
				_, _, err := decodeBurstSettings(s)
				return err
			},
		},
		New: func(s check.Settings) audit.EventRule {
			count, window, err := decodeBurstSettings(s)
			if err != nil {
				// ValidateSettings refuses such settings before a run.
				count, window, _ = burstDefaults.parse()
			}
			b := &forbiddenBurst{count: count, window: window, recent: map[string][]time.Time{}}
			return func(ev *auditv1.Event, alert func(string)) {
				if ev.Stage == auditv1.StageResponseComplete && code(ev) == 403 && b.observe(ev.User.Username, audit.EventTime(ev)) {
					alert(ev.User.Username + " was refused " + strconv.Itoa(count) + " times within " + window.String() + ", the last time to " + ev.Verb + " " + ev.RequestURI)
				}
			}
		},
	})
}
