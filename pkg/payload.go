package pkg

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha1"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/notarylint/notarylint/archive"
)

// ErrStreamed is returned when reading past the first bytes of a payload
// file whose content was hashed while streaming but not kept.
var ErrStreamed = errors.New("payload file content was streamed, not kept (only its digests and first bytes)")

// KeepContent decides, from a payload file's name, first bytes and size,
// whether its whole content is kept in memory (code, archives, plists);
// everything else is hashed as it streams by and then dropped.
type KeepContent func(name string, head []byte, size int64) bool

// HeadSize is how many leading bytes of every payload file are kept.
const HeadSize = 1024

// PayloadFormat names a payload's encoding from its first bytes: "gzip",
// "pbzx", "cpio" or "".
func PayloadFormat(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return "gzip"
	case bytes.HasPrefix(head, []byte("pbzx")):
		return "pbzx"
	case bytes.HasPrefix(head, []byte("070707")):
		return "cpio"
	}
	return ""
}

// Payload is an unpacked Payload or Scripts archive.
type Payload struct {
	// Format is "gzip", "pbzx" or "cpio".
	Format string
	// Tree holds the files: digests for all, content for those kept.
	Tree *archive.Tree
	// BareNames are cpio names that do not start with "./" as Apple's
	// tools write them (at most a few are listed).
	BareNames []string
}

// OpenPayload streams a Payload or Scripts file (gzip, pbzx or plain odc
// cpio) once and returns its tree. Every file's SHA-256 and SHA-1 are
// computed as it streams by; only files keep says so are held in memory
// (within the budget), the others keep their first HeadSize bytes.
//
// consume, when set, is given each kept file's content as soon as it is
// read, under its name in the tree; when it returns true the content is
// dropped again (the entry keeps its digests and first bytes, like a file
// not kept), so that memory holds one such file at a time.
func OpenPayload(r io.Reader, budget *archive.Budget, keep KeepContent, consume func(name string, data []byte) bool) (*Payload, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(8)
	var cpio io.Reader
	pl := &Payload{Format: PayloadFormat(head)}
	switch pl.Format {
	case "gzip":
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("payload: gzip: %w", err)
		}
		defer zr.Close()
		ra := newReadAhead(zr)
		defer ra.Close()
		cpio = ra
	case "pbzx":
		pz := newPBZX(br, runtime.GOMAXPROCS(0))
		defer pz.Close()
		cpio = pz
	case "cpio":
		cpio = br
	default:
		return nil, fmt.Errorf("payload: unknown format (first bytes % x)", head)
	}
	tree, err := readCPIO(budget.Reader(cpio), budget, keep, consume, pl)
	if err != nil {
		return nil, err
	}
	pl.Tree = tree
	return pl, nil
}

// maxBareNames bounds the BareNames list.
const maxBareNames = 5

// odc cpio header: magic "070707" and ten octal fields.
const odcHeader = 76

// maxCPIOName bounds a cpio name.
const maxCPIOName = 4096

func readCPIO(r io.Reader, budget *archive.Budget, keep KeepContent, consume func(string, []byte) bool, pl *Payload) (*archive.Tree, error) {
	t := archive.NewTree()
	var h [odcHeader]byte
	var off int64
	for entries := 0; ; entries++ {
		if budget != nil && entries > budget.MaxEntries {
			return nil, fmt.Errorf("cpio: %w: more than %d entries", archive.ErrLimit, budget.MaxEntries)
		}
		if _, err := io.ReadFull(r, h[:]); err != nil {
			return nil, fmt.Errorf("cpio header at %#x: %w", off, err)
		}
		if string(h[:6]) != "070707" {
			return nil, fmt.Errorf("cpio header at %#x: magic %q, want odc 070707", off, h[:6])
		}
		field := func(from, n int) (int64, error) {
			return strconv.ParseInt(strings.TrimSpace(string(h[from:from+n])), 8, 64)
		}
		mode, err1 := field(18, 6)
		mtime, err2 := field(48, 11)
		nameSize, err3 := field(59, 6)
		size, err4 := field(65, 11)
		if err := errors.Join(err1, err2, err3, err4); err != nil || nameSize <= 0 || nameSize > maxCPIOName || size < 0 {
			return nil, fmt.Errorf("cpio header at %#x: bad fields (%v)", off, err)
		}
		nameBuf := make([]byte, nameSize)
		if _, err := io.ReadFull(r, nameBuf); err != nil {
			return nil, fmt.Errorf("cpio name at %#x: %w", off+odcHeader, err)
		}
		name := strings.TrimRight(string(nameBuf), "\x00")
		off += odcHeader + nameSize
		if name == "TRAILER!!!" {
			return t, nil
		}
		if name != "." && !strings.HasPrefix(name, "./") && len(pl.BareNames) < maxBareNames {
			pl.BareNames = append(pl.BareNames, name)
		}
		e := &archive.Entry{ModTime: time.Unix(mtime, 0), Size: size}
		perm := fs.FileMode(mode & 0o7777)
		switch mode & 0o170000 {
		case 0o040000:
			e.Mode = fs.ModeDir | perm
			if _, err := io.CopyN(io.Discard, r, size); err != nil {
				return nil, err
			}
		case 0o120000:
			if size > maxCPIOName {
				return nil, fmt.Errorf("cpio %s at %#x: link target of %d bytes", name, off, size)
			}
			target := make([]byte, size)
			if _, err := io.ReadFull(r, target); err != nil {
				return nil, fmt.Errorf("cpio %s: %w", name, err)
			}
			e.Mode, e.Link, e.Size = fs.ModeSymlink|perm, string(target), 0
		case 0o100000:
			e.Mode = perm
			if err := readEntry(r, e, name, size, budget, keep, consume); err != nil {
				return nil, err
			}
		default:
			e.Mode = fs.ModeIrregular | perm
			if _, err := io.CopyN(io.Discard, r, size); err != nil {
				return nil, err
			}
		}
		off += size
		t.Add(name, e)
	}
}

// readEntry streams one regular file: digests always, content when kept
// (and not consumed).
func readEntry(r io.Reader, e *archive.Entry, name string, size int64, budget *archive.Budget, keep KeepContent, consume func(string, []byte) bool) error {
	headLen := min(size, HeadSize)
	head := make([]byte, headLen)
	if _, err := io.ReadFull(r, head); err != nil {
		return fmt.Errorf("cpio %s: %w", name, err)
	}
	h256, h1 := sha256.New(), sha1.New()
	h256.Write(head)
	h1.Write(head)
	kept := keep != nil && keep(name, head, size)
	if kept && budget != nil && size > budget.MaxMemoryFile {
		kept = false
	}
	e.Open = func() (io.ReadCloser, error) {
		return io.NopCloser(io.MultiReader(bytes.NewReader(head), errReader{ErrStreamed})), nil
	}
	if kept {
		data := make([]byte, size)
		copy(data, head)
		if _, err := io.ReadFull(r, data[headLen:]); err != nil {
			return fmt.Errorf("cpio %s: %w", name, err)
		}
		h256.Write(data[headLen:])
		h1.Write(data[headLen:])
		if consume == nil || !consume(archive.CleanName(name), data) {
			e.Open = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
			e.Random = func() (io.ReaderAt, error) { return bytes.NewReader(data), nil }
		}
	} else if _, err := io.CopyN(io.MultiWriter(h256, h1), r, size-headLen); err != nil {
		return fmt.Errorf("cpio %s: %w", name, err)
	}
	e.Digests = map[string][]byte{"sha256": h256.Sum(nil), "sha1": h1.Sum(nil)}
	return nil
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
