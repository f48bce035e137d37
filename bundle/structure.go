package bundle

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// StructureKind classifies a layout problem.
type StructureKind int

// Layout problems.
const (
	RootUnsealed       StructureKind = iota // something beside Contents at an app's root, or stray files in _CodeSignature
	FrameworkRoot                           // a framework root entry that is not a symlink into Versions/Current
	FrameworkFlattened                      // Versions/Current is not a symlink: the layout was copied without links
	SymlinkEscapes                          // a symlink leaves the bundle, points to an absolute path outside /System or /Library, or dangles
	AppleDouble                             // a ._ file
	NotRegular                              // main executable or Info.plist not a regular file; a device, pipe or socket
	MachOInResources                        // code under Resources
	TicketSymlink                           // Contents/CodeResources (the stapled ticket) is a symlink
	XattrDetritus                           // Finder info or a resource fork on a bundle file
)

// StructureProblem is one layout problem; Path is relative to the file
// system root.
type StructureProblem struct {
	Kind   StructureKind
	Path   string
	Detail string
}

// appRootAllowed are the only entries allowed beside Contents at an app
// root (Security: bundlediskrep.cpp).
var appRootAllowed = map[string]bool{"Contents": true, ".LSOverride": true, ".DS_Store": true, "Icon\r": true, ".SoftwareDepot.tracking": true}

// frameworkRootAllowed are framework root entries that need not be symlinks.
var frameworkRootAllowed = map[string]bool{"Versions": true, ".DS_Store": true, "module.map": true}

// signatureFiles are the files codesign writes into _CodeSignature.
func isSignatureFile(name string) bool {
	return name == "CodeResources" || strings.HasPrefix(name, "CodeDirectory") || strings.HasPrefix(name, "CodeRequirements") ||
		name == "CodeSignature" || name == "CodeEntitlements" || name == "CodeEntitlements-DER"
}

// Structure checks the bundle's layout as `codesign --strict` and Gatekeeper
// do. isMachO tells whether a regular file (a path in fsys) is Mach-O; it is
// used to find code under Resources; detritus names the disallowed extended
// attributes of a file ("" for none; nil skips the check). Nested bundles are
// not entered: they are checked as bundles of their own.
func (b *Bundle) Structure(fsys fs.FS, isMachO func(p string) bool, detritus func(p string) string) []StructureProblem {
	var out []StructureProblem
	add := func(k StructureKind, p, format string, args ...any) {
		out = append(out, StructureProblem{Kind: k, Path: p, Detail: fmt.Sprintf(format, args...)})
	}
	entries, _ := fs.ReadDir(fsys, b.Dir)
	switch b.Kind {
	case App:
		for _, e := range entries {
			if !appRootAllowed[e.Name()] {
				add(RootUnsealed, path.Join(b.Dir, e.Name()), "%q beside Contents at the bundle root", e.Name())
			}
		}
	case Framework:
		b.frameworkRoot(fsys, entries, add)
	}
	if sig, err := fs.ReadDir(fsys, path.Join(b.Content, "_CodeSignature")); err == nil {
		for _, e := range sig {
			if !isSignatureFile(e.Name()) {
				add(RootUnsealed, path.Join(b.Content, "_CodeSignature", e.Name()), "stray %q in _CodeSignature", e.Name())
			}
		}
	}
	for _, p := range []string{b.InfoPath, b.Executable} {
		if p == "" {
			continue
		}
		if fi, err := fs.Lstat(fsys, p); err == nil && !fi.Mode().IsRegular() {
			add(NotRegular, p, "the main executable and Info.plist must be regular files; this is a %s", kindOf(fi))
		}
	}
	if b.Kind == App {
		ticket := path.Join(b.Content, "CodeResources")
		if fi, err := fs.Lstat(fsys, ticket); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
			add(TicketSymlink, ticket, "Contents/CodeResources is a symbolic link; the stapler needs a regular file there")
		}
	}
	resources := path.Join(b.Content, "Resources")
	fs.WalkDir(fsys, b.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == b.Dir {
			return nil
		}
		if d.IsDir() {
			if _, nested := Detect(fsys, p); nested {
				return fs.SkipDir
			}
			if strings.HasPrefix(d.Name(), "._") {
				add(AppleDouble, p, "AppleDouble directory %q", d.Name())
			}
			return nil
		}
		name := d.Name()
		if strings.HasPrefix(name, "._") {
			add(AppleDouble, p, "AppleDouble file %q (resource fork or extended attributes materialised by an archiver)", name)
		}
		switch t := d.Type(); {
		case t&fs.ModeSymlink != 0:
			if msg := b.checkSymlink(fsys, p); msg != "" {
				add(SymlinkEscapes, p, "%s", msg)
			}
		case t.IsRegular():
			if strings.HasPrefix(p, resources+"/") && isMachO != nil && isMachO(p) {
				add(MachOInResources, p, "Mach-O file under Resources")
			}
			if detritus != nil {
				if names := detritus(p); names != "" {
					add(XattrDetritus, p, "extended attributes %s on a bundle file", names)
				}
			}
		default:
			if fi, err := d.Info(); err == nil {
				add(NotRegular, p, "unsupported %s in the bundle", kindOf(fi))
			}
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Kind < out[j].Kind
	})
	return out
}

