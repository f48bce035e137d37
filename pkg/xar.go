package pkg

import (
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"compress/zlib"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"strings"
	"sync"

	"github.com/notarylint/notarylint/archive"
)

// Xar is an opened xar archive.
type Xar struct {
	// HeaderSize and the TOC sizes as the header declares them.
	HeaderSize    int
	TOCCompressed int64
	TOCSize       int64
	// ChecksumAlg names the TOC checksum algorithm ("sha1", "sha256", …).
	ChecksumAlg string
	// TOCChecksum is the digest of the compressed TOC as stored in the heap;
	// TOCChecksumOK reports whether it matches the TOC.
	TOCChecksum   []byte
	TOCChecksumOK bool
	// TOCRaw is the compressed TOC; TOC the parsed table of contents.
	TOCRaw []byte
	TOC    *TOC
	// HeapStart is the file offset of the heap.
	HeapStart int64
	// Files is the archive's contents.
	Files *archive.Tree
	// FileChecksumErrs lists files whose archived or extracted bytes did not match the
	// checksum the TOC records, among those read so far (BadChecksums).
	FileChecksumErrs []string

	r    io.ReaderAt
	size int64
	mu   sync.Mutex
	// eas are the files' extended attributes, by path in Files.
	eas map[string][]tocEA
}

func (x *Xar) badChecksum(name string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, n := range x.FileChecksumErrs {
		if n == name {
			return
		}
	}
	x.FileChecksumErrs = append(x.FileChecksumErrs, name)
}

// BadChecksums returns the files read so far whose archived bytes do not
// match the checksum the TOC records.
func (x *Xar) BadChecksums() []string {
	x.mu.Lock()
	defer x.mu.Unlock()
	return append([]string(nil), x.FileChecksumErrs...)
}

// checkedReader hashes what it reads and calls onBad at EOF when the digest
// is not want.
type checkedReader struct {
	r     io.Reader
	h     hash.Hash
	want  string
	onBad func()
	done  bool
}

func (c *checkedReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.h.Write(p[:n])
	if err == io.EOF && !c.done {
		c.done = true
		if hex.EncodeToString(c.h.Sum(nil)) != c.want {
			c.onBad()
		}
	}
	return n, err
}

// checked wraps r to check a TOC checksum at EOF, when the TOC gives one
// of a known style.
func checked(r io.Reader, sum tocHash, onBad func()) io.Reader {
	h := newHash(sum.Style)
	if h == nil || sum.Value == "" {
		return r
	}
	return &checkedReader{r: r, h: h, want: strings.ToLower(strings.TrimSpace(sum.Value)), onBad: onBad}
}

// TOC is a xar table of contents.
type TOC struct {
	Checksum  tocChecksum `xml:"toc>checksum"`
	Signature *tocSig     `xml:"toc>signature"`
	XSig      *tocSig     `xml:"toc>x-signature"`
	Files     []tocFile   `xml:"toc>file"`
}

type tocChecksum struct {
	Style  string `xml:"style,attr"`
	Offset int64  `xml:"offset"`
	Size   int64  `xml:"size"`
}

// tocSig is a <signature> or <x-signature> element.
type tocSig struct {
	Style  string   `xml:"style,attr"`
	Offset int64    `xml:"offset"`
	Size   int64    `xml:"size"`
	Certs  []string `xml:"KeyInfo>X509Data>X509Certificate"`
}

type tocFile struct {
	ID    string    `xml:"id,attr"`
	Name  string    `xml:"name"`
	Type  string    `xml:"type"`
	Mode  string    `xml:"mode"`
	Link  *tocLink  `xml:"link"`
	Data  *tocData  `xml:"data"`
	EAs   []tocEA   `xml:"ea"`
	Files []tocFile `xml:"file"`
}

// tocEA is an extended attribute of a file: its name and where its value
// lies in the heap, like a file's data.
type tocEA struct {
	Name string `xml:"name"`
	tocData
}

type tocLink struct {
	Type   string `xml:"type,attr"`
	Target string `xml:",chardata"`
}

