package report

import (
	"github.com/kube4c/kube4c/internal/check"
	"github.com/kube4c/kube4c/internal/inventory"
)

// Score rates a report from 0 (every unit has a critical problem) to 100
// (nothing found), overall and per 4C layer. docs/output.md states the
// formula; in short, for a set of units (the objects a scan read, or the
// benchmark items kube4c node decided):
//
//	score = floor(100 × (1 − Σ weight(worst finding of the unit) / units))
//
// with weights critical 1, high 3/4, medium 1/2, low 1/4 and info 0. A
// layer's score counts only the findings of that layer; the overall score
// counts every finding. A score is below 100 as soon as one finding above
// info counts, and suppressed findings do not count.
type Score struct {
	Overall int            `json:"overall"`
	ByLayer map[string]int `json:"byLayer"`
}

// weight is the penalty of a unit whose worst finding has severity s, in
// quarters: 0 for info, 4 for critical.
func weight(s check.Severity) int {
	if !validSeverity(s) {
		return 0
	}
	return int(s - check.Info)
}

// layerSlot numbers the four layers; the overall score uses slot 4.
func layerSlot(l check.Layer) (int, bool) {
	switch l {
	case check.LayerCode:
		return 0, true
	case check.LayerContainer:
		return 1, true
	case check.LayerCluster:
		return 2, true
	case check.LayerCloud:
		return 3, true
	}
	return 0, false
}

const overallSlot = 4

// worst holds the worst severity of one unit's findings, per layer and
// overall.
type worst [overallSlot + 1]check.Severity

func (w *worst) add(l check.Layer, s check.Severity) {
	if i, ok := layerSlot(l); ok {
		w[i] = max(w[i], s)
	}
	w[overallSlot] = max(w[overallSlot], s)
}

// score computes the report's Score. Reports with verdicts (kube4c node)
// score their benchmark items; the others score the objects read.
func (r *Report) score() *Score {
	var units []worst
	if len(r.Verdicts) > 0 {
		units = r.verdictUnits()
	} else {
		units = r.objectUnits()
	}
	total := max(len(units), 1)
	if len(r.Verdicts) == 0 {
		total = max(total, r.Objects)
	}
	var penalty [overallSlot + 1]int
	for _, u := range units {
		for i, s := range u {
			penalty[i] += weight(s)
		}
	}
	value := func(p int) int {
		v := 100 * (4*total - p) / (4 * total)
		if p > 0 && v == 100 {
			v = 99 // a problem that counts never leaves a perfect score
		}
		return max(v, 0)
	}
	s := &Score{Overall: value(penalty[overallSlot]), ByLayer: make(map[string]int, 4)}
	for _, l := range check.Layers() {
		i, _ := layerSlot(l)
		s.ByLayer[string(l)] = value(penalty[i])
	}
	return s
}

// objectUnits returns the worst findings of every object that has one.
// Findings about no object (the scan itself) are not scored.
func (r *Report) objectUnits() []worst {
	index := make(map[*inventory.Object]int)
	var units []worst
	for _, f := range r.Findings {
		if f.Object == nil {
			continue
		}
		i, ok := index[f.Object]
		if !ok {
			i = len(units)
			index[f.Object] = i
			units = append(units, worst{})
		}
		units[i].add(f.Layer, f.Severity)
	}
	return units
}

// verdictUnits returns one unit per benchmark item that passed or failed;
// items that do not apply are not scored.
func (r *Report) verdictUnits() []worst {
	checks := checkIndex(r.Checks)
	var units []worst
	for _, v := range r.Verdicts {
		var u worst
		switch v.Status {
		case check.StatusPass:
		case check.StatusFail:
			if c := checks[v.CheckID]; c != nil {
				u.add(c.Layer, c.Severity)
			}
		default:
			continue
		}
		units = append(units, u)
	}
	return units
}
