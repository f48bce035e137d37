package pkg

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/notarylint/notarylint/archive"
)

// Package is an opened flat installer package.
type Package struct {
	Xar *Xar
	// Product is true for a distribution (product) package: a Distribution
	// file at the top and components inside.
	Product bool
	// DistributionRaw and Distribution are the Distribution file; DistErr
	// says why it could not be parsed.
	DistributionRaw []byte
	Distribution    *Distribution
	DistErr         error
	Components      []*Component
	// SignedComponents are component packages stored as signed flat
	// packages inside a product, instead of as directories.
	SignedComponents []string
	// Ticket is the stapled notarization ticket, nil when none.
	Ticket []byte
	// TicketErr says why a trailer that looks like a ticket is not one.
	TicketErr error
}

// Distribution is the parts of a product's Distribution file the checks use.
type Distribution struct {
	PkgRefs []PkgRef      `xml:"pkg-ref"`
	Choices []Choice      `xml:"choice"`
	Outline []OutlineLine `xml:"choices-outline>line"`
}

// Choice is a choice element: what it installs, by pkg-ref id.
type Choice struct {
	ID      string   `xml:"id,attr"`
	PkgRefs []PkgRef `xml:"pkg-ref"`
}

// OutlineLine is a line of the choices outline, naming a choice.
type OutlineLine struct {
	Choice string        `xml:"choice,attr"`
	Lines  []OutlineLine `xml:"line"`
}

// allPkgRefs returns the pkg-refs at the top and inside choices.
func (d *Distribution) allPkgRefs() []PkgRef {
	refs := append([]PkgRef(nil), d.PkgRefs...)
	for _, c := range d.Choices {
		refs = append(refs, c.PkgRefs...)
	}
	return refs
}

// ChoiceProblems lists choices that install a pkg-ref id no pkg-ref names a
// component for, and outline lines that name no defined choice.
func (d *Distribution) ChoiceProblems() []string {
	named := map[string]bool{}
	for _, r := range d.allPkgRefs() {
		if r.Text != "" {
			named[r.ID] = true
		}
	}
	defined := map[string]bool{}
	var out []string
	for _, c := range d.Choices {
		defined[c.ID] = true
		for _, r := range c.PkgRefs {
			if !named[r.ID] {
				out = append(out, fmt.Sprintf("choice %q installs pkg-ref %q, but no pkg-ref with that id names a component", c.ID, r.ID))
			}
		}
	}
	var walk func(lines []OutlineLine, depth int)
	walk = func(lines []OutlineLine, depth int) {
		for _, l := range lines {
			if !defined[l.Choice] {
				out = append(out, fmt.Sprintf("choices-outline names choice %q, which is not defined", l.Choice))
			}
			if depth < 32 {
				walk(l.Lines, depth+1)
			}
		}
	}
	walk(d.Outline, 0)
	sort.Strings(out)
	return out
}

// PkgRef is one pkg-ref element; Text names the component (#comp.pkg).
type PkgRef struct {
	ID   string `xml:"id,attr"`
	Text string `xml:",chardata"`
}

// Component is one component package.
type Component struct {
	// Name is the component's name ("comp.pkg"), or the package's own name
	// for a top-level component package.
	Name string
	// Dir is the component's directory in the xar ("comp.pkg", or "." for a
	// top-level component package).
	Dir         string
	PackageInfo *PackageInfo
	InfoErr     error
	HasBom      bool
	HasPayload  bool
	// BomPaths are the paths the Bom lists; BomErr says why it could not
	// be read.
	BomPaths []string
	BomErr   error
	// Payload and Scripts are the unpacked archives; their errors say why
	// they could not be read.
	Payload    *Payload
	PayloadErr error
	Scripts    *Payload
	ScriptsErr error
}

// PackageInfo is the parts of a component's PackageInfo the checks use.
type PackageInfo struct {
	Identifier      string `xml:"identifier,attr"`
	Version         string `xml:"version,attr"`
	InstallLocation string `xml:"install-location,attr"`
}

// ticket trailer: {magic "t8lr", version u16, type u16, length u32,
// reserved[4]} little-endian.
const (
	trailerSize  = 16
	maxTicket    = 1 << 20
	ticketMagic  = "t8lr"
	trailerTypes = 2
)

// maxBom bounds a Bom file read into memory.
const maxBom = 64 << 20