type tocData struct {
	Length            int64    `xml:"length"`
	Offset            int64    `xml:"offset"`
	Size              int64    `xml:"size"`
	Encoding          tocStyle `xml:"encoding"`
	ArchivedChecksum  tocHash  `xml:"archived-checksum"`
	ExtractedChecksum tocHash  `xml:"extracted-checksum"`
}

type tocStyle struct {
	Style string `xml:"style,attr"`
}

type tocHash struct {
	Style string `xml:"style,attr"`
	Value string `xml:",chardata"`
}

// Limits on the TOC.
const (
	xarHeaderMin = 28
	maxTOCSize   = 64 << 20
	maxTOCDepth  = 64
)

// IsXar reports whether b starts with the xar magic.
func IsXar(b []byte) bool { return bytes.HasPrefix(b, []byte("xar!")) }

// OpenXar reads a xar archive's header and table of contents and checks
// the TOC checksum. Files are read lazily through Files.
func OpenXar(r io.ReaderAt, size int64, budget *archive.Budget) (*Xar, error) {
	var h [xarHeaderMin]byte
	if size < xarHeaderMin {
		return nil, fmt.Errorf("xar at 0x0: file is only %d bytes", size)
	}
	if _, err := r.ReadAt(h[:], 0); err != nil {
		return nil, fmt.Errorf("xar header: %w", err)
	}
	be := binary.BigEndian
	if !IsXar(h[:]) {
		return nil, fmt.Errorf("xar at 0x0: bad magic")
	}
	x := &Xar{r: r, size: size, HeaderSize: int(be.Uint16(h[4:])),
		TOCCompressed: int64(be.Uint64(h[8:])), TOCSize: int64(be.Uint64(h[16:]))}
	alg := be.Uint32(h[24:])
	if x.HeaderSize < xarHeaderMin || int64(x.HeaderSize) > size {
		return nil, fmt.Errorf("xar at 0x4: header size %d", x.HeaderSize)
	}
	switch alg {
	case 0:
		x.ChecksumAlg = "none"
	case 1:
		x.ChecksumAlg = "sha1"
	case 2:
		x.ChecksumAlg = "md5"
	case 3, 4:
		if x.HeaderSize == xarHeaderMin {
			// Writers without the named-algorithm header (relic) number
			// sha256 3 and sha512 4.
			x.ChecksumAlg = map[uint32]string{3: "sha256", 4: "sha512"}[alg]
			break
		}
		if alg == 4 {
			return nil, fmt.Errorf("xar at 0x18: unknown checksum algorithm %d", alg)
		}
		name := make([]byte, x.HeaderSize-xarHeaderMin)
		if _, err := r.ReadAt(name, xarHeaderMin); err != nil {
			return nil, fmt.Errorf("xar header: %w", err)
		}
		x.ChecksumAlg = strings.TrimRight(string(name), "\x00")
	default:
		return nil, fmt.Errorf("xar at 0x18: unknown checksum algorithm %d", alg)
	}
	if x.TOCCompressed <= 0 || x.TOCCompressed > size-int64(x.HeaderSize) || x.TOCSize <= 0 || x.TOCSize > maxTOCSize {
		return nil, fmt.Errorf("xar at 0x8: TOC of %d bytes (%d compressed) does not fit", x.TOCSize, x.TOCCompressed)
	}
	x.TOCRaw = make([]byte, x.TOCCompressed)
	if _, err := r.ReadAt(x.TOCRaw, int64(x.HeaderSize)); err != nil {
		return nil, fmt.Errorf("xar TOC: %w", err)
	}
	x.HeapStart = int64(x.HeaderSize) + x.TOCCompressed
	zr, err := zlib.NewReader(bytes.NewReader(x.TOCRaw))
	if err != nil {
		return nil, fmt.Errorf("xar TOC at %#x: %w", x.HeaderSize, err)
	}
	tocXML, err := io.ReadAll(io.LimitReader(zr, x.TOCSize+1))
	if err != nil || int64(len(tocXML)) != x.TOCSize {
		return nil, fmt.Errorf("xar TOC at %#x: inflates to %d bytes, header says %d (%v)", x.HeaderSize, len(tocXML), x.TOCSize, err)
	}
	if err := checkDepth(tocXML); err != nil {
		return nil, err
	}
	x.TOC = &TOC{}
	if err := xml.Unmarshal(tocXML, x.TOC); err != nil {
		return nil, fmt.Errorf("xar TOC: %w", err)
	}
	if style := strings.ToLower(x.TOC.Checksum.Style); style != "" {
		// The TOC names the algorithm the checksum is computed with; the
		// header's number is only a hint (3 means "named elsewhere").
		x.ChecksumAlg = style
	}
	if err := x.checkTOCChecksum(); err != nil {
		return nil, err
	}
	x.Files = archive.NewTree()
	x.addFiles(x.TOC.Files, "", budget, 0)
	return x, nil
}

