package lzma

import (
	"errors"
	"fmt"
)

// errLimit is wrapped by the error for output beyond Decode's limit.
var errLimit = errors.New("output exceeds the limit")

// output is the decoded data: the caller's dst with the output appended.
// It is also the dictionary, since LZMA matches copy from it.
type output struct {
	buf    []byte // dst, then the bytes decoded so far
	maxLen int    // len(buf) may not exceed this
}

// newOutput starts an output after dst's bytes that may grow by limit.
func newOutput(dst []byte, limit int) output {
	maxLen := len(dst)
	if limit > 0 {
		maxLen += min(limit, int(^uint(0)>>1)-len(dst))
	}
	return output{buf: dst, maxLen: maxLen}
}

// reserve makes room for n more bytes, failing when they would pass the
// limit. It grows the buffer geometrically but never past the limit.
func (o *output) reserve(n uint64) error {
	free := uint64(o.maxLen - len(o.buf))
	if n > free {
		return fmt.Errorf("%w: %d more bytes after %d, limit %d", errLimit, n, len(o.buf), o.maxLen)
	}
	need := len(o.buf) + int(n)
	if need <= cap(o.buf) {
		return nil
	}
	newCap := min(max(need, 2*cap(o.buf), 64<<10), o.maxLen)
	grown := make([]byte, len(o.buf), newCap)
	copy(grown, o.buf)
	o.buf = grown
	return nil
}
