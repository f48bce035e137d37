package analyzer

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"sync"

	"github.com/notarylint/notarylint/codesign"
	"github.com/notarylint/notarylint/dmg"
)

// DiskImageFacts are the facts of a disk image item.
type DiskImageFacts struct {
	// NotUDIF says why the item is not the UDIF image the notary service
	// accepts (an encrypted or sparse image, a raw or ISO image named
	// .dmg, a damaged trailer); "" for a UDIF image.
	NotUDIF string
	// Image is the opened image; nil when NotUDIF or Err says why not.
	Image *dmg.Image
	Err   error

	// Signature is the image's embedded signature, nil when unsigned or
	// when SignatureErr says why it could not be read.
	Signature    *codesign.Signature
	SignatureErr error
	// Pages holds the code-hash mismatch of each CodeDirectory (nil when
	// it matches); PagesErr says why the hash could not be checked.
	Pages    []*codesign.PageMismatch
	PagesErr error
	// Slots are the special slots (the trailer, the requirements) whose
	// hashes differ from what they bind.
	Slots []*codesign.SlotMismatch
	// Verified is the verdict on the CMS signature, nil when there is none.
	Verified *codesign.CMSResult
	// Ticket is the stapled notarization ticket, nil when there is none.
	// An unsigned image can hold one: stapler then writes a SuperBlob with
	// the ticket alone.
	Ticket []byte

	// Checksums lists the image's damaged parts: checksums that do not
	// match, chunks that cannot be decoded.
	Checksums []string
	// Codecs counts the image's chunks by codec name ("zlib", "bzip2",
	// "LZFSE", "LZMA", "ADC", "raw").
	Codecs map[string]int
	// Volumes are the partitions found on the image's disk.
	Volumes []dmg.Volume
	// NotAnalyzed lists what could not be walked, with why: volumes whose
	// file system is unknown or unreadable, files that cannot be read.
	NotAnalyzed []string
	// Compressed lists the files stored compressed (decmpfs), whose data
	// the readers detect but do not decode, as paths on the volume.
	Compressed []string
	// MachO and Bundles list the code found inside, as item paths.
	MachO   []string
	Bundles []string

	once, sigOnce sync.Once
	r             io.ReaderAt
	size          int64
}

// dmgRatioFactor scales MaxRatio for a disk image's chunks as a whole.
const dmgRatioFactor = 4

// DiskImage returns the item's disk image facts, or nil when the item is
// not a disk image.
func (p *Pass) DiskImage() *DiskImageFacts { return p.Item.dmg }

// CDHashes returns the image's cdhashes by hash name ("sha256"), or nil
// when it is not signed.
func (f *DiskImageFacts) CDHashes() map[string]string {
	if f.Signature == nil {
		return nil
	}
	out := map[string]string{}
	for _, cd := range f.Signature.CodeDirectories {
		out[cd.HashName()] = hex.EncodeToString(cd.CDHash())
	}
	return out
}

// HasCode reports whether anything on the image is code.
func (f *DiskImageFacts) HasCode() bool { return len(f.MachO) > 0 || len(f.Bundles) > 0 }

// diskImageHead reports whether a file's first bytes are those of a disk
// image that is not UDIF, and which.
func diskImageHead(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("encrcdsa")):
		return "an encrypted disk image (encrcdsa): the notary service cannot open it"
	case len(head) >= 8 && bytes.HasPrefix(head, []byte("sprs")) && binary.BigEndian.Uint32(head[4:]) >= 1 && binary.BigEndian.Uint32(head[4:]) <= 3:
		return "a sparse image (.sparseimage), not a UDIF image" // magic, then version 3 as hdiutil writes it
	}
	return ""
}

// isUDIFTail reports whether a file ends with a koly trailer. Reading the
// tail of a compressed archive entry means inflating all of it, so it is
// read only where that is cheap (a file on disk or on a disk image) or the
// name says .dmg.
func isUDIFTail(fsys fs.FS, name string, size int64, cheap bool) bool {
	if size < dmg.KolySize || !cheap && !strings.EqualFold(path.Ext(name), ".dmg") {
		return false
	}
	f, err := fsys.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	ra, ok := f.(io.ReaderAt)
	return ok && dmg.IsUDIF(ra, size)
}

