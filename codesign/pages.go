package codesign

import (
	"bytes"
	"fmt"
	"hash"
	"io"
	"runtime"
	"sync"
)

// PageMismatch is the first code page whose hash differs from the one a
// CodeDirectory stores.
type PageMismatch struct {
	CD     *CodeDirectory
	Page   int
	Offset int64 // file offset within the slice
	Size   int
}

// chunkPages is how many pages one job hashes; with 4 KiB pages a job reads
// 1 MiB at a time into a buffer its worker reuses.
const chunkPages = 256

// maxPageSize bounds the page buffer; Mach-O code directories use 4 or 16 KiB.
const maxPageSize = 16 << 20

// VerifyPages recomputes the code page hashes of every CodeDirectory over r
// (the slice's bytes, size long) and returns, per CodeDirectory, the first
// page that differs (nil when all match). CodeDirectories sharing a page
// size are checked in the same pass over the bytes, with pages hashed in
// parallel by up to workers goroutines (0 means one per CPU) and no
// allocation per page.
func VerifyPages(cds []*CodeDirectory, r io.ReaderAt, size int64, workers int) ([]*PageMismatch, error) {
	out := make([]*PageMismatch, len(cds))
	groups := map[int][]int{}
	var order, whole []int
	for i, cd := range cds {
		if cd.CodeLimit > uint64(size) {
			return nil, fmt.Errorf("CodeDirectory slot %#x: code limit %#x beyond the slice size %#x", cd.Slot, cd.CodeLimit, size)
		}
		ps := cd.PageSize()
		if ps == 0 { // one page covering everything (disk images)
			if want := min(cd.CodeLimit, 1); uint64(cd.NCodeSlots) != want {
				return nil, fmt.Errorf("CodeDirectory slot %#x: %d code slots, but code limit %#x is one unpaged hash", cd.Slot, cd.NCodeSlots, cd.CodeLimit)
			}
			if cd.CodeLimit > 0 {
				whole = append(whole, i)
			}
			continue
		}
		if want := (cd.CodeLimit + uint64(ps) - 1) / uint64(ps); uint64(cd.NCodeSlots) != want {
			return nil, fmt.Errorf("CodeDirectory slot %#x: %d code slots, but code limit %#x needs %d pages of %d bytes", cd.Slot, cd.NCodeSlots, cd.CodeLimit, want, ps)
		}
		if _, ok := groups[ps]; !ok {
			order = append(order, ps)
		}
		groups[ps] = append(groups[ps], i)
	}
	if len(whole) > 0 {
		if err := verifyWhole(cds, whole, r, out); err != nil {
			return nil, err
		}
	}
	for _, ps := range order {
		if ps > maxPageSize {
			return nil, fmt.Errorf("code page of %d bytes exceeds the %d-byte limit", ps, maxPageSize)
		}
		if err := verifyGroup(cds, groups[ps], ps, r, workers, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// verifyGroup checks the CodeDirectories idx, which share page size ps.
func verifyGroup(cds []*CodeDirectory, idx []int, ps int, r io.ReaderAt, workers int, out []*PageMismatch) error {
	var limit uint64
	for _, i := range idx {
		limit = max(limit, cds[i].CodeLimit)
	}
	nPages := int((limit + uint64(ps) - 1) / uint64(ps))
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	chunk := max(1, chunkPages*4096/ps)
	jobs := make(chan int)
	var (
		mu       sync.Mutex
		firstBad = make([]int, len(cds))
		readErr  error
		wg       sync.WaitGroup
	)
	for i := range firstBad {
		firstBad[i] = -1
	}
	for w := 0; w < min(workers, (nPages+chunk-1)/chunk); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, chunk*ps)
			hashers := make([]hash.Hash, len(cds))
			for _, i := range idx {
				hashers[i], _ = NewHash(cds[i].HashType)
			}
			var sum [64]byte
			for first := range jobs {
				start := int64(first) * int64(ps)
				n := int(min(uint64(len(buf)), limit-uint64(start)))
				if _, err := r.ReadAt(buf[:n], start); err != nil {
					mu.Lock()
					readErr = fmt.Errorf("read code at %#x: %w", start, err)
					mu.Unlock()
					continue
				}
				for _, i := range idx {
					cd := cds[i]
					for p := first; p < first+chunk && p < int(cd.NCodeSlots); p++ {
						off := (p - first) * ps
						end := min(off+ps, int(cd.CodeLimit-uint64(start)))
						if end <= off {
							break
						}
						h := hashers[i]
						h.Reset()
						h.Write(buf[off:end])
						got := h.Sum(sum[:0])[:cd.HashSize]
						if !bytes.Equal(got, cd.CodeSlot(p)) {
							mu.Lock()
							if firstBad[i] < 0 || p < firstBad[i] {
								firstBad[i] = p
							}
							mu.Unlock()
							break
						}
					}
				}
			}
		}()
	}
	for first := 0; first < nPages; first += chunk {
		jobs <- first
	}
	close(jobs)
	wg.Wait()
	if readErr != nil {
		return readErr
	}
	for _, i := range idx {
		if p := firstBad[i]; p >= 0 {
			size := ps
			if rest := int(cds[i].CodeLimit - uint64(p)*uint64(ps)); rest < size {
				size = rest
			}
			out[i] = &PageMismatch{CD: cds[i], Page: p, Offset: int64(p) * int64(ps), Size: size}
		}
	}
	return nil
}

