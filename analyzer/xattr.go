package analyzer

import (
	"path/filepath"
	"strings"

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

// detritusXattrs are the extended attributes codesign --strict refuses on
// bundle files (QA1940).
var detritusXattrs = []string{"com.apple.FinderInfo", "com.apple.ResourceFork"}

// detritus names the disallowed extended attributes a file of the input
// carries, or "".
func detritus(it *Item, rel string, readXattr func(path, name string) ([]byte, error)) string {
	p := filepath.Join(it.Input, filepath.FromSlash(rel))
	var found []string
	for _, name := range detritusXattrs {
		if b, err := readXattr(p, name); err == nil && len(b) > 0 {
			found = append(found, name)
		}
	}
	return strings.Join(found, ", ")
}
