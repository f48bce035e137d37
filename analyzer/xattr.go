package analyzer

import (
	"path/filepath"

	"github.com/notarylint/notarylint/codesign"
)

// xattrCodeDirectories are the extended attributes in which codesign stores
// the CodeDirectories of code that is not Mach-O (scripts and data files in
// nested-code locations). The alternate CodeDirectory lands under the
// requirements name with a -1 suffix, a quirk of Apple's attribute naming.
var xattrCodeDirectories = []string{"com.apple.cs.CodeDirectory", "com.apple.cs.CodeRequirements-1", "com.apple.cs.CodeDirectory-1"}

// readXattr reads an extended attribute (xattr_unix.go); tests replace it.
var readXattr = getxattr

// xattrCode returns the CodeDirectories codesign stored in a file's extended
// attributes, or nil. Only macOS file systems carry these attributes; an
// archive extracted elsewhere keeps them in ._ AppleDouble files instead.
func xattrCode(it *Item, rel string) []*codesign.CodeDirectory {
	p := filepath.Join(it.Input, filepath.FromSlash(rel))
	var out []*codesign.CodeDirectory
	for _, name := range xattrCodeDirectories {
		b, err := readXattr(p, name)
		if err != nil || len(b) == 0 {
			continue
		}
		if cd, err := codesign.ParseCodeDirectory(b); err == nil {
			out = append(out, cd)
		}
	}
	return out
}
