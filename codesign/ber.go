package codesign

import (
	"errors"
	"fmt"
)

// berElem is one BER element. Apple writes code-signature CMS blobs in BER
// with indefinite lengths, which encoding/asn1 (DER only) cannot read, so the
// CMS layer walks this tree and re-encodes the parts it hashes or hands to
// crypto/x509 as DER.
type berElem struct {
	Class       int // 0 universal, 1 application, 2 context, 3 private
	Tag         int
	Constructed bool
	// Content holds a primitive element's bytes.
	Content []byte
	// Children holds a constructed element's elements.
	Children []*berElem
	// Offset is where the element starts in the parsed buffer.
	Offset int
	// Raw is the element's exact encoding when it has a definite length;
	// nil for an indefinite-length element.
	Raw []byte
}

const (
	maxBERDepth    = 64
	maxBERElements = 1 << 16
)

var errBERTruncated = errors.New("truncated")

// parseBER parses one element from b and returns it with the number of bytes
// it took.
func parseBER(b []byte) (*berElem, int, error) {
	count := 0
	return parseBERAt(b, 0, 0, &count)
}

func parseBERAt(b []byte, base, depth int, count *int) (*berElem, int, error) {
	if depth > maxBERDepth {
		return nil, 0, fmt.Errorf("BER at %#x: nested deeper than %d", base, maxBERDepth)
	}
	if *count++; *count > maxBERElements {
		return nil, 0, fmt.Errorf("BER at %#x: more than %d elements", base, maxBERElements)
	}
	if len(b) < 2 {
		return nil, 0, fmt.Errorf("BER at %#x: %w", base, errBERTruncated)
	}
	e := &berElem{Class: int(b[0] >> 6), Constructed: b[0]&0x20 != 0, Tag: int(b[0] & 0x1f), Offset: base}
	p := 1
	if e.Tag == 0x1f { // high tag number form
		e.Tag = 0
		for {
			if p >= len(b) || p > 4 {
				return nil, 0, fmt.Errorf("BER at %#x: bad high tag number", base)
			}
			c := b[p]
			p++
			e.Tag = e.Tag<<7 | int(c&0x7f)
			if c&0x80 == 0 {
				break
			}
		}
	}
	if p >= len(b) {
		return nil, 0, fmt.Errorf("BER at %#x: %w", base, errBERTruncated)
	}
	l := int(b[p])
	p++
	if l == 0x80 { // indefinite length
		if !e.Constructed {
			return nil, 0, fmt.Errorf("BER at %#x: indefinite length on a primitive element", base)
		}
		for {
			if len(b)-p < 2 {
				return nil, 0, fmt.Errorf("BER at %#x: indefinite-length element has no end-of-contents", base)
			}
			if b[p] == 0 && b[p+1] == 0 {
				return e, p + 2, nil
			}
			child, n, err := parseBERAt(b[p:], base+p, depth+1, count)
			if err != nil {
				return nil, 0, err
			}
			e.Children = append(e.Children, child)
			p += n
		}
	}
	if l&0x80 != 0 {
		n := l & 0x7f
		if n > 4 || len(b)-p < n {
			return nil, 0, fmt.Errorf("BER at %#x: bad length of length %d", base, n)
		}
		l = 0
		for _, c := range b[p : p+n] {
			l = l<<8 | int(c)
		}
		p += n
	}
	if l < 0 || l > len(b)-p {
		return nil, 0, fmt.Errorf("BER at %#x: length %d runs past the end (%d bytes left)", base, l, len(b)-p)
	}
	body := b[p : p+l]
	e.Raw = b[:p+l]
	if !e.Constructed {
		e.Content = body
		return e, p + l, nil
	}
	for q := 0; q < len(body); {
		child, n, err := parseBERAt(body[q:], base+p+q, depth+1, count)
		if err != nil {
			return nil, 0, err
		}
		e.Children = append(e.Children, child)
		q += n
	}
	return e, p + l, nil
}

// is reports whether the element has the given class, tag and form.
func (e *berElem) is(class, tag int, constructed bool) bool {
	return e != nil && e.Class == class && e.Tag == tag && e.Constructed == constructed
}

// DER re-encodes the element with definite lengths. Constructed string
// types are kept constructed; Apple's signatures do not use them where DER
// matters (signed attributes, certificates).
func (e *berElem) DER() []byte {
	return e.appendDER(nil)
}

func (e *berElem) appendDER(out []byte) []byte {
	if e.Raw != nil && !e.hasIndefinite() {
		return append(out, e.Raw...) // keep the signer's exact bytes
	}
	var body []byte
	if e.Constructed {
		for _, c := range e.Children {
			body = c.appendDER(body)
		}
	} else {
		body = e.Content
	}
	return appendTLV(out, e.identifier(), body)
}

// identifier returns the element's identifier octets.
func (e *berElem) identifier() []byte {
	first := byte(e.Class << 6)
	if e.Constructed {
		first |= 0x20
	}
	if e.Tag < 0x1f {
		return []byte{first | byte(e.Tag)}
	}
	id := []byte{first | 0x1f}
	var rev []byte
	for t := e.Tag; t > 0; t >>= 7 {
		rev = append(rev, byte(t&0x7f))
	}
	for i := len(rev) - 1; i >= 0; i-- {
		c := rev[i]
		if i > 0 {
			c |= 0x80
		}
		id = append(id, c)
	}
	return id
}

func appendTLV(out, id, body []byte) []byte {
	out = append(out, id...)
	switch n := len(body); {
	case n < 0x80:
		out = append(out, byte(n))
	case n < 0x100:
		out = append(out, 0x81, byte(n))
	case n < 0x10000:
		out = append(out, 0x82, byte(n>>8), byte(n))
	case n < 0x1000000:
		out = append(out, 0x83, byte(n>>16), byte(n>>8), byte(n))
	default:
		out = append(out, 0x84, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(out, body...)
}

// octets returns the bytes of an OCTET STRING, joining the segments of a
// constructed (BER) one.
func (e *berElem) octets() ([]byte, error) {
	if !e.Constructed {
		return e.Content, nil
	}
	var out []byte
	for _, c := range e.Children {
		if !c.is(0, 4, false) {
			return nil, fmt.Errorf("BER at %#x: constructed OCTET STRING holds tag %d", c.Offset, c.Tag)
		}
		out = append(out, c.Content...)
	}
	return out, nil
}

// hasIndefinite reports whether an indefinite length occurs inside e.
func (e *berElem) hasIndefinite() bool {
	if e.Raw == nil {
		return true
	}
	for _, c := range e.Children {
		if c.hasIndefinite() {
			return true
		}
	}
	return false
}
