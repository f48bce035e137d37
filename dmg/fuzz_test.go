package dmg_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/notarylint/notarylint/dmg"
	"github.com/notarylint/notarylint/internal/fixture"
)

// FuzzOpen opens arbitrary bytes as a disk image and reads every partition
// and checksum: it must never panic or hang.
func FuzzOpen(f *testing.F) {
	data := bytes.Repeat([]byte("disk image bytes "), 2000)
	f.Add(fixture.UDIF(f, data, fixture.UDIFOptions{ChunkSectors: 16}))
	f.Add(fixture.UDIF(f, data, fixture.UDIFOptions{Codec: "raw", ChunkSectors: 16}))
	f.Fuzz(func(t *testing.T, b []byte) {
		img, err := dmg.Open(bytes.NewReader(b), int64(len(b)))
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
			p.VerifyChecksum(0)
		}
	})
}
