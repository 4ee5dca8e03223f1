package cluster

// Progress is told how a collection advances. Calls come from several
// goroutines at once.
type Progress interface {
	// Listed reports that objects of kind have been listed so far.
	Listed(kind string, objects int)
	// Done reports that a resource is finished.
	Done(kind string, state State, objects int)
}