// Content decides what happens to payload files' content: Keep says which
// files are read into memory, and Consume, when set, is given each of them
// as soon as it is read, with where it is (the component's directory, "."
// for a component package, and "Payload" or "Scripts"); when it returns
// true the content is dropped again (see OpenPayload).
type Content struct {
	Keep    KeepContent
	Consume func(dir, part, name string, data []byte) bool
}

// OpenPackage opens a flat package, parses its Distribution and components
// and streams every payload once (keep decides what payload content is held
// in memory).
func OpenPackage(r io.ReaderAt, size int64, budget *archive.Budget, content Content) (*Package, error) {
	p := &Package{}
	x, err := OpenXar(r, size, budget)
	if err != nil {
		return nil, err
	}
	p.Xar = x
	p.readTicket(r, size)
	if e := x.Files.Entry("Distribution"); e != nil {
		p.Product = true
		p.DistributionRaw, p.DistErr = readAll(e, 16<<20)
		if p.DistErr == nil {
			p.Distribution, p.DistErr = ParseDistribution(p.DistributionRaw)
		}
		top, _ := x.Files.ReadDir(".")
		for _, d := range top {
			name := d.Name()
			switch {
			case d.IsDir() && strings.HasSuffix(name, ".pkg"):
				p.Components = append(p.Components, openComponent(x.Files, name, name, budget, content))
			case !d.IsDir() && strings.HasSuffix(name, ".pkg"):
				if head, err := readHeadOf(x.Files.Entry(name)); err == nil && IsXar(head) {
					p.SignedComponents = append(p.SignedComponents, name)
				}
			}
		}
	} else {
		p.Components = []*Component{openComponent(x.Files, ".", "", budget, content)}
	}
	return p, nil
}

// ParseDistribution parses a Distribution file strictly.
func ParseDistribution(b []byte) (*Distribution, error) {
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = true
	var raw struct {
		XMLName xml.Name
		Distribution
	}
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("Distribution at byte %d: %w", dec.InputOffset(), err)
	}
	if raw.XMLName.Local != "installer-gui-script" && raw.XMLName.Local != "installer-script" {
		return nil, fmt.Errorf("Distribution: root element %q, want installer-gui-script", raw.XMLName.Local)
	}
	// Every element must also be well formed to the end (comments with
	// "--" and the like).
	for {
		if _, err := dec.Token(); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("Distribution at byte %d: %w", dec.InputOffset(), err)
		}
	}
	for i := range raw.PkgRefs {
		raw.PkgRefs[i].Text = strings.TrimSpace(raw.PkgRefs[i].Text)
	}
	for _, c := range raw.Choices {
		for i := range c.PkgRefs {
			c.PkgRefs[i].Text = strings.TrimSpace(c.PkgRefs[i].Text)
		}
	}
	return &raw.Distribution, nil
}

func openComponent(files *archive.Tree, dir, name string, budget *archive.Budget, content Content) *Component {
	c := &Component{Name: name, Dir: dir}
	join := func(n string) string { return path.Join(dir, n) }
	if e := files.Entry(join("PackageInfo")); e != nil {
		raw, err := readAll(e, 16<<20)
		if err == nil {
			info := &PackageInfo{}
			dec := xml.NewDecoder(bytes.NewReader(raw))
			dec.Strict = true
			if err = dec.Decode(info); err == nil {
				c.PackageInfo = info
			}
		}
		c.InfoErr = err
	}
	if e := files.Entry(join("Bom")); e != nil {
		c.HasBom = true
		raw, err := readAll(e, maxBom)
		if err == nil {
			c.BomPaths, err = ParseBom(raw)
		}
		c.BomErr = err
	}
	if e := files.Entry(join("Payload")); e != nil {
		c.HasPayload = true
		c.Payload, c.PayloadErr = streamPayload(e, budget, content, dir, "Payload")
	}
	if e := files.Entry(join("Scripts")); e != nil {
		c.Scripts, c.ScriptsErr = streamPayload(e, budget, content, dir, "Scripts")
	}
	return c
}

func streamPayload(e *archive.Entry, budget *archive.Budget, content Content, dir, part string) (*Payload, error) {
	rc, err := e.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var consume func(string, []byte) bool
	if content.Consume != nil {
		consume = func(name string, data []byte) bool { return content.Consume(dir, part, name, data) }
	}
	pl, err := OpenPayload(rc, budget, content.Keep, consume)
	if err == nil {
		// Read what follows the cpio trailer (padding) so that the xar
		// checksums of the whole file are checked.
		_, err = io.Copy(io.Discard, io.LimitReader(rc, e.Size))
	}
	return pl, err
}

