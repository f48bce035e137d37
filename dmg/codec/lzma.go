package codec

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"

	"github.com/ulikunitz/xz"
	"github.com/ulikunitz/xz/lzma"
)

// LZMA decodes an UDIF LZMA chunk (type 0x80000008) from src into dst and
// returns the number of bytes written. Such a chunk holds one .xz stream
// (LZMA2 filter, any check type the xz package supports): 7-Zip decodes
// the type, which it calls METHOD_XZ, with its xz decoder and requires the
// stream to use the whole chunk (CPP/7zip/Archive/DmgHandler.cpp,
// CDecoders::Code). Output that would not fit dst is an error, and so is
// data after the stream (7-Zip also requires the stream to fill the chunk).
// As with LZFSE, a stream shorter than dst is not an error: compare the
// count with the size you expect.
//
// src is read whole, up to a bound no valid stream for len(dst) bytes can
// exceed, so the stream's structure can be checked first: the LZMA2
// dictionary a block header declares (up to 4 GiB) is lowered to what
// len(dst) bytes of output can use before the xz package allocates it.
func LZMA(dst []byte, src io.Reader) (int, error) {
	// LZMA2 stores incompressible data in chunks of at most 64 KiB behind a
	// 3-byte header; allow generous slack on top for headers and encoders.
	limit := int64(len(dst)) + int64(len(dst))/8 + 64<<10
	buf, err := io.ReadAll(io.LimitReader(src, limit+1))
	if err != nil {
		return 0, &Error{Codec: "lzma", Offset: int64(len(buf)), Kind: ErrTruncated, Detail: "reading the chunk", Err: err}
	}
	if int64(len(buf)) > limit {
		return 0, errorf("lzma", int(limit), ErrCorrupt, "more than %d compressed bytes for %d output bytes", limit, len(dst))
	}
	if err := capXZDict(buf, len(dst)); err != nil {
		return 0, err
	}
	br := bytes.NewReader(buf)
	r, err := xz.ReaderConfig{SingleStream: true, DictCap: lzma.MinDictCap}.NewReader(br)
	if err != nil {
		return 0, xzError(br, len(buf), err)
	}
	n := 0
	for n < len(dst) {
		k, err := r.Read(dst[n:])
		n += k
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, xzError(br, len(buf), err)
		}
	}
	var one [1]byte
	k, err := r.Read(one[:])
	for k == 0 && err == nil {
		k, err = r.Read(one[:])
	}
	switch {
	case k > 0:
		return n, errorf("lzma", len(buf)-br.Len(), ErrOverflow, "output exceeds the destination's %d bytes", len(dst))
	case err != io.EOF:
		return n, xzError(br, len(buf), err)
	}
	return n, nil
}

// xzError wraps an error of the xz package; the offset is how far it had
// read, which can be past the fault by its buffering.
func xzError(br *bytes.Reader, size int, err error) error {
	kind := ErrCorrupt
	if errors.Is(err, io.ErrUnexpectedEOF) {
		kind = ErrTruncated
	}
	return &Error{Codec: "lzma", Offset: int64(size - br.Len()), Kind: kind, Detail: "xz stream (offset is as far as the decoder read)", Err: err}
}

// xz format constants (tukaani.org/xz/xz-file-format.txt).
var xzMagic = []byte{0xfd, '7', 'z', 'X', 'Z', 0}

const (
	xzHeaderLen = 12
	xzLZMA2     = 0x21
)

