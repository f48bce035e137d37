package macho

import (
	"bytes"
	"fmt"
	"io"
)

// LayoutProblems lists how a slice breaks the layout `codesign --strict`
// demands of signed code: __LINKEDIT must be the last segment in the file and
// end exactly at the end of the slice, and the code signature must be the
// last data in __LINKEDIT. It returns nil for a conforming slice.
func (s *Slice) LayoutProblems() []string {
	le := s.Segment("__LINKEDIT")
	if le == nil {
		return []string{"has no __LINKEDIT segment"}
	}
	var out []string
	for _, seg := range s.Segments {
		if seg.Name != "__LINKEDIT" && seg.FileSize > 0 && seg.FileOff > le.FileOff {
			out = append(out, fmt.Sprintf("segment %s (file offset %#x) comes after __LINKEDIT (%#x); __LINKEDIT must be last", seg.Name, seg.FileOff, le.FileOff))
		}
	}
	end := le.FileOff + le.FileSize
	switch {
	case end < uint64(s.Size):
		out = append(out, fmt.Sprintf("%d bytes follow the end of __LINKEDIT at %#x (slice size %#x): data was appended after linking or signing", uint64(s.Size)-end, end, s.Size))
	case end > uint64(s.Size):
		out = append(out, fmt.Sprintf("__LINKEDIT ends at %#x, past the end of the slice (%#x)", end, s.Size))
	}
	if cs := s.CodeSignature; cs != nil {
		sigEnd := uint64(cs.DataOff) + uint64(cs.DataSize)
		if uint64(cs.DataOff) < le.FileOff || sigEnd > end {
			out = append(out, fmt.Sprintf("code signature [%#x, %#x) is not inside __LINKEDIT [%#x, %#x)", cs.DataOff, sigEnd, le.FileOff, end))
		} else if sigEnd < end {
			out = append(out, fmt.Sprintf("code signature ends at %#x but __LINKEDIT goes on to %#x: the signature must be the last data in __LINKEDIT", sigEnd, end))
		}
	}
	return out
}

// maxPaddingCheck bounds how many padding bytes are read to check they are
// zero; a gap this large is reported without reading it.
const maxPaddingCheck = 1 << 20

// LayoutProblems lists how a universal file breaks the layout `codesign
// --strict` demands: slices must not overlap or share an offset, the gap
// before each slice must be zero padding shorter than the slice's alignment,
// and nothing may follow the last slice. It returns nil for a thin file.
func (f *File) LayoutProblems() []string {
	if f.Fat == nil {
		return nil
	}
	var out []string
	prevEnd := uint64(f.Fat.HeaderEnd)
	prevName := "the universal header"
	for _, a := range f.Fat.SortedArches() {
		name := ArchName(a.CPU, a.SubCPU) + " slice"
		switch {
		case a.Offset < prevEnd:
			out = append(out, fmt.Sprintf("%s at %#x overlaps %s (which ends at %#x)", name, a.Offset, prevName, prevEnd))
		case a.Offset-prevEnd >= 1<<a.Align:
			out = append(out, fmt.Sprintf("%d bytes between %s and the %s at %#x, more than its 2^%d alignment needs", a.Offset-prevEnd, prevName, name, a.Offset, a.Align))
		case a.Offset > prevEnd && a.Offset-prevEnd <= maxPaddingCheck:
			if at, ok := firstNonZero(f.r, int64(prevEnd), int64(a.Offset-prevEnd)); !ok {
				out = append(out, fmt.Sprintf("padding before the %s is not all zero (non-zero byte at %#x)", name, at))
			}
		}
		if end := a.Offset + a.Size; end > prevEnd {
			prevEnd, prevName = end, "the "+name
		}
	}
	if uint64(f.Size) > prevEnd {
		out = append(out, fmt.Sprintf("%d bytes follow the last slice (which ends at %#x)", uint64(f.Size)-prevEnd, prevEnd))
	}
	return out
}

// firstNonZero reads [off, off+n) and returns the offset of its first
// non-zero byte with ok=false, or ok=true when all are zero (or unreadable:
// a read error is not a layout problem and shows up elsewhere).
func firstNonZero(r io.ReaderAt, off, n int64) (int64, bool) {
	buf := make([]byte, n)
	if _, err := r.ReadAt(buf, off); err != nil {
		return 0, true
	}
	if i := bytes.IndexFunc(buf, func(c rune) bool { return c != 0 }); i >= 0 {
		return off + int64(i), false
	}
	return 0, true
}
