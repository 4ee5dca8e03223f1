package netpol

// Grid is the reach matrix of some sources and destinations (the report
// package writes it).
type Grid struct {
	// From are the rows, To the columns.
	From, To []Endpoint
	// Cells[i][j] is the reach from From[i] to To[j]; see Cell.
	Cells [][]Reach
	// Policies is the number of NetworkPolicies evaluated.
	Policies int
	// Notes are the engine's notes.
	Notes []string
}

// Grid evaluates every pair of from and to. The metadata service is left
// out of the rows: it opens no connections.
func (e *Engine) Grid(from, to []Endpoint) *Grid {
	g := &Grid{To: to, Policies: len(e.policies), Notes: e.Notes()}
	for _, f := range from {
		if f.Kind != MetadataEndpoint {
			g.From = append(g.From, f)
		}
	}
	g.Cells = make([][]Reach, len(g.From))
	for i, f := range g.From {
		g.Cells[i] = make([]Reach, len(to))
		for j, t := range to {
			if f.Pod != nil || t.Pod != nil {
				g.Cells[i][j] = e.Reach(f, t)
			}
		}
	}
	return g
}

// Cell returns the reach from From[i] to To[j], and false for a pair of
// two pseudo-endpoints, which is not evaluated.
func (g *Grid) Cell(i, j int) (Reach, bool) {
	return g.Cells[i][j], g.From[i].Pod != nil || g.To[j].Pod != nil
}
