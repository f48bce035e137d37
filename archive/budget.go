package archive

import (
	"errors"
	"fmt"
	"io"
	"sync"
)

// Limits bound what opening archives may cost.
type Limits struct {
	// MaxDecompressed is the most bytes all archives of one input may
	// inflate, in total.
	MaxDecompressed int64
	// MaxRatio is the largest expansion allowed for an entry bigger than
	// ratioFloor bytes (uncompressed / compressed).
	MaxRatio int64
	// MaxMemoryFile is the largest entry held in memory for random access
	// (a compressed Mach-O file or a compressed nested archive).
	MaxMemoryFile int64
	// MaxEntries is the most entries one archive may have.
	MaxEntries int
	// MaxDepth is how deep archives may nest in archives.
	MaxDepth int
}

// DefaultLimits are generous for real uploads and stop bombs quickly.
var DefaultLimits = Limits{
	MaxDecompressed: 16 << 30,
	MaxRatio:        1000,
	MaxMemoryFile:   1 << 30,
	MaxEntries:      1 << 20,
	MaxDepth:        8,
}

// ratioFloor is the size below which the ratio limit does not apply: small
// files of zeros compress extremely well and are harmless.
const ratioFloor = 1 << 20

// ErrLimit is wrapped by every error caused by a limit.
var ErrLimit = errors.New("archive limit reached")

// Budget tracks decompression across every archive of one input.
type Budget struct {
	Limits
	mu   sync.Mutex
	used int64
}

// NewBudget returns a budget with the given limits.
func NewBudget(l Limits) *Budget { return &Budget{Limits: l} }

// take reserves n decompressed bytes.
func (b *Budget) take(n int64) error {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.used+n > b.MaxDecompressed {
		return fmt.Errorf("%w: more than %d bytes decompressed in total", ErrLimit, b.MaxDecompressed)
	}
	b.used += n
	return nil
}

// checkRatio refuses an entry whose declared expansion is absurd.
func (b *Budget) checkRatio(name string, compressed, uncompressed uint64) error {
	if b == nil || uncompressed < ratioFloor {
		return nil
	}
	if compressed == 0 || uncompressed/compressed > uint64(b.MaxRatio) {
		return fmt.Errorf("%w: %s expands %d bytes to %d (more than %d:1)", ErrLimit, name, compressed, uncompressed, b.MaxRatio)
	}
	return nil
}

// Reserve charges a container's declared decompression against the budget
// at once: refused when its uncompressed bytes are more than factor times
// MaxRatio times its compressed ones (above a floor) or more than is left.
func (b *Budget) Reserve(name string, compressed, uncompressed, factor int64) error {
	if b == nil {
		return nil
	}
	if compressed < 0 || uncompressed < 0 || factor < 1 {
		return fmt.Errorf("%w: %s declares negative sizes", ErrLimit, name)
	}
	if max := uint64(b.MaxRatio) * uint64(factor); uncompressed >= ratioFloor && (compressed == 0 || uint64(uncompressed)/uint64(compressed) > max) {
		return fmt.Errorf("%w: %s expands %d bytes to %d (more than %d:1)", ErrLimit, name, compressed, uncompressed, max)
	}
	return b.take(uncompressed)
}

// Reader returns r counting what it reads against the budget (decompressed
// bytes): a read past the budget returns ErrLimit.
func (b *Budget) Reader(r io.Reader) io.Reader { return &budgetReader{r: r, b: b} }

type budgetReader struct {
	r io.Reader
	b *Budget
}

func (br *budgetReader) Read(p []byte) (int, error) {
	n, err := br.r.Read(p)
	if n > 0 {
		if berr := br.b.take(int64(n)); berr != nil {
			return n, berr
		}
	}
	return n, err
}