// checkDepth refuses TOCs nested absurdly deep before encoding/xml recurses.
func checkDepth(doc []byte) error {
	d := xml.NewDecoder(bytes.NewReader(doc))
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("xar TOC at %#x: %w", d.InputOffset(), err)
		}
		switch tok.(type) {
		case xml.StartElement:
			if depth++; depth > maxTOCDepth {
				return fmt.Errorf("xar TOC at %#x: nested deeper than %d", d.InputOffset(), maxTOCDepth)
			}
		case xml.EndElement:
			depth--
		}
	}
}

func newHash(style string) hash.Hash {
	switch strings.ToLower(style) {
	case "sha1":
		return sha1.New()
	case "sha256":
		return sha256.New()
	case "sha512":
		return sha512.New()
	case "md5":
		return md5.New()
	}
	return nil
}

func (x *Xar) checkTOCChecksum() error {
	c := x.TOC.Checksum
	h := newHash(c.Style)
	if h == nil {
		return fmt.Errorf("xar TOC: checksum style %q not supported", c.Style)
	}
	if c.Size != int64(h.Size()) || c.Offset < 0 || c.Offset+c.Size > x.size-x.HeapStart {
		return fmt.Errorf("xar TOC: checksum at heap offset %d size %d does not fit", c.Offset, c.Size)
	}
	x.TOCChecksum = make([]byte, c.Size)
	if _, err := x.r.ReadAt(x.TOCChecksum, x.HeapStart+c.Offset); err != nil {
		return fmt.Errorf("xar TOC checksum: %w", err)
	}
	h.Write(x.TOCRaw)
	x.TOCChecksumOK = bytes.Equal(h.Sum(nil), x.TOCChecksum)
	return nil
}

// HeapBytes reads n bytes at a heap offset.
func (x *Xar) HeapBytes(off, n int64) ([]byte, error) {
	if off < 0 || n < 0 || n > 16<<20 || off+n > x.size-x.HeapStart {
		return nil, fmt.Errorf("xar heap range [%d, +%d) outside the file", off, n)
	}
	b := make([]byte, n)
	_, err := x.r.ReadAt(b, x.HeapStart+off)
	return b, err
}

// Certificates decodes a signature's X.509 certificates (DER).
func (s *tocSig) Certificates() [][]byte {
	var out [][]byte
	for _, c := range s.Certs {
		b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(c), ""))
		if err == nil {
			out = append(out, b)
		}
	}
	return out
}

func (x *Xar) addFiles(files []tocFile, dir string, budget *archive.Budget, depth int) {
	if depth > maxTOCDepth {
		return
	}
	for i := range files {
		f := &files[i]
		name := f.Name
		if dir != "" {
			name = dir + "/" + f.Name
		}
		switch f.Type {
		case "directory":
			x.Files.Add(name, &archive.Entry{Mode: fs.ModeDir | 0o755})
			x.addFiles(f.Files, name, budget, depth+1)
		case "symlink":
			target := ""
			if f.Link != nil {
				target = f.Link.Target
			}
			x.Files.Add(name, &archive.Entry{Mode: fs.ModeSymlink | 0o755, Link: target})
		case "file", "":
			x.addFile(name, f, budget)
		}
	}
}

