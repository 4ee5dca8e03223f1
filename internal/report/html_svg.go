package report

import (
	"github.com/kube4c/kube4c/internal/check"
)

// The 4C picture: four nested boxes, the cloud around the cluster around
// the container around the code, drawn in a fixed box of svgWidth by
// svgHeight. Each layer's box leaves a band at its top for its label.
const (
	svgWidth  = 720
	svgHeight = 360
	svgInsetX = 24 // left and right, per layer
	svgBand   = 66 // label band at the top, per layer
	svgInsetY = 14 // bottom, per layer
)

// htmlPicture is the 4C picture: its size and the layers' boxes.
type htmlPicture struct {
	Width, Height int
	Layers        []htmlLayer
}

// htmlLayer is one layer's box and labels in the 4C picture.
type htmlLayer struct {
	// Name is the layer ("cloud"), Title its label ("Cloud").
	Name, Title string
	X, Y, W, H  int
	// TextX and RightX are where its labels start and end, NameY and
	// DetailY the baselines of their two lines.
	TextX, RightX, NameY, DetailY int
	// Count is the number of findings of the layer, BySeverity the
	// severities that have some, worst first.
	Count      int
	BySeverity []htmlCount
	// Worst is the worst severity found, or "none".
	Worst string
	// Score is the layer's score; HasScore is false when the report has
	// none.
	Score    int
	HasScore bool
}

// htmlLayers lays out the four layers, the outermost (cloud) first so
// that each inner box is drawn over the one around it.
func htmlLayers(r *Report, s Summary) []htmlLayer {
	layers := check.Layers() // innermost first
	counts := map[check.Layer]map[check.Severity]int{}
	for _, l := range layers {
		counts[l] = map[check.Severity]int{}
	}
	for _, f := range r.Findings {
		if c, ok := counts[f.Layer]; ok {
			c[f.Severity]++
		}
	}
	out := make([]htmlLayer, 0, len(layers))
	for i := len(layers) - 1; i >= 0; i-- {
		l := layers[i]
		depth := len(layers) - 1 - i // 0 for the cloud
		hl := htmlLayer{
			Name:  string(l),
			Title: titleCase(string(l)),
			X:     depth * svgInsetX,
			Y:     depth * svgBand,
			W:     svgWidth - 2*depth*svgInsetX,
			H:     svgHeight - depth*(svgBand+svgInsetY),
			Count: s.ByLayer[string(l)],
			Worst: "none",
		}
		hl.TextX, hl.RightX, hl.NameY, hl.DetailY = hl.X+18, hl.X+hl.W-18, hl.Y+28, hl.Y+50
		for _, sev := range check.Severities() {
			if n := counts[l][sev]; n > 0 {
				if hl.Worst == "none" {
					hl.Worst = sev.String()
				}
				hl.BySeverity = append(hl.BySeverity, htmlCount{Name: sev.String(), Count: n})
			}
		}
		if s.Score != nil {
			hl.Score, hl.HasScore = s.Score.ByLayer[string(l)], true
		}
		out = append(out, hl)
	}
	return out
}

// titleCase capitalizes the first letter of an ASCII word.
func titleCase(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
