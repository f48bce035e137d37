package analyzer

import (
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"sync"

	"github.com/notarylint/notarylint/archive"
	"github.com/notarylint/notarylint/bundle"
)

// Item is one node of an input's tree: the input itself, or something found
// inside it.
type Item struct {
	// Path is '/'-separated and starts with the input's base name, following
	// the notary log's path grammar ("App.zip/App.app/Contents/MacOS/App",
	// ".../x.jar/lib/libfoo.dylib").
	Path string
	// Kind is what the item is.
	Kind Kind
	// Parent is the enclosing item, nil for a top-level input.
	Parent *Item
	// Input is the top-level input as given on the command line.
	Input string
	// Size is the item's size in bytes (0 for directories).
	Size int64

	// fsys and rel locate the item: the file system it lives in (a
	// directory, an archive) and its path there.
	fsys fs.FS
	rel  string
	// prefix is the item path of fsys's root, "" for a bare file input.
	prefix string
	// osDir is fsys's directory on disk when fsys is one (for extended
	// attributes), else "".
	osDir string
	// bundle is the opened bundle of a bundle item.
	bundle *bundle.Bundle
	// archive is the opened archive of an archive item.
	archive *archiveInfo
	// pkg is the opened package of a package item.
	pkg *PackageFacts
	// dmg is the opened disk image of a disk image item.
	dmg *DiskImageFacts
	// onImage is set for items on a disk image's file system, whose files
	// have cheap random access.
	onImage bool
	// archs are a Mach-O item's slices, once analysed.
	archs []string
	// code holds the facts of fsys's Mach-O files that were analysed while
	// a package payload streamed by (their bytes are gone); nil elsewhere.
	code *codeCache
	// machos holds the paths (in fsys) of the Mach-O files of fsys, found by
	// discovery or, for sealed resources, while the seal check hashes them.
	machos *pathSet
	// budget bounds decompression for the whole input; depth counts the
	// archives this item is nested in.
	budget *archive.Budget
	depth  int
	// disc is the discovery the item belongs to, which items found later
	// (code among a bundle's sealed resources) join.
	disc *discovery
}

// TopLevel reports whether the item is an input itself.
func (it *Item) TopLevel() bool { return it.Parent == nil }

// child returns an item for the file at fsys path p, below it.
func (it *Item) child(kind Kind, p string, size int64) *Item {
	path := p
	if it.prefix != "" {
		path = it.prefix + "/" + p
	}
	return &Item{
		Path: path, Kind: kind, Parent: it, Input: it.Input, Size: size,
		fsys: it.fsys, rel: p, prefix: it.prefix, osDir: it.osDir, machos: it.machos, code: it.code, budget: it.budget, depth: it.depth, disc: it.disc,
		onImage: it.onImage,
	}
}

// osPath returns the item's file on disk, or "" when it is inside an
// archive.
func (it *Item) osPath(rel string) string {
	if it.osDir == "" {
		return ""
	}
	return filepath.Join(it.osDir, filepath.FromSlash(rel))
}

// open returns the bytes of the file at rel in the item's file system.
func (it *Item) openFile(rel string) (readerAtCloser, int64, error) {
	f, err := it.fsys.Open(rel)
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	ra, ok := f.(io.ReaderAt)
	if !ok || !st.Mode().IsRegular() {
		f.Close()
		return nil, 0, fmt.Errorf("%s: not a regular file with random access", rel)
	}
	return struct {
		io.ReaderAt
		io.Closer
	}{ra, f}, st.Size(), nil
}

// open returns the item's own bytes.
func (it *Item) open() (readerAtCloser, error) {
	f, _, err := it.openFile(it.rel)
	return f, err
}

type readerAtCloser interface {
	io.ReaderAt
	io.Closer
}

// pathSet is a set of paths safe for concurrent use.
type pathSet struct {
	mu sync.RWMutex
	m  map[string]bool
}

func newPathSet() *pathSet { return &pathSet{m: map[string]bool{}} }

func (s *pathSet) add(p string) {
	s.mu.Lock()
	s.m[p] = true
	s.mu.Unlock()
}

func (s *pathSet) has(p string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.m[p]
}

// codeCache maps paths to Mach-O facts, safe for concurrent use.
type codeCache struct {
	mu sync.RWMutex
	m  map[string]*MachOFacts
}

func (c *codeCache) put(p string, f *MachOFacts) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]*MachOFacts{}
	}
	c.m[p] = f
}

// get returns the facts of p, or nil (also for a nil cache).
func (c *codeCache) get(p string) *MachOFacts {
	if c == nil {
		return nil
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.m[p]
}
