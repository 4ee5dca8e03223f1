package report

import "strings"

// coverage writes what a live-cluster scan listed and what it could not.
func (t *tableWriter) coverage(c *Coverage) {
	if c == nil {
		return
	}
	objects, listed := 0, 0
	for _, r := range c.Resources {
		if r.State == "collected" {
			listed++
			objects += r.Objects
		}
	}
	t.WriteString("Cluster ")
	t.WriteString(c.Cluster)
	t.WriteString(": listed ")
	t.count(listed, "resource", "resources")
	t.WriteString(" (")
	t.count(objects, "object", "objects")
	t.WriteString(") in ")
	t.count(int(c.Requests), "API request", "API requests")
	if c.Owned > 0 {
		t.WriteString("; ")
		t.count(c.Owned, "object", "objects")
		t.WriteString(" owned by a listed controller checked through its template")
	}
	t.WriteString(".\n")
	if missing := c.NotCollected(); len(missing) > 0 {
		t.begin(sgrBold)
		t.WriteString("Not collected:")
		t.end(sgrBold)
		for i, r := range missing {
			if i > 0 {
				t.WriteByte(',')
			}
			t.WriteByte(' ')
			t.WriteString(r.Resource)
			t.WriteString(" (")
			t.WriteString(r.State)
			t.WriteByte(')')
		}
		t.WriteString(".\n")
	}
	if len(c.Incomplete) > 0 {
		t.begin(sgrBold)
		t.WriteString("Incomplete checks")
		t.end(sgrBold)
		t.WriteString(" (they read what was not collected; their silence proves nothing):")
		for i, ic := range c.Incomplete {
			if i > 0 {
				t.WriteByte(',')
			}
			t.WriteByte(' ')
			t.WriteString(ic.CheckID)
			t.WriteString(" (")
			t.WriteString(strings.Join(ic.Missing, ", "))
			t.WriteByte(')')
		}
		t.WriteString(".\n")
	}
}
