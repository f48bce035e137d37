package dmg

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
)

// Volume is one partition of a disk and the file system found in it.
type Volume struct {
	// Scheme is the partition map the volume was found in: "GPT", "APM",
	// or "" for a bare volume filling the disk.
	Scheme string
	// Index is the partition's entry number in its map (from 0).
	Index int
	// Name and Type are the partition's name and type as the map gives
	// them (a GPT type GUID, an APM type such as "Apple_HFS").
	Name, Type string
	// Format is the file system found by its signature: FormatHFSPlus,
	// FormatHFSX, FormatAPFS, or "" for none known.
	Format string
	// Offset and Size locate the partition on the disk, in bytes.
	Offset, Size int64
}

// File system formats a Volume can hold.
const (
	FormatHFSPlus = "HFS+"
	FormatHFSX    = "HFSX"
	FormatAPFS    = "APFS"
)

// guidEFISystem is the GPT type of an EFI system partition.
const guidEFISystem = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"

// noContent reports whether an Apple partition map type is one that holds
// the map itself, free space, or drivers and patches, not the image's
// contents (7-Zip's DmgHandler treats them so too).
func noContent(typ string) bool {
	switch {
	case typ == "Apple_partition_map", typ == "Apple_Free", typ == "Apple_Void", typ == "Apple_Patches", typ == "DDM",
		strings.HasPrefix(typ, "Apple_Driver"):
		return true
	}
	return false
}

// maxMapEntries bounds the entries of a partition map read.
const maxMapEntries = 1024

// Volumes returns the partitions of a disk of size bytes: those of its GUID
// partition table or Apple partition map, or the whole disk when it holds a
// file system directly. Entries that are empty, free space or the map
// itself are left out; the others are returned whatever they hold, with
// Format telling which can be read.
func Volumes(r io.ReaderAt, size int64) ([]Volume, error) {
	if size < 0 {
		return nil, fmt.Errorf("disk of %d bytes", size)
	}
	if f := fsFormat(r, 0, size); f != "" {
		return []Volume{{Format: f, Size: size}}, nil
	}
	var head [1024]byte
	if _, err := r.ReadAt(head[:min(int64(len(head)), size)], 0); err != nil && err != io.EOF {
		return nil, fmt.Errorf("disk at 0x0: %w", err)
	}
	switch {
	case size >= 1024 && string(head[512:520]) == "EFI PART":
		return gptVolumes(r, size, 512)
	case size >= 1024 && string(head[:2]) == "ER", size >= 1024 && string(head[512:514]) == "PM":
		return apmVolumes(r, size, head[:])
	}
	return nil, nil
}

// fsFormat names the file system whose signature is at off, or "".
func fsFormat(r io.ReaderAt, off, size int64) string {
	var b [1026]byte
	if size < int64(len(b)) {
		return ""
	}
	if _, err := r.ReadAt(b[:], off); err != nil {
		return ""
	}
	switch {
	case string(b[32:36]) == "NXSB":
		return FormatAPFS
	case string(b[1024:1026]) == "H+":
		return FormatHFSPlus
	case string(b[1024:1026]) == "HX":
		return FormatHFSX
	}
	return ""
}

// gptVolumes reads a GUID partition table whose header is at LBA 1.
func gptVolumes(r io.ReaderAt, size int64, lba int64) ([]Volume, error) {
	var h [92]byte
	if _, err := r.ReadAt(h[:], lba); err != nil {
		return nil, fmt.Errorf("GPT header at %#x: %w", lba, err)
	}
	le := binary.LittleEndian
	table, count, entSize := le.Uint64(h[72:]), le.Uint32(h[80:]), le.Uint32(h[84:])
	if entSize < 128 || entSize > 4096 || count > maxMapEntries || table > uint64(size)/uint64(lba) {
		return nil, fmt.Errorf("GPT header at %#x: %d entries of %d bytes at LBA %d", lba, count, entSize, table)
	}
	raw := make([]byte, int(count)*int(entSize))
	if _, err := r.ReadAt(raw, int64(table)*lba); err != nil {
		return nil, fmt.Errorf("GPT entries at %#x: %w", int64(table)*lba, err)
	}
	var vols []Volume
	for i := 0; i < int(count); i++ {
		e := raw[i*int(entSize):]
		if allZero(e[:16]) {
			continue
		}
		first, last := le.Uint64(e[32:]), le.Uint64(e[40:])
		if last < first || last >= uint64(size)/uint64(lba) {
			return nil, fmt.Errorf("GPT entry %d at %#x: LBAs [%d, %d] outside the disk", i, int64(table)*lba+int64(i)*int64(entSize), first, last)
		}
		v := Volume{Scheme: "GPT", Index: i, Type: guid(e[:16]), Name: utf16Name(e[56:128]),
			Offset: int64(first) * lba, Size: int64(last-first+1) * lba}
		if v.Type == guidEFISystem {
			continue // the EFI system partition (FAT) holds boot files, not the image's contents
		}
		v.Format = fsFormat(r, v.Offset, v.Size)
		vols = append(vols, v)
	}
	return vols, nil
}

// apmVolumes reads an Apple partition map: a driver descriptor map in
// block 0 (its block size, 512 when absent) and one "PM" entry a block
// from block 1 on.
func apmVolumes(r io.ReaderAt, size int64, head []byte) ([]Volume, error) {
	be := binary.BigEndian
	bs := int64(512)
	if string(head[:2]) == "ER" {
		if n := int64(be.Uint16(head[2:])); n == 512 || n == 1024 || n == 2048 || n == 4096 {
			bs = n
		}
	}
	var vols []Volume
	var e [512]byte
	count := 1
	for i := 0; i < count && i < maxMapEntries; i++ {
		at := bs * int64(i+1)
		if at+512 > size {
			return nil, fmt.Errorf("APM entry %d at %#x: past the disk", i, at)
		}
		if _, err := r.ReadAt(e[:], at); err != nil {
			return nil, fmt.Errorf("APM entry %d at %#x: %w", i, at, err)
		}
		if string(e[:2]) != "PM" {
			return nil, fmt.Errorf("APM entry %d at %#x: no PM signature", i, at)
		}
		if i == 0 {
			count = int(be.Uint32(e[4:]))
		}
		v := Volume{Scheme: "APM", Index: i, Name: cString(e[16:48]), Type: cString(e[48:80]),
			Offset: int64(be.Uint32(e[8:])) * bs, Size: int64(be.Uint32(e[12:])) * bs}
		if noContent(v.Type) || v.Size == 0 {
			continue
		}
		if v.Offset > size || v.Size > size-v.Offset {
			return nil, fmt.Errorf("APM entry %d at %#x: blocks [%d, +%d) outside the disk", i, at, v.Offset/bs, v.Size/bs)
		}
		v.Format = fsFormat(r, v.Offset, v.Size)
		vols = append(vols, v)
	}
	return vols, nil
}

func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return strings.ToValidUTF8(string(b), "?")
}

func utf16Name(b []byte) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		c := binary.LittleEndian.Uint16(b[i:])
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	return string(utf16.Decode(u))
}

// guid formats a GPT GUID (mixed-endian on disk) in its usual text form.
func guid(b []byte) string {
	le := binary.LittleEndian
	return fmt.Sprintf("%08X-%04X-%04X-%X-%X", le.Uint32(b), le.Uint16(b[4:]), le.Uint16(b[6:]), b[8:10], b[10:16])
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
