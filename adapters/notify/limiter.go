package notify

import (
	"time"

	"golang.org/x/time/rate"
)

// take takes one send from the limiter at now (the queue's clock, so tests drive it) if there
// is one; otherwise it reports how long until there is, and takes nothing.
func take(l *rate.Limiter, now time.Time) (ok bool, wait time.Duration) {
	r := l.ReserveN(now, 1)
	if !r.OK() { // a burst of 0 never allows a send; look again later
		return false, time.Second
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}