// SlotMismatch is a special slot whose stored hash differs from the hash of
// the data it binds.
type SlotMismatch struct {
	CD   *CodeDirectory
	Slot int // 1 Info.plist, 2 requirements, 5 entitlements, 7 DER entitlements
	// Present says whether the bound data exists; Stored says whether the
	// CodeDirectory has a non-zero hash for it.
	Present, Stored bool
}

// CheckSpecialSlot compares special slot n of cd with data, the whole blob
// it binds (nil when absent). An absent blob must have no slot or an all-zero
// one; a present blob must have a slot equal to its hash.
func CheckSpecialSlot(cd *CodeDirectory, n int, data []byte) *SlotMismatch {
	stored := cd.SpecialSlot(n)
	nonZero := stored != nil && !bytes.Equal(stored, make([]byte, len(stored)))
	if data == nil {
		if nonZero {
			return &SlotMismatch{CD: cd, Slot: n, Stored: true}
		}
		return nil
	}
	if !nonZero {
		return &SlotMismatch{CD: cd, Slot: n, Present: true}
	}
	h, _ := NewHash(cd.HashType)
	h.Write(data)
	if !bytes.Equal(h.Sum(nil)[:cd.HashSize], stored) {
		return &SlotMismatch{CD: cd, Slot: n, Present: true, Stored: true}
	}
	return nil
}

// verifyWhole checks the unpaged CodeDirectories idx (page size 0, one
// hash over the bytes up to the code limit, as disk images are signed) in
// one streaming pass, whatever their size.
func verifyWhole(cds []*CodeDirectory, idx []int, r io.ReaderAt, out []*PageMismatch) error {
	var limit uint64
	hashers := make([]hash.Hash, len(idx))
	for k, i := range idx {
		limit = max(limit, cds[i].CodeLimit)
		hashers[k], _ = NewHash(cds[i].HashType)
	}
	buf := make([]byte, 1<<20)
	for off := uint64(0); off < limit; {
		n := int(min(uint64(len(buf)), limit-off))
		if _, err := r.ReadAt(buf[:n], int64(off)); err != nil {
			return fmt.Errorf("read code at %#x: %w", off, err)
		}
		for k, i := range idx {
			if end := cds[i].CodeLimit; off < end {
				hashers[k].Write(buf[:min(uint64(n), end-off)])
			}
		}
		off += uint64(n)
	}
	for k, i := range idx {
		cd := cds[i]
		if got := hashers[k].Sum(nil)[:cd.HashSize]; !bytes.Equal(got, cd.CodeSlot(0)) {
			out[i] = &PageMismatch{CD: cd, Page: 0, Offset: 0, Size: int(min(cd.CodeLimit, 1<<62))}
		}
	}
	return nil
}
