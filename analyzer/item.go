package analyzer

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/notarylint/notarylint/bundle"
)

// Item is one node of an input's tree: the input itself, or something found
// inside it.
type Item struct {
	// Path is '/'-separated and starts with the input's base name, following
	// the notary log's path grammar ("tools/bin/tool").
	Path string
	// Kind is what the item is.
	Kind Kind
	// Parent is the enclosing item, nil for a top-level input.
	Parent *Item
	// Input is the top-level input as given on the command line.
	Input string
	// Size is the item's size in bytes (0 for directories).
	Size int64

	// file is where the item's bytes are (for file-backed items).
	file string
	// fsys and rel locate the item in its input's directory tree (nil for a
	// bare file input).
	fsys fs.FS
	rel  string
	// bundle is the opened bundle of a bundle item.
	bundle *bundle.Bundle
	// machos holds the paths (in fsys) of every Mach-O file of the input,
	// found by discovery or, for sealed resources, while the seal check
	// hashes them; nil for a bare file input.
	machos *pathSet
	// base is the input's base name, which starts every item path.
	base string
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

// child returns a Mach-O item for a file of the input at fsys path p, below
// the bundle or directory item it.
func (it *Item) child(p string, size int64) *Item {
	return &Item{
		Path: it.base + "/" + p, Kind: KindMachO, Parent: it, Input: it.Input, Size: size,
		file: filepath.Join(it.Input, filepath.FromSlash(p)), fsys: it.fsys, rel: p, machos: it.machos, base: it.base,
	}
}

// TopLevel reports whether the item is an input itself.
func (it *Item) TopLevel() bool { return it.Parent == nil }

// open returns the item's bytes. The caller closes it.
func (it *Item) open() (readerAtCloser, error) {
	return os.Open(it.file)
}

type readerAtCloser interface {
	io.ReaderAt
	io.Closer
}