// frameworkRoot checks that Versions/Current is a symlink and that every
// other root entry is a symlink to Versions/Current/<same name>.
func (b *Bundle) frameworkRoot(fsys fs.FS, entries []fs.DirEntry, add func(StructureKind, string, string, ...any)) {
	current := path.Join(b.Dir, "Versions", "Current")
	if fi, err := fs.Lstat(fsys, current); err == nil && fi.IsDir() {
		add(FrameworkFlattened, current, "Versions/Current is a directory, not a symbolic link: the framework was copied without its links")
	}
	for _, e := range entries {
		name := e.Name()
		if frameworkRootAllowed[name] {
			continue
		}
		p := path.Join(b.Dir, name)
		if e.Type()&fs.ModeSymlink == 0 {
			if isEntry(fsys, path.Join(b.Content, name)) {
				add(FrameworkFlattened, p, "%q is a real %s where a symbolic link to Versions/Current/%s belongs", name, kindName(e), name)
			} else {
				add(FrameworkRoot, p, "%q at the framework root is not a symbolic link into Versions/Current", name)
			}
			continue
		}
		target, err := fs.ReadLink(fsys, p)
		if err == nil && target != "Versions/Current/"+name {
			add(FrameworkRoot, p, "%q links to %q, not to Versions/Current/%s", name, target, name)
		}
	}
}

func kindName(e fs.DirEntry) string {
	if e.IsDir() {
		return "directory"
	}
	return "file"
}

// checkSymlink returns why a symlink is not allowed in a bundle, or "".
// Relative links must resolve inside the bundle to something that exists;
// absolute ones may only point under /System/ or /Library/.
func (b *Bundle) checkSymlink(fsys fs.FS, p string) string {
	target, err := fs.ReadLink(fsys, p)
	if err != nil {
		return fmt.Sprintf("cannot read link: %v", err)
	}
	if strings.HasPrefix(target, "/") {
		if strings.HasPrefix(target, "/System/") || strings.HasPrefix(target, "/Library/") {
			return ""
		}
		return fmt.Sprintf("absolute link to %q; only /System/ and /Library/ are allowed", target)
	}
	resolved := path.Join(path.Dir(p), target)
	if b.Dir != "." && resolved != b.Dir && !strings.HasPrefix(resolved, b.Dir+"/") {
		return fmt.Sprintf("link to %q leaves the bundle (it resolves to %q)", target, resolved)
	}
	if b.Dir == "." && (resolved == ".." || strings.HasPrefix(resolved, "../")) {
		return fmt.Sprintf("link to %q leaves the bundle", target)
	}
	if _, err := Resolve(fsys, resolved); err != nil {
		return fmt.Sprintf("link to %q dangles: nothing is at %q", target, resolved)
	}
	return ""
}

// maxLinkHops bounds symlink resolution (loops).
const maxLinkHops = 40

// Resolve follows the symbolic links in p, component by component, within
// fsys (an archive's file system does not resolve them itself), and returns
// the path it names. It fails when something along the way is missing, a
// link leaves the file system, or links loop.
func Resolve(fsys fs.FS, p string) (string, error) {
	hops := 0
	parts := strings.Split(p, "/")
	cur := "."
	for i := 0; i < len(parts); i++ {
		part := parts[i]
		if part == "" || part == "." {
			continue
		}
		next := path.Join(cur, part)
		if part == ".." {
			if cur == "." {
				return "", fmt.Errorf("%s leaves the file system", p)
			}
			cur = path.Dir(cur)
			continue
		}
		fi, err := fs.Lstat(fsys, next)
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			cur = next
			continue
		}
		if hops++; hops > maxLinkHops {
			return "", fmt.Errorf("%s: too many levels of symbolic links", p)
		}
		target, err := fs.ReadLink(fsys, next)
		if err != nil {
			return "", err
		}
		if strings.HasPrefix(target, "/") {
			return "", fmt.Errorf("%s: absolute link to %s", next, target)
		}
		rest := append(strings.Split(target, "/"), parts[i+1:]...)
		parts, i = rest, -1
		// cur stays the link's directory.
	}
	return cur, nil
}