func readAll(e *archive.Entry, limit int64) ([]byte, error) {
	if e.Size > limit {
		return nil, fmt.Errorf("%d bytes, more than %d", e.Size, limit)
	}
	rc, err := e.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(io.LimitReader(rc, limit))
}

func readHeadOf(e *archive.Entry) ([]byte, error) {
	if e == nil || e.Open == nil {
		return nil, errors.New("no content")
	}
	rc, err := e.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	head := make([]byte, 4)
	_, err = io.ReadFull(rc, head)
	return head, err
}

// readTicket looks for a stapled ticket: the file ends with a type-2
// trailer giving the ticket's length, preceded by the ticket and a type-1
// trailer.
func (p *Package) readTicket(r io.ReaderAt, size int64) {
	if size < 2*trailerSize {
		return
	}
	var t [trailerSize]byte
	if _, err := r.ReadAt(t[:], size-trailerSize); err != nil || string(t[:4]) != ticketMagic {
		return
	}
	le := binary.LittleEndian
	n := int64(le.Uint32(t[8:]))
	if le.Uint16(t[6:]) != trailerTypes || n <= 0 || n > maxTicket || n > size-2*trailerSize {
		p.TicketErr = fmt.Errorf("ticket trailer at %#x: type %d, length %d", size-trailerSize, le.Uint16(t[6:]), n)
		return
	}
	var start [trailerSize]byte
	if _, err := r.ReadAt(start[:], size-2*trailerSize-n); err != nil || string(start[:4]) != ticketMagic || le.Uint16(start[6:]) != 1 {
		p.TicketErr = fmt.Errorf("ticket at %#x: no opening trailer", size-trailerSize-n)
		return
	}
	p.Ticket = make([]byte, n)
	if _, err := r.ReadAt(p.Ticket, size-trailerSize-n); err != nil {
		p.Ticket, p.TicketErr = nil, err
	}
}

// BomDifference compares the paths the Bom lists with the Payload's: the
// paths only the Bom lists and those only the Payload holds (at most limit
// of each). It returns nothing when either could not be read.
func (c *Component) BomDifference(limit int) (onlyBom, onlyPayload []string) {
	if c.BomPaths == nil || c.Payload == nil {
		return nil, nil
	}
	norm := func(p string) string { return strings.TrimPrefix(strings.TrimPrefix(p, "."), "/") }
	inBom := map[string]bool{}
	for _, p := range c.BomPaths {
		inBom[norm(p)] = true
	}
	inPayload := map[string]bool{"": true}
	fs.WalkDir(c.Payload.Tree, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && p != "." {
			inPayload[p] = true
			if !inBom[p] && len(onlyPayload) < limit {
				onlyPayload = append(onlyPayload, p)
			}
		}
		return nil
	})
	for _, p := range c.BomPaths {
		if n := norm(p); !inPayload[n] && len(onlyBom) < limit {
			onlyBom = append(onlyBom, n)
		}
	}
	return onlyBom, onlyPayload
}

// UnresolvedPkgRefs returns the pkg-refs whose text does not name a
// component of the package, with why.
func (p *Package) UnresolvedPkgRefs() []string {
	if p.Distribution == nil {
		return nil
	}
	have := map[string]bool{}
	for _, c := range p.Components {
		have[c.Name] = true
	}
	for _, s := range p.SignedComponents {
		have[s] = true
	}
	var out []string
	for _, ref := range p.Distribution.allPkgRefs() {
		text := ref.Text
		if text == "" {
			continue // a pkg-ref that only carries attributes
		}
		name, hash := strings.CutPrefix(text, "#")
		name = strings.TrimPrefix(name, "file:")
		name = strings.TrimPrefix(name, "./")
		if unescaped, err := unescapeURL(name); err == nil {
			name = unescaped
		}
		switch {
		case !hash:
			out = append(out, fmt.Sprintf("pkg-ref %q has text %q without the leading '#', so the installer looks for it outside the package", ref.ID, text))
		case !have[name]:
			out = append(out, fmt.Sprintf("pkg-ref %q names %q, which the package does not contain", ref.ID, text))
		}
	}
	sort.Strings(out)
	return out
}

func unescapeURL(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			var v byte
			if _, err := fmt.Sscanf(s[i+1:i+3], "%02x", &v); err != nil {
				return "", err
			}
			b.WriteByte(v)
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String(), nil
}
