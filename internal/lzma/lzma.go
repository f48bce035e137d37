// Package lzma decodes xz streams whose only filter is LZMA2, the format
// of pbzx chunks in Apple packages and of LZMA chunks in disk images.
//
// The whole input and output are in memory, so the output buffer is also
// the LZMA dictionary: matches copy from earlier output directly, and the
// range decoder runs in local variables of one loop. That makes it about
// twice as fast as github.com/ulikunitz/xz, which remains the fallback
// for streams with other filters (ErrUnsupported).
package lzma

import "errors"

// ErrUnsupported is wrapped by the errors for valid xz streams that this
// package does not decode: filters other than LZMA2 alone (BCJ, delta...),
// unknown integrity checks, or reserved flags. Callers may fall back to a
// general decoder.
var ErrUnsupported = errors.New("lzma: unsupported xz feature")

// Decode decodes one whole xz stream held in src (optionally followed by
// stream padding and further concatenated streams: it decodes them all, as
// xz -dc does), appending the output to dst and returning it. It fails
// with an error wrapping ErrUnsupported when the stream uses a filter
// other than LZMA2 alone (BCJ, delta...) so callers can fall back to
// another decoder. It fails when the output would exceed limit bytes
// (the bytes appended to dst), before allocating it. Decoding into a dst
// whose capacity already fits the output allocates nothing but the
// decoder's state. On error it returns dst unchanged, though bytes of its
// spare capacity may have been written. dst and src must not overlap.
func Decode(dst, src []byte, limit int) ([]byte, error) {
	d := streamDecoder{src: src, out: newOutput(dst, limit), lzma: new(lzmaDecoder)}
	if err := d.decodeAll(); err != nil {
		return dst, err
	}
	return d.out.buf, nil
}
