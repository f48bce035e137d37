package dmg_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/notarylint/notarylint/dmg"
	"github.com/notarylint/notarylint/internal/fixture"
)

// FuzzOpen opens arbitrary bytes as a disk image and reads every partition,
// checksum, the disk's partition map and the signature: it must never
// panic or hang.
func FuzzOpen(f *testing.F) {
	data := bytes.Repeat([]byte("disk image bytes "), 2000)
	f.Add(fixture.UDIF(f, data, fixture.UDIFOptions{ChunkSectors: 16}))
	f.Add(fixture.UDIF(f, data, fixture.UDIFOptions{Codec: "raw", ChunkSectors: 16}))
	f.Add(fixture.UDIF(f, data, fixture.UDIFOptions{Codec: "adc", ChunkSectors: 16}))
	f.Add(fixture.SignUDIF(f, fixture.UDIF(f, data[:4096], fixture.UDIFOptions{}), fixture.DMGSignOptions{}))
	vol := append(make([]byte, 1024), "H+\x00\x04"...)
	vol = append(vol, make([]byte, 3072)...)
	f.Add(fixture.UDIFDisk(f, fixture.GPTLayout(vol, fixture.GUIDAppleHFS), fixture.UDIFOptions{Codec: "raw"}))
	f.Add(fixture.UDIFDisk(f, fixture.APMLayout(vol, "Apple_HFS"), fixture.UDIFOptions{Codec: "raw"}))
	f.Fuzz(func(t *testing.T, b []byte) {
		r := bytes.NewReader(b)
		if k, err := dmg.ReadKoly(r, int64(len(b))); err == nil {
			dmg.ReadSignature(r, k)
			k.RepSpecific()
		}
		img, err := dmg.Open(r, int64(len(b)))
		if err != nil {
			return
		}
		img.VerifyMaster()
		img.VerifyDataFork()
		for _, p := range img.Partitions {
			if p.Size() > 64<<20 {
				continue
			}
			io.Copy(io.Discard, io.NewSectionReader(p, 0, p.Size()))
			p.VerifyChecksum(1)
		}
		if d, err := img.Disk(); err == nil && d.Size() <= 64<<20 {
			dmg.Volumes(d, d.Size())
		}
	})
}