// noTrailerReason says why a file named .dmg is not a UDIF image: its
// trailer is damaged or of another version, or there is none.
func noTrailerReason(fsys fs.FS, name string, size int64) string {
	if f, err := fsys.Open(name); err == nil && size >= dmg.KolySize {
		defer f.Close()
		var magic [4]byte
		if ra, ok := f.(io.ReaderAt); ok {
			if _, err := ra.ReadAt(magic[:], size-dmg.KolySize); err == nil && string(magic[:]) == "koly" {
				_, err := dmg.ReadKoly(ra, size)
				return fmt.Sprintf("its koly trailer is damaged or not version 4: %v", err)
			}
		}
	}
	return "it has no koly trailer: a raw or ISO image, or a damaged UDIF image"
}

// enterDiskImage opens a disk image item, finds the volumes on its disk and
// walks each file system it can read, within the nesting limit, and
// returns the items found inside.
func (d *discovery) enterDiskImage(it *Item, notUDIF string) []*Item {
	info := &DiskImageFacts{NotUDIF: notUDIF, Codecs: map[string]int{}}
	it.dmg = info
	if notUDIF != "" {
		return nil
	}
	f, size, err := d.openNested(it)
	if err != nil {
		info.Err = err
		return nil
	}
	info.r, info.size = f, size
	img, err := dmg.Open(f, size)
	if err != nil {
		if _, kerr := dmg.ReadKoly(f, size); kerr != nil {
			info.NotUDIF = "its koly trailer is damaged or not version 4: " + kerr.Error()
		}
		info.Err = err
		return nil
	}
	// Every chunk is decoded (at least) once: charge them all now, so a
	// few KiB of chunks declaring gigabytes stop at the limit. The ratio
	// allowed is dmgRatioFactor times the archives' own: zlib alone reaches
	// 1032:1 on the runs of zeros real files hold.
	if stored, decoded := img.CompressedSizes(); it.budget != nil {
		if err := it.budget.Reserve(it.Path, stored, decoded, dmgRatioFactor); err != nil {
			info.Err = err
			return nil
		}
	}
	info.Image = img
	for _, p := range img.Partitions {
		for _, c := range p.Chunks {
			if name := dmg.CodecName(c.Type); name != "" {
				info.Codecs[name]++
			}
		}
	}
	disk, err := img.Disk()
	if err != nil {
		info.Err = err
		return nil
	}
	vols, err := dmg.Volumes(disk, disk.Size())
	if err != nil {
		info.NotAnalyzed = append(info.NotAnalyzed, "partition map: "+err.Error())
	}
	info.Volumes = vols
	if len(vols) == 0 && err == nil {
		info.NotAnalyzed = append(info.NotAnalyzed, "the disk holds no partition map and no known file system (HFS+, APFS)")
	}
	var inside []*Item
	readable := 0
	for _, v := range vols {
		if volumeOpeners[v.Format] != nil {
			readable++
		}
	}
	multi := readable > 1 // several volumes mount side by side: name each
	for _, v := range vols {
		open := volumeOpeners[v.Format]
		name := volumeName(v)
		if open == nil {
			if v.Format != "" {
				info.NotAnalyzed = append(info.NotAnalyzed, fmt.Sprintf("%s: %s volumes are not read yet", name, v.Format))
			} else {
				info.NotAnalyzed = append(info.NotAnalyzed, fmt.Sprintf("%s: no known file system (type %s)", name, v.Type))
			}
			continue
		}
		fsys, err := open(io.NewSectionReader(disk, v.Offset, v.Size), v.Size)
		if err != nil {
			info.NotAnalyzed = append(info.NotAnalyzed, fmt.Sprintf("%s: %v", name, err))
			continue
		}
		prefix := it.Path
		if multi {
			prefix += "/" + name
		}
		// The code cache keeps the facts of Mach-O files a seal check
		// hashed, so that they are not decoded a second time.
		scope := &Item{Input: it.Input, fsys: fsys, prefix: prefix, machos: newPathSet(), code: &codeCache{},
			budget: it.budget, depth: it.depth + 1, disc: d, onImage: true}
		inside = append(inside, d.walk(it, scope)...)
	}
	for _, c := range inside {
		switch c.Kind {
		case KindMachO:
			info.MachO = append(info.MachO, c.Path[len(it.Path)+1:])
		case KindBundle:
			info.Bundles = append(info.Bundles, c.Path[len(it.Path)+1:])
		}
	}
	return inside
}

