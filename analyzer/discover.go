package analyzer

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"github.com/notarylint/notarylint/archive"
	"github.com/notarylint/notarylint/bundle"
	"github.com/notarylint/notarylint/macho"
	"github.com/notarylint/notarylint/pkg"
)

// sniffSize is how many leading bytes format detection reads.
const sniffSize = 1024

// sniff tells a file's kind from its first bytes and size, never from its
// name: a Mach-O file (thin or universal, not a Java class file), a flat
// package, an archive (zip and its .jar/.jmod forms, tar, gzip), or -1.
func sniff(head []byte, size int64) Kind {
	if macho.Detect(head, size) != macho.NotMachO {
		return KindMachO
	}
	if pkg.IsXar(head) {
		return KindPackage
	}
	if archiveFormat(head) != "" {
		return KindArchive
	}
	if diskImageHead(head) != "" {
		return KindDiskImage
	}
	return -1
}

// sniffFile is sniff, then a look at the file's tail for a UDIF trailer
// (see isUDIFTail); the name decides only whether the tail is read.
func sniffFile(fsys fs.FS, name string, head []byte, size int64, cheap bool) Kind {
	if k := sniff(head, size); k >= 0 {
		return k
	}
	if isUDIFTail(fsys, name, size, cheap) {
		return KindDiskImage
	}
	return -1
}

// archiveFormat names the archive format of a file's first bytes, or "".
func archiveFormat(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return "zip"
	case bytes.HasPrefix(head, []byte("JM\x01\x00PK\x03\x04")):
		return "jmod"
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return "gzip"
	case archive.IsTar(head):
		return "tar"
	}
	return ""
}

// ArchiveFacts are the facts of an archive item.
type ArchiveFacts struct {
	Format string // "zip", "jmod", "tar", "gzip"
	// Zip is set for zip and jmod archives.
	Zip *archive.ZipFS
	// Problems are the entries not served (unsafe or duplicate names).
	Problems []archive.Problem
	// Err says why the archive could not be opened or was not entered.
	Err error
	// MachO lists the Mach-O files found inside (paths in the archive),
	// including those inside archives nested in it.
	MachO []string
	// Unread lists the files inside that could not be read, with why (a
	// limit such as a zip bomb's ratio, or corruption).
	Unread []string
}

// archiveInfo is kept on the item.
type archiveInfo = ArchiveFacts

// discovery collects one input's items and keeps open the files archives
// are read from, until Close.
type discovery struct {
	mu      sync.Mutex
	items   []*Item
	closers []io.Closer
	// vc verifies code that is analysed while a package payload streams.
	vc verifyConfig
}

// Close closes the files the input's archives are read from.
func (d *discovery) Close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, c := range d.closers {
		c.Close()
	}
	d.closers = nil
}

func (d *discovery) add(it *Item) {
	d.mu.Lock()
	d.items = append(d.items, it)
	d.mu.Unlock()
}

// discover turns one input into items: a directory is walked (without
// following symlinks), a Mach-O file is one item, an archive is opened and
// walked like a directory. Bundles become bundle items, and every Mach-O
// file and archive found by its magic becomes an item whose parent is the
// innermost bundle or archive holding it; archives nest.
func discover(input string, budget *archive.Budget, vc verifyConfig) (*discovery, error) {
	st, err := os.Stat(input)
	if err != nil {
		return nil, err
	}
	base := filepath.Base(filepath.Clean(input))
	if base == "." || base == string(filepath.Separator) {
		if abs, err := filepath.Abs(input); err == nil {
			base = filepath.Base(abs)
		}
	}
	d := &discovery{vc: vc}
	if st.IsDir() {
		fsys := os.DirFS(input)
		root := &Item{Path: base, Kind: KindDirectory, Input: input, fsys: fsys, rel: ".", prefix: base, osDir: input,
			machos: newPathSet(), budget: budget}
		if b, ok := bundle.DetectNamed(fsys, ".", base); ok {
			root.Kind, root.bundle = KindBundle, b
		}
		root.disc = d
		d.add(root)
		d.walk(root, root)
		return d, nil
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: not a regular file or directory", ErrUnsupported)
	}
	dir := filepath.Dir(input)
	scope := &Item{Input: input, fsys: os.DirFS(dir), osDir: dir, machos: newPathSet(), budget: budget, disc: d}
	head, err := readHead(scope.fsys, filepath.Base(input), st.Size())
	if err != nil {
		return nil, err
	}
	kind := sniffFile(scope.fsys, filepath.Base(input), head, st.Size(), true)
	notUDIF := diskImageHead(head)
	if kind < 0 && strings.EqualFold(filepath.Ext(input), ".dmg") {
		kind, notUDIF = KindDiskImage, noTrailerReason(scope.fsys, filepath.Base(input), st.Size())
	}
	if kind < 0 {
		return nil, fmt.Errorf("%w: not a Mach-O file, a flat package, a disk image, an archive (zip, tar, gzip) or a directory", ErrUnsupported)
	}
	it := scope.child(kind, filepath.Base(input), st.Size())
	it.Parent, it.Path = nil, base
	d.add(it)
	switch kind {
	case KindArchive:
		d.enter(it, head)
	case KindPackage:
		d.enterPackage(it)
	case KindDiskImage:
		d.enterDiskImage(it, notUDIF)
	}
	return d, nil
}

