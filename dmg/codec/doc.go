// Package codec decodes the UDIF (.dmg) chunk codecs that package dmg
// does not get from the standard library: ADC (chunk type 0x80000004),
// LZFSE with its LZVN blocks (0x80000007) and LZMA (0x80000008, which is an
// xz stream).
//
// Every decoder writes into a caller-sized destination and never past it:
// a chunk whose output would not fit is an error, not a short read. Errors
// are *Error values carrying the codec and the offset in the compressed
// input where decoding failed; they match ErrTruncated, ErrCorrupt or
// ErrOverflow with errors.Is.
package codec

import (
	"errors"
	"fmt"
)

// Kinds of decoding failure, for errors.Is.
var (
	// ErrTruncated means the compressed input ended early.
	ErrTruncated = errors.New("truncated input")
	// ErrCorrupt means the compressed input is not valid for the codec.
	ErrCorrupt = errors.New("corrupt input")
	// ErrOverflow means the decoded output does not fit the destination.
	ErrOverflow = errors.New("output larger than destination")
)

// Error is a decoding failure at a position of the compressed input.
type Error struct {
	Codec  string // "adc", "lzfse", "lzvn" or "lzma"
	Offset int64  // offset in the compressed input
	Kind   error  // ErrTruncated, ErrCorrupt or ErrOverflow
	Detail string // what was wrong
	Err    error  // underlying error, if any (from the xz package)
}

// Error formats the failure as "codec: src offset N: kind: detail".
func (e *Error) Error() string {
	s := fmt.Sprintf("%s: src offset %d: %v", e.Codec, e.Offset, e.Kind)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the failure's kind and underlying error.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Kind, e.Err}
	}
	return []error{e.Kind}
}

// errorf builds an *Error.
func errorf(codec string, off int, kind error, format string, args ...any) error {
	return &Error{Codec: codec, Offset: int64(off), Kind: kind, Detail: fmt.Sprintf(format, args...)}
}

// copyMatch appends to dst[d:d+n] the n bytes starting dist bytes back,
// with the byte-by-byte semantics LZ77 needs when dist < n (the copy
// repeats the last dist bytes). The caller has checked 0 < dist <= d and
// d+n <= len(dst).
func copyMatch(dst []byte, d, dist, n int) {
	if dist >= n {
		copy(dst[d:d+n], dst[d-dist:d])
		return
	}
	// Overlapping: dst[start:d] is periodic with period dist, and its
	// length stays a multiple of dist, so copying all of it continues the
	// period; each round doubles the copied run.
	start := d - dist
	for n > 0 {
		k := copy(dst[d:d+n], dst[start:d])
		d += k
		n -= k
	}
}
