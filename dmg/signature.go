package dmg

import (
	"encoding/binary"
	"fmt"
	"io"
)

// maxSignature bounds the embedded signature read from an image; codesign
// writes a few KiB (a CodeDirectory with one hash, the CMS, a ticket).
const maxSignature = 16 << 20

// Signed reports whether the trailer points at an embedded signature.
func (k *Koly) Signed() bool { return k.CodeSigOffset != 0 && k.CodeSigLength != 0 }

// SigningLimit is the end of the bytes a disk image's CodeDirectory hashes:
// the start of the embedded signature, or of the trailer when there is
// none (Security's DiskImageRep::signingLimit).
func (k *Koly) SigningLimit() int64 {
	if k.CodeSigOffset == 0 {
		return k.Offset
	}
	return int64(k.CodeSigOffset)
}

// RepSpecific returns the bytes bound in a disk image CodeDirectory's
// rep-specific special slot (-6): the trailer with its code-signature
// length zeroed, so that stapling a ticket (which grows the signature)
// leaves the hash intact; an unsigned trailer's signature offset is set to
// where codesign would put the signature (Security's DiskImageRep::setup).
func (k *Koly) RepSpecific() []byte {
	b := k.Raw
	binary.BigEndian.PutUint64(b[304:], 0)
	if k.CodeSigOffset == 0 {
		binary.BigEndian.PutUint64(b[296:], uint64(k.Offset))
	}
	return b[:]
}

// ReadSignature returns the embedded signature SuperBlob of a signed image,
// or nil when the trailer points at none. As Security requires, the
// signature must run from its offset exactly to the trailer, and its blob
// length must say so.
func ReadSignature(r io.ReaderAt, k *Koly) ([]byte, error) {
	if !k.Signed() {
		return nil, nil
	}
	if int64(k.CodeSigOffset)+int64(k.CodeSigLength) != k.Offset {
		return nil, fmt.Errorf("dmg signature at %#x: %d bytes, but the trailer starts %d bytes after it", k.CodeSigOffset, k.CodeSigLength, k.Offset-int64(k.CodeSigOffset))
	}
	if k.CodeSigLength > maxSignature {
		return nil, fmt.Errorf("dmg signature at %#x: %d bytes exceed the %d-byte limit", k.CodeSigOffset, k.CodeSigLength, maxSignature)
	}
	b := make([]byte, k.CodeSigLength)
	if _, err := r.ReadAt(b, int64(k.CodeSigOffset)); err != nil {
		return nil, fmt.Errorf("dmg signature at %#x: %w", k.CodeSigOffset, err)
	}
	if len(b) >= 8 {
		if n := binary.BigEndian.Uint32(b[4:]); uint64(n) != k.CodeSigLength {
			return b, fmt.Errorf("dmg signature at %#x: SuperBlob says %d bytes, the trailer %d", k.CodeSigOffset, n, k.CodeSigLength)
		}
	}
	return b, nil
}
