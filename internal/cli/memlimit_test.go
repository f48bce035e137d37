package cli

import (
	"math"
	"runtime/debug"
	"testing"
)

// TestLimitMemory checks that check's soft memory limit applies while it
// runs and is restored after, and that GOMEMLIMIT takes precedence.
func TestLimitMemory(t *testing.T) {
	prev := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() { debug.SetMemoryLimit(prev) })
	restore := limitMemory()
	if got := debug.SetMemoryLimit(-1); got != defaultMemoryLimit {
		t.Errorf("limit while checking %d, want %d", got, defaultMemoryLimit)
	}
	restore()
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("limit after checking %d, want it restored", got)
	}
	t.Setenv("GOMEMLIMIT", "1GiB")
	limitMemory()()
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("with GOMEMLIMIT set the limit became %d", got)
	}
}
