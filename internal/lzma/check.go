package lzma

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"hash/crc64"
)

// Integrity check types of the xz stream flags.
const (
	checkNone   = 0x00
	checkCRC32  = 0x01
	checkCRC64  = 0x04
	checkSHA256 = 0x0A
)

var crc64Table = crc64.MakeTable(crc64.ECMA)

// checkSize returns the size of a check field, and false for check types
// this package does not verify.
func checkSize(check byte) (int, bool) {
	switch check {
	case checkNone:
		return 0, true
	case checkCRC32:
		return 4, true
	case checkCRC64:
		return 8, true
	case checkSHA256:
		return sha256.Size, true
	}
	return 0, false
}

// verifyCheck compares the check field want with the check of data.
func verifyCheck(check byte, data, want []byte) error {
	var got []byte
	switch check {
	case checkNone:
		return nil
	case checkCRC32:
		got = binary.LittleEndian.AppendUint32(nil, crc32.ChecksumIEEE(data))
	case checkCRC64:
		got = binary.LittleEndian.AppendUint64(nil, crc64.Checksum(data, crc64Table))
	case checkSHA256:
		sum := sha256.Sum256(data)
		got = sum[:]
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("%w: check %x, data has %x", errCorrupt, want, got)
	}
	return nil
}

// crc32Matches reports whether the CRC32 of data is stored little-endian
// in sum.
func crc32Matches(data, sum []byte) bool {
	return crc32.ChecksumIEEE(data) == binary.LittleEndian.Uint32(sum)
}
