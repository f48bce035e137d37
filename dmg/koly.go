package dmg

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
)

// KolySize is the size of the trailer that ends every UDIF image.
const KolySize = 512

// Koly is a UDIF trailer (big-endian on disk).
type Koly struct {
	Version       uint32
	Flags         uint32
	DataOffset    uint64
	DataLength    uint64
	RsrcOffset    uint64
	RsrcLength    uint64
	DataChecksum  Checksum
	XMLOffset     uint64
	XMLLength     uint64
	CodeSigOffset uint64
	CodeSigLength uint64
	Master        Checksum
	SectorCount   uint64
	// Offset is where the trailer starts in the file.
	Offset int64
	// Raw is the trailer as stored.
	Raw [KolySize]byte
}

// Checksum is a UDIF checksum: its type (2 is CRC32) and value.
type Checksum struct {
	Type uint32
	Bits uint32
	Data [32]uint32
}

// ChecksumCRC32 is the only checksum type hdiutil writes.
const ChecksumCRC32 = 2

// CRC32 returns the checksum's value when it is a CRC32.
func (c Checksum) CRC32() (uint32, bool) { return c.Data[0], c.Type == ChecksumCRC32 && c.Bits == 32 }

func readChecksum(b []byte) Checksum {
	be := binary.BigEndian
	c := Checksum{Type: be.Uint32(b), Bits: be.Uint32(b[4:])}
	for i := range c.Data {
		c.Data[i] = be.Uint32(b[8+4*i:])
	}
	return c
}

// IsUDIF reports whether a file of size bytes ends with a koly trailer of
// version 4 (as 7-Zip's IsKoly checks it).
func IsUDIF(r io.ReaderAt, size int64) bool {
	if size < KolySize {
		return false
	}
	var head [12]byte
	_, err := r.ReadAt(head[:], size-KolySize)
	return err == nil && string(head[:]) == "koly\x00\x00\x00\x04\x00\x00\x02\x00" // magic, version 4, header size 512
}

// ReadKoly reads and checks the trailer at the end of the file.
func ReadKoly(r io.ReaderAt, size int64) (*Koly, error) {
	if size < KolySize {
		return nil, fmt.Errorf("koly: file is only %d bytes", size)
	}
	var b [KolySize]byte
	at := size - KolySize
	if _, err := r.ReadAt(b[:], at); err != nil {
		return nil, fmt.Errorf("koly at %#x: %w", at, err)
	}
	if !bytes.Equal(b[:4], []byte("koly")) {
		return nil, fmt.Errorf("koly at %#x: no koly trailer (not a UDIF image)", at)
	}
	be := binary.BigEndian
	k := &Koly{Offset: at, Version: be.Uint32(b[4:]), Flags: be.Uint32(b[12:]),
		DataOffset: be.Uint64(b[24:]), DataLength: be.Uint64(b[32:]), RsrcOffset: be.Uint64(b[40:]), RsrcLength: be.Uint64(b[48:]),
		DataChecksum: readChecksum(b[80:216]), XMLOffset: be.Uint64(b[216:]), XMLLength: be.Uint64(b[224:]),
		CodeSigOffset: be.Uint64(b[296:]), CodeSigLength: be.Uint64(b[304:]),
		Master: readChecksum(b[352:488]), SectorCount: be.Uint64(b[492:]), Raw: b}
	if k.Version != 4 {
		return nil, fmt.Errorf("koly at %#x: version %d, want 4", at, k.Version)
	}
	if hs := be.Uint32(b[8:]); hs != KolySize {
		return nil, fmt.Errorf("koly at %#x: header size %d, want 512", at, hs)
	}
	fits := func(off, n uint64) bool { return off <= uint64(at) && n <= uint64(at)-off }
	switch {
	case !fits(k.DataOffset, k.DataLength):
		return nil, fmt.Errorf("koly at %#x: data fork [%#x, +%#x) past the trailer", at, k.DataOffset, k.DataLength)
	case !fits(k.XMLOffset, k.XMLLength):
		return nil, fmt.Errorf("koly at %#x: XML [%#x, +%#x) past the trailer", at, k.XMLOffset, k.XMLLength)
	case k.CodeSigLength > 0 && !fits(k.CodeSigOffset, k.CodeSigLength):
		return nil, fmt.Errorf("koly at %#x: code signature [%#x, +%#x) past the trailer", at, k.CodeSigOffset, k.CodeSigLength)
	}
	return k, nil
}
