package dmg_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/notarylint/notarylint/dmg"
	"github.com/notarylint/notarylint/dmg/hfs"
	"github.com/notarylint/notarylint/internal/fixture"
)

// TestSevenZipExtract is the differential test of the whole path: a zlib
// image in hdiutil's GPT layout holding an HFS+ volume is read through
// dmg (chunks, disk, partition map) and dmg/hfs, and extracted by 7-Zip
// (the image, then its HFS partition); both must give the same files with
// the same SHA-256 and the same symlinks. Skipped without 7zz.
func TestSevenZipExtract(t *testing.T) {
	sz, err := exec.LookPath("7zz")
	if err != nil {
		t.Skip("7zz not installed")
	}
	root := t.TempDir()
	files := map[string][]byte{
		"App.app/Contents/Info.plist":       []byte("<plist/>"),
		"App.app/Contents/MacOS/App":        volume(300 * 1024),
		"App.app/Contents/Resources/a.txt":  []byte("alpha"),
		"App.app/Contents/Resources/empty":  nil,
		"docs/read me.txt":                  bytes.Repeat([]byte("text "), 20000),
		"docs/caf\u00e9/menu.txt":           []byte("coffee"),
		"App.app/Contents/Resources/z.data": volume(3 * 1024 * 1024),
	}
	for p, b := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("/Applications", filepath.Join(root, "Applications")); err != nil {
		t.Fatal(err)
	}
	img := fixture.UDIFDisk(t, fixture.GPTLayout(fixture.HFSPlus(t, root, fixture.HFSOptions{VolumeName: "App"}), fixture.GUIDAppleHFS), fixture.UDIFOptions{})

	ours := map[string]string{}
	d, err := dmg.Open(bytes.NewReader(img), int64(len(img)))
	if err != nil {
		t.Fatal(err)
	}
	disk, err := d.Disk()
	if err != nil {
		t.Fatal(err)
	}
	vols, err := dmg.Volumes(disk, disk.Size())
	if err != nil || len(vols) != 1 {
		t.Fatalf("volumes %+v, %v", vols, err)
	}
	v, err := hfs.Open(io.NewSectionReader(disk, vols[0].Offset, vols[0].Size), vols[0].Size)
	if err != nil {
		t.Fatal(err)
	}
	err = fs.WalkDir(v, ".", func(p string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		if de.Type()&fs.ModeSymlink != 0 {
			target, err := v.ReadLink(p)
			ours[p] = "-> " + target
			return err
		}
		b, err := fs.ReadFile(v, p)
		ours[p] = sum(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	imgPath := filepath.Join(dir, "App.dmg")
	if err := os.WriteFile(imgPath, img, 0o644); err != nil {
		t.Fatal(err)
	}
	parts := filepath.Join(dir, "parts")
	if out, err := exec.Command(sz, "x", "-tdmg", "-o"+parts, imgPath).CombinedOutput(); err != nil {
		t.Fatalf("7zz x dmg: %v\n%s", err, out)
	}
	hfsParts, _ := filepath.Glob(filepath.Join(parts, "*.hfs"))
	if len(hfsParts) != 1 {
		t.Fatalf("7-Zip extracted %v, want one .hfs partition", hfsParts)
	}
	tree := filepath.Join(dir, "tree")
	if out, err := exec.Command(sz, "x", "-thfs", "-snl", "-o"+tree, hfsParts[0]).CombinedOutput(); err != nil {
		t.Fatalf("7zz x hfs: %v\n%s", err, out)
	}
	theirs := map[string]string{}
	err = filepath.WalkDir(tree, func(p string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(tree, p)
		// 7-Zip puts the files in a folder named after the volume, and its
		// own entries ([SYSTEM]) beside it.
		rel = strings.TrimPrefix(filepath.ToSlash(rel), "App/")
		if strings.HasPrefix(rel, "[") {
			return nil
		}
		if de.Type()&fs.ModeSymlink != 0 {
			target, err := os.Readlink(p)
			// 7-Zip roots an absolute target in the output folder.
			theirs[rel] = "-> " + strings.TrimPrefix(target, tree)
			return err
		}
		b, err := os.ReadFile(p)
		theirs[rel] = sum(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for p, s := range theirs {
		if ours[p] != s {
			t.Errorf("%s: 7-Zip %s, notarylint %q", p, s, ours[p])
		}
	}
	if ours["Applications"] != "-> /Applications" {
		t.Errorf("the /Applications link reads %q", ours["Applications"])
	}
	for p := range ours {
		if _, ok := theirs[p]; !ok {
			t.Errorf("%s: read by notarylint, not extracted by 7-Zip", p)
		}
	}
	if len(ours) != len(files)+1 {
		t.Errorf("notarylint read %d files and links, want %d", len(ours), len(files)+1)
	}
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