// volumeName names a volume among the image's partitions.
func volumeName(v dmg.Volume) string {
	if v.Scheme == "" {
		return "volume"
	}
	return fmt.Sprintf("partition %d", v.Index+1)
}

// verify checks, once, the image's signature and checksums.
func (f *DiskImageFacts) verify(vc verifyConfig) {
	f.once.Do(func() {
		if f.Image == nil {
			return
		}
		// The signature hashes the stored bytes, the checksums the decoded
		// ones: both at once, unless the signature is done already.
		var wg sync.WaitGroup
		wg.Go(func() { f.verifySignatureOnce(vc) })
		f.verifyChecksums(vc)
		wg.Wait()
	})
}

// verifySignatureOnce checks the image's signature, once.
func (f *DiskImageFacts) verifySignatureOnce(vc verifyConfig) {
	f.sigOnce.Do(func() {
		if f.Image != nil {
			f.verifySignature(vc)
		}
	})
}

// verifySignature reads and verifies the image's embedded signature: the
// code hash over the bytes before it, the trailer and requirements slots,
// and the CMS signature.
func (f *DiskImageFacts) verifySignature(vc verifyConfig) {
	k := f.Image.Koly
	raw, err := dmg.ReadSignature(f.r, k)
	if err != nil {
		f.SignatureErr = err
		return
	}
	if raw == nil {
		return
	}
	sig, err := codesign.Parse(raw)
	if err != nil {
		f.SignatureErr = fmt.Errorf("signature at %#x: %w", k.CodeSigOffset, err)
		return
	}
	f.Ticket = sig.Ticket
	if len(sig.CodeDirectories) == 0 {
		if sig.Ticket == nil {
			f.SignatureErr = fmt.Errorf("signature at %#x: no CodeDirectory", k.CodeSigOffset)
		}
		return // a ticket stapled to an unsigned image
	}
	f.Signature = sig
	for _, cd := range sig.CodeDirectories {
		if cd.CodeLimit != uint64(k.SigningLimit()) {
			f.PagesErr = fmt.Errorf("CodeDirectory slot %#x covers %#x bytes, but the signature starts at %#x", cd.Slot, cd.CodeLimit, k.SigningLimit())
		}
	}
	if f.PagesErr == nil {
		f.Pages, f.PagesErr = codesign.VerifyPages(sig.CodeDirectories, f.r, k.SigningLimit(), vc.jobs)
	}
	for _, cd := range sig.CodeDirectories {
		if m := codesign.CheckSpecialSlot(cd, codesign.SlotRepSpecific, k.RepSpecific()); m != nil {
			f.Slots = append(f.Slots, m)
		}
		if m := codesign.CheckSpecialSlot(cd, codesign.SlotRequirements, sig.Requirements); m != nil {
			f.Slots = append(f.Slots, m)
		}
	}
	if len(sig.CMS) > 0 && vc.trust != nil {
		f.Verified = codesign.VerifyCMS(sig, vc.trust, vc.now)
	}
}

// verifyChecksums checks every partition's CRC32, the master checksum and
// the data fork's, decoding each chunk once.
func (f *DiskImageFacts) verifyChecksums(vc verifyConfig) {
	img := f.Image
	for _, p := range img.Partitions {
		if err := p.VerifyChecksum(vc.jobs); err != nil {
			if errors.Is(err, dmg.ErrCodec) {
				f.NotAnalyzed = append(f.NotAnalyzed, err.Error())
				continue
			}
			f.Checksums = append(f.Checksums, err.Error())
		}
	}
	if err := img.VerifyMaster(); err != nil {
		f.Checksums = append(f.Checksums, err.Error())
	}
	if err := img.VerifyDataFork(); err != nil {
		f.Checksums = append(f.Checksums, err.Error())
	}
}
