package dunning

import (
	"sync"
	"time"
)

var locations sync.Map // IANA name → *time.Location (nil: unknown)

// location loads a time zone once per process. "Local" is refused: it would
// make the plan depend on the host.
func location(name string) (*time.Location, bool) {
	if name == "" || name == "Local" {
		return time.UTC, false
	}
	if v, ok := locations.Load(name); ok {
		if l := v.(*time.Location); l != nil {
			return l, true
		}
		return time.UTC, false
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		l = nil
	}
	v, _ := locations.LoadOrStore(name, l)
	if l = v.(*time.Location); l != nil {
		return l, true
	}
	return time.UTC, false
}
