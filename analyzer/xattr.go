package analyzer

import (
	"strings"

	"github.com/notarylint/notarylint/archive"

	"github.com/notarylint/notarylint/codesign"
)

// xattrCodeDirectories are the extended attributes in which codesign stores
// the CodeDirectories of code that is not Mach-O (scripts and data files in
// nested-code locations). The alternate CodeDirectory lands under the
// requirements name with a -1 suffix, a quirk of Apple's attribute naming.
var xattrCodeDirectories = []string{"com.apple.cs.CodeDirectory", "com.apple.cs.CodeRequirements-1", "com.apple.cs.CodeDirectory-1"}

// xattrCode returns the CodeDirectories codesign stored in a file's extended
// attributes, or nil. Only macOS file systems carry these attributes; an
// archive extracted elsewhere keeps them in ._ AppleDouble files instead.
func xattrCode(it *Item, rel string, readXattr func(path, name string) ([]byte, error)) []*codesign.CodeDirectory {
	var out []*codesign.CodeDirectory
	for _, name := range xattrCodeDirectories {
		b, err := itemXattr(it, rel, name, readXattr)
		if err != nil || len(b) == 0 {
			continue
		}
		if cd, err := codesign.ParseCodeDirectory(b); err == nil {
			out = append(out, cd)
		}
	}
	return out
}

// detritusXattrs are the extended attributes codesign --strict refuses on
// bundle files (QA1940).
var detritusXattrs = []string{"com.apple.FinderInfo", "com.apple.ResourceFork"}

// detritus names the disallowed extended attributes a file of the input
// carries, or "".
func detritus(it *Item, rel string, readXattr func(path, name string) ([]byte, error)) string {
	var found []string
	for _, name := range detritusXattrs {
		if b, err := itemXattr(it, rel, name, readXattr); err == nil && len(b) > 0 {
			found = append(found, name)
		}
	}
	return strings.Join(found, ", ")
}

// xattrFS is a file system that stores extended attributes itself (the
// HFS+ and APFS volumes of a disk image). Xattr returns nil, nil for an
// attribute the file does not have, and Finder info only when it is not
// all zeros.
type xattrFS interface {
	Xattr(name, attr string) ([]byte, error)
}

// itemXattr reads an extended attribute of a file of the item's file system:
// from the disk for a directory input, from the volume for a disk image's,
// from the archive's __MACOSX AppleDouble entries for a zip (as `ditto -x -k`
// would restore them).
func itemXattr(it *Item, rel, name string, readXattr func(path, name string) ([]byte, error)) ([]byte, error) {
	if p := it.osPath(rel); p != "" {
		return readXattr(p, name)
	}
	if x, ok := it.fsys.(xattrFS); ok {
		return x.Xattr(rel, name)
	}
	if x, ok := it.fsys.(interface {
		Xattrs(string) (*archive.AppleDoubleFile, error)
	}); ok {
		ad, err := x.Xattrs(rel)
		if err != nil || ad == nil {
			return nil, err
		}
		switch name {
		case "com.apple.FinderInfo":
			if len(ad.FinderInfo) > 0 && !allZero(ad.FinderInfo) {
				return ad.FinderInfo, nil
			}
			return nil, nil
		case "com.apple.ResourceFork":
			return ad.ResourceFork, nil
		}
		return ad.Xattrs[name], nil
	}
	return nil, nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