// capXZDict walks the blocks of the xz stream in buf, checks the
// structure the xz package would reject anyway (so that it never sees a
// header it would size a buffer from without cause), and lowers each LZMA2
// dictionary size above max(out, 4 KiB) to that, fixing the header CRC32.
// A dictionary at least as large as the whole output decodes the same.
func capXZDict(buf []byte, out int) error {
	if len(buf) < xzHeaderLen {
		return errorf("lzma", 0, ErrTruncated, "xz stream header")
	}
	if !bytes.Equal(buf[:6], xzMagic) {
		return errorf("lzma", 0, ErrCorrupt, "not an xz stream (magic % x)", buf[:6])
	}
	if buf[6] != 0 || buf[7] > 0x0f || crc32.ChecksumIEEE(buf[6:8]) != binary.LittleEndian.Uint32(buf[8:]) {
		return errorf("lzma", 6, ErrCorrupt, "xz stream flags")
	}
	check := [16]int{0, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, 32, 32, 64, 64, 64}[buf[7]]
	want := max(int64(out), lzma.MinDictCap)
	p := xzHeaderLen
	for {
		if p >= len(buf) {
			return errorf("lzma", p, ErrTruncated, "no xz index")
		}
		if buf[p] == 0 {
			return nil // the index; the xz package checks it and the footer
		}
		hs := (int(buf[p]) + 1) * 4
		if hs > len(buf)-p {
			return errorf("lzma", p, ErrTruncated, "xz block header of %d bytes", hs)
		}
		h := buf[p : p+hs]
		if crc32.ChecksumIEEE(h[:hs-4]) != binary.LittleEndian.Uint32(h[hs-4:]) {
			return errorf("lzma", p, ErrCorrupt, "xz block header CRC32")
		}
		flags := h[1]
		if flags&0x3c != 0 || flags&3 != 0 {
			return errorf("lzma", p+1, ErrCorrupt, "xz block flags %#02x (only a single LZMA2 filter is supported)", flags)
		}
		q := 2
		for _, bit := range []byte{0x40, 0x80} { // compressed, uncompressed size
			if flags&bit != 0 {
				_, n := binary.Uvarint(h[q : hs-4])
				if n <= 0 {
					return errorf("lzma", p+q, ErrCorrupt, "xz block header size field")
				}
				q += n
			}
		}
		if hs-4-q < 3 || h[q] != xzLZMA2 || h[q+1] != 1 {
			return errorf("lzma", p+q, ErrCorrupt, "xz filter is not LZMA2")
		}
		dc, err := lzma.DecodeDictCap(h[q+2])
		if err != nil {
			return &Error{Codec: "lzma", Offset: int64(p + q + 2), Kind: ErrCorrupt, Detail: "LZMA2 dictionary size", Err: err}
		}
		if dc > want {
			h[q+2] = lzma.EncodeDictCap(want)
			binary.LittleEndian.PutUint32(h[hs-4:], crc32.ChecksumIEEE(h[:hs-4]))
		}
		// LZMA2 chunks up to the end marker.
		p += hs
		for {
			if p >= len(buf) {
				return errorf("lzma", p, ErrTruncated, "LZMA2 data")
			}
			c := buf[p]
			var skip int
			switch {
			case c == 0:
				skip = 1
			case c == 1 || c == 2:
				if len(buf)-p < 3 {
					return errorf("lzma", p, ErrTruncated, "LZMA2 chunk header")
				}
				skip = 3 + int(binary.BigEndian.Uint16(buf[p+1:])) + 1
			case c >= 0x80:
				hl := 5
				if c >= 0xc0 {
					hl = 6 // with properties
				}
				if len(buf)-p < hl {
					return errorf("lzma", p, ErrTruncated, "LZMA2 chunk header")
				}
				skip = hl + int(binary.BigEndian.Uint16(buf[p+3:])) + 1
			default:
				return errorf("lzma", p, ErrCorrupt, "LZMA2 control byte %#02x", c)
			}
			if skip > len(buf)-p {
				return errorf("lzma", p, ErrTruncated, "LZMA2 chunk of %d bytes", skip)
			}
			p += skip
			if c == 0 {
				break
			}
		}
		p = (p+3)&^3 + check // block padding, then the check
		if p > len(buf) {
			return errorf("lzma", len(buf), ErrTruncated, "xz block padding and check")
		}
	}
}
