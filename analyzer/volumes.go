package analyzer

import (
	"io"
	"io/fs"

	"github.com/notarylint/notarylint/dmg"
	"github.com/notarylint/notarylint/dmg/apfs"
	"github.com/notarylint/notarylint/dmg/hfs"
)

// volumeOpeners open the file systems of a disk image's volumes, by
// dmg.Volume.Format. Each returns an fs.FS that also implements
// fs.ReadLinkFS and serves files with io.ReaderAt, and xattrFS.
var volumeOpeners = map[string]func(r io.ReaderAt, size int64) (fs.FS, error){
	dmg.FormatHFSPlus: openHFS,
	dmg.FormatHFSX:    openHFS,
	dmg.FormatAPFS:    openAPFS,
}

func openHFS(r io.ReaderAt, size int64) (fs.FS, error) { return hfs.Open(r, size) }

func openAPFS(r io.ReaderAt, size int64) (fs.FS, error) { return apfs.Open(r, size) }

// compressedFile reports whether a file of a disk image's volume is stored
// compressed (decmpfs), which the readers detect but do not decode.
func compressedFile(info fs.FileInfo) bool {
	switch e := info.Sys().(type) {
	case *hfs.Entry:
		return e.Compressed
	case *apfs.Entry:
		return e.Compressed
	}
	return false
}
