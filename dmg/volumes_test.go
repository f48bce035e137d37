package dmg_test

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/notarylint/notarylint/dmg"
	"github.com/notarylint/notarylint/internal/fixture"
)

// fakeHFS returns bytes that carry an HFS+ volume signature.
func fakeHFS(n int) []byte {
	b := volume(n)
	copy(b[1024:], "H+\x00\x04")
	return b
}

// TestVolumes finds the volume in a bare, a GPT and an APM disk image,
// each written as hdiutil lays them out (one blkx per map region), and
// reads the volume's bytes back through the disk.
func TestVolumes(t *testing.T) {
	vol := fakeHFS(300 * 1024)
	for _, tc := range []struct {
		name   string
		parts  []fixture.UDIFPartition
		scheme string
		typ    string
	}{
		{"bare", []fixture.UDIFPartition{{Name: "whole disk (Apple_HFS : 0)", Data: vol}}, "", ""},
		{"GPT", fixture.GPTLayout(vol, fixture.GUIDAppleHFS), "GPT", fixture.GUIDAppleHFS},
		{"APM", fixture.APMLayout(vol, "Apple_HFS"), "APM", "Apple_HFS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := fixture.UDIFDisk(t, tc.parts, fixture.UDIFOptions{ChunkSectors: 64})
			img, err := dmg.Open(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Fatal(err)
			}
			if len(img.Partitions) != len(tc.parts) {
				t.Fatalf("%d blkx entries, want %d", len(img.Partitions), len(tc.parts))
			}
			disk, err := img.Disk()
			if err != nil {
				t.Fatal(err)
			}
			vols, err := dmg.Volumes(disk, disk.Size())
			if err != nil {
				t.Fatal(err)
			}
			if len(vols) != 1 {
				t.Fatalf("volumes %+v, want one", vols)
			}
			v := vols[0]
			if v.Scheme != tc.scheme || v.Type != tc.typ || v.Format != dmg.FormatHFSPlus {
				t.Errorf("volume %+v: want scheme %q type %q format HFS+", v, tc.scheme, tc.typ)
			}
			got, err := io.ReadAll(io.NewSectionReader(disk, v.Offset, v.Size))
			if err != nil || !bytes.Equal(got, vol) {
				t.Errorf("volume bytes: %d read (%v), want the %d written", len(got), err, len(vol))
			}
			for _, p := range img.Partitions {
				if err := p.VerifyChecksum(0); err != nil {
					t.Error(err)
				}
			}
			if err := img.VerifyMaster(); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestVolumesNone returns no volume for a disk without a map or a known
// file system, and an error for a map pointing outside the disk.
func TestVolumesNone(t *testing.T) {
	if vols, err := dmg.Volumes(bytes.NewReader(volume(8192)), 8192); vols != nil || err != nil {
		t.Errorf("plain bytes: %+v, %v", vols, err)
	}
	parts := fixture.APMLayout(fakeHFS(64*1024), "Apple_HFS")
	var disk []byte
	for _, p := range parts {
		disk = append(disk, p.Data...)
	}
	cut := disk[:len(disk)-40*1024]
	if _, err := dmg.Volumes(bytes.NewReader(cut), int64(len(cut))); err == nil {
		t.Error("APM entry past the disk accepted")
	}
}

// TestSevenZipLayouts checks the GPT and APM layouts with 7-Zip, when it is
// installed: it must test the image without warnings and find the volume
// partition.
func TestSevenZipLayouts(t *testing.T) {
	sz, err := exec.LookPath("7zz")
	if err != nil {
		t.Skip("7zz not installed")
	}
	vol := fakeHFS(200 * 1024)
	for name, parts := range map[string][]fixture.UDIFPartition{
		"gpt": fixture.GPTLayout(vol, fixture.GUIDAppleHFS),
		"apm": fixture.APMLayout(vol, "Apple_HFS"),
	} {
		p := filepath.Join(t.TempDir(), name+".dmg")
		if err := os.WriteFile(p, fixture.UDIFDisk(t, parts, fixture.UDIFOptions{}), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(sz, "t", "-tdmg", p).CombinedOutput()
		if err != nil || bytes.Contains(out, []byte("WARNING")) || bytes.Contains(out, []byte("ERROR")) {
			t.Errorf("%s: 7zz t: %v\n%s", name, err, out)
		}
		out, err = exec.Command(sz, "l", "-tdmg", p).CombinedOutput()
		if err != nil || !bytes.Contains(out, []byte(".hfs")) {
			t.Errorf("%s: 7zz l lists no .hfs partition: %v\n%s", name, err, out)
		}
	}
}

// TestVolumesSkipDrivers leaves out the driver partitions older hdiutil
// images carry in their Apple partition map.
func TestVolumesSkipDrivers(t *testing.T) {
	vol := fakeHFS(64 * 1024)
	parts := fixture.APMLayout(vol, "Apple_HFS")
	var disk []byte
	for _, p := range parts {
		disk = append(disk, p.Data...)
	}
	// Rewrite the map's second entry as a driver and add the volume as a
	// third entry.
	apm := disk[512 : 512+64*512]
	drv := apm[512:1024]
	copy(drv[48:80], append([]byte("Apple_Driver_ATAPI"), make([]byte, 14)...))
	third := apm[1024:1536]
	copy(third, apm[512:1024])
	copy(third[48:80], append([]byte("Apple_HFS"), make([]byte, 23)...))
	for _, e := range [][]byte{apm[:512], drv, third} {
		e[7] = 3 // map entries
	}
	vols, err := dmg.Volumes(bytes.NewReader(disk), int64(len(disk)))
	if err != nil || len(vols) != 1 || vols[0].Type != "Apple_HFS" || vols[0].Index != 2 {
		t.Errorf("volumes %+v, %v: want only the Apple_HFS entry", vols, err)
	}
}
