package dmg

import (
	"fmt"
	"io"
	"sort"
)

// Disk is the decoded disk an image describes: its block tables laid side
// by side at their first sectors. Sectors no table covers read as zeros.
type Disk struct {
	parts []*Partition // sorted by FirstSector, not overlapping
	size  int64
}

// Disk returns the image's decoded disk. Block tables that overlap one
// another are an error.
func (img *Image) Disk() (*Disk, error) {
	parts := append([]*Partition(nil), img.Partitions...)
	sort.SliceStable(parts, func(i, j int) bool { return parts[i].FirstSector < parts[j].FirstSector })
	d := &Disk{parts: parts}
	var end uint64
	for _, p := range parts {
		if p.FirstSector < end {
			return nil, fmt.Errorf("dmg blkx %q: sectors [%d, +%d) overlap the table before", p.Name, p.FirstSector, p.Sectors)
		}
		if p.FirstSector > maxDiskSectors || p.Sectors > maxDiskSectors-p.FirstSector {
			return nil, fmt.Errorf("dmg blkx %q: sectors [%d, +%d) beyond any disk", p.Name, p.FirstSector, p.Sectors)
		}
		end = p.FirstSector + p.Sectors
	}
	d.size = int64(end) * SectorSize
	return d, nil
}

// maxDiskSectors bounds the sector numbers of a disk (4 EiB / 512), so
// that every byte offset fits an int64.
const maxDiskSectors = 1 << 53

// Size is the disk's size in bytes: up to the end of its last block table.
func (d *Disk) Size() int64 { return d.size }

// ReadAt reads the disk's decoded bytes.
func (d *Disk) ReadAt(b []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("dmg: negative offset")
	}
	n := 0
	for n < len(b) {
		pos := off + int64(n)
		if pos >= d.size {
			return n, io.EOF
		}
		i := sort.Search(len(d.parts), func(i int) bool { return int64(d.parts[i].FirstSector+d.parts[i].Sectors)*SectorSize > pos })
		p := d.parts[i]
		start := int64(p.FirstSector) * SectorSize
		if pos < start { // a gap between tables
			k := int(min(int64(len(b)-n), start-pos))
			clear(b[n : n+k])
			n += k
			continue
		}
		k := int(min(int64(len(b)-n), start+p.Size()-pos))
		m, err := p.ReadAt(b[n:n+k], pos-start)
		n += m
		if err != nil && err != io.EOF {
			return n, err
		}
		if m < k {
			return n, io.ErrUnexpectedEOF
		}
	}
	return n, nil
}
