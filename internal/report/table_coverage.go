package report

import "strings"

// incompleteWarning writes, before anything else, that a live-cluster
// scan could not list everything: the findings that follow are not all
// there is, and a reader must not have to scroll to the end to learn it.
func (t *tableWriter) incompleteWarning(c *Coverage) {
	if c == nil {
		return
	}
	missing := c.NotCollected()
	if len(missing) == 0 {
		return
	}
	t.begin(sgrBold)
	t.WriteString("Incomplete scan:")
	t.end(sgrBold)
	t.WriteByte(' ')
	t.count(len(missing), "resource", "resources")
	t.WriteString(" of ")
	t.int(len(c.Resources))
	t.WriteString(" could not be listed")
	if len(c.Incomplete) > 0 {
		t.WriteString(", and ")
		t.count(len(c.Incomplete), "check", "checks")
		t.WriteString(" read what was missing")
	}
	t.WriteString("; see the end of the report.\n\n")
}

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
	missing := c.NotCollected()
	if len(missing) > 0 {
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
	if len(c.Incomplete) > 0 && listed == 0 {
		t.begin(sgrBold)
		t.WriteString("Incomplete checks:")
		t.end(sgrBold)
		t.WriteString(" every check (nothing was listed).\n")
		return
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
