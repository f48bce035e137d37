package cli

import (
	"os"
	"runtime/debug"
)

// defaultMemoryLimit is the Go runtime's soft memory limit while check
// runs, unless the GOMEMLIMIT environment variable sets one. What a check
// holds at once is bounded (chunks in flight, one Mach-O file per worker,
// caches), typically well under 100 MiB, but it allocates and drops
// buffers at the speed it reads, and the collector's default pacing
// (GOGC=100) lets the heap reach twice what is live before collecting.
// With this limit the collector runs earlier instead, so the peak stays
// near 200 MiB on inputs of any size. A limit is soft: when more is live
// (a Mach-O file larger than it), the program still runs; the collector
// then runs more often, at most about half the CPU (the runtime's cap).
const defaultMemoryLimit = 200 << 20

// limitMemory sets defaultMemoryLimit unless GOMEMLIMIT is set, and
// returns the function that restores the previous limit.
func limitMemory() (restore func()) {
	if _, set := os.LookupEnv("GOMEMLIMIT"); set {
		return func() {}
	}
	prev := debug.SetMemoryLimit(defaultMemoryLimit)
	return func() { debug.SetMemoryLimit(prev) }
}
