package netpol

// Grid is the reach matrix of some sources and destinations (the report
// package writes it). Its cells are evaluated when asked for, not held:
// the matrix of a large cluster does not fit in memory.
type Grid struct {
	// From are the rows, To the columns.
	From, To []Endpoint
	// Policies is the number of NetworkPolicies evaluated.
	Policies int
	// Notes are the engine's notes.
	Notes []string

	engine *Engine
}

// Grid returns the matrix of every pair of from and to. The metadata
// service is left out of the rows: it opens no connections.
func (e *Engine) Grid(from, to []Endpoint) *Grid {
	g := &Grid{To: to, Policies: len(e.policies), Notes: e.Notes(), engine: e}
	for _, f := range from {
		if f.Kind != MetadataEndpoint {
			g.From = append(g.From, f)
		}
	}
	return g
}

// Cells is the number of cells of the matrix.
func (g *Grid) Cells() int { return len(g.From) * len(g.To) }

// Cell evaluates the reach from From[i] to To[j]; it returns false for a
// pair of two pseudo-endpoints, which is not evaluated.
func (g *Grid) Cell(i, j int) (Reach, bool) {
	if g.From[i].Pod == nil && g.To[j].Pod == nil {
		return Reach{}, false
	}
	return g.engine.Reach(g.From[i], g.To[j]), true
}
