package cli

import (
	"fmt"
	"sort"
	"strings"

	"github.com/notarylint/notarylint/analyzer"
	"github.com/notarylint/notarylint/codesign"
	"github.com/notarylint/notarylint/dmg"
	"github.com/notarylint/notarylint/macho"
)

// inspectDMG describes a disk image item.
type inspectDMG struct {
	// NotUDIF says why the file is not a UDIF image; empty for one.
	NotUDIF string `json:"not_udif,omitempty"`
	Error   string `json:"error,omitempty"`
	// Partitions are the blkx entries: name, first sector, sectors.
	Partitions []string       `json:"partitions,omitempty"`
	Codecs     map[string]int `json:"codecs,omitempty"`
	// Volumes are the partitions holding a file system, or not.
	Volumes     []string    `json:"volumes,omitempty"`
	Damaged     []string    `json:"damaged,omitempty"`
	NotAnalyzed []string    `json:"not_analyzed,omitempty"`
	Signature   *inspectSig `json:"signature"`
	Stapled     bool        `json:"stapled"`
}

func describeDiskImage(f *analyzer.DiskImageFacts) *inspectDMG {
	out := &inspectDMG{NotUDIF: f.NotUDIF, Codecs: f.Codecs, Damaged: f.Checksums, NotAnalyzed: f.NotAnalyzed}
	if f.Err != nil {
		out.Error = f.Err.Error()
	}
	if f.Image == nil {
		return out
	}
	for _, p := range f.Image.Partitions {
		out.Partitions = append(out.Partitions, fmt.Sprintf("%s: sectors %d+%d, %d chunks", p.Name, p.FirstSector, p.Sectors, len(p.Chunks)))
	}
	for _, v := range f.Volumes {
		out.Volumes = append(out.Volumes, describeVolume(v))
	}
	out.Stapled = f.Ticket != nil
	if f.Signature == nil && f.SignatureErr == nil {
		return out
	}
	// The signature is shown as a slice's is: a stand-in slice at offset 0
	// carries the disk image's signature facts.
	sf := &analyzer.SliceFacts{Slice: &macho.Slice{}, Signature: f.Signature, SignatureErr: f.SignatureErr,
		Pages: f.Pages, PagesErr: f.PagesErr, Slots: f.Slots, Verified: f.Verified}
	if f.Signature != nil && len(f.Signature.CMS) > 0 {
		sf.CMS, sf.CMSErr = codesign.ParseCMS(f.Signature.CMS)
	}
	out.Signature = describeSignature(sf)
	return out
}

func describeVolume(v dmg.Volume) string {
	where := "whole disk"
	if v.Scheme != "" {
		where = fmt.Sprintf("%s entry %d %q type %s", v.Scheme, v.Index, v.Name, v.Type)
	}
	format := v.Format
	if format == "" {
		format = "no known file system"
	}
	return fmt.Sprintf("%s at %#x, %d bytes: %s", where, v.Offset, v.Size, format)
}

func writeDiskImageText(b *strings.Builder, path string, size int64, d *inspectDMG) {
	if d.NotUDIF != "" {
		fmt.Fprintf(b, "%s (disk image, %d bytes, not UDIF: %s)\n", path, size, d.NotUDIF)
		return
	}
	fmt.Fprintf(b, "%s (disk image, UDIF, %d bytes, stapled %v)\n", path, size, d.Stapled)
	if d.Error != "" {
		fmt.Fprintf(b, "  error: %s\n", d.Error)
	}
	codecs := make([]string, 0, len(d.Codecs))
	for c, n := range d.Codecs {
		codecs = append(codecs, fmt.Sprintf("%s %d", c, n))
	}
	sort.Strings(codecs)
	if len(codecs) > 0 {
		fmt.Fprintf(b, "  chunks: %s\n", strings.Join(codecs, ", "))
	}
	for _, p := range d.Partitions {
		fmt.Fprintf(b, "  blkx %s\n", p)
	}
	for _, v := range d.Volumes {
		fmt.Fprintf(b, "  volume: %s\n", v)
	}
	for _, s := range d.Damaged {
		fmt.Fprintf(b, "  damaged: %s\n", s)
	}
	for _, s := range d.NotAnalyzed {
		fmt.Fprintf(b, "  not analysed: %s\n", s)
	}
	writeSigText(b, d.Signature)
}
