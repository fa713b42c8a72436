package intents

import (
	"math"
	"unsafe"
)

// exampleRuns are the examples grouped by intent: the examples of runs[k].intent are those
// from the end of the run before up to runs[k].end. New learns an intent's examples side by
// side, so there is one run an intent (the background's last), but nothing depends on it.
type exampleRuns []exampleRun

type exampleRun struct {
	intent int32
	end    int32
}

// runsOf groups the examples by intent, exIntent being each example's intent.
func runsOf(exIntent []int32) exampleRuns {
	var runs exampleRuns
	for i, in := range exIntent {
		if len(runs) > 0 && runs[len(runs)-1].intent == in {
			runs[len(runs)-1].end++
			continue
		}
		runs = append(runs, exampleRun{intent: in, end: int32(i + 1)})
	}
	return runs
}

// best writes into best (cleared, one value an intent) the largest of dot (one value an
// example) over each intent's examples, and returns it. dot's values must not be negative
// (nor NaN): an intent none of whose examples has a positive value gets 0. Such floats
// order as their bits do, which an integer maximum (a conditional move) compares faster than
// Go's float max; the loop is a function of its own, whose maxima stay in registers.
func (runs exampleRuns) best(dot, best []float32) []float32 {
	clear(best)
	// dot's bits as integers (non-negative floats order as their bits do).
	bits := unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(dot))), len(dot))
	start := 0
	for _, r := range runs {
		end := int(r.end)
		m := max(math.Float32bits(best[r.intent]), maxOf(bits[start:end]))
		best[r.intent] = math.Float32frombits(m)
		start = end
	}
	return best
}

// maxOf returns the largest of xs, 0 for none.
func maxOf(xs []uint32) uint32 {
	// Four running maxima: one alone makes each step wait for the one before.
	var m0, m1, m2, m3 uint32
	i := 0
	for ; i+4 <= len(xs); i += 4 {
		q := xs[i : i+4 : i+4]
		m0 = max(m0, q[0])
		m1 = max(m1, q[1])
		m2 = max(m2, q[2])
		m3 = max(m3, q[3])
	}
	for _, x := range xs[i:] {
		m0 = max(m0, x)
	}
	return max(m0, m1, m2, m3)
}