// readHead reads the first sniffSize bytes of a file.
func readHead(fsys fs.FS, name string, size int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	head := make([]byte, min(size, sniffSize))
	if _, err := io.ReadFull(f, head); err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	return head, nil
}

// walk discovers the items of top's file system, below top, and returns
// them (with those inside the containers found there). Entries that cannot
// be read are recorded on top.
func (d *discovery) walk(top, scope *Item) []*Item {
	var out []*Item
	bundles := map[string]*Item{".": top}
	parentOf := func(p string) *Item {
		for dir := path.Dir(p); ; dir = path.Dir(dir) {
			if it, ok := bundles[dir]; ok {
				return it
			}
		}
	}
	fs.WalkDir(scope.fsys, ".", func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			d.unread(top, p, err) // an unreadable directory or entry: said, then skipped
			return nil
		}
		if p == "." {
			return nil
		}
		if de.IsDir() {
			if b, ok := bundle.Detect(scope.fsys, p); ok {
				it := scope.child(KindBundle, p, 0)
				it.Parent, it.bundle = parentOf(p), b
				bundles[p] = it
				d.add(it)
				out = append(out, it)
			}
			return nil
		}
		if !de.Type().IsRegular() {
			return nil
		}
		parent := parentOf(p)
		if _, digests := scope.fsys.(bundle.DigestFS); !digests && parent.bundle != nil && parent.bundle.Deferred(p) {
			return nil // the seal check reads it and tells what it is
		}
		info, err := de.Info()
		if err != nil {
			d.unread(top, p, err)
			return nil
		}
		if compressedFile(info) {
			if top.dmg != nil {
				d.mu.Lock()
				top.dmg.Compressed = append(top.dmg.Compressed, p)
				d.mu.Unlock()
			}
			return nil
		}
		head, err := readHead(scope.fsys, p, info.Size())
		if err != nil {
			d.unread(top, p, err)
			return nil
		}
		out = append(out, d.found(scope, parent, p, head, info.Size())...)
		return nil
	})
	return out
}

// found records a file whose first bytes were read: a Mach-O file or an
// archive becomes an item (and an archive is entered). It returns the new
// items.
func (d *discovery) found(scope, parent *Item, p string, head []byte, size int64) []*Item {
	kind := sniffFile(scope.fsys, p, head, size, scope.osDir != "" || scope.onImage)
	if kind < 0 {
		return nil
	}
	it := scope.child(kind, p, size)
	it.Parent = parent
	if kind == KindMachO {
		scope.machos.add(p)
	}
	d.add(it)
	out := []*Item{it}
	switch kind {
	case KindArchive:
		out = append(out, d.enter(it, head)...)
	case KindPackage:
		out = append(out, d.enterPackage(it)...)
	case KindDiskImage:
		out = append(out, d.enterDiskImage(it, diskImageHead(head))...)
	}
	return out
}

// openNested opens the file of an archive, package or disk image item,
// within the nesting limit, and keeps it open until Close.
func (d *discovery) openNested(it *Item) (f readerAtCloser, size int64, err error) {
	if it.budget != nil && it.depth >= it.budget.MaxDepth {
		return nil, 0, fmt.Errorf("%w: archives, packages and disk images nested %d deep", archive.ErrLimit, it.depth+1)
	}
	f, size, err = it.openFile(it.rel)
	if err != nil {
		return nil, 0, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closers = append(d.closers, f)
	return f, size, nil
}

// enter opens an archive item and walks its contents, within the depth and
// size limits, and returns the items found inside.
func (d *discovery) enter(it *Item, head []byte) []*Item {
	info := &archiveInfo{Format: archiveFormat(head)}
	it.archive = info
	f, size, err := d.openNested(it)
	if err != nil {
		info.Err = err
		return nil
	}
	var fsys fs.FS
	switch info.Format {
	case "zip", "jmod":
		z, err := archive.OpenZip(f, size, it.budget)
		if err != nil {
			info.Err = err
			return nil
		}
		info.Zip, info.Problems, fsys = z, z.Problems, z
	case "tar", "gzip":
		var m *archive.MemFS
		var err error
		if info.Format == "tar" {
			m, err = archive.OpenTar(io.NewSectionReader(f, 0, size), it.budget)
		} else {
			m, err = archive.OpenGzip(io.NewSectionReader(f, 0, size), it.budget, path.Base(it.rel))
		}
		if err != nil {
			info.Err = err
			return nil
		}
		info.Problems, fsys = m.Problems, m
	}
	scope := &Item{Input: it.Input, fsys: fsys, prefix: it.Path, machos: newPathSet(), budget: it.budget, depth: it.depth + 1, disc: d}
	inside := d.walk(it, scope)
	for _, c := range inside {
		if c.Kind == KindMachO {
			info.MachO = append(info.MachO, c.Path[len(it.Path)+1:])
		}
	}
	return inside
}