func (x *Xar) addFile(name string, f *tocFile, budget *archive.Budget) {
	if len(f.EAs) > 0 {
		if x.eas == nil {
			x.eas = map[string][]tocEA{}
		}
		x.eas[archive.CleanName(name)] = f.EAs
	}
	if f.Data == nil {
		x.Files.Add(name, &archive.Entry{Mode: 0o644,
			Open:   func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(nil)), nil },
			Random: func() (io.ReaderAt, error) { return bytes.NewReader(nil), nil },
		})
		return
	}
	e, err := x.heapEntry(name, f.Data, budget)
	if err != nil {
		x.Files.Problems = append(x.Files.Problems, archive.Problem{Name: name, Reason: err.Error()})
		return
	}
	x.Files.Add(name, e)
}

// heapEntry returns an entry reading data from the heap, decoded, with its
// archived and extracted checksums checked as the bytes stream by.
func (x *Xar) heapEntry(name string, d *tocData, budget *archive.Budget) (*archive.Entry, error) {
	if d.Offset < 0 || d.Length < 0 || d.Offset+d.Length > x.size-x.HeapStart || d.Size < 0 {
		return nil, fmt.Errorf("data [%d, +%d) outside the heap", d.Offset, d.Length)
	}
	e := &archive.Entry{Mode: 0o644, Size: d.Size}
	archived := io.NewSectionReader(x.r, x.HeapStart+d.Offset, d.Length)
	enc := d.Encoding.Style
	e.Open = func() (io.ReadCloser, error) {
		onBad := func() { x.badChecksum(name) }
		var src io.Reader = io.NewSectionReader(x.r, x.HeapStart+d.Offset, d.Length)
		src = checked(src, d.ArchivedChecksum, onBad)
		rc, err := decode(enc, src, name)
		if err != nil {
			return nil, err
		}
		return struct {
			io.Reader
			io.Closer
		}{checked(rc, d.ExtractedChecksum, onBad), rc}, nil
	}
	if enc == "application/octet-stream" || enc == "" {
		e.Random = func() (io.ReaderAt, error) { return archived, nil }
	} else {
		e.Random = func() (io.ReaderAt, error) { return budget.Inflate(name, d.Size, e.Open) }
	}
	return e, nil
}

// maxEA bounds an extended attribute's value.
const maxEA = 1 << 20

// ExtendedAttributes returns the extended attributes the TOC records for
// the file at name (its path in Files), by attribute name.
func (x *Xar) ExtendedAttributes(name string) (map[string][]byte, error) {
	out := map[string][]byte{}
	for i := range x.eas[name] {
		ea := &x.eas[name][i]
		where := name + " extended attribute " + ea.Name
		if ea.Size > maxEA {
			return out, fmt.Errorf("%s: %d bytes, more than %d", where, ea.Size, maxEA)
		}
		e, err := x.heapEntry(where, &ea.tocData, nil)
		if err != nil {
			return out, fmt.Errorf("%s: %w", where, err)
		}
		rc, err := e.Open()
		if err != nil {
			return out, err
		}
		v, err := io.ReadAll(io.LimitReader(rc, maxEA))
		rc.Close()
		if err != nil {
			return out, fmt.Errorf("%s: %w", where, err)
		}
		out[ea.Name] = v
	}
	return out, nil
}

// decode returns a reader of a heap file's extracted bytes.
func decode(style string, r io.Reader, name string) (io.ReadCloser, error) {
	switch style {
	case "application/x-gzip":
		// xar's "gzip" encoding is a zlib stream.
		zr, err := zlib.NewReader(r)
		if err != nil {
			if gr, gerr := gzip.NewReader(r); gerr == nil {
				return gr, nil
			}
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return zr, nil
	case "application/x-bzip2":
		return io.NopCloser(bzip2.NewReader(r)), nil
	case "application/octet-stream", "":
		return io.NopCloser(r), nil
	}
	return nil, fmt.Errorf("%s: unsupported encoding %q", name, style)
}
