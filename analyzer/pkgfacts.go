package analyzer

import (
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/notarylint/notarylint/macho"
	"github.com/notarylint/notarylint/pkg"
)

// PackageFacts are the facts of a flat installer package item.
type PackageFacts struct {
	// Pkg is the opened package; nil when Err says why it could not be.
	Pkg *pkg.Package
	Err error
	// Signature is the verdict on the package's signature (set before the
	// rules run).
	Signature *pkg.Signature
	// MachO and Bundles list the code found inside, as item paths below the
	// package, including inside archives nested in it.
	MachO   []string
	Bundles []string
	// Unread lists payload files that could not be read, with why.
	Unread []string
}

// verify sets the signature verdict, once.
func (f *PackageFacts) verify(vc verifyConfig) {
	if f.Pkg != nil && f.Signature == nil {
		f.Signature = f.Pkg.Xar.VerifySignature(vc.trust, vc.now)
	}
}

// TicketKey is the record name the notary service files the package's
// ticket under, "2/<hash type>/<TOC checksum hex>" (the stapler's CloudKit
// lookup), or "" when the checksum is not a SHA-1 or SHA-256 one.
func (f *PackageFacts) TicketKey() string {
	if f.Pkg == nil {
		return ""
	}
	sum := f.Pkg.Xar.TOCChecksum
	switch len(sum) {
	case 20:
		return fmt.Sprintf("2/1/%x", sum)
	case 32:
		return fmt.Sprintf("2/2/%x", sum[:20])
	}
	return ""
}

// HasCode reports whether anything inside the package is code.
func (f *PackageFacts) HasCode() bool { return len(f.MachO) > 0 || len(f.Bundles) > 0 }

// Package returns the item's package facts, or nil when the item is not a
// flat package.
func (p *Pass) Package() *PackageFacts { return p.Item.pkg }

// keepPayloadFile decides which payload files are held in memory: code,
// archives and packages (to be opened), and the small property lists and
// seals bundles are read through. Everything else only keeps its digests.
func keepPayloadFile(name string, head []byte, size int64) bool {
	if sniff(head, size) >= 0 {
		return true
	}
	if size > 16<<20 {
		return false
	}
	base := path.Base(name)
	switch {
	case base == "CodeResources", base == "PkgInfo",
		strings.Contains(name, "/_CodeSignature/"), strings.Contains(name, "/_MASReceipt/"):
		return true
	}
	switch path.Ext(base) {
	case ".plist", ".provisionprofile", ".entitlements", ".xcent":
		return true
	}
	return false
}

// enterPackage opens a flat package item and walks every component's
// Payload and Scripts, and the signed component packages a product holds;
// it returns the items found inside. Files inside are named the way the
// notary log names them: "Outer.pkg/comp.pkg Contents/Payload/…".
func (d *discovery) enterPackage(it *Item) []*Item {
	info := &PackageFacts{}
	it.pkg = info
	f, size, err := d.openNested(it)
	if err != nil {
		info.Err = err
		return nil
	}
	// Mach-O files are analysed as soon as the stream has them and their
	// bytes dropped, so memory holds one at a time, not the payload's code.
	caches := map[string]*codeCache{}
	consume := func(dir, part, name string, data []byte) bool {
		if macho.Detect(data, int64(len(data))) == macho.NotMachO {
			return false
		}
		mf := machOFactsOf(data, d.vc)
		key := dir + "/" + part
		if caches[key] == nil {
			caches[key] = &codeCache{}
		}
		caches[key].put(name, mf)
		return true
	}
	p, err := pkg.OpenPackage(f, size, it.budget, pkg.Content{Keep: keepPayloadFile, Consume: consume})
	if err != nil {
		info.Err = err
		return nil
	}
	info.Pkg = p
	inner := func(fsys fs.FS, prefix string, code *codeCache) *Item {
		return &Item{Input: it.Input, fsys: fsys, prefix: prefix, machos: newPathSet(), budget: it.budget, depth: it.depth + 1, disc: d, code: code}
	}
	var inside []*Item
	for _, c := range p.Components {
		base := it.Path
		if c.Dir != "." {
			base += "/" + c.Name
		}
		if c.Payload != nil {
			inside = append(inside, d.walk(it, inner(c.Payload.Tree, base+" Contents/Payload", caches[c.Dir+"/Payload"]))...)
		}
		if c.Scripts != nil {
			inside = append(inside, d.walk(it, inner(c.Scripts.Tree, base+" Contents/Scripts", caches[c.Dir+"/Scripts"]))...)
		}
	}
	for _, name := range p.SignedComponents {
		scope := inner(p.Xar.Files, it.Path, nil)
		e := p.Xar.Files.Entry(name)
		head, err := readHead(p.Xar.Files, name, e.Size)
		if err != nil {
			d.unread(it, name, err)
			continue
		}
		inside = append(inside, d.found(scope, it, name, head, e.Size)...)
	}
	for _, c := range inside {
		switch c.Kind {
		case KindMachO:
			info.MachO = append(info.MachO, c.Path[len(it.Path):])
		case KindBundle:
			info.Bundles = append(info.Bundles, c.Path[len(it.Path):])
		}
	}
	return inside
}

// unread records that a file inside an archive or package item could not be
// read.
func (d *discovery) unread(top *Item, p string, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	switch {
	case top.archive != nil:
		top.archive.Unread = append(top.archive.Unread, p+": "+err.Error())
	case top.pkg != nil:
		top.pkg.Unread = append(top.pkg.Unread, p+": "+err.Error())
	case top.dmg != nil:
		top.dmg.NotAnalyzed = append(top.dmg.NotAnalyzed, p+": "+err.Error())
	}
}
